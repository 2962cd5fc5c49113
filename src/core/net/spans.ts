// Set algebra on sorted, disjoint, non-adjacent inclusive intervals ("spans"), shared by
// CidrSet (IPv4 numbers, IPv6 bigints) and PortSet (numbers).

/** An inclusive interval. */
export interface Span<T extends number | bigint> {
  readonly start: T;
  readonly end: T;
}

/** Successor and predecessor for the value type. */
export interface Step<T> {
  next(x: T): T;
  prev(x: T): T;
}

export const NUMBER_STEP: Step<number> = { next: (x) => x + 1, prev: (x) => x - 1 };
export const BIGINT_STEP: Step<bigint> = { next: (x) => x + 1n, prev: (x) => x - 1n };

/** Sorts and merges overlapping or adjacent spans into canonical form. */
export function normalizeSpans<T extends number | bigint>(
  spans: readonly Span<T>[],
  step: Step<T>,
): Span<T>[] {
  const sorted = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Span<T>[] = [];
  let cur: Span<T> | undefined;
  for (const s of sorted) {
    if (cur !== undefined && s.start <= step.next(cur.end)) {
      if (s.end > cur.end) cur = { start: cur.start, end: s.end };
    } else {
      if (cur !== undefined) out.push(cur);
      cur = s;
    }
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** Union of two canonical span lists. */
export function unionSpans<T extends number | bigint>(
  a: readonly Span<T>[],
  b: readonly Span<T>[],
  step: Step<T>,
): Span<T>[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  return normalizeSpans([...a, ...b], step);
}

/** Intersection of two canonical span lists. */
export function intersectSpans<T extends number | bigint>(
  a: readonly Span<T>[],
  b: readonly Span<T>[],
): Span<T>[] {
  const out: Span<T>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = x.start > y.start ? x.start : y.start;
    const end = x.end < y.end ? x.end : y.end;
    if (start <= end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

/** Spans of a minus spans of b, both canonical. */
export function subtractSpans<T extends number | bigint>(
  a: readonly Span<T>[],
  b: readonly Span<T>[],
  step: Step<T>,
): Span<T>[] {
  const out: Span<T>[] = [];
  let j = 0;
  for (const s of a) {
    while (j < b.length && b[j]!.end < s.start) j++;
    let start = s.start;
    let covered = false;
    for (let k = j; k < b.length && b[k]!.start <= s.end; k++) {
      const cut = b[k]!;
      if (cut.start > start) out.push({ start, end: step.prev(cut.start) });
      if (cut.end >= s.end) {
        covered = true;
        break;
      }
      start = step.next(cut.end);
    }
    if (!covered) out.push({ start, end: s.end });
  }
  return out;
}

/** True when two canonical span lists are identical. */
export function spansEqual<T extends number | bigint>(
  a: readonly Span<T>[],
  b: readonly Span<T>[],
): boolean {
  return a.length === b.length && a.every((s, i) => s.start === b[i]!.start && s.end === b[i]!.end);
}

/** Index of the span containing x in sorted starts/ends arrays, or -1 (binary search). */
export function findSpan<T extends number | bigint>(
  starts: ArrayLike<T>,
  ends: ArrayLike<T>,
  x: T,
): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && x <= ends[hi]! ? hi : -1;
}
