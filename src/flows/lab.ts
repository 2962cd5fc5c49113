// zonewall's lab capture: what the network-namespace lab (src/dataplane) records, one JSON
// object per line. Two kinds:
//
//   {"v":1,"kind":"conntrack","node":"node-a","proto":"tcp",
//    "src":"10.30.0.4","sport":40112,"dst":"10.40.0.66","dport":5432,
//    "start":"2026-12-03T10:00:01.250Z","end":"2026-12-03T10:00:03Z",
//    "bytes_orig":1840,"bytes_reply":5211,"packets_orig":12,"packets_reply":10,
//    "state":"closed"}
//     an allowed connection from conntrack (`conntrack -E -o timestamp` or the final
//     counters at DESTROY): counters per direction, orig = from the initiator; `state` is
//     `new`, `established` or `closed` (closed counts as completed); times RFC 3339 or Unix
//     seconds; `reporter` (`src`|`dst`) is optional, default `src`.
//
//   {"v":1,"kind":"nflog","node":"node-a","time":"2026-12-03T10:00:02Z","proto":"tcp",
//    "src":"10.20.0.5","sport":51515,"dst":"10.40.0.66","dport":5432,"length":60,
//    "prefix":"zw D 3f2a9c1e eg r0","policy":"payments-db/knp.default.db","tier":"default"}
//     a denied packet from NFLOG: `prefix` is the log prefix of zonewall's nftables ruleset,
//     `zw D <policy-id> <in|eg> <rule>` (rule `rN` or `default`); `policy` and `tier` name
//     the policy when the lab resolved the id (else the record names it `nft:<policy-id>`).
//
// The denied packet's policy is an observed trace; a conntrack entry carries none (the
// engine computes it at enrichment).
import { NONE, blankRecord, protoNumber, protoText } from './record.js';
import type { FlowRecord } from './record.js';
import { count, jsonObject, seconds, text } from './adapters/common.js';
import type { LineParser, Obj } from './adapters/common.js';

export const LAB_SCHEMA_VERSION = 1;

const PREFIX = /^zw ([DL]) (\S+) (in|eg) (r\d+|default)\s*$/;

function base(o: Obj, r: FlowRecord): string | undefined {
  const proto = typeof o.proto === 'number' ? o.proto : protoNumber(String(o.proto ?? ''));
  if (proto === undefined) return 'proto must be a protocol name or number';
  const src = text(o.src);
  const dst = text(o.dst);
  if (src === undefined || dst === undefined) return 'src and dst must be addresses';
  r.proto = protoText(proto);
  r.source_ip = src;
  r.dest_ip = dst;
  r.source_port = count(o.sport) ?? 0;
  r.dest_port = count(o.dport) ?? 0;
  r.host = text(o.node) ?? NONE;
  r.reporter = o.reporter === 'dst' ? 'dst' : 'src';
  r.source_format = 'lab';
  return undefined;
}

function conntrack(o: Obj, r: FlowRecord): string | undefined {
  const start = seconds(o.start);
  const end = seconds(o.end ?? o.start);
  if (start === undefined || end === undefined) return 'start (and end) must be times';
  r.start_time = start;
  r.end_time = end;
  r.action = 'allow';
  r.bytes_out = count(o.bytes_orig) ?? 0;
  r.bytes_in = count(o.bytes_reply) ?? 0;
  r.packets_out = count(o.packets_orig) ?? 0;
  r.packets_in = count(o.packets_reply) ?? 0;
  r.num_flows = 1;
  r.num_flows_started = o.state === 'established' ? 0 : 1;
  r.num_flows_completed = o.state === 'closed' ? 1 : 0;
  return undefined;
}

function nflog(o: Obj, r: FlowRecord): string | undefined {
  const time = seconds(o.time);
  if (time === undefined) return 'time must be a time';
  const m = PREFIX.exec(String(o.prefix ?? ''));
  if (!m) return 'prefix must be zonewall\'s "zw D <policy-id> <in|eg> <rule>"';
  const [, kind, id, , rule] = m as unknown as [string, string, string, string, string];
  r.start_time = time;
  r.end_time = time;
  r.action = kind === 'D' ? 'deny' : 'allow';
  r.packets_out = 1;
  r.bytes_out = count(o.length) ?? 0;
  r.num_flows = 1;
  r.num_flows_started = 1;
  const name = text(o.policy) ?? `nft:${id}`;
  const tier = text(o.tier) ?? NONE;
  const ruleNo = rule === 'default' ? -1 : Number(rule.slice(1));
  r.policies = [`0|${tier}|${name}|${kind === 'D' ? 'deny' : 'log'}|${ruleNo}`];
  return undefined;
}

/** Parse lab capture lines. */
export function labParser(): LineParser {
  return (line) => {
    const parsed = jsonObject(line);
    if ('error' in parsed) return parsed;
    const o = parsed.value;
    if (o.v !== undefined && o.v !== LAB_SCHEMA_VERSION)
      return { error: `schema version ${String(o.v)} (this zonewall reads ${LAB_SCHEMA_VERSION})` };
    const r = blankRecord();
    const bad =
      base(o, r) ??
      (o.kind === 'conntrack'
        ? conntrack(o, r)
        : o.kind === 'nflog'
          ? nflog(o, r)
          : 'kind must be conntrack or nflog');
    return bad ? { error: bad } : [r];
  };
}
