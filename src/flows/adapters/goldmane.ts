// Calico open source flow logs (Goldmane, the flow logs API behind Calico Whisker): Flow
// messages of https://github.com/projectcalico/calico/blob/master/goldmane/proto/api.proto
// in protobuf's JSON mapping, one per line (a Flow, or a FlowResult wrapping one), or one
// JSON array of them. Goldmane aggregates by pod name prefix and carries no addresses:
// `source_name` is the prefix, `source_type` WorkloadEndpoint, HostEndpoint, NetworkSet or
// Network (`pub`/`pvt`). Both snake_case and camelCase field names are accepted.
import { NONE, blankRecord } from '../record.js';
import type { EndpointType, FlowRecord } from '../record.js';
import { hitName } from '../trace.js';
import { count, field, isObj, jsonObject, seconds, strings, text } from './common.js';
import type { LineParser, LineResult } from './common.js';

const TYPES: Record<string, EndpointType> = {
  WorkloadEndpoint: 'wep',
  HostEndpoint: 'hep',
  NetworkSet: 'ns',
  Network: 'net',
  '1': 'wep',
  '2': 'hep',
  '3': 'ns',
  '4': 'net',
};
const ACTIONS: Record<string, string> = { '1': 'allow', '2': 'deny', '3': 'pass' };
const KINDS: Record<string, string> = {
  ClusterNetworkPolicyAdminTier: 'ClusterNetworkPolicy',
  ClusterNetworkPolicyBaselineTier: 'ClusterNetworkPolicy',
};

function action(v: unknown): string | undefined {
  const s = v === undefined ? undefined : String(v);
  if (s === undefined) return undefined;
  return ACTIONS[s] ?? s.toLowerCase();
}

/** A PolicyHit as Calico's hit string. */
function hit(h: unknown): string | undefined {
  if (!isObj(h)) return undefined;
  const kind = String(field(h, 'kind') ?? '');
  const name = text(field(h, 'name')) ?? '';
  const ns = text(field(h, 'namespace'));
  const tier = text(field(h, 'tier')) ?? (kind === 'Profile' ? '__PROFILE__' : NONE);
  const ref = {
    kind: (KINDS[kind] ?? kind) as Parameters<typeof hitName>[0]['kind'],
    name,
    ...(ns !== undefined ? { namespace: ns } : {}),
  };
  const rule = kind === 'EndOfTier' ? -1 : (count(field(h, 'rule_index')) ?? -1);
  const index = count(field(h, 'policy_index')) ?? 0;
  return `${index}|${tier}|${hitName(ref)}|${action(field(h, 'action')) ?? 'unknown'}|${rule}`;
}

function hits(v: unknown): string[] {
  return Array.isArray(v) ? v.flatMap((h) => hit(h) ?? []) : [];
}

/** One Goldmane Flow (or FlowResult) as a record; a string says why it is not one. */
export function fromGoldmane(v: unknown): FlowRecord | string {
  if (!isObj(v)) return 'not a JSON object';
  const flow = isObj(v.flow) ? v.flow : v;
  const key = (flow.Key ?? flow.key) as unknown;
  if (!isObj(key)) return 'no flow key ("Key")';
  const start = seconds(field(flow, 'start_time'));
  const end = seconds(field(flow, 'end_time'));
  if (start === undefined || end === undefined) return 'start_time and end_time must be times';
  const act = action(field(key, 'action'));
  if (act !== 'allow' && act !== 'deny') return 'action must be Allow or Deny';
  const r = blankRecord();
  r.start_time = start;
  r.end_time = end;
  r.action = act;
  const reporter = String(field(key, 'reporter') ?? '').toLowerCase();
  r.reporter =
    reporter === 'src' || reporter === '1'
      ? 'src'
      : reporter === 'dst' || reporter === '2'
        ? 'dst'
        : NONE;
  r.proto = String(field(key, 'proto') ?? 'tcp').toLowerCase();
  for (const side of ['source', 'dest'] as const) {
    const given = String(field(key, `${side}_type`) ?? '');
    // Own keys only: `constructor` and the like are not endpoint types.
    const type = Object.hasOwn(TYPES, given) ? (TYPES[given] as EndpointType) : 'net';
    // The name is a pod name prefix for workloads: it is the aggregated name.
    const name = text(field(key, `${side}_name`)) ?? NONE;
    r[`${side}_type`] = type;
    r[`${side}_name_aggr`] = type === 'wep' && !name.endsWith('*') ? `${name}*` : name;
    r[`${side}_namespace`] = text(field(key, `${side}_namespace`)) ?? NONE;
    r[`${side}_labels`] = strings(field(flow, `${side}_labels`))
      .slice()
      .sort();
  }
  r.dest_port = count(field(key, 'dest_port')) ?? 0;
  const pol = field(key, 'policies');
  r.policies = isObj(pol) ? hits(field(pol, 'enforced_policies')) : [];
  r.pending_policies = isObj(pol) ? hits(field(pol, 'pending_policies')) : [];
  r.bytes_in = count(field(flow, 'bytes_in')) ?? 0;
  r.bytes_out = count(field(flow, 'bytes_out')) ?? 0;
  r.packets_in = count(field(flow, 'packets_in')) ?? 0;
  r.packets_out = count(field(flow, 'packets_out')) ?? 0;
  r.num_flows_started = count(field(flow, 'num_connections_started')) ?? 0;
  r.num_flows_completed = count(field(flow, 'num_connections_completed')) ?? 0;
  const live = count(field(flow, 'num_connections_live')) ?? 0;
  r.num_flows = Math.max(1, r.num_flows_started + live);
  r.source_format = 'goldmane';
  return r;
}

function one(v: unknown): LineResult {
  const r = fromGoldmane(v);
  return typeof r === 'string' ? { error: r } : [r];
}

/** Parse Goldmane flows, one JSON object per line. */
export function goldmaneParser(): LineParser {
  return (line) => {
    const o = jsonObject(line);
    return 'error' in o ? o : one(o.value);
  };
}

/** Parse a whole Goldmane JSON document (an array, or `{"flows"|"items": [...]}`): one result per item. */
export function goldmaneDocument(textAll: string): LineResult[] | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(textAll);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const items = Array.isArray(v) ? v : isObj(v) ? (v.flows ?? v.items) : undefined;
  if (!Array.isArray(items)) return { error: 'expected a JSON array of flows' };
  return items.map(one);
}
