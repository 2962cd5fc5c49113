// The ZonePolicy resource (zonewall.io/v1alpha1): zones, named external networks and the
// ordered rules between them, as the security team states them.
import type { CIDR, ProtocolNumber } from '../net/index.js';
import type { PortMatch, SourceRef } from '../model/types.js';
import type { Selector } from '../selector/index.js';

export const ZONE_API_VERSION = 'zonewall.io/v1alpha1';
export const DEFAULT_ZONE_LABEL = 'zonewall.io/zone';
/** Label zonewall puts on the GlobalNetworkSets it compiles externals to. */
export const EXTERNAL_LABEL = 'zonewall.io/external';

export type IntraZoneAction = 'Pass' | 'Allow' | 'Deny';
export type InterZoneAction = 'Deny' | 'Pass';
export type ZoneAction = 'Allow' | 'Pass' | 'Deny';

export interface ZonePool {
  cidr: CIDR;
  nodeSelector?: Selector;
}

export interface Zone {
  name: string;
  description?: string;
  trust?: string;
  pools: ZonePool[];
  /** Declared in `zones`; false for an undeclared default zone. */
  declared: boolean;
}

export interface External {
  name: string;
  nets: CIDR[];
  /** Egress only: domain names, matched at run time (never by an address alone). */
  domains: string[];
}

/** What one side of a rule names. */
export type ZoneRef =
  | { kind: 'zone'; name: string }
  | { kind: 'external'; name: string }
  | { kind: 'internet' }
  | { kind: 'any' };

export interface ZoneService {
  protocol: ProtocolNumber;
  /**
   * undefined: every port of the protocol (or a protocol without ports). Numbers, ranges, and
   * (an extension) port names, resolved on the destination pod for this protocol.
   */
  ports?: PortMatch[];
}

export interface ZoneRule {
  /** Position in `rules` (0-based): the index traces name. */
  index: number;
  name: string;
  from: ZoneRef[];
  to: ZoneRef[];
  sourceSelector?: Selector;
  destinationSelector?: Selector;
  /** undefined: every protocol and port. */
  services?: ZoneService[];
  action: ZoneAction;
  log: boolean;
  enabled: boolean;
  description?: string;
}

export interface ZonePolicy {
  name: string;
  zoneLabel: string;
  defaultZone: string;
  intraZone: IntraZoneAction;
  interZone: InterZoneAction;
  zones: Zone[];
  externals: External[];
  /**
   * Addresses of the cluster that are not pods (nodes, services): never `internet`. An
   * extension of the documented format; the zones' pools are cluster addresses too.
   */
  clusterNets: CIDR[];
  rules: ZoneRule[];
  source: SourceRef;
}

/** Names a side of a rule may use that are not zones or externals. */
export const RESERVED_NAMES = ['internet', 'any'] as const;

/** `zone dmz`, `external partner-net`, `internet`, `any`. */
export function refText(r: ZoneRef): string {
  return r.kind === 'zone' || r.kind === 'external' ? r.name : r.kind;
}
