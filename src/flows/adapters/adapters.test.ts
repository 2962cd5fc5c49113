// Sample inputs in ../testdata were written by hand from each vendor's documented format:
//   calico.jsonl   https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/datatypes
//                  (and the aggregated example of .../elastic/flow/aggregation)
//   goldmane.jsonl https://github.com/projectcalico/calico/blob/master/goldmane/proto/api.proto
//                  (Flow/FlowResult in protobuf's JSON mapping, snake_case and camelCase)
//   hubble.jsonl   https://github.com/cilium/cilium/blob/main/api/v1/flow/flow.proto
//                  (`hubble observe -o jsonpb`, https://docs.cilium.io/en/stable/observability/hubble/)
//   vpc-v2.log     https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (default format)
//   vpc-v5.log     the same page: a custom format with a header line, version 5 fields
//   lab.jsonl      zonewall's own lab capture (src/flows/lab.ts)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parserFor } from './index.js';
import type { FlowFormat } from './index.js';
import type { FlowRecord } from '../record.js';

const dir = new URL('../testdata/', import.meta.url);

function parse(format: FlowFormat, file: string): { records: FlowRecord[]; errors: number[] } {
  const p = parserFor(format);
  const records: FlowRecord[] = [];
  const errors: number[] = [];
  readFileSync(new URL(file, dir), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const r = p(line, i + 1);
      if ('error' in r) errors.push(i + 1);
      else records.push(...r);
    });
  return { records, errors };
}

describe('adapters', () => {
  it.each<[FlowFormat, string, number, number[]]>([
    ['calico', 'calico.jsonl', 3, [3, 4]],
    ['goldmane', 'goldmane.jsonl', 2, [3]],
    ['hubble', 'hubble.jsonl', 3, []],
    ['vpc', 'vpc-v2.log', 2, [4]],
    ['vpc', 'vpc-v5.log', 2, [4]],
    ['lab', 'lab.jsonl', 4, [5, 6]],
  ])('%s %s: %i records, malformed lines %j', (format, file, n, errors) => {
    const got = parse(format, file);
    expect(got.records).toHaveLength(n);
    expect(got.errors).toEqual(errors);
    for (const r of got.records) {
      expect(r.source_format).toBe(format);
      expect(r.end_time).toBeGreaterThanOrEqual(r.start_time);
    }
  });

  it('calico: fields copied, enforced and pending traces kept', () => {
    const [agg, , dns] = parse('calico', 'calico.jsonl').records;
    expect(agg).toMatchObject({
      source_ip: '',
      source_name_aggr: 'payments-web-7d9f8b6c4-*',
      dest_port: 8080,
      num_flows: 47,
      bytes_in: 18236,
      reporter: 'dst',
      source_labels: ['app=payments-web', 'zonewall.io/zone=dmz'],
    });
    expect(agg?.policies).toHaveLength(2);
    expect(dns?.pending_policies).toEqual(['0|security|zonepolicy.bank|allow|0']);
  });

  it('goldmane: an endpoint type that names an object property is no type', () => {
    const line = readFileSync(new URL('goldmane.jsonl', dir), 'utf8').split('\n')[0] as string;
    const result = JSON.parse(line) as { flow: { Key: Record<string, unknown> } };
    result.flow.Key.source_type = 'constructor';
    const r = parserFor('goldmane')(JSON.stringify(result), 1);
    expect('error' in r ? r : r[0]?.source_type).toBe('net');
  });

  it('goldmane: names are prefixes, hits in Calico form, both JSON spellings', () => {
    const [a, b] = parse('goldmane', 'goldmane.jsonl').records;
    expect(a).toMatchObject({
      source_name_aggr: 'payments-web-7d9f8b6c4-*',
      source_ip: '',
      dest_port: 8080,
      action: 'allow',
      reporter: 'dst',
      num_flows_started: 4,
      bytes_out: 20480,
    });
    expect(a?.policies).toEqual([
      '0|security|zonewall-bank-dmz-to-api|pass|0',
      '1|default|payments-api/knp.default.payments-api|allow|0',
    ]);
    expect(b).toMatchObject({
      action: 'deny',
      source_type: 'net',
      source_name_aggr: 'pub',
      dest_port: 5432,
    });
    expect(b?.policies[0]).toMatch(/^0\|security\|.*\|deny\|-1$/);
  });

  it('hubble: a reply is oriented as its connection; drops are denies', () => {
    const [syn, reply, drop] = parse('hubble', 'hubble.jsonl').records;
    expect(syn).toMatchObject({
      source_ip: '10.20.0.5',
      dest_port: 8080,
      packets_out: 1,
      num_flows: 1,
      reporter: 'src',
    });
    expect(syn?.source_labels).toEqual(['app=payments-web']);
    expect(syn?.policies).toEqual(['0|cilium|payments-web/allow-api|allow|-1']);
    expect(reply).toMatchObject({
      source_ip: '10.20.0.5',
      dest_ip: '10.30.0.4',
      dest_port: 8080,
      packets_in: 1,
      num_flows: 0,
    });
    expect(drop).toMatchObject({ action: 'deny', reporter: 'dst', host: 'node-b' });
  });

  it('vpc: default and custom formats, packet addresses preferred', () => {
    const [v2] = parse('vpc', 'vpc-v2.log').records;
    expect(v2).toMatchObject({
      source_ip: '10.20.0.5',
      dest_port: 8080,
      proto: 'tcp',
      bytes_out: 4249,
      action: 'allow',
    });
    const [out, back] = parse('vpc', 'vpc-v5.log').records;
    expect(out).toMatchObject({
      source_ip: '10.20.0.77',
      reporter: 'src',
      host: 'i-01234567890123456',
    });
    expect(back).toMatchObject({ dest_ip: '10.20.0.77', reporter: 'dst' });
  });

  it('lab: conntrack is allowed with both directions counted; nflog is an observed deny', () => {
    const [ct, , named, unnamed] = parse('lab', 'lab.jsonl').records;
    expect(ct).toMatchObject({
      action: 'allow',
      bytes_out: 74,
      bytes_in: 120,
      num_flows_completed: 1,
      policies: [],
    });
    expect(named?.policies).toEqual(['0|security|zonepolicy.bank|deny|-1']);
    expect(unnamed?.policies).toEqual(['0|-|nft:3f2a9c1e|deny|-1']);
  });
});
