// Immutable address sets (any mix of IPv4 and IPv6) as sorted disjoint intervals.
// IPv4 intervals live in Uint32Arrays so contains() is a tight numeric binary search.
import { cidrRange, compareCIDR, type CIDR, v4RangeToCIDRs, v6RangeToCIDRs } from './cidr.js';
import { compareIP, ipv4, ipv6, type IP, V4_MAX, V6_MAX } from './ip.js';
import {
  BIGINT_STEP,
  findSpan,
  intersectSpans,
  normalizeSpans,
  NUMBER_STEP,
  type Span,
  spansEqual,
  subtractSpans,
  unionSpans,
} from './spans.js';

/** An inclusive address interval. */
export interface IPRange {
  readonly start: IP;
  readonly end: IP;
}

export class CidrSet {
  private static readonly EMPTY = new CidrSet([], []);
  private static readonly ALL = new CidrSet(
    [{ start: 0, end: V4_MAX }],
    [{ start: 0n, end: V6_MAX }],
  );

  private readonly v4Starts: Uint32Array;
  private readonly v4Ends: Uint32Array;
  private readonly v6Starts: readonly bigint[];
  private readonly v6Ends: readonly bigint[];

  private constructor(v4: readonly Span<number>[], v6: readonly Span<bigint>[]) {
    this.v4Starts = Uint32Array.from(v4, (s) => s.start);
    this.v4Ends = Uint32Array.from(v4, (s) => s.end);
    this.v6Starts = v6.map((s) => s.start);
    this.v6Ends = v6.map((s) => s.end);
  }

  /** The set of addresses in any of the blocks (host bits in a block are ignored). */
  static of(cidrs: readonly CIDR[]): CidrSet {
    return CidrSet.fromRanges(cidrs.map(cidrRange));
  }

  /** The set of addresses in any of the inclusive ranges; throws on a mixed-family range. */
  static fromRanges(ranges: readonly IPRange[]): CidrSet {
    if (ranges.length === 0) return CidrSet.EMPTY;
    const v4: Span<number>[] = [];
    const v6: Span<bigint>[] = [];
    for (const { start, end } of ranges) {
      if (start.version === 4 && end.version === 4) v4.push({ start: start.v4, end: end.v4 });
      else if (start.version === 6 && end.version === 6) v6.push({ start: start.v6, end: end.v6 });
      else throw new RangeError('range mixes IPv4 and IPv6');
    }
    const bad = v4.some((s) => s.start > s.end) || v6.some((s) => s.start > s.end);
    if (bad) throw new RangeError('range start is after its end');
    return new CidrSet(normalizeSpans(v4, NUMBER_STEP), normalizeSpans(v6, BIGINT_STEP));
  }

  /** The empty set. */
  static empty(): CidrSet {
    return CidrSet.EMPTY;
  }

  /** Every IPv4 and IPv6 address (0.0.0.0/0 and ::/0). */
  static all(): CidrSet {
    return CidrSet.ALL;
  }

  /** Membership test, O(log n). */
  contains(ip: IP): boolean {
    return ip.version === 4 ? this.containsV4(ip.v4) : this.containsV6(ip.v6);
  }

  /** Membership of a raw IPv4 value (0..2^32-1), for callers that keep numbers. */
  containsV4(addr: number): boolean {
    const starts = this.v4Starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr <= this.v4Ends[hi]!;
  }

  /** Membership of a raw IPv6 value. */
  containsV6(addr: bigint): boolean {
    return findSpan(this.v6Starts, this.v6Ends, addr) >= 0;
  }

  /** True when every address of the block is in the set. */
  containsCidr(c: CIDR): boolean {
    const { start, end } = cidrRange(c);
    if (start.version === 4 && end.version === 4) {
      const i = findSpan(this.v4Starts, this.v4Ends, start.v4);
      return i >= 0 && end.v4 <= this.v4Ends[i]!;
    }
    if (start.version !== 6 || end.version !== 6) return false;
    const i = findSpan(this.v6Starts, this.v6Ends, start.v6);
    return i >= 0 && end.v6 <= this.v6Ends[i]!;
  }

  /** Addresses in either set. */
  union(o: CidrSet): CidrSet {
    return new CidrSet(
      unionSpans(this.v4Spans(), o.v4Spans(), NUMBER_STEP),
      unionSpans(this.v6Spans(), o.v6Spans(), BIGINT_STEP),
    );
  }

  /** Addresses in both sets. */
  intersect(o: CidrSet): CidrSet {
    return new CidrSet(
      intersectSpans(this.v4Spans(), o.v4Spans()),
      intersectSpans(this.v6Spans(), o.v6Spans()),
    );
  }

  /** Addresses in this set and not in o. */
  subtract(o: CidrSet): CidrSet {
    return new CidrSet(
      subtractSpans(this.v4Spans(), o.v4Spans(), NUMBER_STEP),
      subtractSpans(this.v6Spans(), o.v6Spans(), BIGINT_STEP),
    );
  }

  /** True when the sets share at least one address. */
  overlaps(o: CidrSet): boolean {
    return !this.intersect(o).isEmpty();
  }

  /** True when the set has no address. */
  isEmpty(): boolean {
    return this.v4Starts.length === 0 && this.v6Starts.length === 0;
  }

  /** True when both sets hold exactly the same addresses. */
  equals(o: CidrSet): boolean {
    return spansEqual(this.v4Spans(), o.v4Spans()) && spansEqual(this.v6Spans(), o.v6Spans());
  }

  /** The minimal exact list of blocks covering the set, sorted (IPv4 first). */
  toCIDRs(): CIDR[] {
    const out: CIDR[] = [];
    for (const s of this.v4Spans()) v4RangeToCIDRs(s.start, s.end, out);
    for (const s of this.v6Spans()) v6RangeToCIDRs(s.start, s.end, out);
    return out;
  }

  /** The merged inclusive intervals of the set, sorted (IPv4 first). */
  toRanges(): IPRange[] {
    return [
      ...this.v4Spans().map((s) => ({ start: ipv4(s.start), end: ipv4(s.end) })),
      ...this.v6Spans().map((s) => ({ start: ipv6(s.start), end: ipv6(s.end) })),
    ];
  }

  private v4Spans(): Span<number>[] {
    return Array.from(this.v4Starts, (start, i) => ({ start, end: this.v4Ends[i]! }));
  }

  private v6Spans(): Span<bigint>[] {
    return this.v6Starts.map((start, i) => ({ start, end: this.v6Ends[i]! }));
  }
}

/** The minimal exact list of blocks covering the same addresses as cidrs (merges and dedups). */
export function aggregateCIDRs(cidrs: readonly CIDR[]): CIDR[] {
  return CidrSet.of(cidrs).toCIDRs();
}

/** Sorts blocks by address then prefix, without merging. */
export function sortCIDRs(cidrs: readonly CIDR[]): CIDR[] {
  return [...cidrs].sort(compareCIDR);
}

/** Sorts addresses (IPv4 first, then numerically). */
export function sortIPs(ips: readonly IP[]): IP[] {
  return [...ips].sort(compareIP);
}
