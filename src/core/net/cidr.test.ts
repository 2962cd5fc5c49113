import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrContainsCidr,
  cidrOf,
  cidrOverlaps,
  cidrRange,
  formatCIDR,
  parseCIDR,
  rangeToCIDRs,
  type CIDR,
} from './cidr.js';
import { ipv4, ipv6 } from './ip.js';
import { formatIP, parseIP } from './ip-text.js';

/** Splits a long expected list written as space-separated words. */
const words = (text: string): string[] => text.split(' ');

const cidr = (text: string): CIDR => {
  const r = parseCIDR(text);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
};
const ip = (text: string) => parseIP(text)!;
const texts = (cs: readonly CIDR[]) => cs.map(formatCIDR);

describe('parseCIDR accepts', () => {
  it.each<[string, string, boolean]>([
    ['0.0.0.0/0', '0.0.0.0/0', false],
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.2.3/32', '10.1.2.3/32', false],
    ['255.255.255.255/32', '255.255.255.255/32', false],
    ['10.1.2.3', '10.1.2.3/32', false], // bare address: Calico ParseCIDROrIP
    ['10.1.2.3/8', '10.0.0.0/8', true],
    ['255.255.255.255/1', '128.0.0.0/1', true],
    ['1.2.3.4/0', '0.0.0.0/0', true],
    ['::/0', '::/0', false],
    ['fd00::/8', 'fd00::/8', false],
    ['FD00::/8', 'fd00::/8', false],
    ['fd00::1/8', 'fd00::/8', true],
    ['2001:db8::1/128', '2001:db8::1/128', false],
    ['2001:db8::1', '2001:db8::1/128', false],
    ['::ffff:10.0.0.0/104', '::ffff:10.0.0.0/104', false],
    ['::ffff:10.1.2.3/104', '::ffff:10.0.0.0/104', true],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/1', '8000::/1', true],
  ])('%s -> %s (host bits %s)', (text, want, hostBits) => {
    const r = parseCIDR(text);
    expect(r).toMatchObject({ ok: true, hostBitsSet: hostBits });
    if (r.ok) expect(formatCIDR(r.cidr)).toBe(want);
  });
});

describe('parseCIDR rejects, quoting the value', () => {
  it.each([
    ['', 'bad address'],
    ['/8', 'bad address'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'], // netip.ParsePrefix: no leading zeros
    ['10.0.0.0/+8', 'prefix length'],
    ['10.0.0.0/8 ', 'prefix length'],
    [' 10.0.0.0/8', 'bad address'],
    ['10.0.0.0 /8', 'bad address'],
    ['10.0.0.0/8/8', 'prefix length'],
    ['10.0.0.0/255.0.0.0', 'prefix length'], // netmask notation is not a prefix length
    ['010.0.0.0/8', 'bad address'],
    ['256.0.0.0/8', 'bad address'],
    ['10.0.0/8', 'bad address'],
    ['::/129', 'prefix length'],
    ['::/1000', 'prefix length'],
    ['fe80::/10%eth0', 'prefix length'],
    ['fe80::%eth0/10', 'bad address'],
    ['x', 'bad address'],
  ])('%j (%s)', (text, why) => {
    const r = parseCIDR(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(JSON.stringify(text));
      expect(r.message).toContain(why);
    }
  });
});

describe('containment', () => {
  it.each<[string, string, boolean]>([
    ['0.0.0.0/0', '0.0.0.0', true],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['0.0.0.0/0', '::', false],
    ['::/0', '10.0.0.1', false],
    ['::/0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['128.0.0.0/1', '255.0.0.1', true],
    ['128.0.0.0/1', '127.255.255.255', false],
    ['10.1.2.3/32', '10.1.2.3', true],
    ['10.1.2.3/32', '10.1.2.4', false],
    ['fd00::/8', 'fdff:ffff::1', true],
    ['fd00::/8', 'fe00::', false],
    ['2001:db8::1/128', '2001:db8::1', true],
    ['2001:db8::1/128', '2001:db8::2', false],
    ['::ffff:0.0.0.0/96', '::ffff:10.0.0.1', true],
    ['::ffff:0.0.0.0/96', '10.0.0.1', false], // families never mix
  ])('%s contains %s: %s', (c, a, want) => {
    expect(cidrContains(cidr(c), ip(a))).toBe(want);
  });

  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.1.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/16', false],
    ['0.0.0.0/0', '255.255.255.255/32', true],
    ['0.0.0.0/0', '::/0', false],
    ['::/0', '2001:db8::/32', true],
    ['2001:db8::/32', '2001:db9::/32', false],
  ])('%s contains block %s: %s', (outer, inner, want) => {
    expect(cidrContainsCidr(cidr(outer), cidr(inner))).toBe(want);
  });

  it('overlaps is symmetric nesting', () => {
    expect(cidrOverlaps(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true);
    expect(cidrOverlaps(cidr('10.0.0.0/8'), cidr('11.0.0.0/8'))).toBe(false);
  });

  it('cidrRange gives the first and last address', () => {
    const r = (t: string) => {
      const { start, end } = cidrRange(cidr(t));
      return `${formatIP(start)}-${formatIP(end)}`;
    };
    expect(r('0.0.0.0/0')).toBe('0.0.0.0-255.255.255.255');
    expect(r('10.0.0.0/8')).toBe('10.0.0.0-10.255.255.255');
    expect(r('192.168.1.7/32')).toBe('192.168.1.7-192.168.1.7');
    expect(r('::/0')).toBe('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(r('fd00::/8')).toBe('fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('cidrOf masks and validates the prefix', () => {
    expect(formatCIDR(cidrOf(ip('10.9.8.7'), 16))).toBe('10.9.0.0/16');
    expect(formatCIDR(cidrOf(ip('2001:db8::ff'), 64))).toBe('2001:db8::/64');
    expect(() => cidrOf(ip('10.0.0.0'), 33)).toThrow(RangeError);
    expect(() => cidrOf(ip('::'), -1)).toThrow(RangeError);
  });
});

describe('rangeToCIDRs', () => {
  it.each<[string, string, string[]]>([
    ['10.0.0.0', '10.0.0.0', ['10.0.0.0/32']],
    ['10.0.0.0', '10.0.0.255', ['10.0.0.0/24']],
    ['10.0.0.1', '10.0.0.6', ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']],
    [
      '192.168.1.10',
      '192.168.1.20',
      ['192.168.1.10/31', '192.168.1.12/30', '192.168.1.16/30', '192.168.1.20/32'],
    ],
    ['0.0.0.0', '255.255.255.255', ['0.0.0.0/0']],
    [
      '0.0.0.1',
      '255.255.255.255',
      words(
        '0.0.0.1/32 0.0.0.2/31 0.0.0.4/30 0.0.0.8/29 0.0.0.16/28 0.0.0.32/27 0.0.0.64/26 0.0.0.128/25 0.0.1.0/24 0.0.2.0/23 0.0.4.0/22 0.0.8.0/21 0.0.16.0/20 0.0.32.0/19 0.0.64.0/18 0.0.128.0/17 0.1.0.0/16 0.2.0.0/15 0.4.0.0/14 0.8.0.0/13 0.16.0.0/12 0.32.0.0/11 0.64.0.0/10 0.128.0.0/9 1.0.0.0/8 2.0.0.0/7 4.0.0.0/6 8.0.0.0/5 16.0.0.0/4 32.0.0.0/3 64.0.0.0/2 128.0.0.0/1',
      ),
    ],
    [
      '128.0.0.0',
      '255.255.255.254',
      words(
        '128.0.0.0/2 192.0.0.0/3 224.0.0.0/4 240.0.0.0/5 248.0.0.0/6 252.0.0.0/7 254.0.0.0/8 255.0.0.0/9 255.128.0.0/10 255.192.0.0/11 255.224.0.0/12 255.240.0.0/13 255.248.0.0/14 255.252.0.0/15 255.254.0.0/16 255.255.0.0/17 255.255.128.0/18 255.255.192.0/19 255.255.224.0/20 255.255.240.0/21 255.255.248.0/22 255.255.252.0/23 255.255.254.0/24 255.255.255.0/25 255.255.255.128/26 255.255.255.192/27 255.255.255.224/28 255.255.255.240/29 255.255.255.248/30 255.255.255.252/31 255.255.255.254/32',
      ),
    ],
    ['255.255.255.255', '255.255.255.255', ['255.255.255.255/32']],
    ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['::/0']],
    ['2001:db8::', '2001:db8::ff', ['2001:db8::/120']],
    ['2001:db8::1', '2001:db8::2', ['2001:db8::1/128', '2001:db8::2/128']],
    [
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127'],
    ],
  ])('%s-%s', (start, end, want) => {
    expect(texts(rangeToCIDRs(ip(start), ip(end)))).toEqual(want);
  });

  it('throws on inverted or mixed ranges', () => {
    expect(() => rangeToCIDRs(ip('10.0.0.2'), ip('10.0.0.1'))).toThrow(RangeError);
    expect(() => rangeToCIDRs(ip('10.0.0.1'), ip('::1'))).toThrow(RangeError);
  });

  /** Checks blocks tile [start, end] exactly and each is the largest that fits there. */
  function checkCover(start: bigint, end: bigint, bits: number, blocks: readonly CIDR[]) {
    let next = start;
    for (const b of blocks) {
      const value = b.ip.version === 4 ? BigInt(b.ip.v4) : b.ip.v6;
      const size = 1n << BigInt(bits - b.prefix);
      expect(value).toBe(next);
      expect(value % size).toBe(0n); // aligned
      // Maximal: the parent block is misaligned here or sticks out of the range.
      const parent = size * 2n;
      const fitsParent = b.prefix > 0 && value % parent === 0n && value + parent - 1n <= end;
      expect(fitsParent).toBe(false);
      next = value + size;
    }
    expect(next).toBe(end + 1n);
  }

  it('covers random IPv4 ranges exactly and minimally', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(u32, u32, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        checkCover(BigInt(lo), BigInt(hi), 32, rangeToCIDRs(ipv4(lo), ipv4(hi)));
      }),
    );
  });

  it('covers random IPv6 ranges exactly and minimally', () => {
    const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
    fc.assert(
      fc.property(u128, u128, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        checkCover(lo, hi, 128, rangeToCIDRs(ipv6(lo), ipv6(hi)));
      }),
    );
  });
});
