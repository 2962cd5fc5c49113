// Order independence: the same manifests, in any order of documents and files, give the same
// normalised policy set and the same engine verdicts; and loading is deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
// The engine sits above the model; this test of the model's guarantees checks the verdicts
// built on it, as the brief for this file asks.
import { connection, Engine, resolveTarget } from '../src/core/engine/index.js';
import { CidrSet, formatCIDR, formatIP, PROTO } from '../src/core/net/index.js';
import { loadPolicySet } from '../src/core/model/index.js';
import type { InputFile, LoadResult, PolicySet } from '../src/core/model/index.js';

type Obj = Record<string, unknown>;

const NAMESPACES = ['ns-a', 'ns-b', 'ns-c'] as const;
const APPS = ['web', 'db', 'api'] as const;
const TEAMS = ['red', 'blue'] as const;

interface Cluster {
  namespaces: Array<{ name: string; team: string }>;
  pods: Array<{ ns: number; app: string; role?: string }>;
  k8s: Array<{ ns: number; target?: string; rules: K8sRule[]; egress: boolean }>;
  calico: Array<{
    ns?: number;
    tier: string;
    order?: number;
    target: string;
    action: string;
    from: string;
  }>;
}

interface K8sRule {
  peer: 'pod' | 'ns' | 'both' | 'ip' | 'any';
  app: string;
  team: string;
  port?: number | 'http';
}

const k8sRuleArb: fc.Arbitrary<K8sRule> = fc.record(
  {
    peer: fc.constantFrom('pod', 'ns', 'both', 'ip', 'any'),
    app: fc.constantFrom(...APPS),
    team: fc.constantFrom(...TEAMS),
    port: fc.constantFrom(8080, 53, 'http' as const),
  },
  { requiredKeys: ['peer', 'app', 'team'] },
);

const clusterArb: fc.Arbitrary<Cluster> = fc
  .uniqueArray(fc.constantFrom(...NAMESPACES), { minLength: 1, maxLength: 3 })
  .chain((names) => {
    const nsIdx = fc.nat(names.length - 1);
    return fc.record({
      namespaces: fc.tuple(
        ...names.map((name) => fc.constantFrom(...TEAMS).map((team) => ({ name, team }))),
      ),
      pods: fc.array(
        fc.record(
          { ns: nsIdx, app: fc.constantFrom(...APPS), role: fc.constantFrom('client', 'server') },
          { requiredKeys: ['ns', 'app'] },
        ),
        { minLength: 2, maxLength: 5 },
      ),
      k8s: fc.array(
        fc.record(
          {
            ns: nsIdx,
            target: fc.constantFrom(...APPS),
            rules: fc.array(k8sRuleArb, { maxLength: 3 }),
            egress: fc.boolean(),
          },
          { requiredKeys: ['ns', 'rules', 'egress'] },
        ),
        { maxLength: 3 },
      ),
      calico: fc.array(
        fc.record(
          {
            ns: nsIdx,
            tier: fc.constantFrom('default', 'security'),
            order: fc.constantFrom(10, 20, 20.5),
            target: fc.constantFrom(...APPS),
            action: fc.constantFrom('Allow', 'Deny', 'Pass'),
            from: fc.constantFrom(...APPS),
          },
          { requiredKeys: ['tier', 'target', 'action', 'from'] },
        ),
        { maxLength: 3 },
      ),
    });
  });

/** The cluster as YAML documents (one object each), in generation order. */
function documents(c: Cluster): string[] {
  const doc = (o: Obj): string => stringify(o, { version: '1.1' });
  const nsName = (i: number): string => c.namespaces[i]?.name ?? 'ns-a';
  const out: string[] = [];
  for (const n of c.namespaces) {
    out.push(
      doc({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: n.name, labels: { team: n.team } },
      }),
    );
  }
  c.pods.forEach((p, i) => {
    out.push(
      doc({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `pod-${i}`,
          namespace: nsName(p.ns),
          labels: { app: p.app, ...(p.role ? { role: p.role } : {}) },
        },
        spec: {
          containers: [
            {
              name: 'c',
              ports: [
                { containerPort: 8080, name: 'http' },
                { containerPort: 53, protocol: 'UDP' },
              ],
            },
          ],
        },
        status: { podIP: `10.0.${p.ns}.${i + 1}`, phase: 'Running' },
      }),
    );
  });
  c.k8s.forEach((np, i) => {
    const rules = np.rules.map((r) => k8sRule(r, np.egress ? 'to' : 'from'));
    out.push(
      doc({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `np-${i}`, namespace: nsName(np.ns) },
        spec: {
          podSelector: np.target ? { matchLabels: { app: np.target } } : {},
          ...(np.egress ? { policyTypes: ['Egress'], egress: rules } : { ingress: rules }),
        },
      }),
    );
  });
  c.calico.forEach((p, i) => {
    const namespaced = p.ns !== undefined;
    out.push(
      doc({
        apiVersion: 'projectcalico.org/v3',
        kind: namespaced ? 'NetworkPolicy' : 'GlobalNetworkPolicy',
        metadata: {
          name: `${p.tier}.cp-${i}`,
          ...(namespaced ? { namespace: nsName(p.ns ?? 0) } : {}),
        },
        spec: {
          tier: p.tier,
          ...(p.order !== undefined ? { order: p.order } : {}),
          selector: `app == '${p.target}'`,
          ingress: [{ action: p.action, source: { selector: `app == '${p.from}'` } }],
          egress: [{ action: 'Allow' }],
        },
      }),
    );
  });
  return out;
}

function k8sRule(r: K8sRule, key: 'from' | 'to'): Obj {
  const peer =
    r.peer === 'pod'
      ? { podSelector: { matchLabels: { app: r.app } } }
      : r.peer === 'ns'
        ? { namespaceSelector: { matchLabels: { team: r.team } } }
        : r.peer === 'both'
          ? {
              namespaceSelector: { matchLabels: { team: r.team } },
              podSelector: { matchLabels: { app: r.app } },
            }
          : r.peer === 'ip'
            ? { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }
            : undefined;
  const port =
    r.port === undefined
      ? {}
      : { ports: [r.port === 53 ? { protocol: 'UDP', port: 53 } : { port: r.port }] };
  return { ...(peer ? { [key]: [peer] } : {}), ...port };
}

/** Documents dealt into files, each file's documents joined. */
function files(
  docs: readonly string[],
  order: readonly number[],
  fileOf: readonly number[],
  reverse: boolean,
): InputFile[] {
  const buckets = new Map<number, string[]>();
  order.forEach((d, k) => {
    const f = fileOf[k] ?? 0;
    buckets.set(f, [...(buckets.get(f) ?? []), docs[d] ?? '']);
  });
  const out = [...buckets.entries()].map(([f, ds]) => ({
    path: `f${f}.yaml`,
    text: ds.join('---\n'),
  }));
  return reverse ? out.reverse() : out;
}

/** Comparable data: selectors as canonical text, sets as CIDRs, maps sorted, sources dropped. */
function canon(v: unknown): unknown {
  if (v instanceof CidrSet) return v.toCIDRs().map(formatCIDR);
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, canon(x)]).sort();
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object') {
    if ('canonical' in v && 'ast' in v) return (v as { canonical: string }).canonical;
    if ('version' in v && ('v4' in v || 'v6' in v))
      return formatIP(v as Parameters<typeof formatIP>[0]);
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'source')
        .map(([k, x]) => [k, canon(x)]),
    );
  }
  return v;
}

/** The set with every collection sorted, so only content counts. */
function canonSet(set: PolicySet): unknown {
  const sorted = (xs: readonly unknown[]): string[] =>
    xs.map((x) => JSON.stringify(canon(x))).sort();
  return Object.fromEntries(Object.entries(set).map(([k, xs]) => [k, sorted(xs as unknown[])]));
}

const PACKETS = [
  { protocol: PROTO.TCP, port: 8080 },
  { protocol: PROTO.UDP, port: 53 },
  { protocol: PROTO.TCP, port: 80 },
];

/** Every verdict between the cluster's pods (and from an outside address), with its trace. */
function verdicts(r: LoadResult): string[] {
  const engine = Engine.build(r.set);
  const targets = [...r.set.pods.map((p) => `${p.namespace}/${p.name}`).sort(), '192.0.2.1'];
  const out: string[] = [];
  for (const from of targets) {
    for (const to of targets) {
      if (from === to || !to.includes('/')) continue;
      const f = resolveTarget(engine, from);
      const t = resolveTarget(engine, to);
      if (!f.ok || !t.ok) throw new Error(`cannot resolve ${from} -> ${to}`);
      for (const pkt of PACKETS) {
        const c = connection(engine, { from: f.value, to: t.value, ...pkt });
        if (!c.ok) throw new Error(c.message);
        const v = engine.evaluate(c.value.src, c.value.dst, c.value.pkt);
        out.push(`${from} -> ${to} ${pkt.protocol}/${pkt.port}: ${JSON.stringify(v)}`);
      }
    }
  }
  return out;
}

const permutedArb = clusterArb.chain((cluster) => {
  const n = documents(cluster).length;
  const idx = Array.from({ length: n }, (_, i) => i);
  return fc.record({
    cluster: fc.constant(cluster),
    order: fc.shuffledSubarray(idx, { minLength: n, maxLength: n }),
    fileOf: fc.array(fc.nat(2), { minLength: n, maxLength: n }),
    reverse: fc.boolean(),
  });
});

describe('order independence', () => {
  it('documents and files in any order give the same set and the same verdicts', () => {
    fc.assert(
      fc.property(permutedArb, ({ cluster, order, fileOf, reverse }) => {
        const docs = documents(cluster);
        const base = loadPolicySet([{ path: 'all.yaml', text: docs.join('---\n') }]);
        expect(base.issues).toEqual([]);
        const shuffled = loadPolicySet(files(docs, order, fileOf, reverse));
        expect(shuffled.issues).toEqual([]);
        expect({ objects: shuffled.objects, skipped: shuffled.skipped }).toEqual({
          objects: base.objects,
          skipped: base.skipped,
        });
        expect(canonSet(shuffled.set)).toEqual(canonSet(base.set));
        expect(verdicts(shuffled)).toEqual(verdicts(base));
      }),
      { numRuns: 60 },
    );
  });

  it('issues do not depend on the order either (apart from where they are)', () => {
    const bad = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad, namespace: ns-a}\n',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: ns-b}\nspec: {ingress: [{from: [{}]}]}\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-a}\n',
    ];
    const strip = (r: LoadResult): string[] =>
      r.issues.map((i) => `${i.severity} ${i.code} ${i.path ?? ''} ${i.message}`).sort();
    const base = loadPolicySet([{ path: 'all.yaml', text: bad.join('---\n') }]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
        fc.array(fc.nat(1), { minLength: 4, maxLength: 4 }),
        (order, fileOf) => {
          const r = loadPolicySet(files(bad, order, fileOf, false));
          expect(strip(r)).toEqual(strip(base));
          expect({ ok: r.ok, objects: r.objects, skipped: r.skipped }).toEqual({
            ok: false,
            objects: 4,
            skipped: 1,
          });
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('determinism', () => {
  it('loading the same text twice gives equal results', () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(2), (cluster, split) => {
        const docs = documents(cluster);
        const input = [
          { path: 'one.yaml', text: docs.slice(0, split).join('---\n') },
          { path: 'two.yaml', text: docs.slice(split).join('---\n') },
        ];
        const a = loadPolicySet(input);
        const b = loadPolicySet(input);
        expect(b.issues).toEqual(a.issues);
        expect({ ok: b.ok, objects: b.objects, skipped: b.skipped }).toEqual({
          ok: a.ok,
          objects: a.objects,
          skipped: a.skipped,
        });
        // In order, with sources: the very same set, element by element.
        const inOrder = (s: PolicySet): unknown =>
          Object.fromEntries(
            Object.entries(s).map(([k, xs]) => [
              k,
              (xs as unknown[]).map((x) =>
                JSON.stringify(canon({ x, s: (x as { source?: unknown }).source })),
              ),
            ]),
          );
        expect(inOrder(b.set)).toEqual(inOrder(a.set));
        expect(verdicts(b)).toEqual(verdicts(a));
      }),
      { numRuns: 30 },
    );
  });
});
