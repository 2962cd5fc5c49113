// Part 3 of zones.bench.ts: `verify` on a generated cluster with developer policies and a
// 50-zone ZonePolicy, measured end to end at full size (10,000 pods): load, compile for Calico,
// and both scenarios (the cluster's own policies, the guardrail) checked together as
// `zonewall verify` checks them.
import type { VerifyResult } from '../src/core/analysis/index.js';
import type { InputFile } from '../src/core/model/index.js';
import { generateCluster } from './gen-cluster.js';
import { zoneLabeller, zonePolicyFile, zoneSet } from './gen-zones.js';
import { asJson, jsonParseMs, jsonRoundTripMs, verifyOnce } from './zones-figures.js';
import type { Timed } from './zones-figures.js';
import { gc, repeat } from './measure.js';
import type { MapFloor } from './measure.js';

/** The zone label of part 3: added beside the cluster's own `zonewall.io/zone` labels. */
export const PART3_ZONE_KEY = 'zones.corp.example/zone';

/**
 * The engine benchmark's cluster scaled by `scale` with 50-zone labels, less its hand-written
 * `security` tier (the ZonePolicy replaces it), and the ZonePolicy first.
 */
export function part3Files(scale: number, o: { zones: number; rules: number }): InputFile[] {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  const zs = zoneSet(o.zones, PART3_ZONE_KEY);
  const cluster = generateCluster({
    namespaces: Math.max(4, n(500)),
    policies: n(2000),
    calicoPlatform: n(100),
    calicoDefault: n(150),
    zoneLabels: zoneLabeller(zs),
  }).filter((f) => f.path !== 'tiers/security.yaml');
  return [zonePolicyFile({ zones: zs, rules: o.rules }), ...cluster];
}

export interface FullRuns {
  load: Timed;
  compile: Timed;
  /** Both scenarios together. */
  verify: Timed;
  results: Array<{ cluster: VerifyResult; guardrail: VerifyResult }>;
}

/**
 * The full-size cluster, repeated: load, compile and verify each timed (floors: JSON.parse of
 * the same objects, a JSON round trip of the compiled program, and a Map look-up per
 * connection class checked).
 */
export function fullRuns(files: InputFile[], o: { reps: number; floor: MapFloor }): FullRuns {
  const out: FullRuns = {
    load: { ms: [], floorMs: [] },
    compile: { ms: [], floorMs: [] },
    verify: { ms: [], floorMs: [] },
    results: [],
  };
  const json = asJson(files);
  repeat(o.reps, o.floor, () => {
    gc();
    const { ms, results, program } = verifyOnce(files);
    const { cluster: c, guardrail: g } = results;
    out.load.ms.push(ms.load);
    out.load.floorMs.push(jsonParseMs(json));
    out.compile.ms.push(ms.compile);
    out.compile.floorMs.push(jsonRoundTripMs(program));
    out.verify.ms.push(ms.verify);
    const classes = (r: VerifyResult): number => r.stats.zoneConnections + r.stats.connections;
    out.verify.floorMs.push((classes(c) + classes(g)) * o.floor.nsPerLookup() * 1e-6);
    out.results.push(results);
  });
  return out;
}

/** A count as text. */
export const n = (x: number): string => Math.round(x).toLocaleString('en-US');
/** A verify run's statistics as one line. */
export const stats = (r: VerifyResult): string => {
  const s = r.stats;
  return `${n(s.pods)} pods (${n(s.identicalGroups)} identical groups), ${s.method}: ${n(s.zoneSourceClasses)} source / ${n(s.zoneDestinationClasses)} destination zone classes, ${n(s.zoneAddressClasses)} address classes, ${n(s.zoneConnections)} zone-level connection classes; ${n(s.podClasses)} pod classes and ${n(s.connections)} connection classes in full; ${s.protocols} protocols, ${n(s.portIntervals)} port intervals; ${r.differenceCount} differences`;
};

/** Print a run's first difference with its trace (none expected for the Calico target). */
export function witness(name: string, r: VerifyResult): void {
  const d = r.differences[0];
  if (!d) return;
  console.log(
    `  FIRST DIFFERENCE (${name}): ${d.from} -> ${d.to} ${d.protocol}/${d.port ?? '-'}: enforced ${d.actual}, intended ${d.expected} (${d.intent})`,
  );
  for (const s of d.trace) console.log(`    ${JSON.stringify(s)}`);
}
