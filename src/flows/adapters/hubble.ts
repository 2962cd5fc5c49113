// Cilium Hubble flows, `hubble observe -o jsonpb`: one GetFlowsResponse per line,
// `{"flow": {...}, "node_name": "...", "time": "..."}`, the Flow message of
// https://github.com/cilium/cilium/blob/main/api/v1/flow/flow.proto in protobuf's JSON mapping
// (https://docs.cilium.io/en/stable/observability/hubble/ for the CLI). A Hubble flow is one
// observed packet event with no byte counts: each becomes a record of one packet, oriented as
// the connection (a reply is counted as a packet in), that aggregation then merges.
import { NONE, UNKNOWN_PROTO, blankRecord, protoText } from '../record.js';
import type { FlowRecord } from '../record.js';
import { count, field, isObj, jsonObject, seconds, strings, text } from './common.js';
import type { LineParser, Obj } from './common.js';

const L4: ReadonlyArray<[string, number]> = [
  ['TCP', 6],
  ['UDP', 17],
  ['SCTP', 132],
  ['ICMPv4', 1],
  ['ICMPv6', 58],
];

/** `k8s:app=web` -> `app=web`; labels Cilium adds (reserved:, io.cilium.*, the pod's namespace) are left out. */
function labels(v: unknown): string[] {
  return strings(v)
    .filter(
      (l) =>
        l.startsWith('k8s:') &&
        !l.startsWith('k8s:io.cilium.') &&
        !l.startsWith('k8s:io.kubernetes.pod.namespace='),
    )
    .map((l) => l.slice(4))
    .sort();
}

function policyHits(flow: Obj, verdict: 'allow' | 'deny'): string[] {
  const out: string[] = [];
  const lists =
    verdict === 'allow'
      ? ['egress_allowed_by', 'ingress_allowed_by']
      : ['egress_denied_by', 'ingress_denied_by'];
  for (const name of lists) {
    for (const p of Array.isArray(field(flow, name)) ? (field(flow, name) as unknown[]) : []) {
      if (!isObj(p)) continue;
      const ns = text(p.namespace);
      const n = text(p.name) ?? NONE;
      // Cilium policies are not tiered: they are reported under the tier `cilium`.
      out.push(`${out.length}|cilium|${ns ? `${ns}/` : ''}${n}|${verdict}|-1`);
    }
  }
  return out;
}

/** One Hubble flow as a record; a string says why it is malformed; null: not a connection. */
export function fromHubble(o: Obj): FlowRecord | string | null {
  const flow = isObj(o.flow) ? o.flow : o;
  const ip = flow.IP;
  // An L7 or trace event without addresses is not a connection: skipped, not malformed.
  if (!isObj(ip)) return typeof flow.Type === 'string' ? null : 'no IP section and no Type';
  const time = seconds(flow.time ?? o.time);
  if (time === undefined) return 'time is missing';
  const verdict = String(flow.verdict ?? '');
  if (verdict !== 'FORWARDED' && verdict !== 'DROPPED' && verdict !== 'REDIRECTED')
    return verdict === '' ? 'verdict is missing' : `verdict ${verdict} is not a connection outcome`;
  const l4 = isObj(flow.l4) ? flow.l4 : {};
  const found = L4.find(([k]) => isObj(l4[k]));
  const l4v = found ? (l4[found[0]] as Obj) : {};
  const reply = flow.is_reply === true;
  const r = blankRecord();
  r.start_time = time;
  r.end_time = time;
  r.action = verdict === 'DROPPED' ? 'deny' : 'allow';
  r.host = text(flow.node_name) ?? text(o.node_name) ?? NONE;
  const dir = String(flow.traffic_direction ?? '');
  r.reporter = dir === 'EGRESS' ? 'src' : dir === 'INGRESS' ? 'dst' : NONE;
  r.proto = found ? protoText(found[1]) : UNKNOWN_PROTO;
  // Orient as the connection: a reply packet travels from its destination to its source.
  const [s, d] = reply ? ['destination', 'source'] : ['source', 'destination'];
  const [sp, dp] = reply
    ? ['destination_port', 'source_port']
    : ['source_port', 'destination_port'];
  r.source_ip = text(ip[s]) ?? '';
  r.dest_ip = text(ip[d]) ?? '';
  r.source_port = count(l4v[sp]) ?? 0;
  r.dest_port = count(l4v[dp]) ?? 0;
  for (const [side, key] of [
    ['source', s],
    ['dest', d],
  ] as const) {
    const ep = flow[key];
    if (!isObj(ep)) continue;
    r[`${side}_name`] = text(ep.pod_name) ?? NONE;
    r[`${side}_namespace`] = text(ep.namespace) ?? NONE;
    r[`${side}_labels`] = labels(ep.labels);
  }
  if (reply) r.packets_in = 1;
  else r.packets_out = 1;
  const flags = isObj(l4v.flags) ? l4v.flags : undefined;
  const syn = flags?.SYN === true && flags.ACK !== true;
  const fin = flags?.FIN === true || flags?.RST === true;
  // A connection is counted once: on its first packet (TCP SYN), or on each non-reply event otherwise.
  r.num_flows = reply ? 0 : flags ? (syn ? 1 : 0) : 1;
  r.num_flows_started = r.num_flows;
  r.num_flows_completed = !reply && fin ? 1 : 0;
  r.policies = policyHits(flow, r.action);
  r.source_format = 'hubble';
  return r;
}

/** Parse `hubble observe -o jsonpb` lines. */
export function hubbleParser(): LineParser {
  return (line) => {
    const o = jsonObject(line);
    if ('error' in o) return o;
    const r = fromHubble(o.value);
    return typeof r === 'string' ? { error: r } : r ? [r] : [];
  };
}
