// Address values as exact CIDR lists: ranges, wildcards (exact when the count allows), literals.
import { describe, expect, it } from 'vitest';
import { formatCIDR } from '../net/index.js';
import {
  MAX_WILDCARD_CIDRS,
  parseLiteral,
  parseNetmask,
  parseRange,
  parseWildcard,
} from './addresses.js';

const cidrs = (r: ReturnType<typeof parseRange>): string[] => {
  if (!r.ok) throw new Error(r.message);
  return r.cidrs.map(formatCIDR);
};

describe('addresses', () => {
  it('ip-netmask: address or CIDR, host bits cleared', () => {
    expect(cidrs(parseNetmask('10.1.2.3'))).toEqual(['10.1.2.3/32']);
    expect(cidrs(parseNetmask('10.1.2.3/16'))).toEqual(['10.1.0.0/16']);
    expect(cidrs(parseNetmask('2001:db8::/32'))).toEqual(['2001:db8::/32']);
    expect(parseNetmask('10.1.2.300').ok).toBe(false);
  });

  it.each([
    ['10.0.0.0-10.255.255.255', ['10.0.0.0/8']],
    ['10.0.0.1-10.0.0.6', ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']],
    ['192.168.1.10-192.168.1.10', ['192.168.1.10/32']],
    ['2001:db8::-2001:db8::ff', ['2001:db8::/120']],
  ])('ip-range %s is exactly %j', (text, expected) => {
    expect(cidrs(parseRange(text))).toEqual(expected);
  });

  it('ip-range refuses reversed and mixed ranges', () => {
    expect(parseRange('10.0.0.9-10.0.0.1').ok).toBe(false);
    expect(parseRange('10.0.0.1-2001:db8::1').ok).toBe(false);
  });

  it.each([
    // contiguous wildcard: one CIDR
    ['10.1.0.0/0.0.255.255', ['10.1.0.0/16']],
    ['10.1.2.3/0.0.0.0', ['10.1.2.3/32']],
    // address bits under the wildcard do not matter
    ['10.1.7.9/0.0.0.255', ['10.1.7.0/24']],
    // non-contiguous: every combination of the free bits
    ['10.0.0.1/0.0.3.0', ['10.0.0.1/32', '10.0.1.1/32', '10.0.2.1/32', '10.0.3.1/32']],
    ['10.0.0.0/0.0.1.255', ['10.0.0.0/23']],
    ['10.0.0.0/0.1.0.255', ['10.0.0.0/24', '10.1.0.0/24']],
  ])('ip-wildcard %s is exactly %j', (text, expected) => {
    expect(cidrs(parseWildcard(text))).toEqual(expected);
  });

  it('ip-wildcard refuses what would expand beyond the limit, and bad input', () => {
    const r = parseWildcard('10.0.0.0/255.0.255.0');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`more than ${MAX_WILDCARD_CIDRS}`);
    expect(parseWildcard('10.0.0.0').ok).toBe(false);
    expect(parseWildcard('2001:db8::/::ff').ok).toBe(false);
  });

  it('literals: addresses, CIDRs and ranges; names are not literals', () => {
    expect(parseLiteral('10.0.0.0-10.0.0.3')?.map(formatCIDR)).toEqual(['10.0.0.0/30']);
    expect(parseLiteral('192.0.2.0/24')?.map(formatCIDR)).toEqual(['192.0.2.0/24']);
    expect(parseLiteral('web-servers')).toBeUndefined();
    expect(parseLiteral('dead')).toBeUndefined();
  });
});
