// Timing helpers: medians and quantiles, a forced GC, and the floor every figure is compared
// with: the cost of plain Map look-ups measured in the same run, so that a ratio means the same
// on a fast laptop and on a shared two-core VM.
import type { Rng } from './prng.js';

/** Milliseconds, high resolution. */
export const now = (): number => performance.now();

/** The q-quantile (0..1) by nearest rank; NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** A full garbage collection (the bench runs with --expose-gc; without it, nothing). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Resident set size in MiB, after a full GC. */
export function rssMiB(): number {
  gc();
  return process.memoryUsage().rss / 1_048_576;
}

/**
 * Plain `Map.get` on a map of integer keys the size of the cluster's pod count, at random keys:
 * the cheapest thing an index can do. Sampled between repetitions of every measurement.
 */
export class MapFloor {
  private readonly map = new Map<number, { v: number }>();
  private readonly keys: Int32Array;
  private readonly samples: number[] = [];
  /** Where the look-ups' results go, so the JIT cannot drop them. */
  sink = 0;

  constructor(rng: Rng, size = 10_000, lookups = 1_000_000) {
    for (let i = 0; i < size; i++) this.map.set(i * 7919, { v: i });
    this.keys = new Int32Array(lookups);
    for (let i = 0; i < lookups; i++) this.keys[i] = rng.int(size) * 7919;
  }

  /** Time one pass of look-ups; returns (and records) nanoseconds per look-up. */
  sample(): number {
    const { map, keys } = this;
    let acc = 0;
    const t = now();
    for (let i = 0; i < keys.length; i++) acc += map.get(keys[i] as number)?.v ?? 0;
    const ns = ((now() - t) * 1e6) / keys.length;
    this.sink ^= acc;
    this.samples.push(ns);
    return ns;
  }

  /** Median nanoseconds per look-up over the samples taken since `from` (an index). */
  nsPerLookup(from = 0): number {
    return median(this.samples.slice(from));
  }

  /** How many samples so far (pass it to nsPerLookup to take only later ones). */
  get mark(): number {
    return this.samples.length;
  }
}

/** Run `fn` `reps` times, sampling the floor after each; returns the samples `fn` gives. */
export function repeat<T>(reps: number, floor: MapFloor, fn: (rep: number) => T): T[] {
  const out: T[] = [];
  for (let r = 0; r < reps; r++) {
    out.push(fn(r));
    floor.sample();
  }
  return out;
}
