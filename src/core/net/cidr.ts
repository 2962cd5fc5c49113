// CIDR blocks: parsing, formatting, containment, and exact range-to-block conversion.
import { addressBits, compareIP, ipv4, ipv6, type IP, V6_MAX } from './ip.js';
import { formatIP, parseIP } from './ip-text.js';

/** A CIDR block; ip is the network address (host bits zero). */
export interface CIDR {
  readonly ip: IP;
  readonly prefix: number;
}

/** Result of parseCIDR: the block (host bits cleared) and whether the text had host bits set. */
export type CidrParse =
  { ok: true; cidr: CIDR; hostBitsSet: boolean } | { ok: false; message: string };

/** Number of addresses in an IPv6 block of each prefix length, index = prefix. */
const V6_SIZE: readonly bigint[] = Array.from({ length: 129 }, (_, p) => 1n << BigInt(128 - p));
/** IPv6 network masks, index = prefix. */
const V6_MASK: readonly bigint[] = V6_SIZE.map((size) => V6_MAX ^ (size - 1n));

/** IPv4 network mask as a signed 32-bit value (for & with an address). */
export function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : -1 << (32 - prefix);
}

/** IPv6 network mask. */
export function v6Mask(prefix: number): bigint {
  return V6_MASK[prefix]!;
}

/** The block of the given prefix length that contains ip (host bits cleared). */
export function cidrOf(ip: IP, prefix: number): CIDR {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > addressBits(ip.version)) {
    throw new RangeError(`prefix length ${prefix} out of range for IPv${ip.version}`);
  }
  const net =
    ip.version === 4 ? ipv4((ip.v4 & v4Mask(prefix)) >>> 0) : ipv6(ip.v6 & v6Mask(prefix));
  return { ip: net, prefix };
}

/** First and last address of a block. */
export function cidrRange(c: CIDR): { start: IP; end: IP } {
  if (c.ip.version === 4) {
    const start = (c.ip.v4 & v4Mask(c.prefix)) >>> 0;
    return { start: ipv4(start), end: ipv4(start + 2 ** (32 - c.prefix) - 1) };
  }
  const start = c.ip.v6 & v6Mask(c.prefix);
  return { start: ipv6(start), end: ipv6(start + V6_SIZE[c.prefix]! - 1n) };
}

/**
 * Parses "addr/len", or a bare address as /32 or /128 (Calico's ParseCIDROrIP does the same).
 * Host bits are cleared and reported, not rejected, because acceptance differs by field:
 * - Calico rule nets/notNets use the `net` validator: host bits set is an error;
 *   NetworkSet/GlobalNetworkSet nets use `cidr`: "10.1.2.3/8" is accepted as 10.0.0.0/8.
 * - Kubernetes ipBlock.cidr/except: with the StrictIPCIDRValidation gate (alpha and off in
 *   1.33; on by default from 1.36 per its release notes) it is an error ("must not have bits
 *   set beyond the prefix length"); with the gate off it is masked, with an "ambiguous" warning.
 * The prefix length must be plain decimal without leading zeros (Go's netip.ParsePrefix).
 */
export function parseCIDR(text: string): CidrParse {
  if (typeof text !== 'string') return { ok: false, message: `invalid CIDR: not a string` };
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIP(addrText);
  if (ip === undefined) {
    return { ok: false, message: `invalid CIDR ${JSON.stringify(text)}: bad address` };
  }
  const bits = addressBits(ip.version);
  const prefix = slash < 0 ? bits : parsePrefixLength(text.slice(slash + 1), bits);
  if (prefix < 0) {
    const why = `prefix length must be a decimal number from 0 to ${bits}`;
    return { ok: false, message: `invalid CIDR ${JSON.stringify(text)}: ${why}` };
  }
  const cidr = cidrOf(ip, prefix);
  return { ok: true, cidr, hostBitsSet: compareIP(cidr.ip, ip) !== 0 };
}

function parsePrefixLength(text: string, bits: number): number {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(text)) return -1;
  const n = Number(text);
  return n <= bits ? n : -1;
}

/** Formats a block as "addr/len" with the canonical address form. */
export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

/** True when ip lies in the block (families must match). */
export function cidrContains(c: CIDR, ip: IP): boolean {
  if (c.ip.version === 4) {
    return ip.version === 4 && ((ip.v4 ^ c.ip.v4) & v4Mask(c.prefix)) === 0;
  }
  return ip.version === 6 && ((ip.v6 ^ c.ip.v6) & v6Mask(c.prefix)) === 0n;
}

/** True when every address of inner lies in outer. */
export function cidrContainsCidr(outer: CIDR, inner: CIDR): boolean {
  return outer.prefix <= inner.prefix && cidrContains(outer, inner.ip);
}

/** True when two blocks share an address (blocks are nested or disjoint). */
export function cidrOverlaps(a: CIDR, b: CIDR): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/** Orders blocks by network address, then shorter prefix first. */
export function compareCIDR(a: CIDR, b: CIDR): number {
  return compareIP(a.ip, b.ip) || a.prefix - b.prefix;
}

/**
 * The minimal list of blocks covering exactly start..end (inclusive), sorted.
 * Throws RangeError when the families differ or start > end: callers validate ranges first.
 */
export function rangeToCIDRs(start: IP, end: IP): CIDR[] {
  if (start.version !== end.version || compareIP(start, end) > 0) {
    throw new RangeError(`not a range: ${formatIP(start)}-${formatIP(end)}`);
  }
  const out: CIDR[] = [];
  if (start.version === 4 && end.version === 4) v4RangeToCIDRs(start.v4, end.v4, out);
  else if (start.version === 6 && end.version === 6) v6RangeToCIDRs(start.v6, end.v6, out);
  return out;
}

/** Appends the minimal cover of [start, end] (IPv4 values) to out. */
export function v4RangeToCIDRs(start: number, end: number, out: CIDR[]): void {
  let cur = start;
  while (cur <= end) {
    // Largest block aligned at cur: the prefix that leaves cur's trailing zero bits as host bits.
    let prefix = cur === 0 ? 0 : Math.clz32(cur & -cur) + 1;
    while (cur + 2 ** (32 - prefix) - 1 > end) prefix++;
    out.push({ ip: ipv4(cur), prefix });
    cur += 2 ** (32 - prefix);
  }
}

/** Appends the minimal cover of [start, end] (IPv6 values) to out. */
export function v6RangeToCIDRs(start: bigint, end: bigint, out: CIDR[]): void {
  let cur = start;
  while (cur <= end) {
    let prefix = cur === 0n ? 0 : 129 - (cur & -cur).toString(2).length;
    while (cur + V6_SIZE[prefix]! - 1n > end) prefix++;
    out.push({ ip: ipv6(cur), prefix });
    cur += V6_SIZE[prefix]!;
  }
}
