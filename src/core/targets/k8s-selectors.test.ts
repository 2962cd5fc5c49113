import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSelector, printSelector } from '../selector/index.js';
import type { SelectorNode } from '../selector/index.js';
import { conjoin, convertSelector, labelSelector, MAX_DNF_TERMS } from './k8s-selectors.js';
import type { Conj, LabelSelector, Literal } from './k8s-selectors.js';

function ast(text: string): SelectorNode {
  const p = parseSelector(text);
  if (!p.ok) throw new Error(`bad selector ${text}`);
  return p.selector.ast;
}

const forms = (text: string): ReturnType<typeof convertSelector> => convertSelector(ast(text));
const selectors = (terms: readonly Conj[]): LabelSelector[] => terms.map(labelSelector);

describe('convertSelector: exact conversions', () => {
  const LONG_KEY = 'k'.repeat(64);
  const cases: Array<[string, LabelSelector[]]> = [
    ['all()', [{}]],
    ['!all()', []],
    ["app == 'web'", [{ matchLabels: { app: 'web' } }]],
    ["app != 'web'", [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }]],
    [
      "app in {'b', 'a'}",
      [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }],
    ],
    [
      "app not in {'a', 'b'}",
      [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a', 'b'] }] }],
    ],
    ['has(app)', [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }]],
    ['!has(app)', [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }]],
    [
      "!(app == 'web')",
      [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }],
    ],
    ["!(app != 'web')", [{ matchLabels: { app: 'web' } }]],
    ["!(app not in {'a'})", [{ matchLabels: { app: 'a' } }]],
    ["app == 'web' && tier == 'fe'", [{ matchLabels: { app: 'web', tier: 'fe' } }]],
    [
      "app == 'web' && app in {'web', 'x'}",
      [
        {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'x'] }],
        },
      ],
    ],
    // Top-level || splits into alternatives (several peers or subjects).
    ["app == 'a' || app == 'b'", [{ matchLabels: { app: 'a' } }, { matchLabels: { app: 'b' } }]],
    // && distributes over ||.
    [
      "(a == '1' || a == '2') && (b == '1' || has(c))",
      [
        { matchLabels: { a: '1', b: '1' } },
        { matchLabels: { a: '1' }, matchExpressions: [{ key: 'c', operator: 'Exists' }] },
        { matchLabels: { a: '2', b: '1' } },
        { matchLabels: { a: '2' }, matchExpressions: [{ key: 'c', operator: 'Exists' }] },
      ],
    ],
    // De Morgan: !(x && y) = !x || !y.
    [
      "!(a == '1' && has(b))",
      [
        { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
        { matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] },
      ],
    ],
    [
      "!(a == '1' || has(b))",
      [
        {
          matchExpressions: [
            { key: 'a', operator: 'NotIn', values: ['1'] },
            { key: 'b', operator: 'DoesNotExist' },
          ],
        },
      ],
    ],
    // Contradictions select nothing; a term that is always true absorbs the others.
    ["a == '1' && a == '2'", []],
    ["a == '1' && !has(a)", []],
    ['has(a) && !has(a)', []],
    ["a in {'1'} && a not in {'1'}", []],
    ["a == '1' || all()", [{}]],
    // Values and keys Kubernetes cannot hold are never on a pod: decided exactly.
    ["app == 'two words'", []],
    ["app != 'two words'", [{}]],
    ["app in {'ok', 'not ok'}", [{ matchLabels: { app: 'ok' } }]],
    [`${LONG_KEY} == 'x'`, []],
    [`!has(${LONG_KEY})`, [{}]],
    // "" is a prefix, suffix and part of every value: only presence is tested.
    ["app contains ''", [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }]],
    ["!(app starts with '')", [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }]],
  ];
  it.each(cases)('%s', (text, want) => {
    const f = forms(text);
    expect(f.reasons).toEqual([]);
    expect(selectors(f.under)).toEqual(want);
    expect(selectors(f.over ?? [])).toEqual(want);
  });
});

describe('convertSelector: inexpressible selectors', () => {
  const cases: Array<[string, string, LabelSelector[], LabelSelector[]]> = [
    [
      "app contains 'web'",
      'app contains "web": Kubernetes label selectors cannot match part of a value',
      [{ matchLabels: { app: 'web' } }],
      [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
    ],
    [
      "app starts with 'pay'",
      'app starts with "pay": Kubernetes label selectors cannot match part of a value',
      [{ matchLabels: { app: 'pay' } }],
      [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
    ],
    [
      "!(app ends with 'db')",
      '!app ends with "db": Kubernetes label selectors cannot match part of a value',
      [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }],
      [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }],
    ],
    [
      "tier == 'fe' && app contains 'web'",
      'app contains "web": Kubernetes label selectors cannot match part of a value',
      [{ matchLabels: { app: 'web', tier: 'fe' } }],
      [{ matchLabels: { tier: 'fe' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
    ],
    [
      "projectcalico.org/namespace == 'x'",
      'projectcalico.org/namespace == "x": "projectcalico.org/namespace" is a label Calico adds, not a Kubernetes label',
      [],
      [{}],
    ],
    ['global()', 'global(): global() has no Kubernetes form', [], [{}]],
  ];
  it.each(cases)('%s', (text, reason, under, over) => {
    const f = forms(text);
    expect(f.reasons).toEqual([reason]);
    expect(selectors(f.under)).toEqual(under);
    expect(selectors(f.over ?? [])).toEqual(over);
  });

  it(`gives up past ${MAX_DNF_TERMS} alternatives: nothing below, everything above`, () => {
    const text = ['a', 'b', 'c', 'd', 'e'].map((k) => `(${k} == '1' || ${k} == '2')`).join(' && ');
    const f = forms(text);
    expect(f.reasons).toEqual([`${printSelector(ast(text))}: more than 16 alternatives`]);
    expect(f.under).toEqual([]);
    expect(f.over).toEqual([[]]);
  });

  it(`keeps ${MAX_DNF_TERMS} alternatives`, () => {
    const text = ['a', 'b', 'c', 'd'].map((k) => `(${k} == '1' || ${k} == '2')`).join(' && ');
    expect(forms(text).under).toHaveLength(16);
  });
});

describe('conjoin', () => {
  const a: Literal = { op: 'In', key: 'z', values: ['dmz'] };
  it('joins and sorts', () => {
    const b: Literal = { op: 'Exists', key: 'app' };
    expect(conjoin([a], [b])).toEqual([b, a]);
  });
  it('is undefined for a contradiction', () => {
    expect(conjoin([a], [{ op: 'In', key: 'z', values: ['trusted'] }])).toBeUndefined();
    expect(conjoin([a], [{ op: 'DoesNotExist', key: 'z' }])).toBeUndefined();
  });
});

/** Kubernetes' own LabelSelector semantics. */
function k8sMatches(s: LabelSelector, labels: ReadonlyMap<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels.get(k) !== v) return false;
  return (s.matchExpressions ?? []).every((e) => {
    const v = labels.get(e.key);
    if (e.operator === 'Exists') return v !== undefined;
    if (e.operator === 'DoesNotExist') return v === undefined;
    if (e.operator === 'In') return v !== undefined && (e.values ?? []).includes(v);
    return v === undefined || !(e.values ?? []).includes(v);
  });
}

describe('convertSelector: property', () => {
  const KEYS = ['a', 'b'];
  const VALUES = ['x', 'y', 'xy', ''];
  const key = fc.constantFrom(...KEYS);
  const value = fc.constantFrom(...VALUES.filter((v) => v !== ''), 'x y');
  const leaf = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k} == '${v}'`),
    fc.tuple(key, value).map(([k, v]) => `${k} != '${v}'`),
    fc.tuple(key, value, value).map(([k, v, w]) => `${k} in {'${v}', '${w}'}`),
    fc.tuple(key, value).map(([k, v]) => `${k} not in {'${v}'}`),
    key.map((k) => `has(${k})`),
    fc.tuple(key, fc.constantFrom('x', 'y', '')).map(([k, v]) => `${k} contains '${v}'`),
    fc.tuple(key, fc.constantFrom('x', '')).map(([k, v]) => `${k} starts with '${v}'`),
    fc.constant('all()'),
  );
  const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      leaf,
      tie('e').map((x) => `!(${String(x)})`),
      fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${String(x)} && ${String(y)})`),
      fc.tuple(tie('e'), tie('e')).map(([x, y]) => `(${String(x)} || ${String(y)})`),
    ),
  })).e as fc.Arbitrary<string>;
  const labels = fc
    .record({ a: fc.option(fc.constantFrom(...VALUES)), b: fc.option(fc.constantFrom(...VALUES)) })
    .map((r) => {
      const m = new Map<string, string>();
      for (const k of KEYS) if (r[k as 'a'] !== null) m.set(k, r[k as 'a'] as string);
      return m;
    });

  it('under selects a subset, over a superset, both exact without reasons', () => {
    fc.assert(
      fc.property(expr, labels, (text, l) => {
        const p = parseSelector(text);
        if (!p.ok) return;
        const f = convertSelector(p.selector.ast);
        const want = p.selector.matches(l);
        const under = selectors(f.under).some((s) => k8sMatches(s, l));
        const over = selectors(f.over ?? []).some((s) => k8sMatches(s, l));
        if (under) expect(want).toBe(true);
        if (want && f.reasons.length === 0) expect(under).toBe(true);
        if (want) expect(over).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
