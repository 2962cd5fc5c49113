// The nftables benchmark: render the ruleset of one node with 500 local pods in the engine
// benchmark's cluster (bench/gen-cluster.ts: 10,000 pods, 2,000 policies), apply it with
// `nft -f` into a throwaway network namespace, and count nft's own rules while the number of
// local pods and then the number of policies changes. Each time has its floor, measured in the
// same run: for rendering, walking the engine's policy lists of the same pods (what any
// renderer must read); for applying, `nft -f` of an empty zonewall table in the same namespace
// (process start and one netlink transaction).
//
//   npm run bench:nftables [-- --reps N] [--json PATH]      (root, nft and ip needed to apply)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Engine } from '../src/core/engine/index.js';
import type { PolicySet } from '../src/core/model/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import { hostPods, renderNftables } from '../src/core/targets/nftables/index.js';
import { labUnavailable, must, run } from '../src/dataplane/exec.js';
import { applyRuleset, countTable } from '../src/dataplane/nft.js';
import { generateCluster } from './gen-cluster.js';
import { median, now, quantile } from './measure.js';
import { fmt } from './table.js';

const LOCAL = 500;
const RENDER_TARGET_MS = 1000;
const APPLY_TARGET_MS = 2000;

/** The cluster with its pods spread over nodes so that each node has `local` pods. */
function placed(set: PolicySet, local: number): PolicySet {
  const nodes = Math.max(1, Math.round(set.pods.length / local));
  return { ...set, pods: set.pods.map((p, i) => ({ ...p, nodeName: `node-${i % nodes}` })) };
}

/** Every pod of node-0 repeated `k` times (same labels, namespace and ports; new names and addresses). */
function replicated(set: PolicySet, k: number): PolicySet {
  const local = set.pods.filter((p) => p.nodeName === 'node-0');
  const extra = local.flatMap((p, i) =>
    Array.from({ length: k - 1 }, (_, j) => ({
      ...p,
      name: `${p.name}-r${j + 1}`,
      // 100.64.0.0/10: outside every pool and policy CIDR of the generated cluster.
      ips: [{ version: 4 as const, v4: (0x64400000 + i * 8 + j + 1) >>> 0 }],
    })),
  );
  return { ...set, pods: [...set.pods, ...extra] };
}

function load(policies: number): PolicySet {
  const res = loadCluster(generateCluster({ policies }));
  if (!res.ok) throw new Error('the generated cluster does not load');
  return res.set;
}

interface Row {
  figure: string;
  target: string;
  median: number;
  p90: number;
  floor: number;
  met?: boolean;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = (f: string): string | undefined => argv[argv.indexOf(f) + 1];
  const reps = argv.includes('--reps') ? Number(at('--reps')) : 7;
  const json = argv.includes('--json') ? at('--json') : undefined;
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus[0]?.model ?? '?'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`,
  );
  const t0 = now();
  const full = load(2000);
  const set = placed(full, LOCAL);
  const engine = Engine.build(set);
  const pods = hostPods(engine, 'node-0');
  console.log(
    `cluster: ${set.pods.length} pods, ${set.policies.length} policies; node-0 has ${pods.length} pods (loaded and indexed once in ${fmt(now() - t0, 'ms')}, not measured)`,
  );

  const render: number[] = [];
  const renderFloor: number[] = [];
  let text = '';
  let stats = renderNftables(set, { host: 'node-0', engine }).stats;
  for (let i = 0; i < reps; i++) {
    let t = now();
    let n = 0;
    for (const ep of pods)
      n += engine.policiesFor(ep, 'ingress').length + engine.policiesFor(ep, 'egress').length;
    renderFloor.push(now() - t);
    t = now();
    const r = renderNftables(set, { host: 'node-0', engine });
    render.push(now() - t);
    text = r.text;
    stats = r.stats;
    if (n < 0) console.log(n);
  }
  const rows: Row[] = [
    row(
      'render node-0 (500 pods, 2,000 policies)',
      `< ${RENDER_TARGET_MS} ms`,
      render,
      renderFloor,
      RENDER_TARGET_MS,
    ),
  ];
  console.log(
    `ruleset: ${stats.rules} rules in ${stats.chains} chains, ${stats.sets} sets with ${stats.elements} elements, ${(text.length / 1024).toFixed(0)} KiB`,
  );

  const why = labUnavailable();
  const growth: Array<Record<string, number | string>> = [];
  if (why) console.log(`apply and nft counts skipped: the lab ${why}`);
  else {
    const ns = `zw-bench${process.pid}-apply`;
    await must('ip', ['netns', 'add', ns]);
    try {
      const apply: number[] = [];
      const applyFloor: number[] = [];
      const empty =
        'table inet zonewall {}\ndelete table inet zonewall\ntable inet zonewall {\n}\n';
      for (let i = 0; i < reps; i++) {
        let t = now();
        await applyRuleset(ns, empty);
        applyFloor.push(now() - t);
        t = now();
        await applyRuleset(ns, text);
        apply.push(now() - t);
      }
      rows.push(
        row(
          'apply it with nft -f (replace the table)',
          `< ${APPLY_TARGET_MS} ms`,
          apply,
          applyFloor,
          APPLY_TARGET_MS,
        ),
      );
      // More pods of the same workloads on node-0: the policies that apply there are the same.
      for (const k of [1, 2, 4])
        growth.push(await counts(ns, 'replicas', replicated(set, k), 2000));
      // More policies in the cluster, the same placement of pods.
      for (const policies of [500, 1000, 2000])
        growth.push(await counts(ns, 'policies', placed(load(policies), LOCAL), policies));
      // Pods from more namespaces on node-0: more distinct policies apply there.
      for (const local of [125, 250, 1000])
        growth.push(await counts(ns, 'spread', placed(full, local), 2000));
    } finally {
      await run('ip', ['netns', 'del', ns]);
    }
  }
  console.log();
  console.log('| figure | target | median | p90 | floor | ratio | met |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.figure} | ${r.target} | ${fmt(r.median, 'ms')} | ${fmt(r.p90, 'ms')} | ${fmt(r.floor, 'ms')} | ${(r.median / r.floor).toFixed(1)}x | ${r.met ? 'yes' : 'no'} |`,
    );
  }
  if (growth.length > 0) {
    console.log();
    console.log(
      '| varied | local pods | policies | nft rules | nft chains | rendered rules | sets | set elements |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const g of growth)
      console.log(
        `| ${g.varied} | ${g.pods} | ${g.policies} | ${g.nftRules} | ${g.nftChains} | ${g.rules} | ${g.sets} | ${g.elements} |`,
      );
  }
  if (json) writeFileSync(json, `${JSON.stringify({ reps, rows, growth }, null, 2)}\n`);
}

function row(
  figure: string,
  target: string,
  samples: number[],
  floor: number[],
  limit: number,
): Row {
  const m = median(samples);
  return {
    figure,
    target,
    median: m,
    p90: quantile(samples, 0.9),
    floor: median(floor),
    met: m < limit,
  };
}

async function counts(
  ns: string,
  varied: string,
  set: PolicySet,
  policies: number,
): Promise<Record<string, number | string>> {
  const engine = Engine.build(set);
  const r = renderNftables(set, { host: 'node-0', engine });
  await applyRuleset(ns, r.text);
  const nft = await countTable(ns);
  return {
    varied,
    pods: r.stats.endpoints,
    policies,
    nftRules: nft.rules,
    nftChains: nft.chains,
    rules: r.stats.rules,
    sets: r.stats.sets,
    elements: r.stats.elements,
  };
}

await main();
