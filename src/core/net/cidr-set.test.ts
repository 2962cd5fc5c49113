import { describe, expect, it } from 'vitest';
import { formatCIDR, parseCIDR, type CIDR } from './cidr.js';
import { aggregateCIDRs, CidrSet } from './cidr-set.js';
import { ipv4, ipv6 } from './ip.js';
import { formatIP, parseIP } from './ip-text.js';

/** Splits a long expected list written as space-separated words. */
const words = (text: string): string[] => text.split(' ');

const cidr = (text: string): CIDR => {
  const r = parseCIDR(text);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
};
const set = (...texts: string[]) => CidrSet.of(texts.map(cidr));
const show = (s: CidrSet) => s.toCIDRs().map(formatCIDR);
const ip = (t: string) => parseIP(t)!;

describe('CidrSet basics', () => {
  it('empty and all', () => {
    expect(CidrSet.empty().isEmpty()).toBe(true);
    expect(CidrSet.of([]).isEmpty()).toBe(true);
    expect(show(CidrSet.all())).toEqual(['0.0.0.0/0', '::/0']);
    expect(CidrSet.all().contains(ip('255.255.255.255'))).toBe(true);
    expect(CidrSet.all().contains(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(true);
    expect(CidrSet.all().equals(set('0.0.0.0/0', '::/0'))).toBe(true);
  });

  it.each<[string[], string, boolean]>([
    [['10.0.0.0/8'], '10.0.0.0', true],
    [['10.0.0.0/8'], '10.255.255.255', true],
    [['10.0.0.0/8'], '11.0.0.0', false],
    [['10.0.0.0/8'], '9.255.255.255', false],
    [['10.0.0.0/8', '192.168.0.0/16'], '192.168.3.4', true],
    [['10.0.0.0/8', '192.168.0.0/16'], '172.16.0.1', false],
    [['0.0.0.0/0'], '255.255.255.255', true],
    [['0.0.0.0/0'], '::1', false],
    [['128.0.0.0/1'], '255.255.255.255', true],
    [['128.0.0.0/1'], '0.0.0.0', false],
    [['255.255.255.255/32'], '255.255.255.255', true],
    [['::/0'], '10.0.0.1', false],
    [['fd00::/8', '10.0.0.0/8'], 'fd12::1', true],
    [['fd00::/8', '10.0.0.0/8'], 'fe80::1', false],
    [['::ffff:0.0.0.0/96'], '10.0.0.1', false],
    [[], '10.0.0.1', false],
  ])('%j contains %s: %s', (cidrs, addr, want) => {
    expect(set(...cidrs).contains(ip(addr))).toBe(want);
  });

  it('containsV4/containsV6 take raw values', () => {
    const s = set('10.0.0.0/8', '2001:db8::/32');
    expect(s.containsV4(0x0a000001)).toBe(true);
    expect(s.containsV4(0x0b000001)).toBe(false);
    expect(s.containsV6(0x20010db8n << 96n)).toBe(true);
  });

  it('containsCidr', () => {
    const s = set('10.0.0.0/9', '10.128.0.0/9', 'fd00::/8');
    expect(s.containsCidr(cidr('10.0.0.0/8'))).toBe(true); // spans both halves after merge
    expect(s.containsCidr(cidr('10.0.0.0/7'))).toBe(false);
    expect(s.containsCidr(cidr('fd00:1::/32'))).toBe(true);
    expect(s.containsCidr(cidr('fe00::/8'))).toBe(false);
  });

  it('merges adjacent and overlapping blocks and drops duplicates', () => {
    expect(show(set('10.0.0.0/25', '10.0.0.128/25'))).toEqual(['10.0.0.0/24']);
    expect(show(set('10.0.0.0/8', '10.1.0.0/16', '10.0.0.0/8'))).toEqual(['10.0.0.0/8']);
    expect(show(set('10.0.0.1/32', '10.0.0.2/32'))).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
    expect(show(set('0.0.0.0/1', '128.0.0.0/1'))).toEqual(['0.0.0.0/0']);
    expect(show(set('::/1', '8000::/1'))).toEqual(['::/0']);
  });

  it('sorts IPv4 before IPv6', () => {
    expect(show(set('fd00::/8', '192.168.0.0/16', '::1/128', '10.0.0.0/8'))).toEqual([
      '10.0.0.0/8',
      '192.168.0.0/16',
      '::1/128',
      'fd00::/8',
    ]);
  });

  it('toRanges', () => {
    const ranges = set('10.0.0.0/24', '10.0.1.0/24', '10.0.3.0/24', 'fd00::/127').toRanges();
    expect(ranges.map((r) => `${formatIP(r.start)}-${formatIP(r.end)}`)).toEqual([
      '10.0.0.0-10.0.1.255',
      '10.0.3.0-10.0.3.255',
      'fd00::-fd00::1',
    ]);
  });

  it('fromRanges validates its input', () => {
    expect(show(CidrSet.fromRanges([{ start: ipv4(1), end: ipv4(6) }]))).toEqual([
      '0.0.0.1/32',
      '0.0.0.2/31',
      '0.0.0.4/31',
      '0.0.0.6/32',
    ]);
    expect(() => CidrSet.fromRanges([{ start: ipv4(2), end: ipv4(1) }])).toThrow(RangeError);
    expect(() => CidrSet.fromRanges([{ start: ipv4(1), end: ipv6(2n) }])).toThrow(RangeError);
  });
});

describe('CidrSet algebra', () => {
  it.each<[string, string[], string[], string[]]>([
    ['union', ['10.0.0.0/24'], ['10.0.1.0/24'], ['10.0.0.0/23']],
    ['union', ['10.0.0.0/8'], ['fd00::/8'], ['10.0.0.0/8', 'fd00::/8']],
    ['union', [], ['::/0'], ['::/0']],
    ['intersect', ['10.0.0.0/8'], ['10.1.0.0/16', '11.0.0.0/8'], ['10.1.0.0/16']],
    ['intersect', ['10.0.0.0/8'], ['fd00::/8'], []],
    ['intersect', ['0.0.0.0/0', '::/0'], ['10.0.0.0/8', 'fd00::/8'], ['10.0.0.0/8', 'fd00::/8']],
    ['subtract', ['10.0.0.0/8'], ['10.0.0.0/9'], ['10.128.0.0/9']],
    [
      'subtract',
      ['10.0.0.0/24'],
      ['10.0.0.7/32'],
      [
        '10.0.0.0/30',
        '10.0.0.4/31',
        '10.0.0.6/32',
        '10.0.0.8/29',
        '10.0.0.16/28',
        '10.0.0.32/27',
        '10.0.0.64/26',
        '10.0.0.128/25',
      ],
    ],
    ['subtract', ['0.0.0.0/0'], ['0.0.0.0/1'], ['128.0.0.0/1']],
    [
      'subtract',
      ['0.0.0.0/0'],
      ['255.255.255.255/32', '0.0.0.0/32'],
      words(
        '0.0.0.1/32 0.0.0.2/31 0.0.0.4/30 0.0.0.8/29 0.0.0.16/28 0.0.0.32/27 0.0.0.64/26 0.0.0.128/25 0.0.1.0/24 0.0.2.0/23 0.0.4.0/22 0.0.8.0/21 0.0.16.0/20 0.0.32.0/19 0.0.64.0/18 0.0.128.0/17 0.1.0.0/16 0.2.0.0/15 0.4.0.0/14 0.8.0.0/13 0.16.0.0/12 0.32.0.0/11 0.64.0.0/10 0.128.0.0/9 1.0.0.0/8 2.0.0.0/7 4.0.0.0/6 8.0.0.0/5 16.0.0.0/4 32.0.0.0/3 64.0.0.0/2 128.0.0.0/2 192.0.0.0/3 224.0.0.0/4 240.0.0.0/5 248.0.0.0/6 252.0.0.0/7 254.0.0.0/8 255.0.0.0/9 255.128.0.0/10 255.192.0.0/11 255.224.0.0/12 255.240.0.0/13 255.248.0.0/14 255.252.0.0/15 255.254.0.0/16 255.255.0.0/17 255.255.128.0/18 255.255.192.0/19 255.255.224.0/20 255.255.240.0/21 255.255.248.0/22 255.255.252.0/23 255.255.254.0/24 255.255.255.0/25 255.255.255.128/26 255.255.255.192/27 255.255.255.224/28 255.255.255.240/29 255.255.255.248/30 255.255.255.252/31 255.255.255.254/32',
      ),
    ],
    ['subtract', ['::/0'], ['::/1'], ['8000::/1']],
    ['subtract', ['10.0.0.0/8'], ['0.0.0.0/0'], []],
    ['subtract', ['10.0.0.0/8', 'fd00::/8'], ['0.0.0.0/0'], ['fd00::/8']],
  ])('%s %j %j', (op, a, b, want) => {
    const x = set(...a);
    const y = set(...b);
    const got = op === 'union' ? x.union(y) : op === 'intersect' ? x.intersect(y) : x.subtract(y);
    expect(show(got)).toEqual(want);
  });

  it('kubernetes ipBlock: cidr minus except', () => {
    const allowed = set('172.17.0.0/16').subtract(set('172.17.1.0/24'));
    expect(allowed.contains(ip('172.17.0.9'))).toBe(true);
    expect(allowed.contains(ip('172.17.1.9'))).toBe(false);
    expect(show(allowed)).toEqual([
      '172.17.0.0/24',
      '172.17.2.0/23',
      '172.17.4.0/22',
      '172.17.8.0/21',
      '172.17.16.0/20',
      '172.17.32.0/19',
      '172.17.64.0/18',
      '172.17.128.0/17',
    ]);
  });

  it('equals and overlaps', () => {
    expect(set('10.0.0.0/25', '10.0.0.128/25').equals(set('10.0.0.0/24'))).toBe(true);
    expect(set('10.0.0.0/24').equals(set('10.0.0.0/23'))).toBe(false);
    expect(set('10.0.0.0/24').equals(set('10.0.0.0/24', '::/128'))).toBe(false);
    expect(set('10.0.0.0/8').overlaps(set('10.9.0.0/16'))).toBe(true);
    expect(set('10.0.0.0/8').overlaps(set('::ffff:10.0.0.0/104'))).toBe(false);
  });

  it('is immutable', () => {
    const a = set('10.0.0.0/8');
    a.union(set('11.0.0.0/8'));
    a.subtract(set('10.0.0.0/8'));
    expect(show(a)).toEqual(['10.0.0.0/8']);
  });
});

describe('aggregateCIDRs', () => {
  it.each<[string[], string[]]>([
    [[], []],
    [['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'], ['10.0.0.0/22']],
    [
      ['10.0.1.0/24', '10.0.2.0/24'],
      ['10.0.1.0/24', '10.0.2.0/24'],
    ], // not buddies: no supernet
    [['10.0.0.0/8', '10.20.0.0/16', '10.0.0.0/8'], ['10.0.0.0/8']],
    [['192.168.1.1/32', '192.168.1.0/32', '192.168.1.2/31'], ['192.168.1.0/30']],
    [
      ['2001:db8::/33', '2001:db8:8000::/33', '10.0.0.0/8'],
      ['10.0.0.0/8', '2001:db8::/32'],
    ],
  ])('%j', (input, want) => {
    expect(aggregateCIDRs(input.map(cidr)).map(formatCIDR)).toEqual(want);
  });
});
