// Endpoint classes for `verify`: pods that no rule, selector or address set can tell apart.
// Pods are first grouped by namespace, labels, service account and ports (identical pods);
// those groups are then merged when every selector and address set in play treats them the
// same, which is exact: the evaluation of a pod depends on nothing else.
import { formatIP } from '../net/index.js';
import type { CidrSet } from '../net/index.js';
import type { Engine, Endpoint } from '../engine/index.js';
import { selects } from '../engine/match.js';
import type { EndpointSelector, Policy } from '../model/types.js';
import type { Selector } from '../selector/index.js';
import { zoneOf } from '../zones/membership.js';
import type { ZonePolicy } from '../zones/types.js';

export interface PodClass {
  /** Two members when there are (so the class can be checked against itself), else one. */
  members: Endpoint[];
  size: number;
}

/** Every EndpointSelector any policy uses (subjects and rule sides). */
export function endpointSelectors(policies: readonly Policy[]): EndpointSelector[] {
  const out = new Set<EndpointSelector>();
  for (const p of policies) {
    out.add(p.subject);
    for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      for (const m of r.matches) {
        for (const s of [m.source, m.destination]) {
          if (s.selector) out.add(s.selector);
          if (s.notSelector) out.add(s.notSelector);
        }
      }
    }
  }
  return [...out];
}

/** The zone rules' own selectors (intent depends on them). */
function zoneSelectors(zp: ZonePolicy | undefined): Selector[] {
  if (!zp) return [];
  return zp.rules
    .flatMap((r) => [r.sourceSelector, r.destinationSelector])
    .filter((s): s is Selector => s !== undefined);
}

/** A pod's identical-pod key: namespace, labels, service account, declared ports. */
function identityKey(ep: Endpoint): string {
  const labels = [...(ep.pod?.labels ?? new Map())].sort(([a], [b]) => (a < b ? -1 : 1));
  const ports = (ep.pod?.ports ?? []).map((p) => `${p.name ?? ''}/${p.protocol}/${p.port}`).sort();
  return JSON.stringify([
    ep.namespace,
    labels,
    ep.serviceAccount,
    ports,
    ep.ips.map((ip) => ip.version),
  ]);
}

export interface ClassOptions {
  engine: Engine;
  selectors: readonly EndpointSelector[];
  addressSets: readonly CidrSet[];
  zonePolicy?: ZonePolicy;
  /** Only these pods (by `namespace/name`); default every pod. */
  only?: ReadonlySet<string>;
}

export interface Classes {
  classes: PodClass[];
  /** Each pod's class (index into `classes`), by `namespace/name`. */
  classOf: Map<string, number>;
  identicalGroups: number;
}

/** `namespace/name` of a pod endpoint. */
export function podKey(ep: Endpoint): string {
  return `${ep.namespace ?? ''}/${ep.name}`;
}

/** Group pods into classes; returns the classes and how many identical-pod groups there were. */
export function podClasses(o: ClassOptions): Classes {
  const pods = o.engine.eps
    .allPods()
    .filter((p) => !p.hostNetwork && (!o.only || o.only.has(podKey(p))));
  const zoneSels = zoneSelectors(o.zonePolicy);
  const identical = new Set<string>();
  const bySig = new Map<string, number>();
  const classes: PodClass[] = [];
  const classOf = new Map<string, number>();
  for (const ep of pods) {
    identical.add(identityKey(ep));
    const sig = signature(ep, o, zoneSels);
    let i = bySig.get(sig);
    if (i === undefined) {
      bySig.set(sig, (i = classes.length));
      classes.push({ members: [ep], size: 1 });
    } else {
      const c = classes[i] as PodClass;
      if (c.members.length < 2) c.members.push(ep);
      c.size++;
    }
    classOf.set(podKey(ep), i);
  }
  return { classes, classOf, identicalGroups: identical.size };
}

function signature(ep: Endpoint, o: ClassOptions, zoneSels: readonly Selector[]): string {
  const peer = o.engine.eps.peerOf(ep);
  let bits = '';
  for (const sel of o.selectors) {
    const self = selects(sel, ep, o.engine);
    const any = self || peer.identities.some((i) => selects(sel, i, o.engine));
    bits += self ? '1' : any ? '2' : '0';
  }
  for (const s of o.addressSets) bits += ep.ips.some((ip) => s.contains(ip)) ? '1' : '0';
  const labels = ep.pod?.labels ?? new Map<string, string>();
  for (const s of zoneSels) bits += s.matches(labels) ? '1' : '0';
  const zone = o.zonePolicy
    ? (zoneOf(o.zonePolicy, labels, o.engine.eps.namespaceLabels(ep.namespace ?? '')).zone ?? '?')
    : '';
  const ports = (ep.pod?.ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol}/${p.port}`)
    .sort()
    .join(',');
  const families = ep.ips.map((ip) => ip.version).join('');
  return `${bits}|${zone}|${ports}|${families}`;
}

/** Address keys of every pod (so address representatives avoid them). */
export function podAddressKeys(engine: Engine): Set<string> {
  const out = new Set<string>();
  for (const ep of engine.eps.all) for (const ip of ep.ips) out.add(formatIP(ip));
  return out;
}
