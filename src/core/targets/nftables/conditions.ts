// One alternative of a rule (a Match) as nft conditions. nft rules are conjunctions, so a
// condition that is a disjunction (a port list mixing numbers and names, a negated port list
// on a rule without a protocol, a negated ICMP type) splits the match into several lines;
// each line gets the rule's action. A match that can never hold yields no line.
import { protocolHasPorts } from '../../net/index.js';
import type { IcmpMatch, Match, PeerMatch, PortMatch } from '../../model/types.js';
import { nftProto } from './sets.js';
import type { Family, SetRegistry } from './sets.js';

/** Alternatives of one condition: each is a list of nft expressions (all must hold). */
type Alternatives = string[][];

const ALWAYS: Alternatives = [[]];
const NEVER: Alternatives = [];
const PORTFUL = 'meta l4proto { tcp, udp, sctp, udplite }';
const NOT_PORTFUL = 'meta l4proto != { tcp, udp, sctp, udplite }';

function and(a: Alternatives, b: Alternatives): Alternatives {
  const out: Alternatives = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return out;
}

function addr(fam: Family): string {
  return fam === 4 ? 'ip' : 'ip6';
}

/** Does the match need a per-family rendering (does it test addresses)? */
function testsAddresses(m: Match): boolean {
  const side = (p: PeerMatch): boolean =>
    p.nets !== undefined ||
    p.notNets !== undefined ||
    p.selector !== undefined ||
    p.notSelector !== undefined ||
    [...(p.ports ?? []), ...(p.notPorts ?? [])].some((x) => x.kind === 'named');
  return side(m.source) || side(m.destination);
}

function portRanges(items: readonly PortMatch[]): string | undefined {
  const ranges = items.flatMap((p) =>
    p.kind === 'range'
      ? [p.range.start === p.range.end ? `${p.range.start}` : `${p.range.start}-${p.range.end}`]
      : [],
  );
  return ranges.length > 0 ? `{ ${ranges.join(', ')} }` : undefined;
}

interface SideCtx {
  fam: Family | undefined;
  dir: 'saddr' | 'daddr';
  port: 'sport' | 'dport';
  /** The match's protocol, when it names one. */
  protocol: number | undefined;
  sets: SetRegistry;
}

function famPresent(c: SideCtx): boolean {
  return c.fam !== undefined && c.sets.families.has(c.fam);
}

function namedTuple(c: SideCtx, p: Extract<PortMatch, { kind: 'named' }>, neg: boolean): string {
  const fam = c.fam as Family;
  const set = c.sets.namedPort(p, fam);
  return `${addr(fam)} ${c.dir} . meta l4proto . th ${c.port} ${neg ? '!= ' : ''}@${set}`;
}

/** ports: any item holds (the packet must carry ports). */
function ports(c: SideCtx, items: readonly PortMatch[]): Alternatives {
  if (c.protocol !== undefined && !protocolHasPorts(c.protocol)) return NEVER;
  const guard = c.protocol === undefined ? [PORTFUL] : [];
  const out: Alternatives = [];
  const ranges = portRanges(items);
  if (ranges) out.push([...guard, `th ${c.port} ${ranges}`]);
  // No endpoint has an address of a family the cluster does not use: no named port there.
  if (!famPresent(c)) return out;
  for (const p of items) if (p.kind === 'named') out.push([...guard, namedTuple(c, p, false)]);
  return out;
}

/** notPorts: no item holds (a packet without ports always passes). */
function notPorts(c: SideCtx, items: readonly PortMatch[]): Alternatives {
  if (c.protocol !== undefined && !protocolHasPorts(c.protocol)) return ALWAYS;
  const ranges = portRanges(items);
  const conds = [
    ...(ranges ? [`th ${c.port} != ${ranges}`] : []),
    ...(famPresent(c)
      ? items.flatMap((p) => (p.kind === 'named' ? [namedTuple(c, p, true)] : []))
      : []),
  ];
  if (c.protocol !== undefined) return [conds];
  return [[NOT_PORTFUL], [PORTFUL, ...conds]];
}

function side(c: SideCtx, p: PeerMatch): Alternatives {
  // Domain names resolve to addresses only at run time: without DNS data they match nothing.
  if (p.domains !== undefined) return NEVER;
  let out = ALWAYS;
  const fam = c.fam;
  if (fam !== undefined) {
    const a = `${addr(fam)} ${c.dir}`;
    if (p.nets) {
      const set = c.sets.nets(p.nets, fam);
      if (!set) return NEVER;
      out = and(out, [[`${a} @${set}`]]);
    }
    if (p.notNets) {
      const set = c.sets.nets(p.notNets, fam);
      if (set) out = and(out, [[`${a} != @${set}`]]);
    }
    const present = c.sets.families.has(fam);
    if (p.selector) {
      if (!present) return NEVER;
      out = and(out, [[`${a} @${c.sets.selector(p.selector, fam)}`]]);
    }
    if (p.notSelector && present) {
      out = and(out, [[`${a} != @${c.sets.selector(p.notSelector, fam)}`]]);
    }
  }
  if (p.ports) out = and(out, ports(c, p.ports));
  if (p.notPorts) out = and(out, notPorts(c, p.notPorts));
  return out;
}

function icmpExpr(proto: 'icmp' | 'icmpv6', m: IcmpMatch, neg: boolean): Alternatives {
  const t = m.type !== undefined ? `${proto} type ${m.type}` : undefined;
  const c = m.code !== undefined ? `${proto} code ${m.code}` : undefined;
  const l4 = `meta l4proto ${proto === 'icmp' ? 'icmp' : 'ipv6-icmp'}`;
  if (!neg) return [[l4, ...(t ? [t] : []), ...(c ? [c] : [])]];
  // not (type and code): another protocol, or another type, or the type with another code.
  const out: Alternatives = [];
  if (t) out.push([l4, `${proto} type != ${m.type}`]);
  if (c) out.push([l4, ...(t ? [t] : []), `${proto} code != ${m.code}`]);
  return out;
}

function icmp(m: Match, fam: Family | undefined): Alternatives {
  const protos = (['icmp', 'icmpv6'] as const).filter(
    (p) =>
      (fam === undefined || (p === 'icmp') === (fam === 4)) &&
      (m.protocol === undefined || m.protocol === (p === 'icmp' ? 1 : 58)),
  );
  let out = ALWAYS;
  if (m.icmp && (m.icmp.type !== undefined || m.icmp.code !== undefined)) {
    const icmp = m.icmp;
    out = protos.flatMap((p) => icmpExpr(p, icmp, false));
  }
  const not = m.notICMP;
  if (not && (not.type !== undefined || not.code !== undefined)) {
    const others: Alternatives = [['meta l4proto != { icmp, ipv6-icmp }']];
    const negs = protos.flatMap((p) => icmpExpr(p, not, true));
    out = and(out, m.protocol === 1 || m.protocol === 58 ? negs : [...others, ...negs]);
  }
  return out;
}

/** The nft condition lines of one match (each line one rule); empty when it cannot hold. */
export function matchConditions(m: Match, sets: SetRegistry): string[] {
  const fams: Array<Family | undefined> = testsAddresses(m) ? [4, 6] : [undefined];
  const out: string[] = [];
  for (const fam of fams) {
    if (fam !== undefined && m.ipVersion !== undefined && m.ipVersion !== fam) continue;
    let alts: Alternatives = [[]];
    if (fam !== undefined) alts = [[`meta nfproto ${fam === 4 ? 'ipv4' : 'ipv6'}`]];
    else if (m.ipVersion !== undefined)
      alts = [[`meta nfproto ${m.ipVersion === 4 ? 'ipv4' : 'ipv6'}`]];
    if (m.protocol !== undefined) alts = and(alts, [[`meta l4proto ${nftProto(m.protocol)}`]]);
    if (m.notProtocol !== undefined)
      alts = and(alts, [[`meta l4proto != ${nftProto(m.notProtocol)}`]]);
    alts = and(alts, icmp(m, fam));
    const base = { fam, sets, protocol: m.protocol };
    alts = and(alts, side({ ...base, dir: 'saddr', port: 'sport' }, m.source));
    alts = and(alts, side({ ...base, dir: 'daddr', port: 'dport' }, m.destination));
    for (const a of alts) out.push(tidy(a).join(' '));
  }
  return out;
}

/** Drop repeated expressions, and the family test where an address expression implies it. */
function tidy(exprs: string[]): string[] {
  const out = [...new Set(exprs)];
  const implied = out.some((e) => e.startsWith('ip ') || e.startsWith('ip6 '));
  return implied ? out.filter((e) => !e.startsWith('meta nfproto ')) : out;
}
