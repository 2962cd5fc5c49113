// Does a rule match a packet? Calico's rule semantics: every present condition must hold;
// a selector matches when any endpoint the peer address stands for is selected.
import type {
  EndpointSelector,
  IcmpMatch,
  Match,
  PeerMatch,
  PortMatch,
  Rule,
} from '../model/types.js';
import type { Selector } from '../selector/index.js';
import type { Endpoint, Peer } from './endpoints.js';
import { LABEL_NAME } from './endpoints.js';

/** What the evaluator knows about one connection attempt. */
export interface Packet {
  protocol: number;
  /** Destination port (TCP, UDP, SCTP, UDPLite). */
  port?: number;
  /** Source port; unknown for most queries (rules on source ports then do not match). */
  srcPort?: number;
  icmpType?: number;
  icmpCode?: number;
  ipVersion?: 4 | 6;
}

/** Namespace facts a match needs; cached by the engine. */
export interface NamespaceView {
  /** Does the namespace selector select this (namespaced or not) endpoint's namespace? */
  nsSelects(sel: Selector, namespace: string | undefined): boolean;
  /** Does the selector select any endpoint the peer stands for? (The engine memoises this.) */
  peerSelected(sel: EndpointSelector, peer: Peer): boolean;
}

/** Is `ep` in the endpoint set described by `sel`? */
export function selects(sel: EndpointSelector, ep: Endpoint, ns: NamespaceView): boolean {
  if ((sel.kinds & ep.kindBit) === 0) return false;
  // Host-networked pods have no workload endpoint: nothing selects them as pods.
  if (ep.hostNetwork) return false;
  if (sel.namespace !== undefined && ep.namespace !== sel.namespace) return false;
  if (sel.namespaceSelector && !ns.nsSelects(sel.namespaceSelector, ep.namespace)) return false;
  if (sel.selector && !sel.selector.matches(ep.labels)) return false;
  if (sel.serviceAccountNames) {
    if (ep.serviceAccount === undefined || !sel.serviceAccountNames.includes(ep.serviceAccount))
      return false;
  }
  // Calico matches this selector on `pcsa.` labels: an endpoint without a service account has
  // none, so only a selector that matches an empty label set reaches it.
  if (
    sel.serviceAccountSelector &&
    !sel.serviceAccountSelector.matches(saLabels(ep.serviceAccount))
  ) {
    return false;
  }
  return true;
}

const NO_LABELS: ReadonlyMap<string, string> = new Map();
const saLabelCache = new Map<string, ReadonlyMap<string, string>>();

function saLabels(name: string | undefined): ReadonlyMap<string, string> {
  if (name === undefined) return NO_LABELS;
  // No ServiceAccount objects are read: a service account has only Calico's name label.
  let m = saLabelCache.get(name);
  if (!m) saLabelCache.set(name, (m = new Map([[LABEL_NAME, name]])));
  return m;
}

/** Does the selector select any endpoint the peer stands for (computed, not memoised)? */
export function anySelected(sel: EndpointSelector, peer: Peer, ns: NamespaceView): boolean {
  for (const id of peer.identities) if (selects(sel, id, ns)) return true;
  return false;
}

function portMatches(
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

function sideMatches(
  pm: PeerMatch,
  peer: Peer,
  port: number | undefined,
  pkt: Packet,
  ns: NamespaceView,
): boolean {
  if (pm.nets && (peer.ip === undefined || !pm.nets.contains(peer.ip))) return false;
  if (pm.notNets && peer.ip !== undefined && pm.notNets.contains(peer.ip)) return false;
  if (pm.ports && (port === undefined || !portMatches(pm.ports, port, pkt.protocol, peer.endpoint)))
    return false;
  if (
    pm.notPorts &&
    port !== undefined &&
    portMatches(pm.notPorts, port, pkt.protocol, peer.endpoint)
  )
    return false;
  if (pm.selector && !ns.peerSelected(pm.selector, peer)) return false;
  if (pm.notSelector && ns.peerSelected(pm.notSelector, peer)) return false;
  // Domain names resolve to addresses only at run time; with no DNS data they match nothing.
  if (pm.domains) return false;
  return true;
}

function icmpMatches(m: IcmpMatch, pkt: Packet): boolean {
  if (m.type !== undefined && pkt.icmpType !== m.type) return false;
  if (m.code !== undefined && pkt.icmpCode !== m.code) return false;
  return true;
}

/** Does one match alternative apply? */
export function matchApplies(
  m: Match,
  src: Peer,
  dst: Peer,
  pkt: Packet,
  ns: NamespaceView,
): boolean {
  if (m.protocol !== undefined && pkt.protocol !== m.protocol) return false;
  if (m.notProtocol !== undefined && pkt.protocol === m.notProtocol) return false;
  if (m.ipVersion !== undefined && pkt.ipVersion !== m.ipVersion) return false;
  if (m.icmp && !icmpMatches(m.icmp, pkt)) return false;
  if (m.notICMP && icmpMatches(m.notICMP, pkt)) return false;
  if (!sideMatches(m.destination, dst, pkt.port, pkt, ns)) return false;
  return sideMatches(m.source, src, pkt.srcPort, pkt, ns);
}

/** Does a rule apply (any of its alternatives)? */
export function ruleApplies(
  rule: Rule,
  src: Peer,
  dst: Peer,
  pkt: Packet,
  ns: NamespaceView,
): boolean {
  for (const m of rule.matches) if (matchApplies(m, src, dst, pkt, ns)) return true;
  return false;
}
