// The vendor-neutral firewall model: one rulebase as a firewall evaluates it, with every object
// reference already resolved (addresses to nets, domains and tag filters; services to ports;
// applications to what is known of them). A vendor reader builds it; the zone mapping reads it.
import type { CIDR, PortRange } from '../net/index.js';
import type { Issue } from '../model/issues.js';

/** A tag filter of a dynamic address group, in disjunctive normal form: OR of ANDs of tags. */
export type TagDnf = string[][];

/** What one member of a rule's source or destination names. */
export type AddressItem =
  | { kind: 'nets'; name: string; cidrs: CIDR[] }
  | { kind: 'fqdn'; name: string; domain: string }
  /** A dynamic group: the filter, and the configured address objects that carry matching tags. */
  | { kind: 'dynamic'; name: string; filter: string; dnf: TagDnf; objects: AddressItem[] }
  /** A static group holding more than nets: its members, resolved. */
  | { kind: 'group'; name: string; members: AddressItem[] }
  /** A member that could not be resolved exactly (reported when it was read). */
  | { kind: 'unknown'; name: string; reason: string };

export type L4Protocol = 'tcp' | 'udp' | 'sctp';

/** One protocol with its destination ports (undefined: every port) and source ports. */
export interface ServicePorts {
  protocol: L4Protocol | 'icmp' | 'icmp6' | number;
  ports?: PortRange[];
  sourcePorts?: PortRange[];
}

export type ServiceSpec =
  | { kind: 'any' }
  | { kind: 'application-default' }
  | { kind: 'ports'; names: string[]; entries: ServicePorts[]; unknown: string[] };

export type AppItem =
  | { kind: 'any' }
  /** A custom application: its default ports when known (undefined: none defined). */
  | { kind: 'custom'; name: string; ports?: ServicePorts[]; parent?: string }
  /** A predefined App-ID from the built-in table. */
  | { kind: 'predefined'; name: string; ports: ServicePorts[] }
  /** Named, but nothing is known of its ports (an application filter, or not in the table). */
  | { kind: 'unknown'; name: string; reason: string };

export type FirewallAction =
  'allow' | 'deny' | 'drop' | 'reset-client' | 'reset-server' | 'reset-both';

export type RuleType = 'universal' | 'intrazone' | 'interzone';

/** Where a rule sits in the evaluation order. */
export type RulePlace = 'shared-pre' | 'pre' | 'local' | 'post' | 'shared-post';

export interface RuleTarget {
  devices: string[];
  tags: string[];
  negate: boolean;
}

export interface FirewallRule {
  name: string;
  uuid?: string;
  /** The device group (or vsys) the rule is defined in; "shared" for Panorama's shared. */
  scope: string;
  place: RulePlace;
  /** XML path of the rule, for issues. */
  path: string;
  from: string[];
  to: string[];
  source: AddressItem[] | 'any';
  destination: AddressItem[] | 'any';
  negateSource: boolean;
  negateDestination: boolean;
  sourceUser: string[];
  applications: AppItem[];
  service: ServiceSpec;
  action: FirewallAction | string;
  ruleType: RuleType;
  disabled: boolean;
  logStart: boolean;
  logEnd: boolean;
  tags: string[];
  target?: RuleTarget;
  description?: string;
  /** Why the rule does not apply here (its target names other devices). */
  excluded?: string;
  /** Conditions zonewall cannot see (URL category, HIP profiles, schedule...), by field. */
  unseen: Array<{ field: string; values: string[] }>;
  /** Security profiles (antivirus, vulnerability...) applied to what the rule allows. */
  inspection: string[];
}

export interface DefaultRule {
  action: FirewallAction | string;
  logStart: boolean;
  logEnd: boolean;
  /** Where the effective setting came from: "predefined", "shared" or a device group. */
  from: string;
}

/** One rulebase, resolved: what the firewall (or device group) enforces, in order. */
export interface FirewallPolicy {
  vendor: 'panos';
  /** PAN-OS version of the configuration, e.g. "10.0.0". */
  version?: string;
  /** "panorama" (a device group) or "firewall" (a vsys). */
  source: 'panorama' | 'firewall';
  /** The device group or vsys name. */
  scope: string;
  /** The managed firewall the policy was read for (rules targeted elsewhere are excluded). */
  device?: string;
  /** The device group and its ancestors, nearest first, then "shared". */
  ancestry: string[];
  /** Zones declared in the configuration for this scope (templates or the vsys). */
  zones: string[];
  rules: FirewallRule[];
  intrazone: DefaultRule;
  interzone: DefaultRule;
  issues: Issue[];
}
