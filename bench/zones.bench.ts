// The zones benchmark: (1) a 200-zone, 2,000-rule ZonePolicy compiled for a 10,000-pod cluster
// and rendered for every target; (2) `zonewall verify` on the bank example, in-process and as
// a process; (3) verify on the engine benchmark's cluster (10,000 pods, developer policies)
// with a 50-zone policy. Medians of repetitions, each beside a floor from the same run.
//
//   npm run build --silent && node --expose-gc dist/bench/zones.bench.js [--reps N] [--json PATH]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPolicySet } from '../src/core/model/index.js';
import { readManifestInputs } from '../src/integrations/manifests.js';
import { generateCluster } from './gen-cluster.js';
import { zoneLabeller, zonePolicyFile, zoneSet } from './gen-zones.js';
import { MapFloor, median } from './measure.js';
import { Rng } from './prng.js';
import { figure, fmt, table } from './table.js';
import type { Spec } from './table.js';
import {
  clock,
  measureCompile,
  measureRenderers,
  measureVerify,
  membership,
  processMs,
} from './zones-figures.js';
import type { Timed } from './zones-figures.js';
import { fullRuns, n, part3Files, stats, witness } from './zones-verify.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PART1 = { zones: 200, rules: 2000 };
const PART3 = { zones: 50, rules: 300 };

function args(argv: readonly string[]): { json?: string; reps: number } {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const json = at('--json');
  return { ...(json ? { json } : {}), reps: Number(at('--reps') ?? 5) };
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    memGiB: os.totalmem() / 2 ** 30,
    loadAverage: os.loadavg(),
  };
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB.toFixed(1)} GiB, Node ${machine.node}, load average ${machine.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const floor = new MapFloor(new Rng(7));
  for (let i = 0; i < 5; i++) floor.sample();
  const specs: Spec[] = [];
  const add = (s: Omit<Spec, 'lookups'> & { lookups?: number }): void => {
    specs.push({ lookups: 0, ...s });
    console.log(`  ${s.id}. ${s.what}: median ${fmt(median(s.samples), s.unit)}`);
  };
  const step = (id: string, what: string, t: Timed, note: string, limit?: number): void =>
    add({
      id,
      what,
      unit: 'ms',
      samples: t.ms,
      floorSamples: t.floorMs,
      note,
      ...(limit ? { limit } : {}),
    });
  const sum = (ts: Timed[], k: keyof Timed): number[] =>
    (ts[0]?.[k] ?? []).map((_, i) => ts.reduce((a, t) => a + (t[k][i] ?? 0), 0));

  // Part 1: compile 200 zones and 2,000 rules for 10,000 pods.
  const zs = zoneSet(PART1.zones);
  const zoneFile = zonePolicyFile({ zones: zs, rules: PART1.rules });
  const podFiles = generateCluster({ zoneLabels: zoneLabeller(zs) }).filter((f) =>
    f.path.startsWith('cluster/'),
  );
  const [pods, podsMs] = clock(() => loadPolicySet(podFiles).set);
  console.log(
    `part 1: ZonePolicy ${(zoneFile.text.length / 1024).toFixed(0)} KiB; ${n(pods.pods.length)} pods in ${pods.namespaces.length} namespaces (${podFiles.length} files, loaded once in ${fmt(podsMs, 'ms')}, not part of 1)`,
  );
  const c = measureCompile(zoneFile, pods, { reps: o.reps, floor });
  const k = c.counts;
  const zp = c.zp;
  const pools = zp.zones.filter((z) => z.pools.length > 0).length;
  const zoneStats = Object.entries(membership(zp, pods)).map(([key, v]) => `${key} ${n(v)}`);
  console.log(
    `  ${zp.zones.length} zones (${pools} with pools), ${zp.externals.length} externals, ${zp.rules.length} rules (${zp.rules.filter((r) => !r.enabled).length} disabled, ${zp.rules.filter((r) => r.log).length} logged; ${['Allow', 'Pass', 'Deny'].map((a) => `${zp.rules.filter((r) => r.action === a).length} ${a}`).join(', ')}); pods by membership: ${zoneStats.join(', ')}`,
  );
  console.log(
    `  program: ${c.prog.sides.length} sides, ${n(k.programRules)} rules; engine: ${k.policies} policies, ${n(k.rules)} rules, ${n(k.matches)} matches`,
  );
  step('1a', 'ZonePolicy read and validated', c.parse, 'floor: JSON.parse of the same policy');
  step('1b', 'compileProgram', c.program, 'floor: a Map look-up per program rule');
  step('1c', 'engine policies (zoneEnginePolicies)', c.policies, 'floor: a Map look-up per match');
  step(
    '1d',
    'Engine.build, 10,000 pods with the zones',
    c.build,
    'floor: Engine.build of the same pods without them',
  );
  const parts = [c.parse, c.program, c.policies, c.build];
  step(
    '1',
    'compile total (1a-1d)',
    { ms: sum(parts, 'ms'), floorMs: sum(parts, 'floorMs') },
    'floor: the floors of 1a-1d',
    2000,
  );
  const renders = measureRenderers(c.prog, pods, o.reps, floor);
  renders.forEach((r, i) => {
    const issues =
      Object.entries(r.issues)
        .map(([key, v]) => `${v} ${key}`)
        .join(', ') || 'none';
    step(
      `1${'efg'[i]}`,
      `render ${r.name}${i > 0 ? ' (approximate)' : ''}`,
      r,
      `${n(r.manifests)} objects, ${r.outputMiB.toFixed(1)} MiB of YAML, largest ${r.largestKiB.toFixed(0)} KiB; issues: ${issues}; floor: JSON.stringify of the output`,
    );
  });

  // Part 2: verify the bank example.
  const bank = ['examples/bank/zones.yaml', 'examples/bank'].map((p) => path.join(ROOT, p));
  const v = await measureVerify(() => readManifestInputs(bank), { reps: o.reps, floor });
  console.log(
    `part 2: cluster run: ${stats(v.results.cluster)}\n  guardrail run: ${stats(v.results.guardrail)}`,
  );
  witness('bank, cluster', v.results.cluster);
  witness('bank, guardrail', v.results.guardrail);
  const lookups = 'floor: a Map look-up per connection checked';
  step('2a', 'bank: read and load', v.load, 'floor: JSON.parse of the same objects');
  step(
    '2b',
    'bank: compile for Calico (render, read back)',
    v.compile,
    'floor: JSON round trip of the manifests',
  );
  step(
    '2c',
    'bank: verify both scenarios (cluster, guardrail)',
    v.verify,
    `${n(v.results.cluster.stats.zoneConnections + v.results.cluster.stats.connections)} connection classes each; ${lookups}`,
  );
  step('2', 'bank: verify in-process (2a-2c)', v.total, 'floor: the floors of 2a-2c', 1000);
  const cli = [
    'dist/src/cli/main.js',
    'verify',
    '--zones',
    'examples/bank/zones.yaml',
    '-f',
    'examples/bank',
  ];
  const proc: Timed = { ms: [], floorMs: [] };
  for (let r = 0; r < Math.min(3, o.reps); r++) {
    proc.ms.push(processMs(cli, ROOT));
    proc.floorMs.push(processMs(['-e', '0'], ROOT));
  }
  step(
    '2e',
    'bank: `zonewall verify` as a process',
    proc,
    `first ${fmt(proc.ms[0] ?? NaN, 'ms')}; floor: \`node -e 0\``,
    1000,
  );

  // Part 3: verify 10,000 pods with 50 zones, measured at full size.
  console.log(`part 3: ${PART3.zones} zones, ${PART3.rules} rules; 10,000 pods`);
  const files = part3Files(1, PART3);
  const runs = fullRuns(files, { reps: Math.min(3, o.reps), floor });
  const last = runs.results[runs.results.length - 1];
  if (!last) throw new Error('no full-size runs');
  console.log(`  cluster: ${stats(last.cluster)}\n  guardrail: ${stats(last.guardrail)}`);
  witness('full size, cluster', last.cluster);
  witness('full size, guardrail', last.guardrail);
  step(
    '3a',
    'load 10,000 pods, policies, 50 zones',
    runs.load,
    'floor: JSON.parse of the same objects',
  );
  step(
    '3b',
    'compile for Calico (render, read back)',
    runs.compile,
    'floor: JSON round trip of the manifests',
  );
  const zc = last.cluster.stats.zoneConnections + last.cluster.stats.connections;
  step(
    '3c',
    'verify both scenarios (cluster, guardrail)',
    runs.verify,
    `${n(zc)} connection classes each (${n(last.cluster.stats.zoneSourceClasses)} source x ${n(last.cluster.stats.zoneDestinationClasses)} destination zone classes, ${n(last.cluster.stats.zoneAddressClasses)} address classes; ${n(last.cluster.stats.connections)} checked in full); ${lookups}`,
  );
  const total = runs.load.ms.map(
    (l, i) => l + (runs.compile.ms[i] ?? NaN) + (runs.verify.ms[i] ?? NaN),
  );
  const totalFloor = runs.load.floorMs.map(
    (l, i) => l + (runs.compile.floorMs[i] ?? NaN) + (runs.verify.floorMs[i] ?? NaN),
  );
  add({
    id: '3',
    what: 'verify 10,000 pods, 50 zones (3a+3b+3c)',
    unit: 'ms',
    samples: total,
    floorSamples: totalFloor,
    limit: 60_000,
    note: 'measured end to end in-process; floor: the floors of 3a-3c',
  });

  const ns = floor.nsPerLookup();
  const figures = specs.map((s) => figure(s, ns, 0));
  console.log(
    `\nfloor: ${ns.toFixed(1)} ns per Map look-up; load average at the end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(table(figures));
  for (const f of figures) console.log(`  ${f.id}: ${f.note}`);
  if (o.json) {
    const out = {
      date: new Date().toISOString(),
      argv: process.argv.slice(2),
      machine,
      floorNsPerLookup: ns,
      part1: { counts: c.counts, renders },
      part2: v.results,
      part3: { stats: { cluster: last.cluster.stats, guardrail: last.guardrail.stats }, ms: runs },
      figures,
    };
    // Addresses hold IPv6 parts as bigints.
    const text = JSON.stringify(out, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x), 2);
    writeFileSync(o.json, `${text}\n`);
    console.log(`wrote ${o.json}`);
  }
}

await main();
