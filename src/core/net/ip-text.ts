// Text forms of addresses. Parsing follows Go's netip.ParseAddr (what Kubernetes' strict
// validation uses): no leading zeros in IPv4 octets, no zones, no surrounding whitespace.
import { ipv4, ipv6, isV4Mapped, type IP } from './ip.js';

const DOT = 46;
const COLON = 58;

/** Parses an IPv4 or IPv6 address strictly; undefined on anything else. */
export function parseIP(text: string): IP | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    return v6 === undefined ? undefined : ipv6(v6);
  }
  const v4 = parseIPv4Span(text, 0, text.length);
  return v4 < 0 ? undefined : ipv4(v4);
}

/**
 * Parses a dotted quad in text[from, to) to its 32-bit value, or -1.
 * Leading zeros are rejected: "010.1.1.1" is octal to libc but decimal to old Go, so
 * Go >= 1.17 and Kubernetes' strict validation refuse it (CVE-2021-29923).
 */
export function parseIPv4Span(text: string, from: number, to: number): number {
  let value = 0;
  let i = from;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= to || text.charCodeAt(i) !== DOT) return -1;
      i++;
    }
    const begin = i;
    let n = 0;
    while (i < to && i - begin < 4) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    const len = i - begin;
    if (len === 0 || n > 255 || (len > 1 && text.charCodeAt(begin) === 48)) return -1;
    value = value * 256 + n;
  }
  return i === to ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (with '::' and an optional trailing dotted quad) to its value. */
function parseIPv6(text: string): bigint | undefined {
  const groups = scanIPv6Groups(text);
  if (groups === undefined) return undefined;
  const { fields, ellipsis } = groups;
  if (ellipsis < 0 ? fields.length !== 8 : fields.length > 7) return undefined;
  let value = 0n;
  const zeros = 8 - fields.length;
  for (let i = 0; i < fields.length; i++) {
    if (i === ellipsis) value <<= BigInt(16 * zeros);
    value = (value << 16n) | BigInt(fields[i]!);
  }
  if (ellipsis === fields.length) value <<= BigInt(16 * zeros);
  return value;
}

/** Splits IPv6 text into 16-bit fields and the field index where '::' stands (-1 if none). */
function scanIPv6Groups(text: string): { fields: number[]; ellipsis: number } | undefined {
  const fields: number[] = [];
  const n = text.length;
  let ellipsis = -1;
  let i = 0;
  if (text.startsWith('::')) {
    ellipsis = 0;
    i = 2;
    if (i === n) return { fields, ellipsis };
  }
  for (;;) {
    const begin = i;
    let v = 0;
    while (i < n && i - begin < 5) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      v = v * 16 + d;
      i++;
    }
    if (i < n && text.charCodeAt(i) === DOT) {
      // An embedded IPv4 address may only fill the last 32 bits.
      const v4 = fields.length <= 6 ? parseIPv4Span(text, begin, n) : -1;
      if (v4 < 0) return undefined;
      fields.push(Math.floor(v4 / 65536), v4 % 65536);
      return { fields, ellipsis };
    }
    if (i === begin || i - begin > 4 || fields.length === 8) return undefined;
    fields.push(v);
    if (i === n) return { fields, ellipsis };
    if (text.charCodeAt(i) !== COLON || i + 1 === n) return undefined;
    i++;
    if (text.charCodeAt(i) === COLON) {
      if (ellipsis >= 0) return undefined;
      ellipsis = fields.length;
      i++;
      if (i === n) return { fields, ellipsis };
    }
  }
}

/** Formats an address canonically: dotted quad, or RFC 5952 IPv6. */
export function formatIP(ip: IP): string {
  return ip.version === 4 ? formatIPv4(ip.v4) : formatIPv6(ip.v6);
}

/** Formats a 32-bit value as a dotted quad. */
export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/**
 * RFC 5952: lowercase, no leading zeros, the longest run (first on a tie) of two or more
 * zero fields becomes '::'; IPv4-mapped addresses keep the dotted quad (section 5).
 */
export function formatIPv6(v: bigint): string {
  if (isV4Mapped({ version: 6, v6: v })) return `::ffff:${formatIPv4(Number(v & 0xffffffffn))}`;
  const fields: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) fields.push(Number((v >> shift) & 0xffffn));
  const [runStart, runLen] = longestZeroRun(fields);
  if (runLen < 2) return fields.map((f) => f.toString(16)).join(':');
  const head = fields.slice(0, runStart).map((f) => f.toString(16));
  const tail = fields.slice(runStart + runLen).map((f) => f.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

function longestZeroRun(fields: readonly number[]): [number, number] {
  let best: [number, number] = [-1, 0];
  let start = -1;
  for (let i = 0; i <= fields.length; i++) {
    if (i < fields.length && fields[i] === 0) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start > best[1]) best = [start, i - start];
      start = -1;
    }
  }
  return best;
}
