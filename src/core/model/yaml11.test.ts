// The fast parser's YAML 1.1 schema must read every value exactly as the full parser does
// (which also gives positions), or a file would mean different things depending on whether
// it had an issue.
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Tags } from 'yaml';
import { YAML11_FAST } from './yaml11.js';

const noTimestamps = (tags: Tags): Tags =>
  tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp');
const full = (text: string): unknown[] =>
  parseAllDocuments(text, { version: '1.1', customTags: noTimestamps }).map((d) => d.toJS());
const fast = (text: string): unknown[] => jsyaml.loadAll(text, undefined, { schema: YAML11_FAST });

const SCALARS = [
  '012',
  '08',
  '0x1F',
  '0b101',
  '1_000',
  '-1_000',
  '+12',
  '-0',
  '190:20:30',
  '-190:20:30',
  '190:20:30.15',
  '.inf',
  '-.Inf',
  '+.INF',
  '.NaN',
  '.nan',
  '1e3',
  '1.5e+3',
  '6.8523015e+5',
  '685.230_15e+03',
  '3.',
  '.5',
  '-.5',
  'y',
  'Y',
  'n',
  'N',
  'yes',
  'Yes',
  'YES',
  'yEs',
  'no',
  'on',
  'On',
  'ON',
  'oN',
  'off',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'E0',
  'e5',
  '-e3',
  '~',
  'null',
  'Null',
  'NULL',
  'nUll',
  '',
  '2021-01-01',
  '2001-12-14t21:59:43.10-05:00',
  'web',
  'app.kubernetes.io',
  '10.0.0.1',
  '10.0.0.0/8',
  '::1',
  '8080',
  '0.0.0.0/0',
  'TCP',
  '"quoted yes"',
  "'012'",
  '0o17',
  '1:2',
  '1:60',
  '00',
  '0',
  '_1',
  '1__2',
];

describe('YAML 1.1 fast schema', () => {
  it.each(SCALARS)('reads %j as the full parser does', (s) => {
    const text = `v: ${s}\nl: [${s === '' ? '~' : s}]\n`;
    expect(fast(text)).toEqual(full(text));
  });

  it('agrees on random documents', () => {
    const scalar = fc.oneof(
      fc.constantFrom(...SCALARS.filter((s) => s !== '')),
      fc.stringMatching(/^[a-zA-Z0-9+-][a-zA-Z0-9._:+-]{0,7}$/),
    );
    const doc = fc.dictionary(
      // Keys that read as null are left out: the two parsers spell a null key differently
      // ("" and "null"), and no Kubernetes field has one.
      fc.stringMatching(/^[a-z]{1,6}$/).filter((k) => k !== 'null'),
      fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), (docs) => {
        const text = docs
          .map(
            (d) =>
              Object.entries(d)
                .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`)
                .join('\n') || '{}',
          )
          .join('\n---\n');
        let a: unknown;
        let b: unknown;
        try {
          a = fast(text);
        } catch {
          return true; // the fast parser declines: the full one is used instead
        }
        try {
          b = full(text);
        } catch {
          return false;
        }
        expect(a).toEqual(b);
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps merge keys and multi-document alignment', () => {
    const text = 'a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n---\n---\nc: d\n';
    expect(fast(text)).toEqual(full(text));
  });
});

describe('JSON input', () => {
  it('reads a kubectl JSON list as the YAML parsers would, and a YAML flow mapping still as YAML', async () => {
    const { loadPolicySet } = await import('./load.js');
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { on: 'yes' } } },
      ],
    };
    const json = loadPolicySet([{ path: 'l.json', text: JSON.stringify(list, null, 2) }]);
    expect(json.ok).toBe(true);
    expect(json.set.namespaces[0]?.labels.get('on')).toBe('yes');
    const flow = loadPolicySet([
      {
        path: 'f.yaml',
        text: "{apiVersion: v1, kind: Namespace, metadata: {name: b, labels: {x: 'y'}}}",
      },
    ]);
    expect(flow.set.namespaces.map((n) => n.name)).toEqual(['b']);
  });
});
