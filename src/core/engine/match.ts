// Selection: is an endpoint in a selector's set, and does a peer address stand for one that
// is (a selector matches when any endpoint the address stands for is selected). Rule matching
// itself is in compiled.ts.
import type { EndpointSelector } from '../model/types.js';
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
