// The reader that cuts repeated fields out of JSON lines must give exactly what parsing the
// whole line gives, for any line: the same fields, the same other values, the same errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPEATED_VALUES, jsonObject, repeatedFieldsReader, strings } from './common.js';
import type { Obj } from './common.js';

const NAMES = ['source_labels', 'dest_labels', 'policies'] as const;
/** Keeps the value as it is, wrapped so that a read is told apart from a copy. */
const keep = (v: unknown): { v: unknown } => ({ v });
const reader = (): ReturnType<typeof repeatedFieldsReader<Array<{ v: unknown }>>> =>
  repeatedFieldsReader<Array<{ v: unknown }>>(NAMES.map((n) => [n, keep] as const));

/** What parsing the whole line gives. */
function reference(line: string): { fields: unknown[]; rest: Obj } | { error: string } {
  const o = jsonObject(line);
  if ('error' in o) return o;
  const rest = { ...o.value };
  for (const n of NAMES) delete rest[n];
  return { fields: NAMES.map((n) => keep(o.value[n])), rest };
}

function viaReader(
  read: ReturnType<typeof reader>,
  line: string,
): { fields: unknown[]; rest: Obj } | { error: string } {
  const o = read(line);
  if ('error' in o) return o;
  const rest = { ...o.value };
  for (const n of NAMES) delete rest[n];
  return { fields: [...o.fields], rest };
}

const LABELS = '{"labels":["app=web","tier=1","odd=]}[{,:"]}';

describe('repeatedFieldsReader', () => {
  it.each<[string, string]>([
    [
      'labels objects and a trace',
      `{"a":1,"source_labels":${LABELS},"dest_labels":{"labels":[]},"policies":{"all_policies":["0|t|p|allow|0"]}}`,
    ],
    ['plain lists', '{"source_labels":["b=2","a=1"],"dest_labels":[],"policies":["x"]}'],
    ['a field missing, one null, one a string', '{"source_labels":null,"policies":"x"}'],
    ['spaces around the colon', '{"source_labels" : ["a"], "dest_labels":\t["b"]}'],
    ['a nested key of the name first', '{"x":{"source_labels":["n"]},"source_labels":["top"]}'],
    ['only a nested key of the name', '{"x":{"source_labels":["n"]}}'],
    ['a duplicate key, the last wins', '{"source_labels":["a"],"source_labels":["b"]}'],
    ['a duplicate key ending null', '{"source_labels":["a"],"source_labels":null}'],
    ['one field inside another', '{"policies":{"source_labels":["in"]},"dest_labels":["d"]}'],
    ['a backslash in the line', '{"source_labels":["a\\"b"],"note":"\\"dest_labels\\":[1]"}'],
    ['the mark written in the line', '{"source_labels":"\\u0000","dest_labels":["d"]}'],
    ['a later duplicate holding the mark', '{"source_labels":["a"],"source_labels":"\\u0000"}'],
    ['an escaped duplicate key', '{"source_labels":["a"],"source\\u005flabels":["b"]}'],
    ['non-ASCII', '{"source_labels":["zone=ünïcödé","名前=値"]}'],
    ['not an object', '[{"source_labels":["a"]}]'],
    ['truncated', '{"source_labels":["a"],'],
    ['unbalanced', '{"source_labels":["a"}'],
    ['a number glued after the value', '{"source_labels":[1].5}'],
    ['an exponent glued after the value', '{"source_labels":[1]e5}'],
    ['a letter glued after the value', '{"source_labels":{"labels":[]}x,"a":1}'],
    ['the field never ends', '{"source_labels":["a"'],
  ])('%s: as JSON.parse gives it', (_, line) => {
    const read = reader();
    expect(viaReader(read, line)).toEqual(reference(line));
    // Again, from the cache when it was cut.
    expect(viaReader(read, line)).toEqual(reference(line));
  });

  it('reads a repeated field once per distinct text; other lines get the same value', () => {
    const read = reader();
    const line = (port: number, labels: string): string =>
      `{"port":${port},"source_labels":${labels},"policies":{"all_policies":["0|t|p|allow|0"]}}`;
    const a = read(line(1, LABELS));
    const b = read(line(2, LABELS));
    const c = read(line(3, '{"labels":["other=1"]}'));
    if ('error' in a || 'error' in b || 'error' in c) throw new Error('lines should parse');
    expect(b.value.port).toBe(2);
    expect(b.fields[0]).toBe(a.fields[0]);
    expect(b.fields[2]).toBe(a.fields[2]);
    expect(c.fields[0]).not.toBe(a.fields[0]);
    expect(c.fields[0]).toEqual({ v: { labels: ['other=1'] } });
    // A nested key of the name is not the line's field: read as the whole line gives it.
    const d = read('{"x":{"source_labels":["n"]},"source_labels":["top"]}');
    expect('error' in d ? d : d.fields[0]).toEqual({ v: ['top'] });
  });

  it('keeps texts apart that differ in one character or in length only', () => {
    const read = reader();
    const base = 'a'.repeat(64);
    const texts: string[] = [];
    for (let i = 0; i < base.length; i++) texts.push(`${base.slice(0, i)}b${base.slice(i + 1)}`);
    for (let n = 60; n < 70; n++) texts.push('a'.repeat(n));
    for (let round = 0; round < 2; round++)
      for (const t of texts) {
        const o = read(`{"source_labels":["${t}"]}`);
        expect('error' in o ? o : o.fields[0]).toEqual({ v: [t] });
      }
  });

  it('keeps at most REPEATED_VALUES texts per field, and stays exact past the bound', () => {
    let reads = 0;
    const read = repeatedFieldsReader<[string[]]>([
      [
        'source_labels',
        (v) => {
          reads++;
          return strings(v);
        },
      ],
    ]);
    const field = (i: number): unknown => {
      const o = read(`{"source_labels":["v${i}"]}`);
      return 'error' in o ? o : o.fields[0];
    };
    expect(field(0)).toEqual(['v0']);
    expect(field(0)).toEqual(['v0']);
    expect(reads).toBe(1); // the second from the cache
    for (let i = 1; i < REPEATED_VALUES + 10; i++) expect(field(i)).toEqual([`v${i}`]);
    expect(reads).toBe(REPEATED_VALUES + 10);
    // The cache started again at the bound: the first text is read again, and rightly.
    expect(field(0)).toEqual(['v0']);
    expect(reads).toBe(REPEATED_VALUES + 11);
  });

  it('gives what JSON.parse gives for generated lines, broken ones included', () => {
    const item = fc.oneof(
      fc.constantFrom('app=web', 'a]}', '{[', ':,', 'source_labels', '"policies":[]', ''),
      fc.string({ maxLength: 6 }),
    );
    const list = fc.array(item, { maxLength: 4 });
    const value: fc.Arbitrary<unknown> = fc.oneof(
      list,
      list.map((labels) => ({ labels })),
      fc.record({ all_policies: list, pending_policies: list }, { requiredKeys: [] }),
      fc.constantFrom(null, 0, 'x', true),
      fc.dictionary(fc.constantFrom(...NAMES, 'k'), list, { maxKeys: 2 }),
    );
    const key = fc.constantFrom(...NAMES, 'other', 'port');
    const space = fc.constantFrom('', '', '', ' ', '\t', '\n ');
    const line = fc
      .array(fc.tuple(key, value, space, space), { maxLength: 6 })
      .map(
        (fields) =>
          `{${fields.map(([k, v, s1, s2]) => `${JSON.stringify(k)}${s1}:${s2}${JSON.stringify(v)}`).join(',')}}`,
      );
    // Broken: a character dropped or one inserted.
    const broken = fc
      .tuple(line, fc.nat(), fc.constantFrom('', '0', '.', 'e', 'x', ']', '}', '"', ','))
      .map(([l, at, c]) => {
        const i = at % (l.length + 1);
        return c === '' ? l.slice(0, i) + l.slice(i + 1) : l.slice(0, i) + c + l.slice(i);
      });
    fc.assert(
      fc.property(fc.array(fc.oneof(line, broken), { minLength: 1, maxLength: 8 }), (lines) => {
        const read = reader();
        for (const l of [...lines, ...lines]) expect(viaReader(read, l)).toEqual(reference(l));
      }),
      { numRuns: 2000, seed: 6 },
    );
  });
});
