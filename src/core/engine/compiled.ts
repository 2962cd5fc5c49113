// Rules compiled for evaluation: every object of one kind has the same fields in the same
// order (absent = null / -1), so the hot path's property accesses stay monomorphic, and rule
// selectors are numbered so their results can be memoised in typed arrays per peer.
import type { CidrSet } from '../net/index.js';
import type {
  EndpointSelector,
  IcmpMatch,
  Match,
  PeerMatch,
  PortMatch,
  Rule,
} from '../model/types.js';
import type { Endpoint, Peer } from './endpoints.js';
import type { NamespaceView, Packet } from './match.js';
import { anySelected } from './match.js';
import type { StepAction } from './trace.js';

export interface CSide {
  nets: CidrSet | null;
  notNets: CidrSet | null;
  /** Selector slot, or -1. */
  sel: number;
  notSel: number;
  ports: readonly PortMatch[] | null;
  notPorts: readonly PortMatch[] | null;
  domains: boolean;
}

export interface CMatch {
  protocol: number;
  notProtocol: number;
  ipVersion: number;
  icmpType: number;
  icmpCode: number;
  notIcmpType: number;
  notIcmpCode: number;
  hasIcmp: boolean;
  hasNotIcmp: boolean;
  src: CSide;
  dst: CSide;
}

export interface CRule {
  action: StepAction;
  index: number | 'default';
  name: string | undefined;
  matches: readonly CMatch[];
}

const ACTION: Record<Rule['action'], StepAction> = {
  Allow: 'allow',
  Deny: 'deny',
  Pass: 'pass',
  Log: 'log',
};
// Memo values: 0 not yet known, then NO or YES.
const NO = 1;
const YES = 2;

/** Numbered rule selectors and their memo of results per canonical peer. */
export class SelectorSlots {
  readonly selectors: EndpointSelector[] = [];
  private readonly slotOf = new Map<EndpointSelector, number>();
  private memo: Array<Int8Array | undefined> = [];

  constructor(private readonly capacity: () => number) {}

  /** The slot of a selector (allocated on first sight). */
  slot(sel: EndpointSelector): number {
    let s = this.slotOf.get(sel);
    if (s === undefined) {
      s = this.selectors.length;
      this.selectors.push(sel);
      this.slotOf.set(sel, s);
    }
    return s;
  }

  /** Does the selector in `slot` select any endpoint the peer stands for? */
  selected(slot: number, peer: Peer, ns: NamespaceView): boolean {
    const id = peer.cacheId;
    const sel = this.selectors[slot] as EndpointSelector;
    if (id === undefined) return anySelected(sel, peer, ns);
    let m = this.memo[slot];
    if (!m) this.memo[slot] = m = new Int8Array(this.capacity());
    const hit = m[id];
    if (hit === YES) return true;
    if (hit === NO) return false;
    const r = anySelected(sel, peer, ns);
    m[id] = r ? YES : NO;
    return r;
  }

  /** Forget every memoised result (labels changed). */
  clear(): void {
    this.memo = [];
  }

  /** Compile a rule. */
  compile(rule: Rule): CRule {
    return {
      action: ACTION[rule.action],
      index: rule.index,
      name: rule.name,
      matches: rule.matches.map((m) => this.compileMatch(m)),
    };
  }

  private compileMatch(m: Match): CMatch {
    const icmp = (x: IcmpMatch | undefined): [number, number] => [x?.type ?? -1, x?.code ?? -1];
    const [icmpType, icmpCode] = icmp(m.icmp);
    const [notIcmpType, notIcmpCode] = icmp(m.notICMP);
    return {
      protocol: m.protocol ?? -1,
      notProtocol: m.notProtocol ?? -1,
      ipVersion: m.ipVersion ?? 0,
      icmpType,
      icmpCode,
      notIcmpType,
      notIcmpCode,
      hasIcmp: m.icmp !== undefined,
      hasNotIcmp: m.notICMP !== undefined,
      src: this.compileSide(m.source),
      dst: this.compileSide(m.destination),
    };
  }

  private compileSide(p: PeerMatch): CSide {
    return {
      nets: p.nets ?? null,
      notNets: p.notNets ?? null,
      sel: p.selector ? this.slot(p.selector) : -1,
      notSel: p.notSelector ? this.slot(p.notSelector) : -1,
      ports: p.ports ?? null,
      notPorts: p.notPorts ?? null,
      domains: p.domains !== undefined,
    };
  }
}

function portIn(
  items: readonly PortMatch[],
  port: number,
  protocol: number,
  owner: Endpoint | undefined,
): boolean {
  for (const item of items) {
    if (item.kind === 'range') {
      if (port >= item.range.start && port <= item.range.end) return true;
      continue;
    }
    // A named port resolves on the endpoint that owns the port, per protocol.
    const list = owner?.namedPorts.get(item.name);
    if (!list) continue;
    for (const p of list) {
      if (item.protocol !== undefined && p.protocol !== item.protocol) continue;
      if (p.protocol === protocol && p.port === port) return true;
    }
  }
  return false;
}

/** Does one side of a compiled match hold for this peer? */
function sideHolds(
  s: CSide,
  peer: Peer,
  port: number | undefined,
  pkt: Packet,
  slots: SelectorSlots,
  ns: NamespaceView,
): boolean {
  if (s.nets !== null && (peer.ip === undefined || !s.nets.contains(peer.ip))) return false;
  if (s.notNets !== null && peer.ip !== undefined && s.notNets.contains(peer.ip)) return false;
  if (
    s.ports !== null &&
    (port === undefined || !portIn(s.ports, port, pkt.protocol, peer.endpoint))
  )
    return false;
  if (
    s.notPorts !== null &&
    port !== undefined &&
    portIn(s.notPorts, port, pkt.protocol, peer.endpoint)
  )
    return false;
  if (s.sel >= 0 && !slots.selected(s.sel, peer, ns)) return false;
  if (s.notSel >= 0 && slots.selected(s.notSel, peer, ns)) return false;
  // Domain names resolve to addresses only at run time; with no DNS data they match nothing.
  return !s.domains;
}

function icmpHolds(type: number, code: number, pkt: Packet): boolean {
  if (type >= 0 && pkt.icmpType !== type) return false;
  return code < 0 || pkt.icmpCode === code;
}

/** Does a compiled rule apply to this packet (any of its alternatives)? */
export function cRuleApplies(
  rule: CRule,
  src: Peer,
  dst: Peer,
  pkt: Packet,
  slots: SelectorSlots,
  ns: NamespaceView,
): boolean {
  for (const m of rule.matches) {
    if (m.protocol >= 0 && pkt.protocol !== m.protocol) continue;
    if (m.notProtocol >= 0 && pkt.protocol === m.notProtocol) continue;
    if (m.ipVersion !== 0 && pkt.ipVersion !== m.ipVersion) continue;
    if (m.hasIcmp && !icmpHolds(m.icmpType, m.icmpCode, pkt)) continue;
    if (m.hasNotIcmp && icmpHolds(m.notIcmpType, m.notIcmpCode, pkt)) continue;
    if (!sideHolds(m.dst, dst, pkt.port, pkt, slots, ns)) continue;
    if (sideHolds(m.src, src, pkt.srcPort, pkt, slots, ns)) return true;
  }
  return false;
}
