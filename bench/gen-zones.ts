// A generated ZonePolicy for benchmarks, and the zone labels of the generated cluster's
// namespaces and pods (bench/gen-cluster.ts `zoneLabels`). Zones are per team and trust level
// (`payments-web`, `payments-app`, `payments-data`, ...) plus four platform zones; a pod is in a
// zone by its own label (web, db, worker and cache pods often), by its namespace's label (most),
// or by default (namespaces nobody labelled). A few legacy pods name a zone that is not declared.
// Deterministic: the same options give the same text.
import type { InputFile } from '../src/core/model/index.js';
import { TEAMS } from './cluster-model.js';
import type { NsModel } from './cluster-model.js';
import { yamlOf } from './gen-cluster.js';
import type { ZoneLabels } from './gen-cluster.js';
import { teamZone, zoneRules } from './gen-zone-rules.js';
import { Rng } from './prng.js';

/** Trust levels of a team's zones, in the order zones are declared (all teams' first, ...). */
export const ZONE_KINDS = [
  'app', 'web', 'data', 'batch', 'pci', 'edge', 'analytics', 'ops', 'partner', 'sandbox',
] as const; // prettier-ignore
export const PLATFORM_ZONES = ['platform', 'monitoring', 'ingress', 'unclassified'] as const;
export const DEFAULT_ZONE = 'unclassified';
/** A zone label some legacy pods carry that the policy does not declare. */
export const UNDECLARED_ZONE = 'legacy-dmz';

export interface ZoneDef {
  name: string;
  /** The team and trust level of a team zone; none for a platform zone. */
  team?: string;
  kind: string;
}

export interface ZoneSet {
  /** The zone label key. */
  key: string;
  zones: ZoneDef[];
  names: ReadonlySet<string>;
}

export interface ExternalDef {
  name: string;
  nets?: string[];
  domains?: string[];
}

export const EXTERNALS: readonly ExternalDef[] = [
  { name: 'partner-clearing', nets: ['198.51.100.0/24'] },
  { name: 'payment-processor', nets: ['192.0.2.192/28'], domains: ['api.processor.example'] },
  { name: 'upstream-dns', nets: ['192.0.2.53/32', '192.0.2.54/32'] },
  { name: 'saas-logs', nets: ['203.0.113.0/25'], domains: ['*.logs.saas.example'] },
  { name: 'corp-network', nets: ['172.16.0.0/12'] },
  { name: 'backup-site', nets: ['203.0.113.128/25', '2001:db8:100::/48'] },
];

/** `count` zones (at least the four platform ones): team zones kind by kind, then the platform's. */
export function zoneSet(count: number, key = 'zonewall.io/zone'): ZoneSet {
  const zones: ZoneDef[] = [];
  const teamZones = Math.max(0, count - PLATFORM_ZONES.length);
  for (const kind of ZONE_KINDS)
    for (const team of TEAMS)
      if (zones.length < teamZones) zones.push({ name: `${team}-${kind}`, team, kind });
  for (const name of PLATFORM_ZONES) zones.push({ name, kind: 'platform' });
  return { key, zones, names: new Set(zones.map((z) => z.name)) };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const PLATFORM_NS: Record<string, string> = {
  'kube-system': 'platform',
  monitoring: 'monitoring',
  'ingress-nginx': 'ingress',
};

/** Pod tiers labelled individually, with the zone kinds they go to (first declared wins). */
const POD_KINDS: Record<string, { share: number; kinds: string[] }> = {
  web: { share: 0.8, kinds: ['edge', 'web'] },
  db: { share: 0.9, kinds: ['data'] },
  cache: { share: 0.5, kinds: ['data'] },
  worker: { share: 0.5, kinds: ['batch'] },
};

/** The zone labels of the generated cluster for this zone set (seeded per namespace and pod). */
export function zoneLabeller(zs: ZoneSet, seed = 7): ZoneLabels {
  const rng = (name: string): Rng => new Rng(seed ^ hash(name));
  const nsZone = (ns: NsModel): string | undefined => {
    const platform = PLATFORM_NS[ns.name];
    if (platform) return platform;
    const r = rng(ns.name);
    if (r.chance(0.12)) return undefined; // nobody classified it: the default zone
    return (ns.pci ? teamZone(zs, ns.team, 'pci') : undefined) ?? teamZone(zs, ns.team, 'app');
  };
  return {
    key: zs.key,
    namespace: nsZone,
    pod: (p) => {
      if (p.ns.platform) return undefined;
      const r = rng(`${p.ns.name}/${p.name}`);
      if (p.labels.legacy === 'true' && r.chance(0.1)) return UNDECLARED_ZONE;
      const rule = POD_KINDS[p.tier];
      if (!rule || !r.chance(rule.share)) return undefined;
      if (nsZone(p.ns) === undefined && r.chance(0.5)) return undefined;
      const kinds = p.tier === 'db' && p.ns.pci ? ['pci', ...rule.kinds] : rule.kinds;
      const declared = kinds.map((k) => teamZone(zs, p.ns.team, k)).filter((z) => z);
      return declared.length > 0 ? r.pick(declared) : undefined;
    },
  };
}

const TRUST: Record<string, string> = {
  app: 'trusted', web: 'semi-trusted', data: 'restricted', batch: 'trusted', pci: 'restricted',
  edge: 'untrusted', analytics: 'trusted', ops: 'privileged', partner: 'semi-trusted',
  sandbox: 'untrusted', platform: 'privileged',
}; // prettier-ignore

function zoneObj(z: ZoneDef, i: number): Record<string, unknown> {
  // Two zones in five have an address pool (a /20 each, outside the pod network).
  const pools =
    i % 5 < 2
      ? [
          {
            cidr: `10.${128 + (i >> 4)}.${(i & 15) << 4}.0/20`,
            ...(z.kind === 'pci' ? { nodeSelector: "node-pool == 'pci'" } : {}),
          },
        ]
      : [];
  return {
    name: z.name,
    description: z.team ? `${z.team}: ${z.kind} workloads` : `platform: ${z.name}`,
    trust: z.name === DEFAULT_ZONE ? 'untrusted' : (TRUST[z.kind] ?? 'trusted'),
    ...(pools.length ? { pools } : {}),
  };
}

export interface ZonePolicyOptions {
  zones: ZoneSet;
  rules: number;
  seed?: number;
  name?: string;
}

/** The ZonePolicy manifest as an object. */
export function zonePolicyObject(o: ZonePolicyOptions): Record<string, unknown> {
  const rng = new Rng(o.seed ?? 20261123);
  return {
    apiVersion: 'zonewall.io/v1alpha1',
    kind: 'ZonePolicy',
    metadata: { name: o.name ?? 'corp-zones' },
    spec: {
      zoneLabel: o.zones.key,
      defaultZone: DEFAULT_ZONE,
      defaults: { intraZone: 'Pass', interZone: 'Deny' },
      zones: o.zones.zones.map(zoneObj),
      // The nodes and the pod network: cluster addresses, never `internet`.
      clusterNets: ['10.0.0.0/24', '10.64.0.0/10'],
      externals: EXTERNALS,
      rules: zoneRules(rng, {
        zones: o.zones,
        externals: EXTERNALS.map((e) => e.name),
        count: o.rules,
      }),
    },
  };
}

/** The ZonePolicy as one YAML file. */
export function zonePolicyFile(o: ZonePolicyOptions): InputFile {
  const n = o.zones.zones.length;
  return {
    path: 'zones.yaml',
    text: yamlOf([zonePolicyObject(o)], `ZonePolicy: ${n} zones, ${o.rules} rules`),
  };
}
