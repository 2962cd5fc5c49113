// Endpoint classes for `verify`: pods that no rule, selector or address set can tell apart.
// Pods are first grouped by namespace, labels, service account and ports (identical pods);
// those groups are then merged when every selector and address set in play treats them the
// same, which is exact: the evaluation of a pod depends on nothing else.
import { formatIP } from '../net/index.js';
import type { CidrSet } from '../net/index.js';
import type { Engine, Endpoint } from '../engine/index.js';
import { selects } from '../engine/match.js';
import type { EndpointSelector, Policy, Rule } from '../model/types.js';
import type { Selector } from '../selector/index.js';
import { zoneOf } from '../zones/membership.js';
import { placeEnd, ruleAppliesFrom, ruleAppliesTo } from '../zones/intent.js';
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

/** Classes of pods as sources and as destinations, formed separately (see roleClasses). */
export interface RoleClasses {
  src: Classes;
  dst: Classes;
}

export interface RoleClassOptions {
  engine: Engine;
  policies: readonly Policy[];
  addressSets: readonly CidrSet[];
  zonePolicy: ZonePolicy;
}

/** One selector test in a role signature. */
interface Term {
  sel: number;
  /** Matched on the pod itself only when it is the policy's subject (`subject` is its column). */
  subject?: number;
  /** Matched on the pod itself (a subject or a local side), else on any identity of its peer. */
  self: boolean;
}

/**
 * Pods classed twice: by what can tell them apart as the source of a connection, and as its
 * destination. A source's egress policies (their subjects and their rules' source sides),
 * the source sides of every ingress rule, and the zone rules whose `from` covers it decide
 * everything about it as a source; symmetrically for a destination. A rule's side that is
 * matched against the policy's own endpoint only matters for the subject's pods, so it splits
 * only those. Exact, and far coarser than one class for every pattern of every selector.
 */
export function roleClasses(o: RoleClassOptions): RoleClasses {
  const pods = o.engine.eps.allPods().filter((p) => !p.hostNetwork);
  const sels: EndpointSelector[] = [];
  const selIndex = new Map<string, number>();
  const col = (s: EndpointSelector): number => {
    const k = selectorKey(s);
    let i = selIndex.get(k);
    if (i === undefined) {
      selIndex.set(k, (i = sels.length));
      sels.push(s);
    }
    return i;
  };
  const terms: Record<'src' | 'dst', Term[]> = { src: [], dst: [] };
  const seen: Record<'src' | 'dst', Set<string>> = { src: new Set(), dst: new Set() };
  const term = (role: 'src' | 'dst', t: Term): void => {
    const k = `${t.sel}|${t.subject ?? ''}|${t.self}`;
    if (seen[role].has(k)) return;
    seen[role].add(k);
    terms[role].push(t);
  };
  // A source's own side is the rules' source (its egress policies apply to it); a
  // destination's, the rules' destination (its ingress policies). The other direction's rules
  // may match either as a peer.
  const roles = [
    ['src', 'source', 'egress', 'ingress'],
    ['dst', 'destination', 'ingress', 'egress'],
  ] as const;
  for (const p of o.policies) {
    const subj = col(p.subject);
    for (const [role, side, own, other] of roles) {
      const sides = (rules: readonly Rule[]): EndpointSelector[] =>
        rules.flatMap((r) =>
          r.matches.flatMap((m) =>
            [m[side].selector, m[side].notSelector].filter(
              (x): x is EndpointSelector => x !== undefined,
            ),
          ),
        );
      const ownRules = p[own];
      if (ownRules) {
        term(role, { sel: subj, self: true });
        for (const s of sides(ownRules)) term(role, { sel: col(s), subject: subj, self: false });
      }
      for (const s of sides(p[other] ?? [])) term(role, { sel: col(s), self: false });
    }
  }
  // Each distinct selector evaluated once per pod: 0 no, 1 the pod itself, 2 another identity.
  const used = new Set([...terms.src, ...terms.dst].flatMap((t) => [t.sel, t.subject ?? t.sel]));
  const cols = new Map<number, Uint8Array>();
  for (const i of used) {
    const sel = sels[i] as EndpointSelector;
    const c = new Uint8Array(pods.length);
    pods.forEach((ep, j) => {
      if (selects(sel, ep, o.engine)) c[j] = 1;
      else if (o.engine.eps.peerOf(ep).identities.some((id) => selects(sel, id, o.engine)))
        c[j] = 2;
    });
    cols.set(i, c);
  }
  const zp = o.zonePolicy;
  const out = { src: new ClassBuilder(), dst: new ClassBuilder() };
  const identical = new Set<string>();
  pods.forEach((ep, j) => {
    identical.add(identityKey(ep));
    const labels = ep.pod?.labels ?? new Map<string, string>();
    const placement = placeEnd(zp, {
      kind: 'pod',
      labels,
      namespaceLabels: o.engine.eps.namespaceLabels(ep.namespace ?? ''),
      ports: ep.pod?.ports ?? [],
    });
    let common = '';
    for (const s of o.addressSets) common += ep.ips.some((ip) => s.contains(ip)) ? '1' : '0';
    const ports = (ep.pod?.ports ?? [])
      .map((p) => `${p.name ?? ''}/${p.protocol}/${p.port}`)
      .sort()
      .join(',');
    common += `|${placement.zone ?? '?'}|${ports}|${ep.ips.map((ip) => ip.version).join('')}`;
    for (const role of ['src', 'dst'] as const) {
      let bits = '';
      for (const t of terms[role]) {
        if (t.subject !== undefined && cols.get(t.subject)?.[j] !== 1) {
          bits += '-';
          continue;
        }
        const v = cols.get(t.sel)?.[j] ?? 0;
        bits += t.self ? (v === 1 ? '1' : '0') : String(v);
      }
      bits += '|';
      for (const r of zp.rules)
        bits += (role === 'src' ? ruleAppliesFrom(r, placement) : ruleAppliesTo(r, placement))
          ? '1'
          : '0';
      out[role].add(`${bits}|${common}`, ep);
    }
  });
  return { src: out.src.done(identical.size), dst: out.dst.done(identical.size) };
}

/** Key of an EndpointSelector by what it matches (equal keys select the same endpoints). */
function selectorKey(s: EndpointSelector): string {
  const c = (x: Selector | undefined): string => (x ? x.canonical : '\u0001');
  return [
    s.kinds,
    s.namespace ?? '\u0001',
    c(s.namespaceSelector),
    c(s.selector),
    s.serviceAccountNames?.join(',') ?? '\u0001',
    c(s.serviceAccountSelector),
  ].join('\u0000');
}

/** Pods grouped by signature, keeping two members of each class. */
class ClassBuilder {
  private readonly bySig = new Map<string, number>();
  private readonly classes: PodClass[] = [];
  private readonly classOf = new Map<string, number>();
  add(sig: string, ep: Endpoint): void {
    let i = this.bySig.get(sig);
    if (i === undefined) {
      this.bySig.set(sig, (i = this.classes.length));
      this.classes.push({ members: [ep], size: 1 });
    } else {
      const c = this.classes[i] as PodClass;
      if (c.members.length < 2) c.members.push(ep);
      c.size++;
    }
    this.classOf.set(podKey(ep), i);
  }
  done(identicalGroups: number): Classes {
    return { classes: this.classes, classOf: this.classOf, identicalGroups };
  }
}
