// CidrSet against a naive bitmap over a small universe: one IPv4 /24 and one IPv6 /120.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrOf, type CIDR } from './cidr.js';
import { aggregateCIDRs, CidrSet } from './cidr-set.js';
import { ipv4, ipv6, type IP } from './ip.js';

// Bases at the edges of each address space catch overflow at 0 and at the maximum.
const V4_BASES = [0, 0x0a010200, 0xffffff00];
const V6_BASES = [0n, 0x20010db8n << 96n, ((1n << 128n) - 1n) ^ 0xffn];

interface Universe {
  v4Base: number;
  v6Base: bigint;
}

/** Universe index 0..255 is v4Base + i, 256..511 is v6Base + (i - 256). */
const SIZE = 512;
const addrAt = (u: Universe, i: number): IP =>
  i < 256 ? ipv4(u.v4Base + i) : ipv6(u.v6Base + BigInt(i - 256));

function blockArb(u: Universe): fc.Arbitrary<CIDR> {
  return fc
    .record({ v6: fc.boolean(), host: fc.integer({ min: 0, max: 8 }), offset: fc.nat(255) })
    .map(({ v6, host, offset }) => {
      const at = addrAt(u, (v6 ? 256 : 0) + offset);
      return cidrOf(at, (v6 ? 128 : 32) - host);
    });
}

const universeArb = fc.record({
  v4Base: fc.constantFrom(...V4_BASES),
  v6Base: fc.constantFrom(...V6_BASES),
});

function bitmapOf(u: Universe, cidrs: readonly CIDR[]): boolean[] {
  return Array.from({ length: SIZE }, (_, i) => {
    const a = addrAt(u, i);
    return cidrs.some((c) => naiveIn(c, a));
  });
}

/** Containment by arithmetic on the block bounds, independent of CidrSet. */
function naiveIn(c: CIDR, a: IP): boolean {
  if (c.ip.version === 4 && a.version === 4) {
    const size = 2 ** (32 - c.prefix);
    return a.v4 >= c.ip.v4 && a.v4 < c.ip.v4 + size;
  }
  if (c.ip.version === 6 && a.version === 6) {
    return a.v6 >= c.ip.v6 && a.v6 < c.ip.v6 + (1n << BigInt(128 - c.prefix));
  }
  return false;
}

function membership(u: Universe, s: CidrSet): boolean[] {
  return Array.from({ length: SIZE }, (_, i) => s.contains(addrAt(u, i)));
}

const scenario = universeArb.chain((u) =>
  fc.record({
    u: fc.constant(u),
    a: fc.array(blockArb(u), { maxLength: 8 }),
    b: fc.array(blockArb(u), { maxLength: 8 }),
  }),
);

describe('CidrSet agrees with a bitmap', () => {
  it('contains', () => {
    fc.assert(
      fc.property(scenario, ({ u, a }) => {
        expect(membership(u, CidrSet.of(a))).toEqual(bitmapOf(u, a));
      }),
    );
  });

  it('union, intersect, subtract, equals, isEmpty', () => {
    fc.assert(
      fc.property(scenario, ({ u, a, b }) => {
        const [x, y] = [CidrSet.of(a), CidrSet.of(b)];
        const [bx, by] = [bitmapOf(u, a), bitmapOf(u, b)];
        expect(membership(u, x.union(y))).toEqual(bx.map((v, i) => v || by[i]));
        expect(membership(u, x.intersect(y))).toEqual(bx.map((v, i) => v && by[i]));
        expect(membership(u, x.subtract(y))).toEqual(bx.map((v, i) => v && !by[i]));
        expect(x.equals(y)).toBe(bx.every((v, i) => v === by[i]));
        expect(x.isEmpty()).toBe(!bx.includes(true));
      }),
    );
  });

  it('toCIDRs is the exact minimal cover: maximal aligned blocks, sorted', () => {
    fc.assert(
      fc.property(scenario, ({ u, a }) => {
        const s = CidrSet.of(a);
        const blocks = s.toCIDRs();
        expect(bitmapOf(u, blocks)).toEqual(bitmapOf(u, a));
        for (const c of blocks) {
          expect(s.containsCidr(c)).toBe(true);
          const bits = c.ip.version === 4 ? 32 : 128;
          if (c.prefix > 0) expect(s.containsCidr(cidrOf(c.ip, c.prefix - 1))).toBe(false);
          expect(c.prefix).toBeGreaterThanOrEqual(bits - 8);
        }
        expect(CidrSet.of(blocks).equals(s)).toBe(true);
      }),
    );
  });

  it('toRanges are merged and cover exactly', () => {
    fc.assert(
      fc.property(scenario, ({ u, a }) => {
        const s = CidrSet.of(a);
        const ranges = s.toRanges();
        expect(CidrSet.fromRanges(ranges).equals(s)).toBe(true);
        for (let i = 1; i < ranges.length; i++) {
          const prev = ranges[i - 1]!.end;
          const next = ranges[i]!.start;
          if (prev.version === 4 && next.version === 4)
            expect(next.v4).toBeGreaterThan(prev.v4 + 1);
          if (prev.version === 6 && next.version === 6)
            expect(next.v6).toBeGreaterThan(prev.v6 + 1n);
        }
        expect(membership(u, s)).toEqual(bitmapOf(u, a));
      }),
    );
  });

  it('aggregateCIDRs preserves the address set and is order independent', () => {
    fc.assert(
      fc.property(scenario, ({ u, a }) => {
        const agg = aggregateCIDRs(a);
        expect(bitmapOf(u, agg)).toEqual(bitmapOf(u, a));
        expect(aggregateCIDRs([...a].reverse())).toEqual(agg);
        expect(aggregateCIDRs(agg)).toEqual(agg);
      }),
    );
  });
});

describe('CidrSet identities over the whole address space', () => {
  const anyBlock = fc.oneof(
    fc
      .record({ v: fc.integer({ min: 0, max: 0xffffffff }), p: fc.integer({ min: 0, max: 32 }) })
      .map(({ v, p }) => cidrOf(ipv4(v), p)),
    fc
      .record({
        v: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        p: fc.integer({ min: 0, max: 128 }),
      })
      .map(({ v, p }) => cidrOf(ipv6(v), p)),
  );
  const setArb = fc.array(anyBlock, { maxLength: 6 }).map((cs) => CidrSet.of(cs));

  it('(A - B) | (A & B) = A, (A - B) & B = {}, De Morgan', () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.subtract(b).intersect(b).isEmpty()).toBe(true);
        const all = CidrSet.all();
        expect(all.subtract(a.union(b)).equals(all.subtract(a).intersect(all.subtract(b)))).toBe(
          true,
        );
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(CidrSet.of(a.toCIDRs()).equals(a)).toBe(true);
      }),
    );
  });
});
