// Calico v3 Rule -> one normalised Match (action, protocol, ICMP, ipVersion, both sides),
// validated as Calico's validator and CRD rules do (docs/research/calico-semantics.md).
import { parseCalicoProtocol, PROTO } from '../../net/index.js';
import type { CIDR } from '../../net/index.js';
import { quote } from '../issues.js';
import { labelKeyProblem } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import type { Action, IcmpMatch, Match, Rule } from '../types.js';
import { noDuplicates, readEntity } from './calico-entity.js';
import type { Dir, RuleScope } from './calico-entity.js';

const RULE_FIELDS = [
  'action',
  'ipVersion',
  'protocol',
  'icmp',
  'notProtocol',
  'notICMP',
  'source',
  'destination',
  'http',
  'metadata',
];
const ACTIONS: readonly Action[] = ['Allow', 'Deny', 'Log', 'Pass'];
const UNSUPPORTED_HTTP =
  'http matches are not supported: zonewall evaluates connections, not HTTP requests, so a verdict for this rule would be wrong';

/** The rules of one direction; `index` is the position in the user's list. */
export function readCalicoRules(r: Reader, dir: Dir, scope: RuleScope): Rule[] {
  const items = r.list({ max: 1024 }) ?? [];
  return items.map((item, index) => readRule(item, dir, index, scope));
}

function readRule(r: Reader, dir: Dir, index: number, scope: RuleScope): Rule {
  r.object(RULE_FIELDS);
  const action = r.at('action').oneOf(ACTIONS, { required: true }) ?? 'Deny';
  const ipVersion = readIpVersion(r.at('ipVersion'));
  const protocol = readProtocol(r.at('protocol'));
  const notProtocol = readProtocol(r.at('notProtocol'));
  const icmp = readIcmp(r.at('icmp'));
  const notICMP = readIcmp(r.at('notICMP'));
  if (icmp && protocol !== PROTO.ICMP && protocol !== PROTO.ICMPv6) {
    r.at('icmp').error(
      'rule.icmp',
      `ICMP fields require protocol to be ICMP or ICMPv6, found ${protocol === undefined ? 'no protocol' : `protocol ${quote(r.at('protocol').value)}`}`,
    );
  }
  checkIcmpVersion(r, 'protocol', protocol, ipVersion);
  checkIcmpVersion(r, 'notProtocol', notProtocol, ipVersion);
  const side = { dir, scope, protocol, hasProtocol: !r.at('protocol').missing };
  const src = readEntity(r.at('source'), 'source', side);
  const dst = readEntity(r.at('destination'), 'destination', side);
  checkFamilies(r, ipVersion, [...src.nets, ...dst.nets]);
  readHttp(r.at('http'), action, dir, protocol);
  readRuleMetadata(r.at('metadata'));
  const match: Match = {
    ...(protocol !== undefined ? { protocol } : {}),
    ...(notProtocol !== undefined ? { notProtocol } : {}),
    ...(icmp ? { icmp } : {}),
    ...(notICMP ? { notICMP } : {}),
    ...(ipVersion !== undefined ? { ipVersion } : {}),
    source: src.peer,
    destination: dst.peer,
  };
  return { action, index, matches: [match] };
}

function readIpVersion(r: Reader): 4 | 6 | undefined {
  const v = r.int();
  if (v === undefined || v === 4 || v === 6) return v;
  r.error('field.enum', `ipVersion must be 4 or 6, found ${v}`);
  return undefined;
}

function readProtocol(r: Reader): number | undefined {
  if (r.missing) return undefined;
  const res = parseCalicoProtocol(r.value);
  if (res.ok) return res.proto;
  r.error('protocol.invalid', res.message);
  return undefined;
}

function readIcmp(r: Reader): IcmpMatch | undefined {
  if (!r.object(['type', 'code'])) return undefined;
  const type = r.at('type').int({ min: 0, max: 254 });
  const code = r.at('code').int({ min: 0, max: 255 });
  if (!r.at('code').missing && r.at('type').missing) {
    r.at('code').error(
      'rule.icmpCode',
      'ICMP code specified without an ICMP type (the kernel matches a code only with its type)',
    );
  }
  return { ...(type !== undefined ? { type } : {}), ...(code !== undefined ? { code } : {}) };
}

function checkIcmpVersion(
  r: Reader,
  field: string,
  proto: number | undefined,
  ipVersion: number | undefined,
): void {
  if (ipVersion === undefined) return;
  if (proto === PROTO.ICMP && ipVersion !== 4) {
    r.at('ipVersion').error(
      'rule.ipVersion',
      `${field} ICMP requires ipVersion 4, found ${ipVersion}`,
    );
  }
  if (proto === PROTO.ICMPv6 && ipVersion !== 6) {
    r.at('ipVersion').error(
      'rule.ipVersion',
      `${field} ICMPv6 requires ipVersion 6, found ${ipVersion}`,
    );
  }
}

/** Calico's scan over source/destination nets and notNets: one family, matching ipVersion. */
function checkFamilies(
  r: Reader,
  ipVersion: number | undefined,
  lists: ReadonlyArray<readonly CIDR[]>,
): void {
  const fields = [
    ['source', 'nets'],
    ['source', 'notNets'],
    ['destination', 'nets'],
    ['destination', 'notNets'],
  ] as const;
  let seen4 = false;
  let seen6 = false;
  fields.forEach(([side, field], i) => {
    const cidrs = lists[i] ?? [];
    const v4 = cidrs.some((c) => c.ip.version === 4);
    const v6 = cidrs.some((c) => c.ip.version === 6);
    const f = r.at(side).at(field);
    if (ipVersion !== undefined && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) {
      f.error(
        'rule.ipVersion',
        `rule ipVersion ${ipVersion} doesn't match the CIDR version of ${side}.${field}`,
      );
    }
    if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) {
      f.error(
        'rule.mixedFamilies',
        'a rule may not contain both IPv4 and IPv6 CIDRs (write one rule per family)',
      );
    }
    seen4 ||= v4;
    seen6 ||= v6;
  });
}

function readHttp(r: Reader, action: Action, dir: Dir, protocol: number | undefined): void {
  if (!r.object(['methods', 'paths'])) return;
  r.at('methods').strings({ max: 20 });
  noDuplicates(r.at('methods'));
  for (const p of r.at('paths').list({ max: 20 }) ?? []) readHttpPath(p);
  if (action !== 'Allow')
    r.error(
      'rule.http',
      `http matches are only valid on Allow rules, found action ${quote(action)}`,
    );
  if (dir === 'egress') r.error('rule.http', 'http matches are not allowed in egress rules');
  if (protocol !== undefined && protocol !== PROTO.TCP)
    r.error('rule.http', 'rules with an http match must have protocol TCP or none');
  r.error('unsupported', UNSUPPORTED_HTTP);
}

function readHttpPath(r: Reader): void {
  r.object(['exact', 'prefix']);
  const exact = r.at('exact').string() ?? '';
  const prefix = r.at('prefix').string() ?? '';
  if (exact !== '' && prefix !== '')
    r.error('http.path', "an http path may set 'exact' or 'prefix', not both");
  const v = exact || prefix;
  if (v === '') r.error('http.path', "an http path must set 'exact' or 'prefix'");
  else if (v.length > 1024)
    r.error('field.tooLong', `an http path may have at most 1024 characters, has ${v.length}`);
  else if (!v.startsWith('/') || /[? #]/.test(v)) {
    r.error(
      'http.path',
      `invalid http path ${quote(v)}: it must start with '/' and contain no '?', '#' or space`,
    );
  }
}

/** Rule metadata: annotations with valid keys (as object metadata), at most 256 KiB in all. */
function readRuleMetadata(r: Reader): void {
  if (!r.object(['annotations'])) return;
  const a = r.at('annotations');
  const obj = a.object();
  if (!obj) return;
  let size = 0;
  for (const [k, v] of Object.entries(obj)) {
    const p = labelKeyProblem(k.toLowerCase());
    if (p) a.at(k).error('annotation.key', `annotation key ${quote(k)} is invalid: ${p}`);
    if (typeof v !== 'string')
      a.at(k).error('field.type', `annotation ${quote(k)} must have a string value`);
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > 256 * 1024)
    a.error('annotation.size', `annotations may total at most 262144 bytes, found ${size}`);
}
