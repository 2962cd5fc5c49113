// AWS VPC flow logs, versions 2 to 5: space-separated text, one record per line, fields in
// the default order (version 2) or in a custom format named by a header line, as files
// delivered to S3 have it (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html).
// `-` is an absent value; NODATA and SKIPDATA records carry no flow and are skipped.
import { NONE, blankRecord, protoText } from '../record.js';
import type { LineParser } from './common.js';

/** The default format (version 2). */
export const VPC_DEFAULT_FIELDS = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

const REQUIRED = ['srcaddr', 'dstaddr', 'protocol', 'start', 'end', 'action'];

function num(v: string | undefined): number {
  const n = v === undefined || v === '-' ? 0 : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : NaN;
}

/** A parser for one VPC flow log file (remembers its header line). */
export function vpcParser(): LineParser {
  let fields: readonly string[] | undefined;
  return (line) => {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'version' || (fields === undefined && parts.includes('srcaddr'))) {
      const missing = REQUIRED.filter((f) => !parts.includes(f));
      if (missing.length > 0) return { error: `header lacks ${missing.join(', ')}` };
      fields = parts;
      return [];
    }
    const names = fields ?? VPC_DEFAULT_FIELDS;
    if (parts.length !== names.length)
      return {
        error: `${parts.length} fields where the ${fields ? 'header names' : 'default format has'} ${names.length}${fields ? '' : ' (a custom format needs its header line)'}`,
      };
    const v = new Map(names.map((n, i) => [n, parts[i] as string]));
    const status = v.get('log-status');
    if (status === 'NODATA' || status === 'SKIPDATA') return [];
    const action = v.get('action');
    if (action !== 'ACCEPT' && action !== 'REJECT')
      return { error: 'action must be ACCEPT or REJECT' };
    const r = blankRecord();
    const nums = ['srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end'].map((k) =>
      num(v.get(k)),
    );
    if (nums.some((n) => Number.isNaN(n))) return { error: 'a numeric field is not a number' };
    const [sport, dport, proto, packets, bytes, start, end] = nums as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const addr = (pkt: string, plain: string): string => {
      const p = v.get(pkt);
      return p !== undefined && p !== '-' ? p : (v.get(plain) ?? '');
    };
    // pkt-srcaddr/pkt-dstaddr are the packet's own addresses (a pod's, behind a node's interface).
    r.source_ip = addr('pkt-srcaddr', 'srcaddr');
    r.dest_ip = addr('pkt-dstaddr', 'dstaddr');
    r.source_port = sport;
    r.dest_port = dport;
    r.proto = protoText(proto);
    r.packets_out = packets;
    r.bytes_out = bytes;
    r.start_time = start;
    r.end_time = end;
    r.action = action === 'ACCEPT' ? 'allow' : 'deny';
    const dir = v.get('flow-direction');
    r.reporter = dir === 'egress' ? 'src' : dir === 'ingress' ? 'dst' : NONE;
    const host = v.get('instance-id') ?? v.get('interface-id');
    r.host = host !== undefined && host !== '-' ? host : NONE;
    r.source_format = 'vpc';
    return [r];
  };
}
