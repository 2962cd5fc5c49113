// Random zone policies over random clusters: what the compiled zones enforce (zonewall's own
// policies, and Calico's manifests read back) equals what the ZonePolicy means, and a broken
// compilation is caught by verify.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compiledZones,
  verifyZones,
  verifyZonesTogether,
  withDevelopersAllowingEverything,
  withZones,
} from '../src/core/analysis/index.js';
import type { VerifyInput } from '../src/core/analysis/index.js';
import { toYaml } from '../src/core/model/index.js';
import type { PolicySet } from '../src/core/model/index.js';
import { renderCalico } from '../src/core/targets/index.js';
import type { Renderer } from '../src/core/targets/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import type { ClusterLoad } from '../src/core/zones/index.js';

const ZONES = ['a', 'b', 'c'];
const APPS = ['web', 'api', 'db'];

const service = fc.constantFrom(
  { protocol: 'TCP', ports: [80] },
  { protocol: 'TCP', ports: ['8000:8100'] },
  { protocol: 'UDP', ports: [53] },
  { protocol: 'TCP', ports: ['http'] },
  { protocol: 'ICMP' },
);
const ref = fc.constantFrom('a', 'b', 'c', 'ext', 'internet', 'any');

const rule = fc.record({
  from: fc.uniqueArray(ref, { minLength: 1, maxLength: 2 }),
  to: fc.uniqueArray(ref, { minLength: 1, maxLength: 2 }),
  sel: fc.constantFrom(undefined, 'web', 'db'),
  services: fc.option(fc.uniqueArray(service, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  action: fc.constantFrom('Allow', 'Pass', 'Deny'),
  log: fc.boolean(),
  enabled: fc.boolean(),
});

const zonePolicy = fc.record({
  defaultZone: fc.constantFrom('a', 'c', 'other'),
  intraZone: fc.constantFrom('Pass', 'Allow', 'Deny'),
  // An external may cover the pods' own addresses (a corporate /8): pods stay in their zones.
  extNet: fc.constantFrom('198.51.100.0/24', '10.0.0.0/8'),
  interZone: fc.constantFrom('Deny', 'Pass'),
  rules: fc.array(rule, { maxLength: 6 }),
});

const pod = fc.record({
  ns: fc.constantFrom('n1', 'n2', 'n3', 'n4'),
  app: fc.constantFrom(...APPS),
  zone: fc.constantFrom(undefined, 'a', 'b', 'c', 'nope'),
});

type ZP = typeof zonePolicy extends fc.Arbitrary<infer T> ? T : never;
type PodSpec = typeof pod extends fc.Arbitrary<infer T> ? T : never;

const netpol = fc.constantFrom('none', 'deny-all', 'allow-web', 'egress-db-only');

/** Rules whose sides hold only zones get the workload selector (a selector narrows workloads). */
function zoneDoc(p: ZP): unknown {
  const rules = p.rules.map((r, i) => {
    const narrowable = (side: string[]): boolean =>
      side.every((s) => ZONES.includes(s) || s === 'any');
    return {
      name: `r${i}`,
      from: r.from,
      to: r.to,
      ...(r.sel && narrowable(r.to) ? { destination: { selector: `app == '${r.sel}'` } } : {}),
      ...(r.sel === 'web' && narrowable(r.from) ? { source: { selector: "app != 'db'" } } : {}),
      ...(r.services ? { services: r.services } : {}),
      action: r.action,
      log: r.log,
      enabled: r.enabled,
    };
  });
  return {
    apiVersion: 'zonewall.io/v1alpha1',
    kind: 'ZonePolicy',
    metadata: { name: 'p' },
    spec: {
      zoneLabel: 'zone',
      defaultZone: p.defaultZone,
      defaults: { intraZone: p.intraZone, interZone: p.interZone },
      zones: ZONES.map((name, i) => ({ name, pools: [{ cidr: `10.${i + 1}.0.0/16` }] })),
      externals: [{ name: 'ext', nets: [p.extNet] }],
      clusterNets: ['10.96.0.0/12'],
      rules,
    },
  };
}

function clusterDocs(pods: Array<PodSpec>, policies: string[]): unknown[] {
  const nsZone: Record<string, string | undefined> = {
    n1: 'a',
    n2: 'b',
    n3: undefined,
    n4: 'nope',
  };
  const docs: unknown[] = Object.entries(nsZone).map(([name, zone]) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: zone ? { zone } : {} },
  }));
  pods.forEach((p, i) => {
    const zone = p.zone ?? nsZone[p.ns];
    const octet = ZONES.indexOf(zone ?? '') + 1 || 9;
    docs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `p${i}`,
        namespace: p.ns,
        labels: { app: p.app, ...(p.zone ? { zone: p.zone } : {}) },
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
      status: { podIP: `10.${octet}.0.${i + 1}` },
    });
  });
  policies.forEach((kind, i) => docs.push(...netpolDocs(kind, `n${(i % 3) + 1}`)));
  return docs;
}

function netpolDocs(kind: string, ns: string): unknown[] {
  const np = (name: string, spec: object): unknown => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  });
  if (kind === 'deny-all')
    return [np('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })];
  if (kind === 'allow-web')
    return [
      np('allow-web', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ ports: [{ port: 80 }, { port: 'http' }] }],
      }),
    ];
  if (kind === 'egress-db-only')
    return [
      np('egress-db', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
      }),
    ];
  return [];
}

function load(p: ZP, pods: Array<PodSpec>, nps: string[]): ClusterLoad {
  const text = toYaml([zoneDoc(p), ...clusterDocs(pods, nps)]);
  const res = loadCluster([{ path: 'gen.yaml', text }]);
  if (!res.ok) throw new Error(JSON.stringify(res.issues.filter((i) => i.severity === 'error')));
  return res;
}

/** A Calico rendering with one zone rule damaged: dropped on one side, or its action flipped. */
function damaged(rule: string, how: 'ingress' | 'egress' | 'flip'): Renderer {
  return (prog, opts) => {
    const out = renderCalico(prog, opts);
    for (const m of out.manifests) {
      const spec = m.spec as { ingress?: Annotated; egress?: Annotated };
      for (const side of ['ingress', 'egress'] as const) {
        const rules = spec?.[side] as
          | Array<{ action?: string; metadata?: { annotations?: Record<string, string> } }>
          | undefined;
        if (!rules) continue;
        const ours = (r: { metadata?: { annotations?: Record<string, string> } }): boolean =>
          r.metadata?.annotations?.['zonewall.io/rule'] === rule;
        if (how === side) spec[side] = rules.filter((r) => !ours(r));
        if (how === 'flip')
          for (const r of rules) if (ours(r)) r.action = r.action === 'Allow' ? 'Deny' : 'Allow';
      }
    }
    return out;
  };
}

/** Both ways of checking, on the cluster and the guardrail: [any difference, any opened]. */
function bothWays(res: ClusterLoad, renderer: Renderer): Array<[boolean, boolean, string]> {
  const cluster: PolicySet = {
    ...res.set,
    policies: res.set.policies.filter((x) => x.ref.kind !== 'ZonePolicy'),
  };
  const c = compiledZones(res.program!, { renderer, options: { approximate: false }, name: 't' });
  if (!c.zones) throw new Error(JSON.stringify(c.issues));
  const bases = [cluster, withDevelopersAllowingEverything(cluster)];
  const input = (base: PolicySet, exhaustive: boolean): VerifyInput => ({
    cluster: base,
    enforced: withZones(base, c.zones!),
    zonePolicy: res.zonePolicy!,
    maxDifferences: 1,
    exhaustive,
  });
  // Layered: both scenarios together (sharing the zone level); exhaustive: each on its own.
  const layered = verifyZonesTogether(bases.map((b) => input(b, false)));
  const out: Array<[boolean, boolean, string]> = [];
  bases.forEach((b, i) => {
    for (const r of [layered[i]!, verifyZones(input(b, true))])
      out.push([r.differenceCount > 0, r.opened > 0, r.stats.method]);
  });
  return out;
}

function differences(res: ClusterLoad, renderer?: Renderer): number {
  const cluster: PolicySet = {
    ...res.set,
    policies: res.set.policies.filter((x) => x.ref.kind !== 'ZonePolicy'),
  };
  const c = compiledZones(
    res.program!,
    renderer ? { renderer, options: { approximate: false }, name: 'test' } : undefined,
  );
  if (!c.zones) throw new Error(JSON.stringify(c.issues));
  let n = 0;
  for (const base of [cluster, withDevelopersAllowingEverything(cluster)]) {
    n += verifyZones({
      cluster: base,
      enforced: withZones(base, c.zones),
      zonePolicy: res.zonePolicy!,
      maxDifferences: 1,
    }).differenceCount;
  }
  return n;
}

const cases = fc.tuple(
  zonePolicy,
  fc.array(pod, { minLength: 2, maxLength: 7 }),
  fc.array(netpol, { maxLength: 3 }),
);

type Annotated = Array<{ metadata?: { annotations?: Record<string, string> } }>;
const notR0 = (rules: Annotated): Annotated =>
  rules.filter((r) => r.metadata?.annotations?.['zonewall.io/rule'] !== 'r0');

/** A renderer that loses the first zone rule's Calico ingress rules: verify must notice. */
const dropsFirstRule: Renderer = (prog, opts) => {
  const out = renderCalico(prog, opts);
  for (const m of out.manifests) {
    const spec = m.spec as { ingress?: Annotated };
    if (spec?.ingress) spec.ingress = notR0(spec.ingress);
  }
  return out;
};

/** One that loses it on both sides, so no enforced rule names what it named. */
const dropsFirstRuleEverywhere: Renderer = (prog, opts) => {
  const out = renderCalico(prog, opts);
  for (const m of out.manifests) {
    const spec = m.spec as { ingress?: Annotated; egress?: Annotated };
    if (spec?.ingress) spec.ingress = notR0(spec.ingress);
    if (spec?.egress) spec.egress = notR0(spec.egress);
  }
  return out;
};

describe('compiled zones enforce exactly the ZonePolicy', () => {
  it("zonewall's own compilation", () => {
    fc.assert(
      fc.property(cases, ([p, pods, nps]) => differences(load(p, pods, nps)) === 0),
      { numRuns: 60 },
    );
  });

  it('the Calico target, read back through the model', () => {
    fc.assert(
      fc.property(cases, ([p, pods, nps]) => differences(load(p, pods, nps), renderCalico) === 0),
      { numRuns: 60 },
    );
  });

  it('layered and exhaustive checking find the same differences in damaged compilations', () => {
    let found = 0;
    fc.assert(
      fc.property(
        cases,
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom('ingress', 'egress', 'flip') as fc.Arbitrary<'ingress' | 'egress' | 'flip'>,
        ([p, pods, nps], k, how) => {
          if (p.rules.length === 0) return;
          const i = k % p.rules.length;
          const rules = p.rules.map((r, j) => (j === i ? { ...r, enabled: true } : r));
          const res = load({ ...p, rules }, pods, nps);
          const [cl, clEx, gr, grEx] = bothWays(res, damaged(`r${i}`, how));
          if (cl?.[0]) found++;
          expect(cl?.[2]).toBe('layered');
          expect(clEx?.[2]).toBe('exhaustive');
          expect(cl?.slice(0, 2)).toEqual(clEx?.slice(0, 2));
          expect(gr?.slice(0, 2)).toEqual(grEx?.slice(0, 2));
        },
      ),
      { numRuns: 80 },
    );
    // The damage is often invisible (a disabled or shadowed rule), but not always: 12 to 24
    // of the 80 cases showed it over 25 runs (about 0.225 a case). At least 4 fails once in
    // about 300,000 runs by chance; more than 10 failed about once in 50 (it did in CI).
    expect(found).toBeGreaterThanOrEqual(4);
  });

  /** Zone a to zone b: one Allow rule with these services (a web pod in a, a db pod in b). */
  const aToB = (services: unknown): { p: ZP; pods: PodSpec[] } => ({
    p: {
      defaultZone: 'a',
      intraZone: 'Pass',
      interZone: 'Deny',
      extNet: '198.51.100.0/24',
      rules: [
        {
          from: ['a'],
          to: ['b'],
          sel: undefined,
          services,
          action: 'Allow',
          log: false,
          enabled: true,
        },
      ],
    } as unknown as ZP,
    pods: [
      { ns: 'n1', app: 'web', zone: 'a' },
      { ns: 'n2', app: 'db', zone: 'b' },
    ],
  });

  it('verify catches a compilation that drops a rule', () => {
    const { p, pods } = aToB(undefined);
    expect(differences(load(p, pods, []))).toBe(0);
    expect(differences(load(p, pods, []), dropsFirstRule)).toBeGreaterThan(0);
  });

  it('verify catches a dropped rule whose port nothing else in the cluster names', () => {
    // Only the zone rule distinguishes TCP 4567: verify must try that port, not only the
    // boundaries of the policies that are enforced.
    const { p, pods } = aToB([{ protocol: 'TCP', ports: [4567] }]);
    expect(differences(load(p, pods, []))).toBe(0);
    expect(differences(load(p, pods, []), renderCalico)).toBe(0);
    expect(differences(load(p, pods, []), dropsFirstRuleEverywhere)).toBeGreaterThan(0);
  });

  it('verify tries a protocol only a zone rule names', () => {
    const { p, pods } = aToB([{ protocol: 47 }]);
    expect(differences(load(p, pods, []))).toBe(0);
    expect(differences(load(p, pods, []), dropsFirstRuleEverywhere)).toBeGreaterThan(0);
  });
});
