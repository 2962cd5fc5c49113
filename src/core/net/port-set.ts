// Immutable sets of transport ports (0..65535) as sorted, merged inclusive ranges.
import {
  intersectSpans,
  normalizeSpans,
  NUMBER_STEP,
  spansEqual,
  subtractSpans,
  unionSpans,
} from './spans.js';

/** An inclusive port range within 0..65535. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

export const PORT_MAX = 65535;

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= PORT_MAX;
}

export class PortSet {
  private static readonly EMPTY = new PortSet([]);
  private static readonly ALL = new PortSet([{ start: 0, end: PORT_MAX }]);

  private constructor(private readonly spans: readonly PortRange[]) {}

  /** The set of ports in any of the ranges; throws RangeError on a malformed range. */
  static of(ranges: readonly PortRange[]): PortSet {
    for (const r of ranges) {
      if (!isPort(r.start) || !isPort(r.end) || r.start > r.end) {
        throw new RangeError(`invalid port range ${r.start}-${r.end}`);
      }
    }
    if (ranges.length === 0) return PortSet.EMPTY;
    return new PortSet(normalizeSpans(ranges, NUMBER_STEP).map((s) => ({ ...s })));
  }

  /** A set of single ports. */
  static ports(...ports: number[]): PortSet {
    return PortSet.of(ports.map((p) => ({ start: p, end: p })));
  }

  /** Every port, 0..65535. */
  static all(): PortSet {
    return PortSet.ALL;
  }

  /** The empty set. */
  static empty(): PortSet {
    return PortSet.EMPTY;
  }

  /** Membership test (binary search). */
  has(port: number): boolean {
    const spans = this.spans;
    let lo = 0;
    let hi = spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (spans[mid]!.start <= port) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && port <= spans[hi]!.end;
  }

  /** Ports in either set. */
  union(o: PortSet): PortSet {
    return PortSet.wrap(unionSpans(this.spans, o.spans, NUMBER_STEP));
  }

  /** Ports in both sets. */
  intersect(o: PortSet): PortSet {
    return PortSet.wrap(intersectSpans(this.spans, o.spans));
  }

  /** Ports in this set and not in o. */
  subtract(o: PortSet): PortSet {
    return PortSet.wrap(subtractSpans(this.spans, o.spans, NUMBER_STEP));
  }

  /** True when no port is in the set. */
  isEmpty(): boolean {
    return this.spans.length === 0;
  }

  /** True when every port 0..65535 is in the set. */
  isAll(): boolean {
    const only = this.spans.length === 1 ? this.spans[0] : undefined;
    return only !== undefined && only.start === 0 && only.end === PORT_MAX;
  }

  /** True when both sets hold the same ports. */
  equals(o: PortSet): boolean {
    return spansEqual(this.spans, o.spans);
  }

  /** The merged ranges, sorted. */
  ranges(): readonly PortRange[] {
    return this.spans;
  }

  /** Comma-separated ports and ranges, e.g. "80,443,8000-8080"; "" when empty. */
  toString(): string {
    return this.spans
      .map((s) => (s.start === s.end ? `${s.start}` : `${s.start}-${s.end}`))
      .join(',');
  }

  private static wrap(spans: PortRange[]): PortSet {
    return spans.length === 0 ? PortSet.EMPTY : new PortSet(spans);
  }
}
