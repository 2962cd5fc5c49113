import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortSet, type PortRange } from './port-set.js';

const r = (start: number, end = start): PortRange => ({ start, end });

describe('PortSet', () => {
  it.each<[PortRange[], string]>([
    [[], ''],
    [[r(80)], '80'],
    [[r(443), r(80), r(8000, 8080)], '80,443,8000-8080'],
    [[r(1, 10), r(11, 20)], '1-20'], // adjacent ranges merge
    [[r(1, 10), r(5, 7)], '1-10'],
    [[r(5, 7), r(1, 10), r(10, 12)], '1-12'],
    [[r(0, 65535)], '0-65535'],
    [[r(65535)], '65535'],
    [[r(0)], '0'],
  ])('of(%j) = %s', (ranges, text) => {
    expect(PortSet.of(ranges).toString()).toBe(text);
  });

  it('rejects malformed ranges', () => {
    for (const bad of [r(-1), r(65536), r(10, 9), r(1.5), r(Number.NaN)]) {
      expect(() => PortSet.of([bad])).toThrow(RangeError);
    }
  });

  it('has', () => {
    const s = PortSet.of([r(80), r(443), r(8000, 8080)]);
    expect([79, 80, 81, 443, 7999, 8000, 8050, 8080, 8081].map((p) => s.has(p))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(PortSet.empty().has(0)).toBe(false);
    expect(PortSet.all().has(0) && PortSet.all().has(65535)).toBe(true);
  });

  it('all, empty, isAll, isEmpty, equals', () => {
    expect(PortSet.all().isAll()).toBe(true);
    expect(PortSet.of([r(0, 100), r(101, 65535)]).isAll()).toBe(true);
    expect(PortSet.of([r(1, 65535)]).isAll()).toBe(false);
    expect(PortSet.empty().isEmpty()).toBe(true);
    expect(PortSet.all().subtract(PortSet.all()).isEmpty()).toBe(true);
    expect(PortSet.ports(80, 81).equals(PortSet.of([r(80, 81)]))).toBe(true);
  });

  it.each<[string, PortRange[], PortRange[], string]>([
    ['union', [r(80)], [r(81, 90)], '80-90'],
    ['union', [r(1)], [r(3)], '1,3'],
    ['intersect', [r(1, 100)], [r(50, 200)], '50-100'],
    ['intersect', [r(1, 10), r(20, 30)], [r(5, 25)], '5-10,20-25'],
    ['intersect', [r(1, 10)], [r(11, 20)], ''],
    ['subtract', [r(0, 65535)], [r(80)], '0-79,81-65535'],
    ['subtract', [r(0, 65535)], [r(0), r(65535)], '1-65534'],
    ['subtract', [r(1, 10)], [r(1, 10)], ''],
    ['subtract', [r(1, 10), r(20, 30)], [r(5, 25)], '1-4,26-30'],
  ])('%s %j %j', (op, a, b, want) => {
    const [x, y] = [PortSet.of(a), PortSet.of(b)];
    const got = op === 'union' ? x.union(y) : op === 'intersect' ? x.intersect(y) : x.subtract(y);
    expect(got.toString()).toBe(want);
  });

  it('ranges() returns the merged ranges', () => {
    expect(PortSet.of([r(10, 20), r(1, 5)]).ranges()).toEqual([r(1, 5), r(10, 20)]);
  });

  it('agrees with a naive set over ports 0..63 and near 65535', () => {
    const near = (p: number) => (p < 32 ? p : 65535 - (p - 32));
    const rangeArb = fc
      .tuple(fc.nat(63), fc.nat(63))
      .map(([a, b]) => [near(a), near(b)].sort((x, y) => x - y))
      .map(([a, b]) => r(a!, b!));
    const arb = fc.array(rangeArb, { maxLength: 6 });
    const universe = Array.from({ length: 64 }, (_, i) => near(i)).concat([100, 30000]);
    const naive = (rs: PortRange[]) =>
      universe.map((p) => rs.some((x) => x.start <= p && p <= x.end));
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const [x, y] = [PortSet.of(a), PortSet.of(b)];
        const [nx, ny] = [naive(a), naive(b)];
        const has = (s: PortSet) => universe.map((p) => s.has(p));
        expect(has(x)).toEqual(nx);
        expect(has(x.union(y))).toEqual(nx.map((v, i) => v || ny[i]));
        expect(has(x.intersect(y))).toEqual(nx.map((v, i) => v && ny[i]));
        expect(has(x.subtract(y))).toEqual(nx.map((v, i) => v && !ny[i]));
        expect(PortSet.of([...x.ranges()]).equals(x)).toBe(true);
      }),
    );
  });
});
