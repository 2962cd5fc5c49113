// Calico Enterprise flow logs: one JSON object per line, as Fluentd writes them to
// /var/log/calico/flowlogs/flows.log and sends them to Elasticsearch. Field names and meaning:
// https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/datatypes
// (zonewall's record uses the same names, so this is mostly a copy with checks).
import { NONE, blankRecord } from '../record.js';
import type { EndpointType, FlowRecord } from '../record.js';
import { count, isObj, jsonObject, seconds, strings, text } from './common.js';
import type { LineParser, Obj } from './common.js';

const TYPES = new Set<EndpointType>(['wep', 'hep', 'ns', 'net']);

function labels(v: unknown): string[] {
  // `{"labels": ["app=x", ...]}` in Elasticsearch, a plain list in some exports.
  return (isObj(v) ? strings(v.labels) : strings(v)).slice().sort();
}

function policies(v: unknown, which: 'enforced' | 'pending'): string[] {
  if (!isObj(v)) return which === 'enforced' ? strings(v) : [];
  if (which === 'pending') return strings(v.pending_policies);
  // Newer releases split enforced and pending; older ones have only all_policies.
  return strings(v.enforced_policies ?? v.all_policies);
}

/** Parse Calico Enterprise flow log lines. */
export function calicoParser(): LineParser {
  return (line) => {
    const o = jsonObject(line);
    if ('error' in o) return o;
    const r = fromCalico(o.value);
    return typeof r === 'string' ? { error: r } : [r];
  };
}

function fromCalico(o: Obj): FlowRecord | string {
  const start = seconds(o.start_time);
  const end = seconds(o.end_time);
  if (start === undefined || end === undefined) return 'start_time and end_time must be times';
  const action = text(o.action);
  if (action !== 'allow' && action !== 'deny') return `action must be allow or deny`;
  const proto = o.proto;
  if (typeof proto !== 'string' && typeof proto !== 'number') return 'proto is missing';
  const r = blankRecord();
  r.start_time = start;
  r.end_time = end;
  r.action = action;
  r.host = text(o.host) ?? NONE;
  r.reporter = o.reporter === 'src' || o.reporter === 'dst' ? o.reporter : NONE;
  r.proto = String(proto).toLowerCase();
  for (const side of ['source', 'dest'] as const) {
    const ip = text(o[`${side}_ip`]);
    const type = text(o[`${side}_type`]) as EndpointType | undefined;
    r[`${side}_ip`] = ip ?? '';
    r[`${side}_port`] = count(o[`${side}_port`]) ?? 0;
    r[`${side}_name`] = text(o[`${side}_name`]) ?? NONE;
    r[`${side}_name_aggr`] = text(o[`${side}_name_aggr`]) ?? NONE;
    r[`${side}_namespace`] = text(o[`${side}_namespace`]) ?? NONE;
    r[`${side}_type`] = type && TYPES.has(type) ? type : 'net';
    r[`${side}_labels`] = labels(o[`${side}_labels`]);
  }
  r.bytes_in = count(o.bytes_in) ?? 0;
  r.bytes_out = count(o.bytes_out) ?? 0;
  r.packets_in = count(o.packets_in) ?? 0;
  r.packets_out = count(o.packets_out) ?? 0;
  r.num_flows = count(o.num_flows) ?? 1;
  r.num_flows_started = count(o.num_flows_started) ?? 0;
  r.num_flows_completed = count(o.num_flows_completed) ?? 0;
  r.policies = policies(o.policies, 'enforced');
  r.pending_policies = policies(o.policies, 'pending');
  r.source_format = 'calico';
  return r;
}
