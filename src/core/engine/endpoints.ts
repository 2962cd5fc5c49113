// Endpoints as Calico sees them: pods (workload endpoints), host endpoints, network sets and
// nodes, each with the label map selectors are matched against (its own labels plus the
// labels Calico adds), and the namespace labels namespaceSelectors are matched against.
import { formatIP } from '../net/index.js';
import type { IP } from '../net/index.js';
import type { ContainerPort, HostEndpoint, NetworkSet, Node, Pod } from '../model/types.js';
import { EP_HOST, EP_NETSET, EP_NODE, EP_POD } from '../model/types.js';

export type EndpointKind = 'pod' | 'host' | 'netset' | 'node';

export const KIND_BIT: Record<EndpointKind, number> = {
  pod: EP_POD,
  host: EP_HOST,
  netset: EP_NETSET,
  node: EP_NODE,
};

/** Labels Calico adds to workload endpoints (selectors may use them). */
export const LABEL_NAMESPACE = 'projectcalico.org/namespace';
export const LABEL_ORCHESTRATOR = 'projectcalico.org/orchestrator';
export const LABEL_SERVICE_ACCOUNT = 'projectcalico.org/serviceaccount';
/** Calico adds the object's name to namespace and service account labels. */
export const LABEL_NAME = 'projectcalico.org/name';

export interface Endpoint {
  id: number;
  kind: EndpointKind;
  kindBit: number;
  namespace?: string;
  name: string;
  /** Effective labels (own + Calico's implicit ones). */
  labels: Map<string, string>;
  ips: IP[];
  /** Named ports by name, for resolving named ports on a destination. */
  namedPorts: Map<string, ContainerPort[]>;
  serviceAccount?: string;
  /** Pods only: a host-networked pod is not a workload endpoint (no policy of its own). */
  hostNetwork: boolean;
  /** Host endpoints: profiles decide after the last tier (none: deny). */
  profiles: string[];
  pod?: Pod;
  hep?: HostEndpoint;
  netset?: NetworkSet;
  node?: Node;
  nodeName?: string;
}

/** `ns/name` for namespaced endpoints, `name` otherwise. */
export function endpointName(ep: Endpoint): string {
  return ep.namespace !== undefined ? `${ep.namespace}/${ep.name}` : ep.name;
}

function namedPorts(ports: readonly ContainerPort[]): Map<string, ContainerPort[]> {
  const m = new Map<string, ContainerPort[]>();
  for (const p of ports) {
    if (p.name === undefined) continue;
    const list = m.get(p.name);
    if (list) list.push(p);
    else m.set(p.name, [p]);
  }
  return m;
}

/** The label map Calico matches a pod's selectors against. */
export function podLabels(pod: Pod): Map<string, string> {
  const labels = new Map(pod.labels);
  labels.set(LABEL_NAMESPACE, pod.namespace);
  labels.set(LABEL_ORCHESTRATOR, 'k8s');
  labels.set(LABEL_SERVICE_ACCOUNT, pod.serviceAccount);
  return labels;
}

/** A pod as an endpoint. */
export function podEndpoint(id: number, pod: Pod): Endpoint {
  return {
    id,
    kind: 'pod',
    kindBit: EP_POD,
    namespace: pod.namespace,
    name: pod.name,
    labels: podLabels(pod),
    ips: pod.ips,
    namedPorts: namedPorts(pod.ports),
    serviceAccount: pod.serviceAccount,
    hostNetwork: pod.hostNetwork,
    profiles: [],
    pod,
    ...(pod.nodeName !== undefined ? { nodeName: pod.nodeName } : {}),
  };
}

/** A host endpoint. */
export function hostEndpoint(id: number, hep: HostEndpoint): Endpoint {
  return {
    id,
    kind: 'host',
    kindBit: EP_HOST,
    name: hep.name,
    labels: new Map(hep.labels),
    ips: hep.expectedIPs,
    namedPorts: namedPorts(hep.ports),
    hostNetwork: false,
    profiles: hep.profiles,
    hep,
    nodeName: hep.node,
  };
}

/** A NetworkSet or GlobalNetworkSet: labels for the addresses it lists. */
export function netsetEndpoint(id: number, ns: NetworkSet): Endpoint {
  const labels = new Map(ns.labels);
  if (ns.namespace !== undefined) labels.set(LABEL_NAMESPACE, ns.namespace);
  return {
    id,
    kind: 'netset',
    kindBit: EP_NETSET,
    ...(ns.namespace !== undefined ? { namespace: ns.namespace } : {}),
    name: ns.name,
    labels,
    ips: [],
    namedPorts: new Map(),
    hostNetwork: false,
    profiles: [],
    netset: ns,
  };
}

/** A Node (selected by AdminNetworkPolicy `nodes` peers through its addresses). */
export function nodeEndpoint(id: number, node: Node): Endpoint {
  return {
    id,
    kind: 'node',
    kindBit: EP_NODE,
    name: node.name,
    labels: new Map(node.labels),
    ips: node.addresses,
    namedPorts: new Map(),
    hostNetwork: false,
    profiles: [],
    node,
    nodeName: node.name,
  };
}

/**
 * One end of a connection. `endpoint` is the workload or host endpoint whose policy applies
 * there (undefined outside the cluster); `identities` are every endpoint whose labels the
 * address stands for when a rule selector is matched (the pod itself, network sets that
 * contain the address, the node it belongs to).
 */
export interface Peer {
  endpoint?: Endpoint;
  ip?: IP;
  identities: Endpoint[];
  /** A stable key for caching: endpoint id, or the address. */
  key: string;
  /** Set on an endpoint's canonical peer (its primary address of a family): a small integer. */
  cacheId?: number;
  /** How to show it: `ns/pod`, host endpoint name, or the address. */
  display: string;
}

/** Display text for a peer built from an address. */
export function ipDisplay(ip: IP): string {
  return formatIP(ip);
}
