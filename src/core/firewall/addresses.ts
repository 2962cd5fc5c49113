// PAN-OS address values as exact CIDR lists: ip-netmask, ip-range, ip-wildcard, and the
// literals a rule may name directly.
import { ipv4, parseCIDR, parseIPRange, parseIP, rangeToCIDRs } from '../net/index.js';
import type { CIDR } from '../net/index.js';

export type AddressParse = { ok: true; cidrs: CIDR[] } | { ok: false; message: string };

/** Most CIDRs one wildcard object may expand to before it is reported instead. */
export const MAX_WILDCARD_CIDRS = 1024;

/** `ip-netmask`: an address or CIDR (host bits are cleared, as PAN-OS matches the network). */
export function parseNetmask(text: string): AddressParse {
  const c = parseCIDR(text.trim());
  return c.ok ? { ok: true, cidrs: [c.cidr] } : { ok: false, message: c.message };
}

/** `ip-range`: "start-end", as the exact blocks that cover it. */
export function parseRange(text: string): AddressParse {
  const r = parseIPRange(text.trim());
  return r.ok ? { ok: true, cidrs: rangeToCIDRs(r.start, r.end) } : r;
}

/**
 * `ip-wildcard`: "address/wildcard-mask" (IPv4; a set mask bit means "any value"). Exact as
 * CIDRs: the mask's trailing run of ones is the host part, every other one bit doubles the
 * count. Refused when that count exceeds MAX_WILDCARD_CIDRS.
 */
export function parseWildcard(text: string): AddressParse {
  const [addrText = '', maskText = ''] = text.trim().split('/');
  const addr = parseIP(addrText);
  const mask = parseIP(maskText);
  if (!addr || !mask || addr.version !== 4 || mask.version !== 4) {
    return { ok: false, message: `${JSON.stringify(text)} is not an IPv4 address/wildcard-mask` };
  }
  const m = mask.v4 >>> 0;
  let host = 0;
  while (host < 32 && ((m >>> host) & 1) === 1) host++;
  const free: number[] = [];
  for (let b = host; b < 32; b++) if (((m >>> b) & 1) === 1) free.push(b);
  if (2 ** free.length > MAX_WILDCARD_CIDRS) {
    return {
      ok: false,
      message: `wildcard ${JSON.stringify(text)} expands to ${2 ** free.length} CIDRs (more than ${MAX_WILDCARD_CIDRS})`,
    };
  }
  const base = (addr.v4 & ~m) >>> 0;
  const out: CIDR[] = [];
  for (let i = 0; i < 2 ** free.length; i++) {
    let a = base;
    free.forEach((bit, j) => {
      if ((i >>> j) & 1) a = (a | (1 << bit)) >>> 0;
    });
    out.push({ ip: ipv4(a >>> 0), prefix: 32 - host });
  }
  return { ok: true, cidrs: out };
}

/** A literal a rule names instead of an object: address, CIDR or range; undefined if not one. */
export function parseLiteral(text: string): CIDR[] | undefined {
  if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(text)) {
    const r = parseNetmask(text);
    if (r.ok) return r.cidrs;
  }
  if (/^[0-9a-fA-F:.]+-[0-9a-fA-F:.]+$/.test(text)) {
    const r = parseRange(text);
    if (r.ok) return r.cidrs;
  }
  return undefined;
}
