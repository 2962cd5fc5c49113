import { describe, expect, it } from 'vitest';
import { Aggregator, bucketStart, mask } from './aggregate.js';
import type { AggregationLevel } from './aggregate.js';
import { hash64, lineId } from './ids.js';
import { FIELDS, blankRecord, nameAggr, protoNumber, protoText } from './record.js';
import type { FlowRecord } from './record.js';

/** hash64('zonewall') as every earlier release spelled it. */
const HASH_OF_ZONEWALL = 'aa141131623d7b1d';

function rec(over: Partial<FlowRecord>): FlowRecord {
  return {
    ...blankRecord(),
    id: 'x',
    source_ip: '10.30.0.4',
    source_port: 40001,
    source_name: 'api-5c9d8f7b6-j7x4r',
    source_name_aggr: 'api-5c9d8f7b6-*',
    dest_ip: '10.40.0.5',
    dest_port: 5432,
    dest_name: 'db-0',
    dest_name_aggr: 'db-*',
    start_time: 1000,
    end_time: 1001,
    bytes_in: 10,
    bytes_out: 20,
    packets_in: 1,
    packets_out: 2,
    ...over,
  };
}

describe('aggregation levels (Calico meaning)', () => {
  it.each<[AggregationLevel, Partial<FlowRecord>]>([
    [0, { source_port: 40001, source_ip: '10.30.0.4', dest_ip: '10.40.0.5' }],
    [1, { source_port: 0, source_ip: '10.30.0.4', source_name: 'api-5c9d8f7b6-j7x4r' }],
    [2, { source_port: 0, source_ip: '', source_name: '-', dest_name: 'db-0' }],
    [3, { source_ip: '', dest_ip: '', dest_name: '-', dest_name_aggr: 'db-*', dest_port: 5432 }],
  ])('level %i masks what Calico masks', (level, expected) => {
    const r = rec({});
    mask(r, level);
    expect(r).toMatchObject(expected);
    expect(r.source_name_aggr).toBe('api-5c9d8f7b6-*');
  });
});

describe('Aggregator', () => {
  it('merges per 15 s bucket and adds the counters', () => {
    const out: FlowRecord[] = [];
    const agg = new Aggregator({ level: 1, idSeed: 'f', emit: (rs) => out.push(...rs) });
    agg.add(rec({ id: 'a', start_time: 1000, source_port: 1 }));
    agg.add(rec({ id: 'b', start_time: 1004, source_port: 2 }));
    agg.add(rec({ id: 'c', start_time: 1005, source_port: 3 })); // next bucket (1005..1020)
    agg.flush();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ start_time: 990, end_time: 1005, bytes_in: 20, num_flows: 2 });
    expect(out[1]).toMatchObject({ start_time: 1005, end_time: 1020, bytes_in: 10 });
  });

  it('keeps labels common to all merged records and gives stable ids', () => {
    const run = (): FlowRecord[] => {
      const out: FlowRecord[] = [];
      const agg = new Aggregator({ level: 2, idSeed: 's', emit: (rs) => out.push(...rs) });
      agg.add(rec({ id: 'a', source_labels: ['app=api', 'pod-template-hash=1'] }));
      agg.add(rec({ id: 'b', source_name: 'api-x', source_labels: ['app=api', 'v=2'] }));
      agg.flush();
      return out;
    };
    const [first] = run();
    expect(first?.source_labels).toEqual(['app=api']);
    expect(first?.id).toBe(run()[0]?.id);
  });

  it('merging aggregates of parts in order gives what adding every record gives', () => {
    const records = (): FlowRecord[] =>
      Array.from({ length: 60 }, (_, i) =>
        rec({
          id: `r${i}`,
          start_time: 1000 + i,
          end_time: 1003 + i,
          source_port: 40000 + i,
          dest_port: [5432, 443, 53][i % 3] as number,
          bytes_in: i,
          source_labels: i % 2 === 0 ? ['app=api', 'v=1'] : ['app=api', 'v=2'],
        }),
      );
    const all: FlowRecord[] = [];
    const whole = new Aggregator({ level: 1, idSeed: 's', emit: (rs) => all.push(...rs) });
    for (const r of records()) whole.add(r);
    whole.flush();
    const merged: FlowRecord[] = [];
    const main = new Aggregator({ level: 1, idSeed: 's', emit: (rs) => merged.push(...rs) });
    const rs = records();
    for (const part of [rs.slice(0, 7), rs.slice(7, 31), rs.slice(31)]) {
      const partial: FlowRecord[] = [];
      const agg = new Aggregator({ level: 1, idSeed: 's', emit: (x) => partial.push(...x) });
      for (const r of part) agg.add(r);
      agg.flush();
      for (const r of partial) main.merge(r);
    }
    main.flush();
    expect(merged.length).toBeLessThan(60);
    expect(merged).toEqual(all);
  });

  it('hands on early when the limit is reached', () => {
    let batches = 0;
    const agg = new Aggregator({ level: 0, idSeed: 's', limit: 2, emit: () => batches++ });
    for (let i = 0; i < 5; i++) agg.add(rec({ id: String(i), source_port: i }));
    agg.flush();
    expect(batches).toBe(3);
  });

  it('buckets by interval', () => {
    expect(bucketStart(61, 60)).toBe(60);
    expect(bucketStart(59, 15)).toBe(45);
  });
});

describe('record helpers', () => {
  it('names protocols both ways', () => {
    expect(protoText(6)).toBe('tcp');
    expect(protoText(47)).toBe('47');
    expect(protoNumber('UDP')).toBe(17);
    expect(protoNumber('ICMPv6')).toBe(58);
    expect(protoNumber('bogus')).toBeUndefined();
  });

  it('aggregates pod names as Calico does', () => {
    expect(nameAggr('web-7d4b9c8f6-x2k9q', 'web-7d4b9c8f6-')).toBe('web-7d4b9c8f6-*');
    expect(nameAggr('web-7d4b9c8f6-x2k9q')).toBe('web-7d4b9c8f6-*');
    expect(nameAggr('db-0')).toBe('db-0');
  });

  it('has one column per field and distinct, stable ids', () => {
    expect(new Set(FIELDS.map(([n]) => n)).size).toBe(Object.keys(blankRecord()).length);
    expect(hash64('a')).toMatch(/^[0-9a-f]{16}$/);
    // Ids are stored: their spelling must never change between releases.
    expect(hash64('zonewall')).toBe(HASH_OF_ZONEWALL);
    expect(lineId('h', 1)).not.toBe(lineId('h', 2));
    expect(lineId('h', 1)).toBe(lineId('h', 1));
  });
});
