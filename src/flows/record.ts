// The flow record: Calico's flow-log field set (names as Calico Enterprise writes them, see
// https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/datatypes) plus
// the source and destination zone, the deciding policy, and where the trace came from. The
// field names are a stable contract: `flows query` prints them, other tools script against it.

export type FlowAction = 'allow' | 'deny';
/** Where the flow was observed: the initiating (`src`) or the terminating (`dst`) end. */
export type Reporter = 'src' | 'dst' | '-';
/** Calico's endpoint types: workload, host endpoint, network set, other network. */
export type EndpointType = 'wep' | 'hep' | 'ns' | 'net';
export const ENDPOINT_TYPES: readonly EndpointType[] = ['wep', 'hep', 'ns', 'net'];
/** `observed`: the source carried the policy trace; `computed`: zonewall's engine supplied it. */
export type TraceSource = 'observed' | 'computed' | 'none';

/** Calico's spelling for "not applicable" (aggregated name, endpoint without namespace). */
export const NONE = '-';

export interface FlowRecord {
  /** Deterministic: the same input line (or aggregate) always gets the same id. */
  id: string;
  /** Unix seconds. */
  start_time: number;
  end_time: number;
  /** The node that reported it. */
  host: string;
  reporter: Reporter;
  action: FlowAction;
  /** '' when aggregated away or unknown. */
  source_ip: string;
  /** 0 when aggregated away or the protocol has none. */
  source_port: number;
  source_name: string;
  source_name_aggr: string;
  source_namespace: string;
  source_type: EndpointType;
  /** `key=value`, sorted. */
  source_labels: string[];
  source_zone: string;
  dest_ip: string;
  dest_port: number;
  dest_name: string;
  dest_name_aggr: string;
  dest_namespace: string;
  dest_type: EndpointType;
  dest_labels: string[];
  dest_zone: string;
  /** Lower-case name (`tcp`, `udp`, `icmp`, ...) or the protocol number. */
  proto: string;
  bytes_in: number;
  bytes_out: number;
  packets_in: number;
  packets_out: number;
  num_flows: number;
  num_flows_started: number;
  num_flows_completed: number;
  /** Enforced trace, Calico's hit format `index|tier|namespace/name|action|rule`. */
  policies: string[];
  /** With staged policies: the trace had they been enforced. */
  pending_policies: string[];
  trace_source: TraceSource;
  /** The step that decided (final allow/deny); '-' when unknown. */
  policy_tier: string;
  policy_name: string;
  /** The input format the record came from (`calico`, `hubble`, ...). */
  source_format: string;
}

export type FieldType = 'string' | 'int' | 'strings';

/** Every field, in storage column order, with its type. */
export const FIELDS: ReadonlyArray<readonly [keyof FlowRecord, FieldType]> = [
  ['id', 'string'],
  ['start_time', 'int'],
  ['end_time', 'int'],
  ['host', 'string'],
  ['reporter', 'string'],
  ['action', 'string'],
  ['source_ip', 'string'],
  ['source_port', 'int'],
  ['source_name', 'string'],
  ['source_name_aggr', 'string'],
  ['source_namespace', 'string'],
  ['source_type', 'string'],
  ['source_labels', 'strings'],
  ['source_zone', 'string'],
  ['dest_ip', 'string'],
  ['dest_port', 'int'],
  ['dest_name', 'string'],
  ['dest_name_aggr', 'string'],
  ['dest_namespace', 'string'],
  ['dest_type', 'string'],
  ['dest_labels', 'strings'],
  ['dest_zone', 'string'],
  ['proto', 'string'],
  ['bytes_in', 'int'],
  ['bytes_out', 'int'],
  ['packets_in', 'int'],
  ['packets_out', 'int'],
  ['num_flows', 'int'],
  ['num_flows_started', 'int'],
  ['num_flows_completed', 'int'],
  ['policies', 'strings'],
  ['pending_policies', 'strings'],
  ['trace_source', 'string'],
  ['policy_tier', 'string'],
  ['policy_name', 'string'],
  ['source_format', 'string'],
];

export const FIELD_TYPES: ReadonlyMap<string, FieldType> = new Map(FIELDS);

/** The input formats (`flows ingest --format`): a record's `source_format`. */
export const FORMATS = ['lab', 'calico', 'goldmane', 'hubble', 'vpc'] as const;

// A query's value for one of these is checked against the set, in any case (`--where
// action=Deny`), so a typo is an error rather than an empty answer; `proto` is checked apart.
/** The string fields whose values come from a fixed set, and the set. */
export const FIELD_VALUES: ReadonlyMap<string, readonly string[]> = new Map<
  string,
  readonly string[]
>([
  ['reporter', ['src', 'dst', '-']],
  ['action', ['allow', 'deny']],
  ['source_type', ENDPOINT_TYPES],
  ['dest_type', ENDPOINT_TYPES],
  ['trace_source', ['observed', 'computed', 'none']],
  ['source_format', FORMATS],
]);

/** Fields a query may group by or filter on with `=` (scalars; lists are matched by element). */
export const GROUPABLE: ReadonlySet<string> = new Set(
  FIELDS.filter(([, t]) => t !== 'strings').map(([n]) => n),
);

const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [58, 'icmp6'],
  [132, 'sctp'],
  [136, 'udplite'],
]);
/** A record's protocol when its source named none. */
export const UNKNOWN_PROTO = 'unknown';

/** The protocols a record names (others are their numbers). */
export const PROTO_NAMED: readonly string[] = [...PROTO_NAMES.values()];
const PROTO_NUMBERS: ReadonlyMap<string, number> = new Map(
  [...PROTO_NAMES].map(([n, s]) => [s, n] as const).concat([['icmpv6', 58]]),
);

/** A protocol number as the record spells it. */
export function protoText(n: number): string {
  return PROTO_NAMES.get(n) ?? String(n);
}

// Calico's and Goldmane's logs keep the name they were given, lower-cased: `icmpv6` as well as
// `icmp6`.
/** Every way a record may spell protocol `n`: its names and its number. */
export function protoSpellings(n: number): string[] {
  const names = [...PROTO_NUMBERS].filter(([, k]) => k === n).map(([name]) => name);
  return [...names, String(n)];
}

/** A record's protocol (name or number, any case) as a number; undefined when unknown. */
export function protoNumber(text: string): number | undefined {
  const t = text.toLowerCase();
  const known = PROTO_NUMBERS.get(t);
  if (known !== undefined) return known;
  const n = Number(t);
  return /^\d+$/.test(t) && n <= 255 ? n : undefined;
}

/** The Calico-style aggregated name of a pod: its generateName prefix plus `*`. */
export function nameAggr(name: string, generateName?: string): string {
  if (generateName && name.startsWith(generateName)) return `${generateName}*`;
  // A Deployment pod `app-<hash>-<suffix>`: Calico aggregates to `app-<hash>-*`.
  const m = /^(.*-)[a-z0-9]{5}$/.exec(name);
  return m ? `${m[1]}*` : name;
}

/** A record with every field at its empty value (adapters fill in what they know). */
export function blankRecord(): FlowRecord {
  return {
    id: '',
    start_time: 0,
    end_time: 0,
    host: NONE,
    reporter: NONE,
    action: 'allow',
    source_ip: '',
    source_port: 0,
    source_name: NONE,
    source_name_aggr: NONE,
    source_namespace: NONE,
    source_type: 'net',
    source_labels: [],
    source_zone: NONE,
    dest_ip: '',
    dest_port: 0,
    dest_name: NONE,
    dest_name_aggr: NONE,
    dest_namespace: NONE,
    dest_type: 'net',
    dest_labels: [],
    dest_zone: NONE,
    proto: 'tcp',
    bytes_in: 0,
    bytes_out: 0,
    packets_in: 0,
    packets_out: 0,
    num_flows: 1,
    num_flows_started: 0,
    num_flows_completed: 0,
    policies: [],
    pending_policies: [],
    trace_source: 'none',
    policy_tier: NONE,
    policy_name: NONE,
    source_format: NONE,
  };
}
