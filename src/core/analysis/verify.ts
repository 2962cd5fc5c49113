// `verify`: what is enforced (the compiled zones with the cluster's own policies, evaluated
// by the engine) against what was meant (the ZonePolicy's intent: Allow, Deny, or Pass = what
// the developers' policies alone decide), for every pair of endpoint classes, every protocol
// and every port interval the rules distinguish. Nothing is sampled.
import { Engine } from '../engine/index.js';
import type { Endpoint, Peer, TraceStep } from '../engine/index.js';
import { formatIP, protocolHasPorts, protocolName } from '../net/index.js';
import type { IP, PortRange } from '../net/index.js';
import type { PolicySet } from '../model/types.js';
import { intentFor, placeEnd, ruleCovers } from '../zones/intent.js';
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
import { endpointSelectors, podAddressKeys, podClasses } from './classes.js';

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
  podClasses: number;
  addressClasses: number;
  protocols: number;
  portIntervals: number;
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
}

type Rep = { kind: 'pod'; ep: Endpoint } | { kind: 'address'; ip: IP };

/** A representative with everything a check needs, computed once. */
interface Prepared {
  name: string;
  families: Array<4 | 6>;
  placement: Placement;
  /** Peers in the enforced and the developers' engines, by address family. */
  enforced: Partial<Record<4 | 6, Peer>>;
  developers: Partial<Record<4 | 6, Peer>>;
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
  zp: ZonePolicy;
  /** Each zone rule's port ranges by protocol (what the intent distinguishes). */
  zoneRanges: Map<number, PortRange[]>[];
}

/** Check every class pair, protocol and port interval; report differences with witnesses. */
export function verifyZones(input: VerifyInput): VerifyResult {
  const enforced = Engine.build(input.enforced);
  const developers = Engine.build(input.cluster);
  const zp = input.zonePolicy;
  const zoneRanges = zp.rules.map(zoneRuleRanges);
  const ctx: Ctx = { enforced, developers, zp, zoneRanges };
  const sets = addressSets(
    input.enforced.policies,
    zp,
    input.enforced.networkSets.map((n) => n.nets),
  );
  const selectors = endpointSelectors(input.enforced.policies);
  const { classes, identicalGroups } = podClasses({
    engine: enforced,
    selectors,
    addressSets: sets,
    zonePolicy: zp,
  });
  const addresses = addressAtoms(sets, podAddressKeys(enforced), formatIP);
  const ranges = portRangesByProtocol(input.enforced.policies, namedPortNumbers(enforced));
  for (const m of zoneRanges)
    for (const [p, l] of m) ranges.set(p, [...(ranges.get(p) ?? []), ...l]);
  const protocols = protocolsToTry(
    input.enforced.policies,
    zp.rules.flatMap((r) => (r.services ?? []).map((s) => s.protocol)),
  );
  const ports = new Map(
    protocols.map(
      (p) => [p, protocolHasPorts(p) ? portAtoms(ranges.get(p) ?? []) : [undefined]] as const,
    ),
  );
  const atomsCache = new Map<string, Array<number | undefined>>();
  const reps = [
    ...classes.map((c) =>
      prepare(ctx, { kind: 'pod', ep: c.members[0] as Endpoint }, c.members[1]),
    ),
    ...addresses.map((ip) => prepare(ctx, { kind: 'address', ip })),
  ];
  const max = input.maxDifferences ?? 20;
  const differences: Difference[] = [];
  let count = 0;
  let opened = 0;
  let connections = 0;
  for (const src of reps) {
    for (const dst0 of reps) {
      const dst = dst0 === src ? src.twin : dst0;
      const version = dst && commonFamily(src, dst);
      if (
        !dst ||
        !version ||
        (src.placement.labels === undefined && dst.placement.labels === undefined)
      )
        continue;
      for (const proto of protocols) {
        for (const port of pairPorts(ctx, src, dst, proto, atomsCache)) {
          connections++;
          const d = check(ctx, src, dst, version, proto, port);
          if (!d) continue;
          count++;
          if (d.actual === 'allow') opened++;
          if (differences.length < max) differences.push(d);
        }
      }
    }
  }
  const hostNet = input.enforced.pods.filter((p) => p.hostNetwork).length;
  const notes = hostNet
    ? [
        `${hostNet} host-networked pods are not workload endpoints: zone policy cannot be enforced on them (left out)`,
      ]
    : [];
  const portIntervals = [...ports.values()].reduce((n, l) => n + l.length, 0);
  const stats = {
    pods: enforced.eps.allPods().length,
    identicalGroups,
    podClasses: classes.length,
    addressClasses: addresses.length,
    protocols: protocols.length,
    portIntervals,
    connections,
  };
  return { stats, differences, differenceCount: count, opened, closed: count - opened, notes };
}

function prepare(ctx: Ctx, r: Rep, twin?: Endpoint): Prepared {
  const families: Array<4 | 6> =
    r.kind === 'address' ? [r.ip.version] : [...new Set(r.ep.ips.map((ip) => ip.version))];
  const peers = (e: Engine): Partial<Record<4 | 6, Peer>> => {
    const out: Partial<Record<4 | 6, Peer>> = {};
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
  const local =
    r.kind === 'pod' ? ctx.enforced.eps.pod(r.ep.namespace ?? '', r.ep.name) : undefined;
  const enforcing = local
    ? ctx.enforced.eps.enforcingEndpoint(ctx.enforced.eps.peerOf(local))
    : undefined;
  const eg = enforcing ? ctx.enforced.policiesFor(enforcing, 'egress') : [];
  const ing = enforcing ? ctx.enforced.policiesFor(enforcing, 'ingress') : [];
  const namedPorts = new Map<number, number[]>();
  for (const p of r.kind === 'pod' ? (r.ep.pod?.ports ?? []) : [])
    namedPorts.set(p.protocol, [...(namedPorts.get(p.protocol) ?? []), p.port]);
  return {
    name: r.kind === 'address' ? formatIP(r.ip) : `${r.ep.namespace}/${r.ep.name}`,
    families,
    placement: placeEnd(ctx.zp, end),
    egressPorts: entryPortRanges(eg),
    ingressPorts: entryPortRanges(ing),
    egressKey: eg.map((e) => e.rank).join(','),
    ingressKey: `${ing.map((e) => e.rank).join(',')}#${[...namedPorts].map(([k, v]) => `${k}:${v.join('.')}`).join(';')}`,
    namedPorts,
    enforced: peers(ctx.enforced),
    developers: peers(ctx.developers),
    ...(twin ? { twin: prepare(ctx, { kind: 'pod', ep: twin }) } : {}),
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
    if (ctx.zoneRanges[r.index]?.has(proto) && ruleCovers(r, src.placement, dst.placement))
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
