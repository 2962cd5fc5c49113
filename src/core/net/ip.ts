// IP addresses: IPv4 as an unsigned 32-bit number (fast path), IPv6 as a 128-bit bigint (exact).

/** Address family. */
export type IPVersion = 4 | 6;

/** An IPv4 address (0..2^32-1) or an IPv6 address (0..2^128-1). */
export type IP =
  { readonly version: 4; readonly v4: number } | { readonly version: 6; readonly v6: bigint };

/** An IPv4 address value. */
export type IPv4 = Extract<IP, { version: 4 }>;
/** An IPv6 address value. */
export type IPv6 = Extract<IP, { version: 6 }>;

export const V4_MAX = 0xffffffff;
export const V6_MAX = (1n << 128n) - 1n;
const V4_MAPPED_PREFIX = 0xffffn << 32n;

/** Builds an IPv4 address from its unsigned 32-bit value. */
export function ipv4(value: number): IPv4 {
  if (!Number.isInteger(value) || value < 0 || value > V4_MAX) {
    throw new RangeError(`IPv4 value out of range: ${value}`);
  }
  return { version: 4, v4: value };
}

/** Builds an IPv6 address from its unsigned 128-bit value. */
export function ipv6(value: bigint): IPv6 {
  if (value < 0n || value > V6_MAX) throw new RangeError(`IPv6 value out of range: ${value}`);
  return { version: 6, v6: value };
}

/** Number of address bits of a family: 32 or 128. */
export function addressBits(version: IPVersion): 32 | 128 {
  return version === 4 ? 32 : 128;
}

/** Orders addresses: every IPv4 before every IPv6, then numerically. */
export function compareIP(a: IP, b: IP): number {
  if (a.version === 4) {
    return b.version === 4 ? a.v4 - b.v4 : -1;
  }
  if (b.version === 4) return 1;
  return a.v6 < b.v6 ? -1 : a.v6 > b.v6 ? 1 : 0;
}

/** True when both are the same address (same family, same value). */
export function ipEquals(a: IP, b: IP): boolean {
  if (a.version === 4) return b.version === 4 && a.v4 === b.v4;
  return b.version === 6 && a.v6 === b.v6;
}

/** True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(ip: IP): boolean {
  return ip.version === 6 && ip.v6 >> 32n === 0xffffn;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address, else the address unchanged.
 * parseIP keeps "::ffff:1.2.3.4" as IPv6 (as Go's netip does); Go's net.ParseIP, and so
 * Calico, treats it as IPv4, while Kubernetes' strict validation rejects it: callers decide.
 */
export function unmapV4(ip: IP): IP {
  return isV4Mapped(ip) && ip.version === 6 ? ipv4(Number(ip.v6 & 0xffffffffn)) : ip;
}

/** The IPv4-mapped IPv6 form (::ffff:a.b.c.d) of an IPv4 address. */
export function mapV4(ip: IPv4): IPv6 {
  return ipv6(V4_MAPPED_PREFIX | BigInt(ip.v4));
}
