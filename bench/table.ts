// The figures table both benchmarks print: medians, the slow end, the floor measured in the same
// run, the ratio to it, and whether the target is met. Targets are recorded, never asserted.
import { median, quantile } from './measure.js';

/** One measured figure: its samples, and what one sample costs in plain Map look-ups. */
export interface Spec {
  id: string;
  what: string;
  unit: 'ms' | 'µs' | '/s' | 'MiB';
  samples: number[];
  /** The target: an upper bound (a lower bound for a rate); none for an extra figure. */
  limit?: number;
  /** Map look-ups one sample is compared with (rates: one per event; MiB: none). */
  lookups: number;
  /** A floor measured directly, in the figure's unit (its median is the floor; `lookups` is then unused). */
  floorSamples?: number[];
  note: string;
}

export interface Figure extends Spec {
  target: string;
  median: number;
  /** The slow end: 90th percentile of a time, 10th of a rate. */
  p90: number;
  /** The same number of Map look-ups (a rate: look-ups per second; MiB: RSS at start). */
  floor: number;
  /** Cost over the floor's cost. */
  ratio: number;
  met?: boolean;
}

const TIME_UNITS: Record<string, number> = { ms: 1e6, µs: 1e3, ns: 1 };

/** A value in its unit; times below 1 of their unit move down to µs or ns. */
export function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '-';
  if (unit === '/s') return `${(v / 1e6).toFixed(2)} M/s`;
  const ns = TIME_UNITS[unit];
  if (ns !== undefined && v < 1 && unit !== 'ns') {
    const down = unit === 'ms' ? 'µs' : 'ns';
    return fmt((v * ns) / (TIME_UNITS[down] ?? 1), down);
  }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${unit}`;
}

/** Medians, floor and ratio of a spec, with the floor's nanoseconds per look-up of the run. */
export function figure(s: Spec, nsPerLookup: number, baseRss: number): Figure {
  const rate = s.unit === '/s';
  const med = median(s.samples);
  const scale = { ms: 1e6, µs: 1e3, '/s': 1, MiB: 1 }[s.unit];
  const floor = s.floorSamples
    ? median(s.floorSamples)
    : s.unit === 'MiB'
      ? baseRss
      : rate
        ? 1e9 / nsPerLookup
        : (s.lookups * nsPerLookup) / scale;
  return {
    ...s,
    target: s.limit === undefined ? '-' : `${rate ? '>' : '<'} ${fmt(s.limit, s.unit)}`,
    median: med,
    p90: quantile(s.samples, rate ? 0.1 : 0.9),
    floor,
    ratio: rate ? floor / med : med / floor,
    ...(s.limit === undefined ? {} : { met: rate ? med > s.limit : med < s.limit }),
  };
}

/** The figures as an aligned plain-text table. */
export function table(figures: readonly Figure[]): string {
  const head = ['#', 'figure', 'target', 'median', 'p90', 'floor', 'ratio', 'met'];
  const rows = figures.map((f) => [
    f.id,
    f.what,
    f.target,
    fmt(f.median, f.unit),
    f.samples.length > 1 ? fmt(f.p90, f.unit) : '',
    fmt(f.floor, f.unit),
    `${f.ratio >= 100 ? f.ratio.toFixed(0) : f.ratio.toFixed(1)}x`,
    f.met === undefined ? '-' : f.met ? 'yes' : 'NO',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(w[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
