// The measurements of engine.bench.ts, one function per figure. Each returns its samples;
// the floor (plain Map look-ups) is sampled between repetitions by the caller's MapFloor.
import { Engine, reachabilityMatrix } from '../src/core/engine/index.js';
import type { Endpoint, Packet, Peer, Verdict } from '../src/core/engine/index.js';
import { loadPolicySet } from '../src/core/model/index.js';
import type { InputFile, LoadResult } from '../src/core/model/index.js';
import { gc, now, repeat, rssMiB } from './measure.js';
import type { MapFloor } from './measure.js';
import type { Rng } from './prng.js';

/** A connection to ask about: both ends' canonical peers and a packet. */
export interface Query {
  src: Peer;
  dst: Peer;
  pkt: Packet;
}

/** The services most traffic goes to (TCP unless noted). */
const PORTS: readonly Packet[] = [
  ...[80, 443, 8080, 8443, 9090, 5432, 6379, 9100, 22].map((port) => ({ protocol: 6, port })),
  { protocol: 17, port: 53 },
].map((p) => ({ ...p, ipVersion: 4 as const }));

/**
 * `n` random (source pod, destination pod, port) queries: half to a port the destination
 * serves (as real traffic mostly is), half to one of the common service ports.
 */
export function randomQueries(rng: Rng, engine: Engine, pods: Endpoint[], n: number): Query[] {
  const out: Query[] = [];
  for (let i = 0; i < n; i++) {
    const to = rng.pick(pods);
    const served = to.pod?.ports ?? [];
    const p = served.length > 0 && rng.chance(0.5) ? rng.pick(served) : undefined;
    out.push({
      src: engine.eps.peerOf(rng.pick(pods), 4),
      dst: engine.eps.peerOf(to, 4),
      pkt: p ? { protocol: p.protocol, port: p.port, ipVersion: 4 } : rng.pick(PORTS),
    });
  }
  return out;
}

export interface LoadSamples {
  loadMs: number[];
  buildMs: number[];
  totalMs: number[];
  rssMiB: number[];
  result: LoadResult;
  engine: Engine;
}

/** Figure 1: loadPolicySet from the in-memory YAML, then Engine.build; RSS after each. */
export function measureLoad(files: InputFile[], reps: number, floor: MapFloor): LoadSamples {
  const s = { loadMs: [] as number[], buildMs: [] as number[], totalMs: [] as number[] };
  const rss: number[] = [];
  let last: { result: LoadResult; engine: Engine } | undefined;
  repeat(reps, floor, () => {
    last = undefined;
    gc();
    const t0 = now();
    const result = loadPolicySet(files);
    const t1 = now();
    const engine = Engine.build(result.set);
    const t2 = now();
    if (!result.ok)
      throw new Error(`the generated cluster has errors: ${result.issues[0]?.message}`);
    s.loadMs.push(t1 - t0);
    s.buildMs.push(t2 - t1);
    s.totalMs.push(t2 - t0);
    last = { result, engine };
    rss.push(rssMiB());
  });
  if (!last) throw new Error('no repetitions');
  return { ...s, rssMiB: rss, ...last };
}

/** Figure 2: evaluateUncached, timed in batches; microseconds per call of each batch. */
export function measureUncached(
  engine: Engine,
  queries: readonly Query[],
  o: { batches: number; batchSize: number; floor: MapFloor },
): number[] {
  let sink = 0;
  const batch = (b: number): number => {
    const start = (b * o.batchSize) % queries.length;
    const t = now();
    for (let i = 0; i < o.batchSize; i++) {
      const q = queries[(start + i) % queries.length] as Query;
      sink += engine.evaluateUncached(q.src, q.dst, q.pkt).egress.steps.length;
    }
    return ((now() - t) * 1000) / o.batchSize;
  };
  for (let b = 0; b < 20; b++) batch(b); // warm-up
  const out: number[] = [];
  for (let b = 0; b < o.batches; b++) {
    out.push(batch(b));
    if (b % 20 === 19) o.floor.sample();
  }
  if (sink < 0) throw new Error('unreachable');
  return out;
}

/** Figure 3: evaluate on keys already cached; verdicts per second of each pass. */
export function measureCached(
  engine: Engine,
  keys: readonly Query[],
  passes: number,
  floor: MapFloor,
): number[] {
  for (const q of keys) engine.evaluate(q.src, q.dst, q.pkt); // fill the cache
  let sink = 0;
  return repeat(passes, floor, () => {
    const t = now();
    for (const q of keys) if (engine.evaluate(q.src, q.dst, q.pkt).verdict === 'allow') sink++;
    const s = (now() - t) / 1000;
    return sink >= 0 ? keys.length / s : 0;
  });
}

export interface MatrixSamples {
  ms: number[];
  rssMiB: number[];
  allowed: number;
  total: number;
}

/** Figure 4: a sources x destinations matrix on one TCP port. */
export function measureMatrix(
  engine: Engine,
  o: { sources: Endpoint[]; destinations: Endpoint[]; port: number; reps: number; floor: MapFloor },
): MatrixSamples {
  const opts = { sources: o.sources, destinations: o.destinations, protocol: 6, port: o.port };
  reachabilityMatrix(engine, { ...opts, sources: o.sources.slice(0, 50) }); // warm-up
  let allowed = 0;
  let total = 0;
  const rss: number[] = [];
  const ms = repeat(o.reps, o.floor, () => {
    const t = now();
    const m = reachabilityMatrix(engine, opts);
    const dt = now() - t;
    ({ allowed, total } = m);
    rss.push(rssMiB());
    return dt;
  });
  return { ms, rssMiB: rss, allowed, total };
}

export interface RelabelSamples {
  ms: number[];
  /** Relabels after which the pod's ordered ingress or egress policy list differed. */
  changed: number;
}

/**
 * Figure 5: relabelPod on random pods, each changed (quarantined, moved to another tier and
 * zone) and then restored, so the policies selecting it really change both times.
 */
export function measureRelabel(
  engine: Engine,
  pods: Endpoint[],
  n: number,
  floor: MapFloor,
): RelabelSamples {
  const ms: number[] = [];
  let changed = 0;
  const other = (v: string | undefined, xs: string[]): string =>
    xs.find((x) => x !== v) ?? xs[0] ?? '';
  const lists = (ep: Endpoint): string =>
    [...engine.policiesFor(ep, 'ingress'), ...engine.policiesFor(ep, 'egress')]
      .map((e) => e.ref.name)
      .join();
  for (let i = 0; i < n / 2; i++) {
    const ep = pods[i % pods.length] as Endpoint;
    const own = new Map(ep.pod?.labels ?? []);
    const moved = new Map(own);
    moved.set('quarantine', 'true');
    moved.set('tier', other(own.get('tier'), ['db', 'web']));
    moved.set('zonewall.io/zone', other(own.get('zonewall.io/zone'), ['restricted', 'dmz']));
    for (const labels of [moved, own]) {
      const before = lists(ep);
      const t = now();
      engine.relabelPod(ep.namespace ?? '', ep.name, labels);
      ms.push(now() - t);
      if (lists(ep) !== before) changed++;
    }
    if (i % 10 === 9) floor.sample();
  }
  return { ms, changed };
}

/** Deciding tier (or Profile) of each verdict, and the share allowed. */
export function verdictMix(verdicts: readonly Verdict[]): {
  allowed: number;
  decidedBy: Record<string, number>;
} {
  const decidedBy: Record<string, number> = {};
  let allowed = 0;
  for (const v of verdicts) {
    if (v.verdict === 'allow') allowed++;
    const s = v.decidedBy;
    const key = `${s?.tier ?? s?.policy.kind ?? 'none'} ${s?.action ?? ''}`.trim();
    decidedBy[key] = (decidedBy[key] ?? 0) + 1;
  }
  return { allowed: allowed / Math.max(1, verdicts.length), decidedBy };
}
