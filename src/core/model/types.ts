// The normalised policy set: every accepted kind (Kubernetes, Calico, AdminNetworkPolicy,
// ClusterNetworkPolicy) converted into one Calico-shaped form the engine evaluates. Each
// policy and rule keeps a reference to the user's own resource so traces never show an
// internal converted form.
import type { CidrSet, IP, PortRange, ProtocolNumber } from '../net/index.js';
import type { Selector } from '../selector/index.js';

export type Labels = ReadonlyMap<string, string>;

/** Where an object came from: file and document index. */
export interface SourceRef {
  file: string;
  doc: number;
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: ProtocolNumber;
}

export interface Namespace {
  name: string;
  labels: Labels;
  source: SourceRef;
}

export interface Pod {
  namespace: string;
  name: string;
  labels: Labels;
  serviceAccount: string;
  nodeName?: string;
  hostNetwork: boolean;
  ips: IP[];
  ports: ContainerPort[];
  /** status.phase; Succeeded and Failed pods have no endpoint (Calico removes it). */
  phase?: string;
  source: SourceRef;
}

export interface Node {
  name: string;
  labels: Labels;
  addresses: IP[];
  source: SourceRef;
}

export interface NetworkSet {
  /** undefined for a GlobalNetworkSet. */
  namespace?: string;
  name: string;
  labels: Labels;
  nets: CidrSet;
  domains: string[];
  source: SourceRef;
}

export interface HostEndpoint {
  name: string;
  node: string;
  interfaceName?: string;
  expectedIPs: IP[];
  labels: Labels;
  profiles: string[];
  ports: ContainerPort[];
  source: SourceRef;
}

export interface Tier {
  name: string;
  order: number | undefined;
  defaultAction: 'Deny' | 'Pass';
  /** Built-in tiers exist without a Tier resource. */
  builtIn: boolean;
  source?: SourceRef;
}

/** The user's resource kinds a trace can name. `Profile` is the namespace profile's allow. */
export type PolicyKind =
  | 'NetworkPolicy'
  | 'CalicoNetworkPolicy'
  | 'GlobalNetworkPolicy'
  | 'StagedNetworkPolicy'
  | 'StagedGlobalNetworkPolicy'
  | 'StagedKubernetesNetworkPolicy'
  | 'AdminNetworkPolicy'
  | 'BaselineAdminNetworkPolicy'
  | 'ClusterNetworkPolicy'
  | 'ZonePolicy'
  | 'Profile';

export interface PolicyRef {
  kind: PolicyKind;
  name: string;
  namespace?: string;
}

export type Action = 'Allow' | 'Deny' | 'Pass' | 'Log';
export type Direction = 'ingress' | 'egress';

/** Endpoint kinds a selector may reach. */
export const EP_POD = 1;
export const EP_HOST = 2;
export const EP_NETSET = 4;
export const EP_NODE = 8;
export const EP_ALL = EP_POD | EP_HOST | EP_NETSET;

/**
 * A set of endpoints defined by labels and scope. An endpoint is in the set when its kind is
 * in `kinds`, it is in scope (`namespace`, or a namespace matching `namespaceSelector`, whose
 * `global()` means "not namespaced"), and every given selector matches.
 */
export interface EndpointSelector {
  kinds: number;
  /** Only endpoints in this namespace (a namespaced policy without namespaceSelector). */
  namespace?: string;
  /** Matched against the namespace's labels; `global()` selects non-namespaced endpoints. */
  namespaceSelector?: Selector;
  /** Matched against the endpoint's own labels (plus Calico's implicit ones). */
  selector?: Selector;
  /** Pods only: service account names (in scope) and/or a selector on service account labels. */
  serviceAccountNames?: readonly string[];
  serviceAccountSelector?: Selector;
}

/** A destination or source port item: a numeric range or a name resolved on the destination. */
export type PortMatch =
  | { kind: 'range'; range: PortRange }
  /** `protocol` undefined: the named port's own protocol decides (AdminNetworkPolicy). */
  | { kind: 'named'; name: string; protocol?: ProtocolNumber };

/** One side (source or destination) of a match, Calico's EntityRule. */
export interface PeerMatch {
  nets?: CidrSet;
  notNets?: CidrSet;
  selector?: EndpointSelector;
  notSelector?: EndpointSelector;
  ports?: readonly PortMatch[];
  notPorts?: readonly PortMatch[];
  /** Domain names (egress destinations only); they never match an address without DNS data. */
  domains?: readonly string[];
}

export interface IcmpMatch {
  type?: number;
  code?: number;
}

/** One alternative of a rule: all present conditions must hold. */
export interface Match {
  protocol?: ProtocolNumber;
  notProtocol?: ProtocolNumber;
  icmp?: IcmpMatch;
  notICMP?: IcmpMatch;
  ipVersion?: 4 | 6;
  source: PeerMatch;
  destination: PeerMatch;
}

export interface Rule {
  action: Action;
  /**
   * Index of the rule inside the user's resource, within its direction; `default` for a
   * rule that stands for the resource's own default (a ZonePolicy's intra/inter-zone default).
   */
  index: number | 'default';
  name?: string;
  /**
   * The rule matches when any alternative matches (a Kubernetes rule's peers x ports, an
   * AdminNetworkPolicy rule's peers x ports). Empty: the rule matches nothing.
   */
  matches: readonly Match[];
}

export interface StagedInfo {
  action: 'Set' | 'Delete';
  /** The enforced policy this staged policy would replace or delete. */
  target: PolicyRef;
}

export interface Policy {
  ref: PolicyRef;
  tier: string;
  /** undefined sorts last. */
  order: number | undefined;
  staged?: StagedInfo;
  /** Who the policy applies to. */
  subject: EndpointSelector;
  /** undefined: the policy does not apply in that direction (its `types` leave it out). */
  ingress?: readonly Rule[];
  egress?: readonly Rule[];
  source: SourceRef;
}

/** Everything the engine needs: the cluster state and the policies, validated. */
export interface PolicySet {
  namespaces: Namespace[];
  pods: Pod[];
  nodes: Node[];
  networkSets: NetworkSet[];
  hostEndpoints: HostEndpoint[];
  tiers: Tier[];
  policies: Policy[];
}

/** An empty policy set. */
export function emptyPolicySet(): PolicySet {
  return {
    namespaces: [],
    pods: [],
    nodes: [],
    networkSets: [],
    hostEndpoints: [],
    tiers: [],
    policies: [],
  };
}

/** The tier names and positions DESIGN.md fixes. */
export const BUILTIN_TIERS: readonly Tier[] = [
  { name: 'security', order: 100, defaultAction: 'Deny', builtIn: true },
  { name: 'kube-admin', order: 1000, defaultAction: 'Pass', builtIn: true },
  { name: 'default', order: 1_000_000, defaultAction: 'Deny', builtIn: true },
  { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass', builtIn: true },
];

/** Order of Kubernetes NetworkPolicies inside the default tier (as Calico converts them). */
export const K8S_NETWORK_POLICY_ORDER = 1000;
