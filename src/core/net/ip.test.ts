import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIP, ipEquals, ipv4, ipv6, isV4Mapped, mapV4, unmapV4, type IP } from './ip.js';
import { formatIP, parseIP } from './ip-text.js';

const v4 = (a: number, b: number, c: number, d: number): IP =>
  ipv4(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);

describe('parseIP accepts', () => {
  it.each<[string, IP]>([
    ['0.0.0.0', ipv4(0)],
    ['255.255.255.255', ipv4(0xffffffff)],
    ['10.1.2.3', v4(10, 1, 2, 3)],
    ['192.168.0.1', v4(192, 168, 0, 1)],
    ['1.0.0.0', v4(1, 0, 0, 0)],
    ['::', ipv6(0n)],
    ['::1', ipv6(1n)],
    ['1::', ipv6(1n << 112n)],
    ['fd00::', ipv6(0xfd00n << 112n)],
    ['FD00::ABCD', ipv6((0xfd00n << 112n) | 0xabcdn)],
    ['2001:db8::1', ipv6((0x20010db8n << 96n) | 1n)],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', ipv6((0x20010db8n << 96n) | 1n)],
    ['1:2:3:4:5:6:7:8', ipv6(0x00010002000300040005000600070008n)],
    ['1:2:3:4:5:6:7::', ipv6(0x00010002000300040005000600070000n)],
    ['::2:3:4:5:6:7:8', ipv6(0x00000002000300040005000600070008n)],
    ['1::8', ipv6(0x00010000000000000000000000000008n)],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ipv6((1n << 128n) - 1n)],
    ['::ffff:1.2.3.4', ipv6(0xffff01020304n)],
    ['::FFFF:1.2.3.4', ipv6(0xffff01020304n)],
    ['::1.2.3.4', ipv6(0x01020304n)],
    ['64:ff9b::192.0.2.33', ipv6((0x0064ff9bn << 96n) | 0xc0000221n)],
    ['1:2:3:4:5:6:1.2.3.4', ipv6(0x00010002000300040005000601020304n)],
  ])('%s', (text, want) => {
    expect(parseIP(text)).toEqual(want);
  });
});

describe('parseIP rejects', () => {
  it.each([
    '',
    ' 10.0.0.1',
    '10.0.0.1 ',
    '10.0.0.1\n',
    '010.1.1.1', // leading zero: octal to libc, rejected by Go >= 1.17 and Kubernetes
    '10.01.1.1',
    '10.1.1.00',
    '256.0.0.1',
    '1.2.3.999',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '1.2.3.',
    '.1.2.3',
    '1.2.3.-4',
    '+1.2.3.4',
    '1.2.3.4/32',
    '0x0a.0.0.1',
    '１.2.3.4', // fullwidth digit
    'localhost',
    ':',
    ':::',
    '1:::2',
    ':1::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7::8',
    '1:',
    ':1',
    '1::2:',
    '12345::',
    '00000::1',
    'g::1',
    'fe80::1%eth0', // zone ids are not addresses
    '[::1]',
    '::ffff:01.2.3.4',
    '::ffff:1.2.3',
    '::ffff:1.2.3.4:1',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3.4.5',
    ' ::1',
  ])('%j', (text) => {
    expect(parseIP(text)).toBeUndefined();
  });

  it('non-strings', () => {
    expect(parseIP(undefined as unknown as string)).toBeUndefined();
    expect(parseIP(167772161 as unknown as string)).toBeUndefined();
  });
});

describe('formatIP', () => {
  it.each([
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero field stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // longest run wins
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:abcd', 'fe80::abcd'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:0102:0304', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('%s -> %s', (text, want) => {
    expect(formatIP(parseIP(text)!)).toBe(want);
  });
});

describe('compareIP and equality', () => {
  it('puts IPv4 before IPv6, then orders numerically', () => {
    const ips = [
      '::',
      '10.0.0.2',
      '255.255.255.255',
      '10.0.0.1',
      '::ffff:0.0.0.0',
      '0.0.0.0',
      '::1',
    ];
    const sorted = ips
      .map((t) => parseIP(t)!)
      .sort(compareIP)
      .map(formatIP);
    expect(sorted).toEqual([
      '0.0.0.0',
      '10.0.0.1',
      '10.0.0.2',
      '255.255.255.255',
      '::',
      '::1',
      '::ffff:0.0.0.0',
    ]);
  });

  it('compares high IPv4 values without sign trouble', () => {
    expect(compareIP(ipv4(0x80000000), ipv4(0x7fffffff))).toBeGreaterThan(0);
    expect(compareIP(ipv4(0xffffffff), ipv4(0))).toBeGreaterThan(0);
  });

  it('keeps IPv4 and mapped IPv6 distinct, with explicit conversion', () => {
    const mapped = parseIP('::ffff:10.0.0.1')!;
    const plain = parseIP('10.0.0.1')!;
    expect(ipEquals(mapped, plain)).toBe(false);
    expect(isV4Mapped(mapped)).toBe(true);
    expect(isV4Mapped(plain)).toBe(false);
    expect(unmapV4(mapped)).toEqual(plain);
    expect(unmapV4(plain)).toBe(plain);
    expect(mapV4(ipv4(0x0a000001))).toEqual(mapped);
  });

  it('rejects out-of-range constructor values', () => {
    expect(() => ipv4(-1)).toThrow(RangeError);
    expect(() => ipv4(2 ** 32)).toThrow(RangeError);
    expect(() => ipv4(1.5)).toThrow(RangeError);
    expect(() => ipv6(-1n)).toThrow(RangeError);
    expect(() => ipv6(1n << 128n)).toThrow(RangeError);
  });
});

const anyV4 = fc.integer({ min: 0, max: 0xffffffff }).map(ipv4);
// Bias toward zero fields so '::' compression is exercised.
const field = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const anyV6 = fc
  .array(field, { minLength: 8, maxLength: 8 })
  .map((fs) => ipv6(fs.reduce((acc, f) => (acc << 16n) | BigInt(f), 0n)));

describe('properties', () => {
  it('parse(format(ip)) is ip', () => {
    fc.assert(
      fc.property(fc.oneof(anyV4, anyV6), (ip) => {
        expect(parseIP(formatIP(ip))).toEqual(ip);
      }),
    );
  });

  it('IPv6 text matches the WHATWG URL serializer (RFC 5952 compression)', () => {
    fc.assert(
      fc.property(anyV6, (ip) => {
        fc.pre(!isV4Mapped(ip)); // URL prints mapped addresses in hex; RFC 5952 section 5 keeps dots
        expect(formatIP(ip)).toBe(new URL(`http://[${formatIP(ip)}]/`).hostname.slice(1, -1));
      }),
    );
  });

  it('IPv4 text matches the WHATWG URL host parser', () => {
    fc.assert(
      fc.property(anyV4, (ip) => {
        expect(new URL(`http://${formatIP(ip)}/`).hostname).toBe(formatIP(ip));
      }),
    );
  });
});
