// The finite partitions `verify` enumerates: addresses and ports split at every boundary any
// rule can distinguish, so one representative per piece stands exactly for the whole piece.
import { CidrSet, PROTO, ipv4, ipv6 } from '../net/index.js';
import type { CIDR, IP, PortRange } from '../net/index.js';
import type { Match, PeerMatch, Policy, Rule } from '../model/types.js';
import type { ZonePolicy } from '../zones/types.js';

/** Every CIDR set used by any rule (nets, notNets) plus the zone policy's own ranges. */
export function addressSets(
  policies: readonly Policy[],
  zp: ZonePolicy | undefined,
  extra: readonly CidrSet[],
): CidrSet[] {
  const out: CidrSet[] = [...extra];
  const side = (p: PeerMatch): void => {
    if (p.nets) out.push(p.nets);
    if (p.notNets) out.push(p.notNets);
  };
  for (const m of allMatches(policies)) {
    side(m.source);
    side(m.destination);
  }
  if (zp) {
    for (const c of [
      ...zp.clusterNets,
      ...zp.zones.flatMap((z) => z.pools.map((p) => p.cidr)),
      ...zp.externals.flatMap((e) => e.nets),
    ]) {
      out.push(CidrSet.of([c]));
    }
  }
  return out;
}

function* allMatches(policies: readonly Policy[]): Iterable<Match> {
  for (const p of policies)
    for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) yield* r.matches;
}

/**
 * One address per piece of the address space cut at every set's boundaries (both families),
 * skipping addresses that belong to pods (`taken`). Each piece is in or out of every set.
 */
export function addressAtoms(
  sets: readonly CidrSet[],
  taken: ReadonlySet<string>,
  key: (ip: IP) => string,
): IP[] {
  const cuts4 = new Set<number>([0]);
  const cuts6 = new Set<bigint>([0n]);
  for (const s of sets) {
    for (const r of s.toRanges()) {
      if (r.start.version === 4 && r.end.version === 4) {
        cuts4.add(r.start.v4);
        if (r.end.v4 < 0xffffffff) cuts4.add(r.end.v4 + 1);
      } else if (r.start.version === 6 && r.end.version === 6) {
        cuts6.add(r.start.v6);
        if (r.end.v6 < (1n << 128n) - 1n) cuts6.add(r.end.v6 + 1n);
      }
    }
  }
  const out: IP[] = [];
  const v4 = [...cuts4].sort((a, b) => a - b);
  v4.forEach((start, i) => pickV4(start, (v4[i + 1] ?? 2 ** 32) - 1, taken, key, out));
  const v6 = [...cuts6].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  v6.forEach((start, i) => pickV6(start, (v6[i + 1] ?? 1n << 128n) - 1n, taken, key, out));
  return out;
}

function pickV4(
  start: number,
  end: number,
  taken: ReadonlySet<string>,
  key: (ip: IP) => string,
  out: IP[],
): void {
  // Any address of the piece will do; try a few in case the first belongs to a pod.
  for (let a = start, n = 0; a <= end && n < 64; a++, n++) {
    const ip = ipv4(a);
    if (!taken.has(key(ip))) {
      out.push(ip);
      return;
    }
  }
}

function pickV6(
  start: bigint,
  end: bigint,
  taken: ReadonlySet<string>,
  key: (ip: IP) => string,
  out: IP[],
): void {
  for (let a = start, n = 0; a <= end && n < 64; a++, n++) {
    const ip = ipv6(a);
    if (!taken.has(key(ip))) {
      out.push(ip);
      return;
    }
  }
}

/** Ports of one protocol cut at every boundary of these ranges: one port per piece. */
export function portAtoms(ranges: readonly PortRange[]): number[] {
  const cuts = new Set<number>([1]);
  for (const r of ranges) {
    cuts.add(Math.max(1, r.start));
    if (r.end < 65535) cuts.add(r.end + 1);
  }
  return [...cuts].filter((p) => p >= 1 && p <= 65535).sort((a, b) => a - b);
}

/**
 * The protocols worth trying: the port protocols, ICMP, every protocol a rule names, and the
 * `extra` ones (those the zone rules name).
 */
export function protocolsToTry(
  policies: readonly Policy[],
  extra: Iterable<number> = [],
): number[] {
  const out = new Set<number>([PROTO.TCP, PROTO.UDP, PROTO.SCTP, PROTO.ICMP, ...extra]);
  for (const m of allMatches(policies)) {
    if (m.protocol !== undefined) out.add(m.protocol);
    if (m.notProtocol !== undefined) out.add(m.notProtocol);
  }
  // One protocol no rule names stands for all the others.
  for (let p = 254; p > 0; p--) {
    if (!out.has(p)) {
      out.add(p);
      break;
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The port ranges that the rules of these policy entries distinguish, by protocol. */
export function entryPortRanges(
  entries: readonly { rules: readonly Rule[] }[],
): Map<number, PortRange[]> {
  const out = new Map<number, PortRange[]>();
  for (const e of entries) {
    for (const r of e.rules) {
      for (const m of r.matches) addMatchRanges(m, out);
    }
  }
  return out;
}

function addMatchRanges(m: Match, out: Map<number, PortRange[]>): void {
  for (const side of [m.source, m.destination]) {
    for (const pm of [...(side.ports ?? []), ...(side.notPorts ?? [])]) {
      if (pm.kind !== 'range') continue;
      for (const p of m.protocol === undefined
        ? [PROTO.TCP, PROTO.UDP, PROTO.SCTP]
        : [m.protocol]) {
        const list = out.get(p);
        if (list) list.push(pm.range);
        else out.set(p, [pm.range]);
      }
    }
  }
}

/** The port ranges each port protocol's rules distinguish (named ports add their numbers). */
export function portRangesByProtocol(
  policies: readonly Policy[],
  namedPortNumbers: ReadonlyMap<number, number[]>,
): Map<number, PortRange[]> {
  const out = new Map<number, PortRange[]>();
  const add = (proto: number | undefined, r: PortRange): void => {
    for (const p of proto === undefined ? [PROTO.TCP, PROTO.UDP, PROTO.SCTP] : [proto]) {
      const list = out.get(p) ?? [];
      list.push(r);
      out.set(p, list);
    }
  };
  for (const m of allMatches(policies)) {
    for (const side of [m.source, m.destination]) {
      for (const pm of [...(side.ports ?? []), ...(side.notPorts ?? [])]) {
        if (pm.kind === 'range') add(m.protocol, pm.range);
      }
    }
  }
  for (const [proto, ports] of namedPortNumbers)
    for (const p of ports) add(proto, { start: p, end: p });
  return out;
}

export type { CIDR };
