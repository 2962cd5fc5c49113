// `zonewall demo`: the bank example end to end: load and validate it, print the zone-to-zone
// summary, the pod reachability matrix on each destination's ports, and the proof that the
// zones compiled for Calico enforce exactly what the ZonePolicy means.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compiledZones,
  verifyZonesTogether,
  withDevelopersAllowingEverything,
  withZones,
} from '../../core/analysis/index.js';
import type { VerifyResult } from '../../core/analysis/index.js';
import { compareTiers } from '../../core/engine/index.js';
import { renderCalico } from '../../core/targets/index.js';
import { zoneOf } from '../../core/zones/index.js';
import type { Endpoint } from '../../core/engine/index.js';
import { loadOrExit } from '../load.js';
import { EXIT, println, table } from '../output.js';
import type { ExitCode, IO } from '../output.js';
import { declaredPorts, printGrid } from './matrix.js';
import type { Grid } from './matrix.js';

const ZONE_LABEL = 'zonewall.io/zone';

/** The repository (package) root: the nearest directory up with zonewall's package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (
      existsSync(pj) &&
      (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'zonewall'
    )
      return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the zonewall package root');
    dir = up;
  }
}

/** Run `demo` on the embedded bank example (or another directory). */
export async function demo(io: IO, o: { dir?: string }): Promise<ExitCode> {
  const dir = o.dir ?? path.join(packageRoot(), 'examples', 'bank');
  const shown = path.relative(process.cwd(), dir) || '.';
  println(io, `zonewall demo: ${shown}`);
  const loaded = await loadOrExit(io, [dir]);
  if (typeof loaded === 'number') return loaded;
  const { set, zonePolicy } = loaded.result;
  const used = new Set(set.policies.map((p) => p.tier));
  const tiers = set.tiers.filter((t) => used.has(t.name)).sort(compareTiers);
  const tierText = tiers.map((t) => `${t.name} (order ${t.order ?? 'none'})`).join(', ');
  const own = set.policies.filter((p) => p.ref.kind !== 'ZonePolicy').length;
  const zoneText = zonePolicy
    ? `, ZonePolicy ${zonePolicy.name} (${zonePolicy.zones.length} zones, ${zonePolicy.rules.length} rules)`
    : '';
  println(
    io,
    `${set.namespaces.length} namespaces, ${set.pods.length} pods, ${own} policies${zoneText}; tiers ${tierText}`,
  );
  println(io, '');
  const eps = loaded.engine.eps;
  const zoneOfPod = (p: Endpoint): string => {
    const labels = p.pod?.labels ?? new Map<string, string>();
    const ns = eps.namespaceLabels(p.namespace ?? '');
    if (zonePolicy) return zoneOf(zonePolicy, labels, ns).zone ?? '(undeclared)';
    return labels.get(ZONE_LABEL) ?? ns?.get(ZONE_LABEL) ?? '(none)';
  };
  // Pods grouped by zone, so the matrix reads zone by zone.
  const pods = eps
    .allPods()
    .filter((p) => !p.hostNetwork)
    .map((p) => ({ p, zone: zoneOfPod(p) }))
    .sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
  const grid = declaredPorts(
    loaded.engine,
    pods.map((x) => x.p),
  );
  printZoneSummary(
    io,
    pods.map((x) => x.zone),
    grid,
  );
  println(io, '');
  printGrid(io, {
    ...grid,
    rows: pods.map((x, i) => `${x.zone.padEnd(12)} ${grid.rows[i] ?? ''}`),
  });
  println(io, '');
  if (loaded.result.program && zonePolicy) {
    // The proof, in short: the zones compiled for Calico, with the cluster's own policies,
    // enforce exactly what the ZonePolicy means (and developers allowing everything change
    // nothing the zones decide).
    const cluster = { ...set, policies: set.policies.filter((p) => p.ref.kind !== 'ZonePolicy') };
    const compiled = compiledZones(loaded.result.program, {
      renderer: renderCalico,
      options: { approximate: false },
      name: 'calico',
    });
    if (compiled.zones) {
      const zones = compiled.zones;
      const [c, g] = verifyZonesTogether(
        [cluster, withDevelopersAllowingEverything(cluster)].map((base) => ({
          cluster: base,
          enforced: withZones(base, zones),
          zonePolicy,
        })),
      );
      const classes = (r: VerifyResult | undefined): number =>
        r ? r.stats.zoneConnections + r.stats.connections : 0;
      const diffs = (c?.differenceCount ?? 0) + (g?.differenceCount ?? 0);
      println(
        io,
        `Proof: the zones compiled for Calico enforce ${diffs === 0 ? 'exactly' : 'NOT exactly'} what ${zonePolicy.name} means: ${classes(c).toLocaleString('en-US')} connection classes checked, with the developers' guardrail too; ${diffs} differences`,
      );
      println(io, '');
    }
  }
  println(io, 'Ask why:  zonewall explain -f examples/bank --from NS/POD --to NS/POD --port PORT');
  println(io, 'Prove it: zonewall verify --zones examples/bank/zones.yaml -f examples/bank');
  println(io, 'Enforce:  sudo zonewall lab up --example bank && sudo zonewall lab probe');
  println(
    io,
    'Preview:  zonewall preview -f examples/bank --changes NEW.yaml (flows from zonewall flows ingest)',
  );
  return EXIT.OK;
}

/** Zone x zone: reachable pod pairs (on at least one declared port) out of all pairs. */
function printZoneSummary(io: IO, zones: string[], g: Grid): void {
  const names = [...new Set(zones)].sort();
  const count = new Map<string, [number, number]>();
  zones.forEach((_, i) =>
    zones.forEach((__, j) => {
      if (i === j || g.cells[i]?.[j] === 'no-ports') return;
      const k = `${zones[i]}>${zones[j]}`;
      const c = count.get(k) ?? [0, 0];
      const cell = g.cells[i]?.[j];
      count.set(k, [c[0] + (cell === 'allow' || cell === 'some' ? 1 : 0), c[1] + 1]);
    }),
  );
  println(io, 'Zone to zone: reachable pod pairs / pairs (destinations with declared ports)');
  const rows = [['from \\ to', ...names]];
  for (const a of names) {
    rows.push([
      a,
      ...names.map((b) => {
        const c = count.get(`${a}>${b}`);
        return c ? `${c[0]}/${c[1]}` : '-';
      }),
    ]);
  }
  io.out(table(rows));
}
