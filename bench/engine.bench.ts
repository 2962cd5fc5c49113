// The policy engine's benchmark: a generated cluster (10,000 pods, 500 namespaces, 2,000
// policies; bench/gen-cluster.ts), loaded, evaluated uncached and cached, swept as a
// 1,000 x 1,000 matrix and relabelled. Every figure is a median of repetitions, shown next to
// the cost of as many plain Map look-ups measured in the same run (the floor).
//
//   npm run bench -- [--json PATH] [--reps N] [--scale F]
// --scale shrinks the cluster (0.1: a smoke test); the targets hold only at scale 1.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Engine, Verdict } from '../src/core/engine/index.js';
import {
  measureCached,
  measureLoad,
  measureMatrix,
  measureRelabel,
  measureUncached,
  randomQueries,
  verdictMix,
} from './figures.js';
import type { Query } from './figures.js';
import { generateCluster } from './gen-cluster.js';
import { MapFloor, median, now, rssMiB } from './measure.js';
import { Rng } from './prng.js';
import { shapeLines, shapeOf } from './shape.js';
import { figure, fmt, table } from './table.js';
import type { Spec } from './table.js';

function args(argv: readonly string[]): { json?: string; reps: number; scale: number } {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const json = at('--json');
  const reps = Number(at('--reps') ?? 5);
  return { ...(json ? { json } : {}), reps, scale: Number(at('--scale') ?? 1) };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function main(): void {
  const o = args(process.argv.slice(2));
  const scaled = (n: number): number => Math.max(1, Math.round(n * o.scale));
  const rng = new Rng(7);
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    memGiB: os.totalmem() / 2 ** 30,
    loadAverage: os.loadavg(),
  };
  const baseRss = rssMiB();
  const floor = new MapFloor(rng);
  for (let i = 0; i < 5; i++) floor.sample(); // warm the JIT on the floor loop too
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB.toFixed(1)} GiB, Node ${machine.node}, load average ${machine.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const t = now();
  const files = generateCluster({
    namespaces: scaled(500),
    policies: scaled(2000),
    calicoPlatform: scaled(100),
    calicoDefault: scaled(150),
  });
  console.log(`generated in ${((now() - t) / 1000).toFixed(1)} s`);
  const specs: Spec[] = [];
  const add = (s: Spec): void => {
    specs.push(s);
    console.log(`  ${s.id}. ${s.what}: median ${fmt(median(s.samples), s.unit)}`);
  };

  const load = measureLoad(files, o.reps, floor);
  const shape = shapeOf(files, load.result.set, load.result.objects);
  for (const l of shapeLines(shape)) console.log(l);
  const split = `load ${fmt(median(load.loadMs), 'ms')} + build ${fmt(median(load.buildMs), 'ms')}`;
  add({
    id: '1',
    what: 'load, validate and index',
    unit: 'ms',
    samples: load.totalMs,
    limit: 2000,
    lookups: load.result.objects,
    note: `${split}; floor: one look-up per object`,
  });
  const engine: Engine = load.engine;
  const pods = engine.eps.allPods();
  const queries = randomQueries(rng, engine, pods, 20_000);
  const uncached = measureUncached(engine, queries, { batches: 200, batchSize: 1000, floor });
  add({
    id: '2',
    what: 'uncached verdict with trace',
    unit: 'µs',
    samples: uncached,
    limit: 20,
    lookups: 1,
    note: 'batches of 1,000 random pod pairs and ports; floor: one look-up',
  });

  const sameNs = randomQueries(rng, engine, pods, 5000).map((q) => {
    const peers = engine.eps.podsIn(q.src.endpoint?.namespace ?? '');
    return { ...q, dst: engine.eps.peerOf(rng.pick(peers), 4) };
  });
  const verdicts = (qs: Query[]): Verdict[] =>
    qs.map((q) => engine.evaluateUncached(q.src, q.dst, q.pkt));
  const mix = verdictMix(verdicts(queries));
  const mixSame = verdictMix(verdicts(sameNs));
  console.log(
    `sanity: ${pct(mix.allowed)} of ${queries.length} random pod pairs allowed, ${pct(mixSame.allowed)} of ${sameNs.length} same-namespace pairs`,
  );
  const decided = Object.entries(mix.decidedBy).sort((a, b) => b[1] - a[1]);
  console.log(
    `decided by: ${decided.map(([k, v]) => `${k} ${pct(v / queries.length)}`).join(', ')}`,
  );
  const allowedQs = [...queries, ...sameNs].filter(
    (q) => engine.evaluateUncached(q.src, q.dst, q.pkt).verdict === 'allow',
  );
  const deepest = measureUncached(engine, allowedQs, { batches: 50, batchSize: 1000, floor });
  add({
    id: '2b',
    what: 'uncached verdict, allowed pairs only',
    unit: 'µs',
    samples: deepest,
    lookups: 1,
    note: `the ${allowedQs.length} allowed pairs of the samples above: both directions end in an allow, the longest walks`,
  });

  const keys = randomQueries(rng, engine, pods, 100_000);
  const cached = measureCached(engine, keys, 30, floor);
  add({
    id: '3',
    what: 'cached verdicts',
    unit: '/s',
    samples: cached,
    limit: 1e6,
    lookups: 1,
    note: `${keys.length} warm keys, 30 passes; p90 column: the 10th percentile rate; floor: Map look-ups per second`,
  });

  const side = Math.min(1000, pods.length);
  const matrix = measureMatrix(engine, {
    sources: rng.sample(pods, side),
    destinations: rng.sample(pods, side),
    port: 8080,
    reps: Math.max(3, Math.ceil(o.reps / 2)),
    floor,
  });
  add({
    id: '4',
    what: `${side} x ${side} matrix, TCP 8080`,
    unit: 'ms',
    samples: matrix.ms,
    limit: 5000,
    lookups: side * side,
    note: `${pct(matrix.allowed / matrix.total)} of cells allowed; floor: one look-up per cell`,
  });

  const relabel = measureRelabel(engine, rng.sample(pods, 100), 200, floor);
  add({
    id: '5',
    what: 'relabel one pod',
    unit: 'ms',
    samples: relabel.ms,
    limit: 1,
    lookups: 1,
    note: `${relabel.changed} of ${relabel.ms.length} relabels changed the pod's policy lists; floor: one look-up`,
  });
  const rssNote = 'floor: RSS at start, before the cluster was generated';
  add({
    id: '6a',
    what: 'RSS after build',
    unit: 'MiB',
    samples: load.rssMiB,
    limit: 1024,
    lookups: 0,
    note: rssNote,
  });
  add({
    id: '6b',
    what: 'RSS after matrix',
    unit: 'MiB',
    samples: matrix.rssMiB,
    limit: 1024,
    lookups: 0,
    note: rssNote,
  });

  const ns = floor.nsPerLookup();
  const figures = specs.map((s) => figure(s, ns, baseRss));
  console.log(
    `\nfloor: ${ns.toFixed(1)} ns per Map look-up (median of ${floor.mark} passes of 1,000,000)\n`,
  );
  console.log(table(figures));
  for (const f of figures) console.log(`  ${f.id}: ${f.note}`);
  if (o.json) {
    const sanity = {
      allowedRandom: mix.allowed,
      allowedSameNamespace: mixSame.allowed,
      decidedBy: mix.decidedBy,
    };
    const out = {
      date: new Date().toISOString(),
      argv: process.argv.slice(2),
      machine,
      floorNsPerLookup: ns,
      shape,
      sanity,
      figures,
    };
    writeFileSync(o.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${o.json}`);
  }
}

main();
