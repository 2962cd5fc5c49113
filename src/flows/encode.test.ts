import { describe, expect, it } from 'vitest';
import { concatEncoded, encode, splitEncoded } from './encode.js';
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

describe('tsv encoding', () => {
  it('writes every field in FIELDS order, lists joined by U+001E', () => {
    const cells = tsvLines([distinct()]).split('\t');
    expect(cells).toHaveLength(FIELDS.length);
    FIELDS.forEach(([name, type], i) => {
      expect(cells[i]).toBe(
        type === 'int' ? String(1000 + i) : type === 'strings' ? `${name}=a\u001e${name}=b` : name,
      );
    });
  });

  it('replaces separators inside values and writes empty lists as empty fields', () => {
    const r = {
      ...blankRecord(),
      host: 'a\tb\nc\rd\u0001',
      source_labels: ['x=1\u001ey'],
      policies: [],
    };
    const cells = tsvLines([r]).split('\t');
    expect(cells[FIELDS.findIndex(([n]) => n === 'host')]).toBe('a b c d ');
    expect(cells[FIELDS.findIndex(([n]) => n === 'source_labels')]).toBe('x=1 y');
    expect(cells[FIELDS.findIndex(([n]) => n === 'policies')]).toBe('');
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
    const rows = b.text.split('\n').map((l) => l.split('\t'));
    for (const f of [
      'source_name',
      'source_name_aggr',
      'source_namespace',
      'source_type',
      'source_zone',
    ]) {
      const col = FIELDS.findIndex(([n]) => n === f);
      expect(rows.map((c) => c[col])).toEqual(rs.map((r) => r[f as keyof FlowRecord]));
    }
    const labelsCol = FIELDS.findIndex(([n]) => n === 'dest_labels');
    expect(rows.map((c) => c[labelsCol])).toEqual(Array(rs.length).fill('app=web'));
    expect([...b.workloads].sort()).toEqual(['a-*', 'b-*', 'db-*']);
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
