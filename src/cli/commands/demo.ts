// `zonewall demo`: the bank example end to end. At this stage: load and validate it, print
// the zone-to-zone summary and the pod reachability matrix on each destination's ports.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTiers } from '../../core/engine/index.js';
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
  const { set } = loaded.result;
  const used = new Set(set.policies.map((p) => p.tier));
  const tiers = set.tiers.filter((t) => used.has(t.name)).sort(compareTiers);
  const tierText = tiers.map((t) => `${t.name} (order ${t.order ?? 'none'})`).join(', ');
  println(
    io,
    `${set.namespaces.length} namespaces, ${set.pods.length} pods, ${set.policies.length} policies in tiers ${tierText}`,
  );
  println(io, '');
  const pods = loaded.engine.eps.allPods().filter((p) => !p.hostNetwork);
  const grid = declaredPorts(loaded.engine, pods);
  printZoneSummary(io, pods, grid, loaded.engine.eps.namespaceLabels.bind(loaded.engine.eps));
  println(io, '');
  printGrid(io, grid);
  println(io, '');
  println(io, 'Ask why:  zonewall explain -f examples/bank --from NS/POD --to NS/POD --port PORT');
  return EXIT.OK;
}

function zoneOf(
  p: Endpoint,
  nsLabels: (ns: string) => ReadonlyMap<string, string> | undefined,
): string {
  return p.pod?.labels.get(ZONE_LABEL) ?? nsLabels(p.namespace ?? '')?.get(ZONE_LABEL) ?? '(none)';
}

/** Zone x zone: reachable pod pairs (on at least one declared port) out of all pairs. */
function printZoneSummary(
  io: IO,
  pods: Endpoint[],
  g: Grid,
  nsLabels: (ns: string) => ReadonlyMap<string, string> | undefined,
): void {
  const zones = pods.map((p) => zoneOf(p, nsLabels));
  const names = [...new Set(zones)].sort();
  const count = new Map<string, [number, number]>();
  pods.forEach((_, i) =>
    pods.forEach((d, j) => {
      if (i === j || (d.pod?.ports.length ?? 0) === 0) return;
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
