// The preview benchmark (issue 7): ten million stored flows between the bank example's pods,
// previewed against a change (the payments API's ingress policy deleted), the way `zonewall
// preview` does it: the store groups the flows into their distinct (source, destination,
// protocol, port) keys, and each key is evaluated once before and once after. Medians of
// repetitions, beside a floor from the same run: the store's own count of the rows.
//
//   npm run build --silent && node --expose-gc dist/bench/preview.bench.js [--rows N] [--reps N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyChanges, previewFlows } from '../src/core/analysis/index.js';
import { loadPolicySet } from '../src/core/model/index.js';
import { formatIP } from '../src/core/net/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import { KEY_FIELDS, allGroups, flowOfRow } from '../src/cli/commands/preview.js';
import type { PreviewFlow } from '../src/core/analysis/index.js';
import { readManifestInputs } from '../src/integrations/manifests.js';
import { DuckDbStore } from '../src/store/index.js';
import { gc, median, now } from './measure.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const lit = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(',')}]`;

async function main(): Promise<void> {
  const rows = arg('rows', 10_000_000);
  const reps = arg('reps', 3);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const files = await readManifestInputs([path.join(ROOT, 'examples/bank')], () =>
    Promise.resolve(''),
  );
  const current = loadCluster(files);
  if (!current.ok) throw new Error('bank example invalid');
  const pods = current.set.pods.filter((p) => p.ips.length > 0 && !p.hostNetwork);
  const names = lit(pods.map((p) => p.name));
  const spaces = lit(pods.map((p) => p.namespace));
  const ips = lit(pods.map((p) => formatIP(p.ips[0] as NonNullable<(typeof p.ips)[0]>)));
  const P = pods.length;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zw-preview-bench-'));
  try {
    const store = await DuckDbStore.open(path.join(dir, 'flows.duckdb'));
    const h = (k: number): string => `(hash(i * ${k}) % 1000003)::BIGINT`;
    const s = `1 + ${h(3)} % ${P}`;
    const d = `1 + ${h(5)} % ${P}`;
    const t0 = now();
    await store.insertRows(`SELECT
      lpad(to_hex(i), 16, '0'), 1780000000 + i // 100, 1780000000 + i // 100 + 15, 'node-a', 'src',
      CASE WHEN ${h(7)} % 10 = 0 THEN 'deny' ELSE 'allow' END,
      ${ips}[${s}], 30000 + i % 30000, ${names}[${s}], '-', ${spaces}[${s}], 'wep', [], '-',
      ${ips}[${d}], [443, 8080, 5432, 53, 6514, 9090][1 + ${h(11)} % 6], ${names}[${d}], '-', ${spaces}[${d}], 'wep', [], '-',
      'tcp', 100, 200, 2, 2, 1 + ${h(37)} % 5, 1, 1, [], [], 'computed', '-', '-', 'lab'
    FROM range(${rows}) t(i)`);
    console.log(`filled ${rows.toLocaleString('en-US')} rows in ${Math.round(now() - t0)} ms`);
    const change = loadPolicySet([]).set;
    const after = applyChanges(current.set, change, [
      { kind: 'NetworkPolicy', namespace: 'payments-api', name: 'payments-api-ingress' },
    ]);
    const total: number[] = [];
    const query: number[] = [];
    const evaluate: number[] = [];
    const floor: number[] = [];
    let keys = 0;
    let denied = 0;
    for (let r = 0; r < reps; r++) {
      gc();
      const a = now();
      const groups = await allGroups(store, { groupBy: [...KEY_FIELDS] });
      const flows = groups.map(flowOfRow).filter((f): f is PreviewFlow => f !== undefined);
      const b = now();
      const res = previewFlows(current.set, after, flows);
      const c = now();
      await store.count();
      floor.push(now() - c);
      query.push(b - a);
      evaluate.push(c - b);
      total.push(c - a);
      keys = res.keys;
      denied = res.newlyDenied.records;
    }
    await store.close();
    const f = (x: number[]): string => `${Math.round(median(x))} ms`;
    console.log(
      `${rows.toLocaleString('en-US')} stored flows, ${keys.toLocaleString('en-US')} distinct keys, ${denied.toLocaleString('en-US')} records newly denied`,
    );
    console.log(`  group into keys (DuckDB): median ${f(query)}`);
    console.log(`  evaluate each key before and after: median ${f(evaluate)}`);
    console.log(
      `  preview total: median ${f(total)} (target < 10 s); floor (the store's count of its rows): ${f(floor)}; ratio ${(median(total) / median(floor)).toFixed(1)}x`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
