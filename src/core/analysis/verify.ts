// `verify`: what is enforced (the compiled zones with the cluster's own policies, evaluated
// by the engine) against what was meant (the ZonePolicy's intent: Allow, Deny, or Pass = what
// the developers' policies alone decide), for every pair of endpoint classes, every protocol
// and every port interval the rules distinguish. Nothing is sampled.
import { Engine } from '../engine/index.js';
import type { Endpoint, Peer, TraceStep } from '../engine/index.js';
import { selects } from '../engine/match.js';
import { compareTiers } from '../engine/policy-table.js';
import { formatIP, protocolHasPorts, protocolName } from '../net/index.js';
import type { CidrSet, IP, PortRange } from '../net/index.js';
import type { NetworkSet, Policy, PolicySet } from '../model/types.js';
import { intentFor, placeEnd, ruleAppliesBetween } from '../zones/intent.js';
import type { Intent, Placement, ZoneEnd } from '../zones/intent.js';
import type { ZonePolicy, ZoneRule } from '../zones/types.js';
import {
  addressAtoms,
  addressSets,
  entryPortRanges,
  portAtoms,
  portRangesByProtocol,
  protocolsToTry,
} from './atoms.js';
import { endpointSelectors, podAddressKeys, podClasses, podKey } from './classes.js';

export interface Difference {
  from: string;
  to: string;
  protocol: string;
  port: number | null;
  expected: 'allow' | 'deny';
  actual: 'allow' | 'deny';
  /** The zone rule (or default) that states the intent. */
  intent: string;
  /** The enforced evaluation's steps. */
  trace: TraceStep[];
}

export interface VerifyStats {
  pods: number;
  identicalGroups: number;
  /** How the pairs were checked (see verifyZones). */
  method: 'layered' | 'exhaustive';
  /** Layered: pod and address classes as the zone policies alone tell them apart. */
  zoneClasses: number;
  zoneAddressClasses: number;
  /** Classes checked in full (layered: only where the zone tiers leave the decision). */
  podClasses: number;
  addressClasses: number;
  protocols: number;
  portIntervals: number;
  /** Connection classes checked at the zone level (layered). */
  zoneConnections: number;
  /** Connection classes checked in full with both engines. */
  connections: number;
}

export interface VerifyResult {
  stats: VerifyStats;
  differences: Difference[];
  /** Differences beyond `maxDifferences` are counted, not kept. */
  differenceCount: number;
  /** Of those: allowed although meant to be denied (the unsafe kind), and the reverse. */
  opened: number;
  closed: number;
  notes: string[];
}

export interface VerifyInput {
  /** The cluster's own policies and state (no zone policies). */
  cluster: PolicySet;
  /** The cluster plus the compiled zones, as they would be enforced. */
  enforced: PolicySet;
  zonePolicy: ZonePolicy;
  maxDifferences?: number;
  /** Check every class pair in full even when the zones are layered above the cluster. */
  exhaustive?: boolean;
}

type Rep = { kind: 'pod'; ep: Endpoint } | { kind: 'address'; ip: IP };

type Peers = Partial<Record<4 | 6, Peer>>;

/** A representative with everything a check needs, computed once. */
interface Prepared {
  name: string;
  families: Array<4 | 6>;
  placement: Placement;
  /** Peers in the enforced and the developers' engines (and the zones' alone), by family. */
  enforced: Peers;
  developers: Peers;
  zone?: Peers;
  /** Port ranges the policies on its egress (as a source) and ingress (as a destination) distinguish. */
  egressPorts: Map<number, PortRange[]>;
  ingressPorts: Map<number, PortRange[]>;
  /** Which policies those come from (pairs with equal keys share their port intervals). */
  egressKey: string;
  ingressKey: string;
  /** Declared container ports by protocol (named ports resolve to these). */
  namedPorts: Map<number, number[]>;
  /** For a class with two members: the second one (so the class is checked against itself). */
  twin?: Prepared;
}

interface Ctx {
  enforced: Engine;
  developers: Engine;
  /** The compiled zones alone (layered checking). */
  zone?: Engine;
  zp: ZonePolicy;
  /** Each zone rule's port ranges by protocol (what the intent distinguishes). */
  zoneRanges: Map<number, PortRange[]>[];
}

/** Differences found so far, and how many connection classes were checked. */
class Tally {
  readonly differences: Difference[] = [];
  count = 0;
  opened = 0;
  connections = 0;
  zoneConnections = 0;
  constructor(private readonly max: number) {}
  add(d: Difference): void {
    this.count++;
    if (d.actual === 'allow') this.opened++;
    if (this.differences.length < this.max) this.differences.push(d);
  }
}

/**
 * Check every class pair, protocol and port interval; report differences with witnesses.
 *
 * When the compiled zones sit in tiers of their own, evaluated before every tier of the
 * cluster's own policies (as every target places them), the check is layered and still
 * exact: pods are first grouped only by what the zone policies and the ZonePolicy tell apart,
 * and each such pair is evaluated by the zones alone. Where the zone tiers decide in a way that
 * fixes the verdict (a deny in either direction, an allow in both), the developers' policies
 * cannot change it, so it is compared with the intent at once; where they pass in both
 * directions and the intent is Pass, enforced and intended are the same evaluation of the same
 * policies. Only the rest (the zone tiers pass where the intent decides, or decide where it
 * passes) is checked in full, for the pods of those pairs, classed by every selector.
 */
export function verifyZones(input: VerifyInput): VerifyResult {
  const enforced = Engine.build(input.enforced);
  const developers = Engine.build(input.cluster);
  const zp = input.zonePolicy;
  const zoneRanges = zp.rules.map(zoneRuleRanges);
  const ctx: Ctx = { enforced, developers, zp, zoneRanges };
  const tally = new Tally(input.maxDifferences ?? 20);
  const protocols = protocolsToTry(
    input.enforced.policies,
    zp.rules.flatMap((r) => (r.services ?? []).map((s) => s.protocol)),
  );
  const own = new Set(input.cluster.policies);
  const zonePolicies = input.enforced.policies.filter((p) => !own.has(p));
  const sets = addressSets(
    input.enforced.policies,
    zp,
    input.enforced.networkSets.map((n) => n.nets),
  );
  const addresses = addressAtoms(sets, podAddressKeys(enforced), formatIP);
  const notes: string[] = [];
  const layerProblem = input.exhaustive
    ? 'checked exhaustively (--exhaustive)'
    : layeringProblem(input, zonePolicies);
  let zoneStats = { classes: 0, addresses: 0 };
  let fine: { classes: number; addresses: number; identicalGroups: number };
  if (layerProblem) {
    if (!input.exhaustive) notes.push(`every class pair checked in full: ${layerProblem}`);
    fine = checkExhaustively(ctx, input, sets, addresses, protocols, tally);
  } else {
    const zone = Engine.build({ ...input.enforced, policies: zonePolicies });
    const r = checkLayered(
      { ...ctx, zone },
      input,
      zonePolicies,
      sets,
      addresses,
      protocols,
      tally,
    );
    zoneStats = r.zone;
    fine = r.fine;
  }
  const hostNet = input.enforced.pods.filter((p) => p.hostNetwork).length;
  if (hostNet)
    notes.push(
      `${hostNet} host-networked pods are not workload endpoints: zone policy cannot be enforced on them (left out)`,
    );
  const ranges = portRangesByProtocol(input.enforced.policies, namedPortNumbers(enforced));
  for (const m of zoneRanges)
    for (const [p, l] of m) ranges.set(p, [...(ranges.get(p) ?? []), ...l]);
  const portIntervals = protocols.reduce(
    (n, p) => n + (protocolHasPorts(p) ? portAtoms(ranges.get(p) ?? []).length : 1),
    0,
  );
  const stats: VerifyStats = {
    pods: enforced.eps.allPods().length,
    identicalGroups: fine.identicalGroups,
    method: layerProblem ? 'exhaustive' : 'layered',
    zoneClasses: zoneStats.classes,
    zoneAddressClasses: zoneStats.addresses,
    podClasses: fine.classes,
    addressClasses: fine.addresses,
    protocols: protocols.length,
    portIntervals,
    zoneConnections: tally.zoneConnections,
    connections: tally.connections,
  };
  return {
    stats,
    differences: tally.differences,
    differenceCount: tally.count,
    opened: tally.opened,
    closed: tally.count - tally.opened,
    notes,
  };
}

/**
 * Why the zones cannot be checked layered above the cluster's own policies, or undefined when
 * they can: their tiers must hold no policy of the cluster's and come before all of its tiers.
 */
function layeringProblem(input: VerifyInput, zonePolicies: readonly Policy[]): string | undefined {
  const tiers = new Map(input.enforced.tiers.map((t) => [t.name, t]));
  const zoneTiers = new Set(zonePolicies.map((p) => p.tier));
  const ownTiers = new Set(input.cluster.policies.map((p) => p.tier));
  for (const z of zoneTiers) {
    const zt = tiers.get(z);
    if (!zt) return `the zones' tier ${z} is not defined`;
    for (const o of ownTiers) {
      const ot = tiers.get(o);
      if (o === z) return `the cluster has its own policies in the zones' tier ${z}`;
      if (ot && compareTiers(zt, ot) > 0)
        return `the cluster's tier ${o} is evaluated before the zones' tier ${z}`;
    }
  }
  return undefined;
}

/**
 * Network sets the zones add that a policy of the cluster's selects: an address in one of
 * them is seen differently by the cluster's policies once the zones are enforced, so its
 * pairs are always checked in full.
 */
function addedSetsSelected(input: VerifyInput, engine: Engine): Set<NetworkSet> {
  const ownSets = new Set(input.cluster.networkSets);
  const added = new Set(input.enforced.networkSets.filter((n) => !ownSets.has(n)));
  const out = new Set<NetworkSet>();
  if (added.size === 0) return out;
  const sels = endpointSelectors(input.cluster.policies);
  for (const ep of engine.eps.all) {
    if (!ep.netset || !added.has(ep.netset)) continue;
    if (sels.some((sel) => selects(sel, ep, engine))) out.add(ep.netset);
  }
  return out;
}

/** Every pod class with every class, every protocol and port interval, in full. */
function checkExhaustively(
  ctx: Ctx,
  input: VerifyInput,
  sets: CidrSet[],
  addresses: IP[],
  protocols: readonly number[],
  tally: Tally,
): { classes: number; addresses: number; identicalGroups: number } {
  const { classes, identicalGroups } = podClasses({
    engine: ctx.enforced,
    selectors: endpointSelectors(input.enforced.policies),
    addressSets: sets,
    zonePolicy: ctx.zp,
  });
  const reps = [
    ...classes.map((c) =>
      prepare(ctx, { kind: 'pod', ep: c.members[0] as Endpoint }, c.members[1]),
    ),
    ...addresses.map((ip) => prepare(ctx, { kind: 'address', ip })),
  ];
  const cache = new Map<string, Array<number | undefined>>();
  for (const src of reps) {
    for (const dst0 of reps) {
      const pair = pairOf(src, dst0);
      if (!pair) continue;
      for (const proto of protocols) {
        for (const port of pairPorts(ctx, src, pair.dst, proto, cache)) {
          tally.connections++;
          const d = check(ctx, src, pair.dst, pair.version, proto, port);
          if (d) tally.add(d);
        }
      }
    }
  }
  return { classes: classes.length, addresses: addresses.length, identicalGroups };
}

/** The pair to check for (src, dst): a class with itself is checked against its twin. */
function pairOf(src: Prepared, dst0: Prepared): { dst: Prepared; version: 4 | 6 } | undefined {
  const dst = dst0 === src ? src.twin : dst0;
  if (!dst) return undefined;
  if (src.placement.labels === undefined && dst.placement.labels === undefined) return undefined;
  const version = commonFamily(src, dst);
  return version ? { dst, version } : undefined;
}

/** Per coarse pair and protocol: the zone-level port intervals, and which need a full check. */
interface Deferred {
  atoms: Array<number | undefined>;
  full: boolean[];
}

function checkLayered(
  ctx: Ctx & { zone: Engine },
  input: VerifyInput,
  zonePolicies: readonly Policy[],
  sets: CidrSet[],
  addresses: IP[],
  protocols: readonly number[],
  tally: Tally,
): {
  zone: { classes: number; addresses: number };
  fine: { classes: number; addresses: number; identicalGroups: number };
} {
  const zone = ctx.zone;
  // 1. Classes as the zones alone tell them apart; addresses likewise (keyed by the sets the
  // zones use), each represented by one of the full check's address representatives.
  const zoneSets = addressSets(
    zonePolicies,
    ctx.zp,
    input.enforced.networkSets.map((n) => n.nets),
  );
  const coarse = podClasses({
    engine: zone,
    selectors: endpointSelectors(zonePolicies),
    addressSets: zoneSets,
    zonePolicy: ctx.zp,
  });
  const addrKey = (ip: IP): string =>
    `${ip.version}:${zoneSets.map((s) => (s.contains(ip) ? '1' : '0')).join('')}`;
  const coarseAddr = new Map<string, number>();
  const addrReps: IP[] = [];
  for (const ip of addresses) {
    const k = addrKey(ip);
    if (!coarseAddr.has(k)) {
      coarseAddr.set(k, coarse.classes.length + addrReps.length);
      addrReps.push(ip);
    }
  }
  const reps = [
    ...coarse.classes.map((c) =>
      prepare(ctx, { kind: 'pod', ep: c.members[0] as Endpoint }, c.members[1], zone),
    ),
    ...addrReps.map((ip) => prepare(ctx, { kind: 'address', ip }, undefined, zone)),
  ];
  const selected = addedSetsSelected(input, ctx.enforced);
  const seenOtherwise = reps.map(
    (r) =>
      selected.size > 0 &&
      Object.values(r.enforced).some((p) =>
        p.identities.some((id) => id.netset !== undefined && selected.has(id.netset)),
      ),
  );
  // 2. Each zone-level pair: decide at once where the zone tiers fix the verdict (or pass
  // where the intent passes); defer the rest to the full check.
  const deferred = new Map<number, Map<number, Deferred>>();
  const cache = new Map<string, Array<number | undefined>>();
  reps.forEach((src, i) => {
    reps.forEach((dst0, j) => {
      const pair = pairOf(src, dst0);
      if (!pair) return;
      const { dst, version } = pair;
      const zs = src.zone?.[version];
      const zd = dst.zone?.[version];
      if (!zs || !zd) return;
      const always = seenOtherwise[i] === true || seenOtherwise[j] === true;
      for (const proto of protocols) {
        const atoms = pairPorts(ctx, src, dst, proto, cache);
        let full: boolean[] | undefined;
        atoms.forEach((port, k) => {
          if (always) {
            (full ??= atoms.map(() => false))[k] = true;
            return;
          }
          tally.zoneConnections++;
          const pkt = { protocol: proto, ...(port !== undefined ? { port } : {}) };
          const intent = intentFor(ctx.zp, src.placement, dst.placement, pkt).action;
          const [e, g] = zone.tierOutcomes(zs, zd, { ...pkt, ipVersion: version });
          // Deny in either direction, or allow (or nothing enforced) in both: fixed.
          const fixed =
            e === 'deny' || g === 'deny'
              ? 'deny'
              : e !== 'none' && g !== 'none'
                ? 'allow'
                : undefined;
          const passes = e !== 'allow' && e !== 'deny' && g !== 'allow' && g !== 'deny';
          if (intent === 'Pass' ? passes : fixed === intent.toLowerCase()) return;
          if (intent !== 'Pass' && fixed !== undefined) {
            // The verdict is fixed and differs from the intent: the enforced engine's own
            // evaluation of these representatives is the witness.
            const d = check(ctx, src, dst, version, proto, port);
            if (d) {
              tally.add(d);
              return;
            }
          }
          (full ??= atoms.map(() => false))[k] = true;
        });
        if (full) {
          let m = deferred.get(i * reps.length + j);
          if (!m) deferred.set(i * reps.length + j, (m = new Map()));
          m.set(proto, { atoms, full });
        }
      }
    });
  });
  // 3. The deferred pairs in full: their pods classed by every selector.
  const nCoarse = coarse.classes.length;
  const involved = new Set<number>();
  for (const key of deferred.keys()) {
    involved.add(Math.floor(key / reps.length));
    involved.add(key % reps.length);
  }
  const only = new Set<string>();
  for (const ep of zone.eps.allPods()) {
    const c = coarse.classOf.get(podKey(ep));
    if (c !== undefined && involved.has(c)) only.add(podKey(ep));
  }
  const fineClasses =
    only.size > 0
      ? podClasses({
          engine: ctx.enforced,
          selectors: endpointSelectors(input.enforced.policies),
          addressSets: sets,
          zonePolicy: ctx.zp,
          only,
        }).classes
      : [];
  const groups = new Map<number, Prepared[]>();
  const place = (c: number | undefined, p: () => Prepared): void => {
    if (c === undefined || !involved.has(c)) return;
    const g = groups.get(c);
    if (g) g.push(p());
    else groups.set(c, [p()]);
  };
  for (const c of fineClasses) {
    const first = c.members[0] as Endpoint;
    place(coarse.classOf.get(podKey(first)), () =>
      prepare(ctx, { kind: 'pod', ep: first }, c.members[1]),
    );
  }
  let fineAddresses = 0;
  for (const ip of addresses) {
    const c = coarseAddr.get(addrKey(ip));
    if (c !== undefined && involved.has(c)) fineAddresses++;
    place(c, () => prepare(ctx, { kind: 'address', ip }));
  }
  for (const [key, byProto] of deferred) {
    const from = groups.get(Math.floor(key / reps.length)) ?? [];
    const to = groups.get(key % reps.length) ?? [];
    for (const src of from) {
      for (const dst0 of to) {
        const pair = pairOf(src, dst0);
        if (!pair) continue;
        for (const [proto, d] of byProto) {
          for (const port of pairPorts(ctx, src, pair.dst, proto, cache)) {
            if (!d.full[atomIndex(d.atoms, port)]) continue;
            tally.connections++;
            const diff = check(ctx, src, pair.dst, pair.version, proto, port);
            if (diff) tally.add(diff);
          }
        }
      }
    }
  }
  return {
    zone: { classes: nCoarse, addresses: addrReps.length },
    fine: {
      classes: fineClasses.length,
      addresses: fineAddresses,
      identicalGroups: coarse.identicalGroups,
    },
  };
}

/** The index of the interval (sorted starts) that holds `port`. */
function atomIndex(atoms: ReadonlyArray<number | undefined>, port: number | undefined): number {
  if (port === undefined) return 0;
  let lo = 0;
  let hi = atoms.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((atoms[mid] as number) <= port) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function prepare(ctx: Ctx, r: Rep, twin?: Endpoint, portsFrom?: Engine): Prepared {
  const families: Array<4 | 6> =
    r.kind === 'address' ? [r.ip.version] : [...new Set(r.ep.ips.map((ip) => ip.version))];
  const peers = (e: Engine): Peers => {
    const out: Peers = {};
    for (const v of families) {
      if (r.kind === 'address') out[v] = e.eps.peerOfIP(r.ip);
      else {
        const ep = e.eps.pod(r.ep.namespace ?? '', r.ep.name);
        if (ep) out[v] = e.eps.peerOf(ep, v);
      }
    }
    return out;
  };
  const end: ZoneEnd =
    r.kind === 'address'
      ? { kind: 'address', ip: r.ip }
      : {
          kind: 'pod',
          labels: r.ep.pod?.labels ?? new Map(),
          namespaceLabels: ctx.enforced.eps.namespaceLabels(r.ep.namespace ?? ''),
          ports: r.ep.pod?.ports ?? [],
        };
  // Port intervals come from the policies of the engine that is checked (the zones alone at
  // the zone level, all of them in full).
  const pe = portsFrom ?? ctx.enforced;
  const local = r.kind === 'pod' ? pe.eps.pod(r.ep.namespace ?? '', r.ep.name) : undefined;
  const enforcing = local ? pe.eps.enforcingEndpoint(pe.eps.peerOf(local)) : undefined;
  const eg = enforcing ? pe.policiesFor(enforcing, 'egress') : [];
  const ing = enforcing ? pe.policiesFor(enforcing, 'ingress') : [];
  const namedPorts = new Map<number, number[]>();
  for (const p of r.kind === 'pod' ? (r.ep.pod?.ports ?? []) : [])
    namedPorts.set(p.protocol, [...(namedPorts.get(p.protocol) ?? []), p.port]);
  const tag = portsFrom ? 'z' : '';
  return {
    name: r.kind === 'address' ? formatIP(r.ip) : `${r.ep.namespace}/${r.ep.name}`,
    families,
    placement: placeEnd(ctx.zp, end),
    egressPorts: entryPortRanges(eg),
    ingressPorts: entryPortRanges(ing),
    egressKey: tag + eg.map((e) => e.rank).join(','),
    ingressKey: `${tag}${ing.map((e) => e.rank).join(',')}#${[...namedPorts].map(([k, v]) => `${k}:${v.join('.')}`).join(';')}`,
    namedPorts,
    enforced: peers(ctx.enforced),
    developers: peers(ctx.developers),
    ...(portsFrom ? { zone: peers(portsFrom) } : {}),
    ...(twin ? { twin: prepare(ctx, { kind: 'pod', ep: twin }, undefined, portsFrom) } : {}),
  };
}

/**
 * The port intervals that can matter for a pair: only rules on the source's egress and the
 * destination's ingress are evaluated for it, and only the zone rules that cover both ends
 * state its intent, so only their boundaries (and the destination's named ports) can change
 * either side of the comparison. Exact, and far fewer than every rule's boundaries.
 */
function pairPorts(
  ctx: Ctx,
  src: Prepared,
  dst: Prepared,
  proto: number,
  cache: Map<string, Array<number | undefined>>,
): Array<number | undefined> {
  if (!protocolHasPorts(proto)) return [undefined];
  const covering: number[] = [];
  for (const r of ctx.zp.rules) {
    if (ctx.zoneRanges[r.index]?.has(proto) && ruleAppliesBetween(r, src.placement, dst.placement))
      covering.push(r.index);
  }
  const key = `${proto}|${src.egressKey}|${dst.ingressKey}|${covering.join(',')}`;
  let hit = cache.get(key);
  if (!hit) {
    const a = src.egressPorts.get(proto) ?? [];
    const b = dst.ingressPorts.get(proto) ?? [];
    const named = dst.namedPorts.get(proto) ?? [];
    const z = covering.flatMap((i) => ctx.zoneRanges[i]?.get(proto) ?? []);
    cache.set(
      key,
      (hit = portAtoms([...a, ...b, ...z, ...named.map((p) => ({ start: p, end: p }))])),
    );
  }
  return hit;
}

/** A zone rule's port ranges by protocol (named ports resolve through the destination's ports). */
function zoneRuleRanges(r: ZoneRule): Map<number, PortRange[]> {
  const out = new Map<number, PortRange[]>();
  for (const s of r.services ?? []) {
    if (!protocolHasPorts(s.protocol)) continue;
    const list = out.get(s.protocol) ?? [];
    for (const p of s.ports ?? []) if (p.kind === 'range') list.push(p.range);
    out.set(s.protocol, list);
  }
  return out;
}

function commonFamily(a: Prepared, b: Prepared): 4 | 6 | undefined {
  if (a.families.includes(4) && b.families.includes(4)) return 4;
  if (a.families.includes(6) && b.families.includes(6)) return 6;
  return undefined;
}

function intentText(i: Intent): string {
  const o = i.origin;
  return `${o.kind === 'rule' ? `rule ${o.index} "${o.name}"` : `${o.kind} default`}: ${i.action}`;
}

function check(
  ctx: Ctx,
  src: Prepared,
  dst: Prepared,
  version: 4 | 6,
  protocol: number,
  port: number | undefined,
): Difference | undefined {
  const pkt = { protocol, ...(port !== undefined ? { port } : {}), ipVersion: version };
  const es = src.enforced[version];
  const ed = dst.enforced[version];
  if (!es || !ed) return undefined;
  const intent = intentFor(ctx.zp, src.placement, dst.placement, pkt);
  const actual = ctx.enforced.verdictOf(es, ed, pkt);
  let expected: 'allow' | 'deny' | undefined =
    intent.action === 'Allow' ? 'allow' : intent.action === 'Deny' ? 'deny' : undefined;
  if (expected === undefined) {
    const ds = src.developers[version];
    const dd = dst.developers[version];
    if (!ds || !dd) return undefined;
    expected = ctx.developers.verdictOf(ds, dd, pkt);
  }
  if (expected === actual) return undefined;
  const v = ctx.enforced.evaluateUncached(es, ed, pkt);
  return {
    from: src.name,
    to: dst.name,
    protocol: protocolName(protocol),
    port: port ?? null,
    expected,
    actual,
    intent: intentText(intent),
    trace: [...v.egress.steps, ...v.ingress.steps],
  };
}

/** Container port numbers by protocol (named ports resolve to these). */
function namedPortNumbers(e: Engine): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const ep of e.eps.allPods()) {
    for (const p of ep.pod?.ports ?? []) {
      const list = out.get(p.protocol) ?? [];
      list.push(p.port);
      out.set(p.protocol, list);
    }
  }
  return out;
}
