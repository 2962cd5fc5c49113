import { describe, expect, it } from 'vitest';
import {
  ENCODER_KEPT,
  END_PARTS,
  Encoder,
  TSV_FIELDS,
  concatEncoded,
  encode,
  splitEncoded,
} from './encode.js';
import type { EncodedBatch, End } from './encode.js';
import { FIELDS, blankRecord } from './record.js';
import type { FlowRecord } from './record.js';

/** A record whose every field has a value of its own (so a misplaced field shows). */
function distinct(): FlowRecord {
  const r = blankRecord() as unknown as Record<string, unknown>;
  FIELDS.forEach(([name, type], i) => {
    r[name] = type === 'int' ? 1000 + i : type === 'strings' ? [`${name}=a`, `${name}=b`] : name;
  });
  return r as unknown as FlowRecord;
}

/** The records as tab-separated lines. */
const tsvLines = (rs: readonly FlowRecord[]): string => encode('tsv', rs).text;

/** A field's column in a 'tsv' line. */
const col = (name: string): number => TSV_FIELDS.findIndex(([n]) => n === name);

/** Each record's ends in a 'tsv' batch, as the lines name them. */
function endsOf(b: EncodedBatch): Array<{ source: End; dest: End }> {
  const ends = new Map(b.ends);
  return b.text.split('\n').map((l) => {
    const cells = l.split('\t');
    const end = (side: string): End => {
      const e = ends.get(cells[col(`${side}_end`)] as string);
      if (!e) throw new Error(`no end ${cells[col(`${side}_end`)]}`);
      return e;
    };
    return { source: end('source'), dest: end('dest') };
  });
}

describe('tsv encoding', () => {
  it('writes every field in TSV_FIELDS order, each list as its number, each end as its number', () => {
    expect(TSV_FIELDS.map(([n]) => n)).toEqual(
      FIELDS.map(([n]) =>
        n.replace(/^(source|dest)_(name|name_aggr|namespace|type|labels|zone)$/, '$1_end'),
      ).filter((n, i, all) => all[i - 1] !== n),
    );
    const r = distinct();
    const b = encode('tsv', [r]);
    const cells = b.text.split('\t');
    expect(cells).toHaveLength(TSV_FIELDS.length);
    const lists = new Map(b.lists);
    TSV_FIELDS.forEach(([name, type], i) => {
      if (type === 'strings') {
        expect(cells[i]).toMatch(/^\d+$/);
        expect(lists.get(cells[i] as string)).toEqual([`${name}=a`, `${name}=b`]);
      } else if (type === 'end') expect(cells[i]).toMatch(/^\d+$/);
      else
        expect(cells[i]).toBe(
          type === 'int' ? String(1000 + FIELDS.findIndex(([n]) => n === name)) : name,
        );
    });
    expect(b.lists).toHaveLength(4);
    const [ends] = endsOf(b);
    for (const side of ['source', 'dest'] as const)
      for (const p of END_PARTS) {
        const v = (r as unknown as Record<string, unknown>)[`${side}_${p}`];
        const e = ends?.[side] as End;
        if (p === 'labels') expect(lists.get(e.labels)).toEqual(v);
        else expect(e[p]).toBe(v);
      }
    expect(b.ends).toHaveLength(2);
  });

  it('numbers an end by its content: one number for equal ends, on either side, another for any change', () => {
    const base = {
      ...blankRecord(),
      source_name: 'a',
      source_name_aggr: 'a-*',
      source_namespace: 'ns',
      source_zone: 'dmz',
      source_labels: ['app=a'],
      dest_name: 'a',
      dest_name_aggr: 'a-*',
      dest_namespace: 'ns',
      dest_zone: 'dmz',
      dest_labels: ['app=a'],
    };
    const changes: Array<Partial<FlowRecord>> = [
      {},
      { source_name: 'b' },
      { source_name_aggr: 'b-*' },
      { source_namespace: 'other' },
      { source_type: 'hep' },
      { source_labels: ['app=b'] },
      { source_zone: 'trusted' },
      { source_name: 'a\t' },
    ];
    const rs = changes.map((o) => ({ ...base, ...o }));
    const b = encode('tsv', rs);
    const cells = b.text.split('\n').map((l) => l.split('\t'));
    const src = cells.map((c) => c[col('source_end')]);
    // The same end on both sides, and in every record, for the unchanged destination.
    expect(cells.map((c) => c[col('dest_end')])).toEqual(Array(rs.length).fill(src[0]));
    expect(new Set(src).size).toBe(rs.length);
    expect(b.ends).toHaveLength(rs.length);
    // The same content in another batch (another worker) has the same number.
    expect(encode('tsv', [rs[3] as FlowRecord]).text.split('\t')[col('source_end')]).toBe(src[3]);
    expect(endsOf(b).map((e) => e.source.name)).toEqual(rs.map((r) => r.source_name));
  });

  it('numbers a list by its content: one number for equal lists, another for any change', () => {
    const rs = [
      ['a=1', 'b=2'],
      ['a=1', 'b=2'],
      ['a=1', 'b=3'],
      ['a=1'],
      [],
      ['a=1', 'b=2', ''],
    ].map((labels) => ({ ...blankRecord(), source_labels: [...labels], dest_labels: [...labels] }));
    const b = encode('tsv', rs);
    const ids = endsOf(b).map((e) => e.source.labels);
    const dest = endsOf(b).map((e) => e.dest.labels);
    expect(dest).toEqual(ids);
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(5);
    expect(b.lists).toHaveLength(5);
    // The same content in another batch (another worker) has the same number.
    expect(encode('tsv', [rs[2] as FlowRecord]).lists[0]?.[0]).toBe(ids[2]);
    // Numbers are unsigned 64-bit (the store's UBIGINT).
    for (const id of ids) expect(BigInt(id as string) < 2n ** 64n).toBe(true);
  });

  it('replaces separators inside values and keeps list items exactly', () => {
    const r = {
      ...blankRecord(),
      host: 'a\tb\nc\rd\u0001e\u001ef',
      source_labels: ['x=1\u001ey\tz'],
      policies: [],
      pending_policies: ['p\nq', '', '\u0001'],
    };
    const b = encode('tsv', [r]);
    const cells = b.text.split('\t');
    expect(cells[col('host')]).toBe('a b c d e\u001ef');
    const lists = new Map(b.lists);
    expect(lists.get(endsOf(b)[0]?.source.labels as string)).toEqual(['x=1\u001ey\tz']);
    expect(lists.get(cells[col('policies')] as string)).toEqual([]);
    expect(lists.get(cells[col('pending_policies')] as string)).toEqual(['p\nq', '', '\u0001']);
    expect(tsvLines([r, r]).split('\n')).toHaveLength(2);
  });

  it('records sharing a labels list keep their own names, namespaces, types and zones', () => {
    const labels = ['app=web'];
    const base: Partial<FlowRecord> = {
      source_name: 'a',
      source_name_aggr: 'a-*',
      source_namespace: 'ns',
      source_type: 'wep',
      source_zone: 'dmz',
      source_labels: labels,
      dest_labels: labels,
      dest_name_aggr: 'db-*',
    };
    // Each record after the first differs from the one before it in one field only.
    const changes: Array<Partial<FlowRecord>> = [
      {},
      { source_name: 'b' },
      {},
      { source_name_aggr: 'b-*' },
      {},
      { source_namespace: 'other' },
      {},
      { source_type: 'hep' },
      {},
      { source_zone: 'trusted' },
      {},
    ];
    const rs = changes.map((o) => ({ ...blankRecord(), ...base, ...o }));
    const b = encode('tsv', rs);
    const ends = endsOf(b);
    for (const p of ['name', 'name_aggr', 'namespace', 'type', 'zone'] as const)
      expect(ends.map((e) => e.source[p])).toEqual(rs.map((r) => r[`source_${p}`]));
    const web = b.lists.filter(([, items]) => items[0] === 'app=web');
    expect(web).toEqual([[web[0]?.[0], ['app=web']]]);
    expect(ends.map((e) => e.dest.labels)).toEqual(Array(rs.length).fill(web[0]?.[0]));
    expect(ends.map((e) => e.source.labels)).toEqual(Array(rs.length).fill(web[0]?.[0]));
    expect([...b.workloads].sort()).toEqual(['a-*', 'b-*', 'db-*']);
  });

  it('records sharing a policy trace keep their own pending trace, trace source, deciding policy and format', () => {
    const trace = ['0|t|p|allow|0'];
    const base: Partial<FlowRecord> = {
      policies: trace,
      pending_policies: [],
      trace_source: 'observed',
      policy_tier: 't',
      policy_name: 'p',
      source_format: 'calico',
    };
    // Each record after the first differs from the one before it in one field only.
    const changes: Array<Partial<FlowRecord>> = [
      {},
      { pending_policies: ['0|s|q|deny|0'] },
      {},
      { trace_source: 'computed' },
      {},
      { policy_tier: 'u' },
      {},
      { policy_name: 'p\tq' },
      {},
      { source_format: 'hubble' },
      {},
      { policies: ['0|t|p|allow|0'] }, // the same content, another list
    ];
    const rs = changes.map((o) => ({ ...blankRecord(), ...base, ...o }));
    for (const encoding of ['tsv', 'tab-separated'] as const) {
      const b = encode(encoding, rs);
      // Each line as the record alone writes it.
      expect(b.text.split('\n')).toEqual(rs.map((r) => encode(encoding, [r]).text));
    }
    const cells = encode('tsv', rs)
      .text.split('\n')
      .map((l) => l.split('\t'));
    for (const f of ['trace_source', 'policy_tier', 'source_format'] as const)
      expect(cells.map((c) => c[col(f)])).toEqual(rs.map((r) => r[f]));
    expect(cells.map((c) => c[col('policy_name')])).toEqual(
      rs.map((r) => r.policy_name.replace('\t', ' ')),
    );
  });

  it('joins encoded chunks into one batch with the time range of all', () => {
    const a = encode('tab-separated', [{ ...blankRecord(), id: 'a', start_time: 50 }]);
    const none = encode('tab-separated', []);
    const b = encode('tab-separated', [
      { ...blankRecord(), id: 'b', start_time: 10 },
      { ...blankRecord(), id: 'c', start_time: 70 },
    ]);
    const all = concatEncoded([a, none, b]);
    expect(all).toMatchObject({ count: 3, lo: 10, hi: 70 });
    expect(all.text.split('\n').map((l) => l.split('\t')[0])).toEqual(['a', 'b', 'c']);
    expect(() => concatEncoded([a, encode('tsv', [blankRecord()])])).toThrow(/cannot join/);
  });

  it('writes records whose lists are their own (as an adapter reads them) as if they shared them', () => {
    const lists = [
      ['app=web', 'tier=1'],
      [],
      [''],
      ['a\0b'],
      ['a', 'b'],
      ['a\0', 'b'],
      ['app=web'],
    ];
    const shared = Array.from({ length: 40 }, (_, i) => ({
      ...blankRecord(),
      source_name: `pod-${i % 3}`,
      source_labels: lists[i % lists.length] as string[],
      dest_labels: lists[(i * 3) % lists.length] as string[],
      policies: lists[(i * 5) % lists.length] as string[],
      pending_policies: lists[(i * 2) % lists.length] as string[],
    }));
    const own = shared.map((r) => ({
      ...r,
      source_labels: [...r.source_labels],
      dest_labels: [...r.dest_labels],
      policies: [...r.policies],
      pending_policies: [...r.pending_policies],
    }));
    for (const encoding of ['tsv', 'tab-separated'] as const) {
      const a = encode(encoding, shared);
      expect(encode(encoding, own)).toEqual(a);
      // Lists a NUL-joined key cannot tell apart keep numbers of their own.
      if (encoding === 'tsv') expect(a.lists).toHaveLength(lists.length);
    }
  });

  it('joins the lists of chunks, each once, and refuses two lists with one number', () => {
    const rec = (labels: string[]): FlowRecord => ({ ...blankRecord(), source_labels: labels });
    const a = encode('tsv', [rec(['app=a']), rec(['app=b'])]);
    const b = encode('tsv', [rec(['app=b']), rec(['app=c'])]);
    const all = concatEncoded([a, b]);
    expect(all.lists.map(([, l]) => l).sort()).toEqual([[], ['app=a'], ['app=b'], ['app=c']]);
    const [id] = a.lists.find(([, l]) => l[0] === 'app=a') as readonly [string, readonly string[]];
    for (const items of [['app=forged'], ['app=a', ''], []]) {
      const forged = { ...b, lists: [[id, items] as const] };
      expect(() => concatEncoded([a, forged])).toThrow(/two lists have the number/);
    }
    expect(concatEncoded([a, { ...b, lists: [[id, ['app=a']] as const] }]).count).toBe(4);
  });

  it('joins the ends of chunks, each once, and refuses two ends with one number', () => {
    const rec = (name: string): FlowRecord => ({ ...blankRecord(), source_name: name });
    const a = encode('tsv', [rec('a'), rec('b')]);
    const b = encode('tsv', [rec('b'), rec('c')]);
    const all = concatEncoded([a, b]);
    // a, b, c and the destination all share.
    expect(all.ends.map(([, e]) => e.name).sort()).toEqual(['-', 'a', 'b', 'c']);
    expect(endsOf(all).map((e) => e.source.name)).toEqual(['a', 'b', 'b', 'c']);
    const [id, end] = a.ends.find(([, e]) => e.name === 'a') as readonly [string, End];
    for (const p of END_PARTS) {
      const forged = { ...b, ends: [[id, { ...end, [p]: 'forged' }] as const] };
      expect(() => concatEncoded([a, forged])).toThrow(/two record ends have the number/);
    }
    expect(concatEncoded([a, { ...b, ends: [[id, { ...end }] as const] }]).count).toBe(4);
  });

  it('splits a batch after n records, both parts keeping its time range', () => {
    const rs = [10, 30, 20].map((t, i) => ({ ...blankRecord(), id: `r${i}`, start_time: t }));
    const b = encode('tsv', rs);
    const [head, rest] = splitEncoded(b, 2);
    expect(head).toMatchObject({ count: 2, lo: 10, hi: 30, text: tsvLines(rs.slice(0, 2)) });
    expect(rest).toMatchObject({ count: 1, lo: 10, hi: 30, text: tsvLines(rs.slice(2)) });
    expect(concatEncoded([head, rest]).text).toBe(b.text);
    expect(() => splitEncoded(b, 3)).toThrow(/cannot split/);
  });
});

describe('an Encoder kept from batch to batch', () => {
  /** Records over a few pods and traces, the lists of some made anew per record (as adapters do). */
  const records = (n: number, from = 0): FlowRecord[] =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return {
        ...blankRecord(),
        id: `r${i}`,
        start_time: i,
        source_name: `pod-${i % 5}`,
        source_name_aggr: `pod-${i % 2}-*`,
        source_labels: i % 3 === 0 ? [`app=${i % 2}`] : [...[`app=${i % 2}`]],
        source_zone: i % 7 === 0 ? 'dmz' : 'trusted',
        dest_name: `db-${i % 4}`,
        dest_labels: [`app=db`, `n=${i % 4}`],
        policies: i % 2 === 0 ? ['0|t|p|allow|0'] : [`0|t|q${i % 3}|deny|0`],
        trace_source: i % 4 === 0 ? 'computed' : 'observed',
      };
    });

  for (const encoding of ['tsv', 'tab-separated'] as const)
    it(`writes each batch as a fresh encoding would, holding all its lists, ends and workloads (${encoding})`, () => {
      const e = new Encoder(encoding);
      for (let b = 0; b < 4; b++) {
        const rs = records(50, b * 50);
        const kept = e.encode(rs);
        const fresh = encode(encoding, rs);
        expect(kept.text).toBe(fresh.text);
        const sorted = <T>(xs: readonly T[]): string[] => xs.map((x) => JSON.stringify(x)).sort();
        expect(sorted(kept.workloads)).toEqual(sorted(fresh.workloads));
        expect(sorted(kept.lists)).toEqual(sorted(fresh.lists));
        expect(sorted(kept.ends)).toEqual(sorted(fresh.ends));
      }
      // A batch of one record holds only that record's lists and ends.
      const one = e.encode(records(1, 7));
      expect(one.ends).toHaveLength(encoding === 'tsv' ? 2 : 0);
      expect(one.workloads).toHaveLength(2);
    });

  it(`starts again past ${ENCODER_KEPT} kept entries, and still writes what a fresh encoding would`, () => {
    const e = new Encoder('tsv');
    const many = Array.from({ length: ENCODER_KEPT + 10 }, (_, i) => ({
      ...blankRecord(),
      source_labels: [`n=${i}`],
    }));
    e.encode(many);
    const rs = records(20);
    const kept = e.encode(rs);
    expect(kept.text).toBe(encode('tsv', rs).text);
    expect(kept.lists.length).toBe(encode('tsv', rs).lists.length);
    expect((e as unknown as { kept: number }).kept).toBeLessThan(100);
  });
});

describe('tab-separated encoding (ClickHouse)', () => {
  const cellsOf = (r: FlowRecord): string[] => encode('tab-separated', [r]).text.split('\t');
  const at = (name: string): number => FIELDS.findIndex(([n]) => n === name);

  it('writes every field in FIELDS order, lists as array literals', () => {
    const cells = cellsOf(distinct());
    expect(cells).toHaveLength(FIELDS.length);
    FIELDS.forEach(([name, type], i) => {
      expect(cells[i]).toBe(
        type === 'int' ? String(1000 + i) : type === 'strings' ? `['${name}=a','${name}=b']` : name,
      );
    });
  });

  it('escapes what TabSeparated reads as syntax, and keeps every other character', () => {
    const r = {
      ...blankRecord(),
      host: 'a\\b\tc\nd\re\u0000f\u001eg\u0001h\'i"j ü',
      source_name_aggr: 'w\tx',
      source_labels: ["it's=a\\b", 'x=\ty\n', ''],
      dest_labels: [],
      policies: ['0|t|p|allow|0'],
    };
    const cells = cellsOf(r);
    expect(cells).toHaveLength(FIELDS.length);
    expect(cells[at('host')]).toBe('a\\\\b\\tc\\nd\\re\\0f\u001eg\u0001h\'i"j ü');
    expect(cells[at('source_name_aggr')]).toBe('w\\tx');
    expect(cells[at('source_labels')]).toBe("['it\\'s=a\\\\b','x=\\ty\\n','']");
    expect(cells[at('dest_labels')]).toBe('[]');
    expect(cells[at('policies')]).toBe("['0|t|p|allow|0']");
    expect(encode('tab-separated', [r]).workloads).toEqual(['w\tx', '-']);
  });
});
