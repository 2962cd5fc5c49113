// What the generated cluster contains, counted from the loaded policy set (not from the
// generator's intentions), and which selector operators its text really uses.
import type { InputFile, PolicySet } from '../src/core/model/index.js';

export interface Shape {
  files: number;
  yamlMiB: number;
  objects: number;
  pods: number;
  namespaces: number;
  policies: number;
  byKind: Record<string, number>;
  byTier: Record<string, number>;
  /** Rules as users wrote them, and the match alternatives they normalise to. */
  rules: number;
  matches: number;
  calicoOperators: string[];
  missingCalicoOperators: string[];
  matchExpressionOperators: string[];
}

/** Calico selector operators and a pattern that finds each in selector text. */
const CALICO_OPERATORS: ReadonlyArray<[string, RegExp]> = [
  ['==', / == /],
  ['!=', / != /],
  ['in', / in \{/],
  ['not in', / not in \{/],
  ['has()', /[^!]has\(/],
  ['!has()', /!has\(/],
  ['contains', / contains '/],
  ['starts with', / starts with '/],
  ['ends with', / ends with '/],
  ['all()', /all\(\)/],
  ['&&', / && /],
  ['||', / \|\| /],
  ['!', /!\(/],
  ['( )', /\(\w[^)]* [=!]= /],
];
const K8S_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** The cluster's shape: sizes, policies by kind and tier, rules, operator coverage. */
export function shapeOf(files: readonly InputFile[], set: PolicySet, objects: number): Shape {
  const byKind: Record<string, number> = {};
  const byTier: Record<string, number> = {};
  let rules = 0;
  let matches = 0;
  for (const p of set.policies) {
    const kind =
      p.ref.kind === 'ClusterNetworkPolicy'
        ? `ClusterNetworkPolicy (${p.tier === 'kube-admin' ? 'Admin' : 'Baseline'})`
        : p.ref.kind;
    count(byKind, kind);
    count(byTier, p.tier);
    for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      rules++;
      matches += r.matches.length;
    }
  }
  const selectorText = files
    .map((f) => f.text)
    .join('\n')
    .split('\n')
    .filter((l) => /(selector|Selector): /.test(l))
    .join('\n');
  const all = files.map((f) => f.text).join('\n');
  return {
    files: files.length,
    yamlMiB: files.reduce((n, f) => n + f.text.length, 0) / 1_048_576,
    objects,
    pods: set.pods.length,
    namespaces: set.namespaces.length,
    policies: set.policies.length,
    byKind,
    byTier,
    rules,
    matches,
    calicoOperators: CALICO_OPERATORS.filter(([, re]) => re.test(selectorText)).map(([n]) => n),
    missingCalicoOperators: CALICO_OPERATORS.filter(([, re]) => !re.test(selectorText)).map(
      ([n]) => n,
    ),
    matchExpressionOperators: K8S_OPERATORS.filter((op) => all.includes(`operator: ${op}\n`)),
  };
}

/** The shape as a few readable lines. */
export function shapeLines(s: Shape): string[] {
  const kv = (o: Record<string, number>): string =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `input: ${s.files} files, ${s.yamlMiB.toFixed(1)} MiB of YAML, ${s.objects} objects`,
    `cluster: ${s.pods} pods in ${s.namespaces} namespaces; ${s.policies} policies, ${s.rules} rules (${s.matches} match alternatives)`,
    `policies by kind: ${kv(s.byKind)}`,
    `policies by tier: ${kv(s.byTier)}`,
    `Calico selector operators used: ${s.calicoOperators.length}/${CALICO_OPERATORS.length}${s.missingCalicoOperators.length ? ` (missing: ${s.missingCalicoOperators.join(' ')})` : ''}; matchExpressions operators: ${s.matchExpressionOperators.join(', ')}`,
  ];
}
