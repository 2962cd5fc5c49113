// Calico Enterprise flow logs: one JSON object per line, as Fluentd writes them to
// /var/log/calico/flowlogs/flows.log and sends them to Elasticsearch. Field names and meaning:
// https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/datatypes
// (zonewall's record uses the same names, so this is mostly a copy with checks).
import { ENDPOINT_TYPES, NONE } from '../record.js';
import type { EndpointType, FlowRecord } from '../record.js';
import { count, isObj, repeatedFieldsReader, seconds, strings, text } from './common.js';
import type { LineParser, Obj } from './common.js';

const TYPES = new Set<EndpointType>(ENDPOINT_TYPES);

function labels(v: unknown): string[] {
  // `{"labels": ["app=x", ...]}` in Elasticsearch, a plain list in some exports.
  return (isObj(v) ? strings(v.labels) : strings(v)).sort(); // strings() gives a new list
}

/** A policy trace's enforced and pending hits. */
type Trace = readonly [enforced: string[], pending: string[]];

function trace(v: unknown): Trace {
  if (!isObj(v)) return [strings(v), []];
  // Newer releases split enforced and pending; older ones have only all_policies.
  return [strings(v.enforced_policies ?? v.all_policies), strings(v.pending_policies)];
}

/**
 * Parse Calico Enterprise flow log lines. Labels and policy traces, most of a line and the same
 * on every line of a pod or path, are read once per distinct text (repeatedFieldsReader).
 */
export function calicoParser(): LineParser {
  const read = repeatedFieldsReader<[string[], string[], Trace]>([
    ['source_labels', labels],
    ['dest_labels', labels],
    ['policies', trace],
  ]);
  return (line) => {
    const o = read(line);
    if ('error' in o) return o;
    const r = fromCalico(o.value, ...o.fields);
    return typeof r === 'string' ? { error: r } : [r];
  };
}

function endpointType(v: unknown): EndpointType {
  return typeof v === 'string' && TYPES.has(v as EndpointType) ? (v as EndpointType) : 'net';
}

function fromCalico(
  o: Obj,
  sourceLabels: string[],
  destLabels: string[],
  [enforced, pending]: Trace,
): FlowRecord | string {
  const start = seconds(o.start_time);
  const end = seconds(o.end_time);
  if (start === undefined || end === undefined) return 'start_time and end_time must be times';
  const action = text(o.action);
  if (action !== 'allow' && action !== 'deny') return `action must be allow or deny`;
  const proto = o.proto;
  if (typeof proto !== 'string' && typeof proto !== 'number') return 'proto is missing';
  // One object literal with every field (one shape for the engine's inline caches).
  const r: FlowRecord = {
    id: '',
    start_time: start,
    end_time: end,
    host: text(o.host) ?? NONE,
    reporter: o.reporter === 'src' || o.reporter === 'dst' ? o.reporter : NONE,
    action,
    source_ip: text(o.source_ip) ?? '',
    source_port: count(o.source_port) ?? 0,
    source_name: text(o.source_name) ?? NONE,
    source_name_aggr: text(o.source_name_aggr) ?? NONE,
    source_namespace: text(o.source_namespace) ?? NONE,
    source_type: endpointType(o.source_type),
    source_labels: sourceLabels,
    source_zone: NONE,
    dest_ip: text(o.dest_ip) ?? '',
    dest_port: count(o.dest_port) ?? 0,
    dest_name: text(o.dest_name) ?? NONE,
    dest_name_aggr: text(o.dest_name_aggr) ?? NONE,
    dest_namespace: text(o.dest_namespace) ?? NONE,
    dest_type: endpointType(o.dest_type),
    dest_labels: destLabels,
    dest_zone: NONE,
    proto: typeof proto === 'string' ? proto.toLowerCase() : String(proto),
    bytes_in: count(o.bytes_in) ?? 0,
    bytes_out: count(o.bytes_out) ?? 0,
    packets_in: count(o.packets_in) ?? 0,
    packets_out: count(o.packets_out) ?? 0,
    num_flows: count(o.num_flows) ?? 1,
    num_flows_started: count(o.num_flows_started) ?? 0,
    num_flows_completed: count(o.num_flows_completed) ?? 0,
    policies: enforced,
    pending_policies: pending,
    trace_source: 'none',
    policy_tier: NONE,
    policy_name: NONE,
    source_format: 'calico',
  };
  return r;
}
