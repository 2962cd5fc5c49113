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
import {
  intentAmong,
  intentFor,
  placeEnd,
  ruleAppliesBetween,
  ruleAppliesFrom,
  ruleAppliesTo,
} from '../zones/intent.js';
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
import { endpointSelectors, podAddressKeys, podClasses, podKey, roleClasses } from './classes.js';
import type { Classes } from './classes.js';

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
  /** Layered: pod classes as sources and as destinations, and address classes, as the zone
   * policies alone tell them apart. */
  zoneSourceClasses: number;
  zoneDestinationClasses: number;
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
  rep: Rep;
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
  return verifyZonesTogether([input])[0] as VerifyResult;
}

/** One scenario's engines and findings. */
interface Scenario {
  input: VerifyInput;
  ctx: Ctx;
  tally: Tally;
  zonePolicies: Policy[];
  layerProblem?: string;
  notes: string[];
  zoneStats: { sources: number; destinations: number; addresses: number };
  fine: { classes: number; addresses: number; identicalGroups: number };
}

/**
 * Verify several scenarios of one cluster and one compilation (the cluster's own policies,
 * the guardrail): the zone-level check depends only on the pods and the compiled zones, so it
 * is done once for all of them; each then checks in full what its own policies decide.
 */
export function verifyZonesTogether(inputs: readonly VerifyInput[]): VerifyResult[] {
  const first = inputs[0];
  if (!first) return [];
  const zp = first.zonePolicy;
  const zoneRanges = zp.rules.map(zoneRuleRanges);
  const scenarios: Scenario[] = inputs.map((input) => {
    const own = new Set(input.cluster.policies);
    const zonePolicies = input.enforced.policies.filter((p) => !own.has(p));
    const layerProblem = input.exhaustive
      ? 'checked exhaustively (--exhaustive)'
      : layeringProblem(input, zonePolicies);
    return {
      input,
      ctx: {
        enforced: Engine.build(input.enforced),
        developers: Engine.build(input.cluster),
        zp: input.zonePolicy,
        zoneRanges:
          input.zonePolicy === zp ? zoneRanges : input.zonePolicy.rules.map(zoneRuleRanges),
      },
      tally: new Tally(input.maxDifferences ?? 20),
      zonePolicies,
      ...(layerProblem ? { layerProblem } : {}),
      notes:
        layerProblem && !input.exhaustive
          ? [`every class pair checked in full: ${layerProblem}`]
          : [],
      zoneStats: { sources: 0, destinations: 0, addresses: 0 },
      fine: { classes: 0, addresses: 0, identicalGroups: 0 },
    };
  });
  const all = inputs.flatMap((i) => i.enforced.policies);
  const protocols = protocolsToTry(
    all,
    inputs.flatMap((i) =>
      i.zonePolicy.rules.flatMap((r) => (r.services ?? []).map((s) => s.protocol)),
    ),
  );
  const sets = addressSets(
    all,
    zp,
    first.enforced.networkSets.map((n) => n.nets),
  );
  const base = scenarios[0] as Scenario;
  const addresses = addressAtoms(sets, podAddressKeys(base.ctx.enforced), formatIP);
  // Scenarios that can share the zone level: the same pods, zone policy and compiled zones.
  const shares = (s: Scenario): boolean =>
    !s.layerProblem &&
    s.input.zonePolicy === zp &&
    s.input.enforced.pods === first.enforced.pods &&
    s.input.enforced.namespaces === first.enforced.namespaces &&
    sameItems(s.input.enforced.networkSets, first.enforced.networkSets) &&
    sameItems(s.zonePolicies, base.zonePolicies);
  const layered = scenarios.filter(shares);
  const lead = layered[0];
  if (lead) {
    const zone = Engine.build({ ...lead.input.enforced, policies: lead.zonePolicies });
    checkLayered(zone, layered, sets, addresses, protocols);
  }
  for (const s of scenarios) {
    if (layered.includes(s)) continue;
    if (s.layerProblem === undefined) s.notes.push('checked on its own');
    s.fine = checkExhaustively(s.ctx, s.input, sets, addresses, protocols, s.tally);
  }
  return scenarios.map((s) => result(s, protocols));
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function result(s: Scenario, protocols: readonly number[]): VerifyResult {
  const { input, ctx, tally } = s;
  const notes = [...s.notes];
  const hostNet = input.enforced.pods.filter((p) => p.hostNetwork).length;
  if (hostNet)
    notes.push(
      `${hostNet} host-networked pods are not workload endpoints: zone policy cannot be enforced on them (left out)`,
    );
  const ranges = portRangesByProtocol(input.enforced.policies, namedPortNumbers(ctx.enforced));
  for (const m of ctx.zoneRanges)
    for (const [p, l] of m) ranges.set(p, [...(ranges.get(p) ?? []), ...l]);
  const portIntervals = protocols.reduce(
    (n, p) => n + (protocolHasPorts(p) ? portAtoms(ranges.get(p) ?? []).length : 1),
    0,
  );
  const stats: VerifyStats = {
    pods: ctx.enforced.eps.allPods().length,
    identicalGroups: s.fine.identicalGroups,
    method: s.layerProblem ? 'exhaustive' : 'layered',
    zoneSourceClasses: s.zoneStats.sources,
    zoneDestinationClasses: s.zoneStats.destinations,
    zoneAddressClasses: s.zoneStats.addresses,
    podClasses: s.fine.classes,
    addressClasses: s.fine.addresses,
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
  zone: Engine,
  scenarios: readonly Scenario[],
  sets: CidrSet[],
  addresses: IP[],
  protocols: readonly number[],
): void {
  const lead = scenarios[0] as Scenario;
  const ctx = lead.ctx;
  const input = lead.input;
  const zonePolicies = lead.zonePolicies;
  const zp = ctx.zp;
  // 1. Pods classed as sources and as destinations by what the zones alone tell apart;
  // addresses by the sets the zones use, each represented by one of the full check's.
  const zoneSets = addressSets(
    zonePolicies,
    zp,
    input.enforced.networkSets.map((n) => n.nets),
  );
  const roles = roleClasses({
    engine: zone,
    policies: zonePolicies,
    addressSets: zoneSets,
    zonePolicy: zp,
  });
  const addrKey = (ip: IP): string =>
    `${ip.version}:${zoneSets.map((s) => (s.contains(ip) ? '1' : '0')).join('')}`;
  const coarseAddr = new Map<string, number>();
  const addrReps: Prepared[] = [];
  for (const ip of addresses) {
    const k = addrKey(ip);
    if (!coarseAddr.has(k)) {
      coarseAddr.set(k, addrReps.length);
      addrReps.push(prepare(ctx, { kind: 'address', ip }, undefined, zone));
    }
  }
  const preparedPods = new Map<string, Prepared>();
  const member = (ep: Endpoint): Prepared => {
    const k = podKey(ep);
    let p = preparedPods.get(k);
    if (!p) preparedPods.set(k, (p = prepare(ctx, { kind: 'pod', ep }, undefined, zone)));
    return p;
  };
  /** A side: its pod classes' members, then the address classes. */
  const side = (c: Classes): Prepared[][] => [
    ...c.classes.map((k) => k.members.map(member)),
    ...addrReps.map((a) => [a]),
  ];
  const sources = side(roles.src);
  const destinations = side(roles.dst);
  const applies = new Map<Prepared, { from: Uint8Array; to: Uint8Array }>();
  const appliesOf = (p: Prepared): { from: Uint8Array; to: Uint8Array } => {
    let a = applies.get(p);
    if (!a) {
      a = {
        from: Uint8Array.from(zp.rules, (r) => (ruleAppliesFrom(r, p.placement) ? 1 : 0)),
        to: Uint8Array.from(zp.rules, (r) => (ruleAppliesTo(r, p.placement) ? 1 : 0)),
      };
      applies.set(p, a);
    }
    return a;
  };
  // 2. Each zone-level pair: decide at once where the zone tiers fix the verdict (or pass
  // where the intent passes); defer the rest to the full check.
  const selected = new Set(
    scenarios.flatMap((s) => [...addedSetsSelected(s.input, s.ctx.enforced)]),
  );
  const seenOtherwise = (r: Prepared): boolean =>
    selected.size > 0 &&
    Object.values(r.zone ?? {}).some((p) =>
      p.identities.some((id) => id.netset !== undefined && selected.has(id.netset)),
    );
  // What the zone tiers fix against the intent holds in every scenario: found once, each
  // scenario's own engines give its witnesses.
  const max = Math.max(...scenarios.map((s) => s.input.maxDifferences ?? 20));
  const found: Array<{
    src: Rep;
    dst: Rep;
    version: 4 | 6;
    proto: number;
    port: number | undefined;
  }> = [];
  let foundCount = 0;
  let foundOpened = 0;
  let zoneConnections = 0;
  const deferred = new Map<number, Map<number, Deferred>>();
  const cache = new Map<string, Array<number | undefined>>();
  sources.forEach((srcs, i) => {
    destinations.forEach((dsts, j) => {
      const pair = distinctPair(srcs, dsts);
      if (!pair) return;
      const { src, dst, version } = pair;
      const zs = src.zone?.[version];
      const zd = dst.zone?.[version];
      if (!zs || !zd) return;
      const always = seenOtherwise(src) || seenOtherwise(dst);
      const a = appliesOf(src).from;
      const b = appliesOf(dst).to;
      const rules = zp.rules.filter((r) => a[r.index] === 1 && b[r.index] === 1);
      for (const proto of protocols) {
        const atoms = pairPorts(ctx, src, dst, proto, cache, rules);
        let full: boolean[] | undefined;
        atoms.forEach((port, k) => {
          zoneConnections++;
          if (!always) {
            const pkt = { protocol: proto, port, ipVersion: version };
            const intent = intentAmong(zp, rules, src.placement, dst.placement, pkt).action;
            const [e, g] = zone.tierOutcomes(zs, zd, pkt);
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
                foundCount++;
                if (d.actual === 'allow') foundOpened++;
                if (found.length < max)
                  found.push({ src: src.rep, dst: dst.rep, version, proto, port });
                return;
              }
            }
          }
          (full ??= atoms.map(() => false))[k] = true;
        });
        if (full) {
          let m = deferred.get(i * destinations.length + j);
          if (!m) deferred.set(i * destinations.length + j, (m = new Map()));
          m.set(proto, { atoms, full });
        }
      }
    });
  });
  // 3. The deferred pairs in full, in each scenario: their pods classed by every selector.
  const nSrc = roles.src.classes.length;
  const nDst = roles.dst.classes.length;
  const srcInvolved = new Set<number>();
  const dstInvolved = new Set<number>();
  for (const key of deferred.keys()) {
    srcInvolved.add(Math.floor(key / destinations.length));
    dstInvolved.add(key % destinations.length);
  }
  const only = new Set<string>();
  for (const ep of zone.eps.allPods()) {
    const k = podKey(ep);
    const a = roles.src.classOf.get(k);
    const b = roles.dst.classOf.get(k);
    if ((a !== undefined && srcInvolved.has(a)) || (b !== undefined && dstInvolved.has(b)))
      only.add(k);
  }
  for (const s of scenarios) {
    const sc = s.ctx;
    for (const f of found) {
      const d = check(sc, prepare(sc, f.src), prepare(sc, f.dst), f.version, f.proto, f.port);
      if (d && s.tally.differences.length < (s.input.maxDifferences ?? 20))
        s.tally.differences.push(d);
    }
    s.tally.count += foundCount;
    s.tally.opened += foundOpened;
    s.tally.zoneConnections += zoneConnections;
    const fineClasses =
      only.size > 0
        ? podClasses({
            engine: sc.enforced,
            selectors: endpointSelectors(s.input.enforced.policies),
            addressSets: sets,
            zonePolicy: zp,
            only,
          }).classes
        : [];
    const srcGroups = new Map<number, Prepared[]>();
    const dstGroups = new Map<number, Prepared[]>();
    const place = (p: Prepared, a: number | undefined, b: number | undefined): void => {
      if (a !== undefined && srcInvolved.has(a)) srcGroups.set(a, [...(srcGroups.get(a) ?? []), p]);
      if (b !== undefined && dstInvolved.has(b)) dstGroups.set(b, [...(dstGroups.get(b) ?? []), p]);
    };
    for (const c of fineClasses) {
      const first = c.members[0] as Endpoint;
      const k = podKey(first);
      const a = roles.src.classOf.get(k);
      const b = roles.dst.classOf.get(k);
      if ((a === undefined || !srcInvolved.has(a)) && (b === undefined || !dstInvolved.has(b)))
        continue;
      place(prepare(sc, { kind: 'pod', ep: first }, c.members[1]), a, b);
    }
    let fineAddresses = 0;
    for (const ip of addresses) {
      const c = coarseAddr.get(addrKey(ip));
      if (c === undefined || (!srcInvolved.has(nSrc + c) && !dstInvolved.has(nDst + c))) continue;
      fineAddresses++;
      place(prepare(sc, { kind: 'address', ip }), nSrc + c, nDst + c);
    }
    const fineCache = new Map<string, Array<number | undefined>>();
    for (const [key, byProto] of deferred) {
      const from = srcGroups.get(Math.floor(key / destinations.length)) ?? [];
      const to = dstGroups.get(key % destinations.length) ?? [];
      for (const src of from) {
        for (const dst0 of to) {
          const pair = pairOf(src, dst0);
          if (!pair) continue;
          for (const [proto, d] of byProto) {
            for (const port of pairPorts(sc, src, pair.dst, proto, fineCache)) {
              if (!d.full[atomIndex(d.atoms, port)]) continue;
              s.tally.connections++;
              const diff = check(sc, src, pair.dst, pair.version, proto, port);
              if (diff) s.tally.add(diff);
            }
          }
        }
      }
    }
    s.zoneStats = { sources: nSrc, destinations: nDst, addresses: addrReps.length };
    s.fine = {
      classes: fineClasses.length,
      addresses: fineAddresses,
      identicalGroups: roles.src.identicalGroups,
    };
  }
}

/**
 * Two different endpoints, one from each class (pods kept two members for this), with a common
 * address family; none for two addresses, or one pod alone in both classes.
 */
function distinctPair(
  srcs: readonly Prepared[],
  dsts: readonly Prepared[],
): { src: Prepared; dst: Prepared; version: 4 | 6 } | undefined {
  for (const src of srcs) {
    for (const dst of dsts) {
      if (src === dst) continue;
      if (src.placement.labels === undefined && dst.placement.labels === undefined) return;
      const version = commonFamily(src, dst);
      return version ? { src, dst, version } : undefined;
    }
  }
  return undefined;
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
    rep: r,
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
  /** The zone rules that apply between the two (computed here when not given). */
  rules?: readonly ZoneRule[],
): Array<number | undefined> {
  if (!protocolHasPorts(proto)) return [undefined];
  const covering: number[] = [];
  for (const r of rules ?? ctx.zp.rules) {
    if (
      ctx.zoneRanges[r.index]?.has(proto) &&
      (rules !== undefined || ruleAppliesBetween(r, src.placement, dst.placement))
    )
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
