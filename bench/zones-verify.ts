// Part 3 of zones.bench.ts: `verify` on a generated cluster with developer policies and a
// 50-zone ZonePolicy. The check enumerates every pair of endpoint classes, so its cost grows
// with the square of the classes: it is measured end to end on smaller clusters from the same
// generator, and at full size the classes are counted exactly (as verify forms them) and the
// check's cost projected from the largest measured run.
import { compiledZones, withZones } from '../src/core/analysis/index.js';
import { addressAtoms, addressSets } from '../src/core/analysis/atoms.js';
import { endpointSelectors, podAddressKeys, podClasses } from '../src/core/analysis/classes.js';
import type { VerifyResult, VerifyStats } from '../src/core/analysis/index.js';
import { Engine } from '../src/core/engine/index.js';
import type { EndpointSelector, InputFile } from '../src/core/model/index.js';
import { formatIP } from '../src/core/net/index.js';
import { renderCalico } from '../src/core/targets/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import type { ZoneProgram } from '../src/core/zones/index.js';
import { generateCluster } from './gen-cluster.js';
import { zoneLabeller, zonePolicyFile, zoneSet } from './gen-zones.js';
import {
  asJson,
  clock,
  jsonParseMs,
  jsonRoundTripMs,
  ownPolicies,
  verifyOnce,
} from './zones-figures.js';
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

export interface ScaledRun {
  scale: number;
  ms: { load: number; compile: number; cluster: number; guardrail: number };
  results: { cluster: VerifyResult; guardrail: VerifyResult };
}

/** verify end to end once per scale (the smaller clusters). */
export function scaledRuns(
  scales: readonly number[],
  o: { zones: number; rules: number },
): ScaledRun[] {
  return scales.map((scale) => {
    gc();
    const { ms, results } = verifyOnce(part3Files(scale, o));
    return { scale, ms, results };
  });
}

/** Pairs verify checks: every class with every class, but not address with address. */
export function checkedPairs(s: Pick<VerifyStats, 'podClasses' | 'addressClasses'>): number {
  const reps = s.podClasses + s.addressClasses;
  return reps * reps - s.addressClasses * s.addressClasses;
}

export interface FullScale {
  load: Timed;
  compile: Timed;
  pods: number;
  policies: number;
  selectors: number;
  distinctSelectors: number;
  podClasses: number;
  identicalGroups: number;
  addressClasses: number;
  classesMs: number;
}

/** A selector's meaning as text: equal keys select the same endpoints. */
function selectorKey(s: EndpointSelector): string {
  return JSON.stringify([
    s.kinds,
    s.namespace,
    s.namespaceSelector?.canonical,
    s.selector?.canonical,
    s.serviceAccountNames,
    s.serviceAccountSelector?.canonical,
  ]);
}

/**
 * The full-size cluster: load and compile timed (repeated; floors: JSON.parse of the same
 * objects, and a JSON round trip of the rendered manifests), then the classes verify would
 * check, formed as verify forms them (selectors of equal meaning counted once: the same
 * partition, in a fraction of the time).
 */
export function fullScale(files: InputFile[], o: { reps: number; floor: MapFloor }): FullScale {
  const load: Timed = { ms: [], floorMs: [] };
  const compile: Timed = { ms: [], floorMs: [] };
  const json = asJson(files);
  const render = { renderer: renderCalico, options: { approximate: false }, name: 'calico' };
  let last:
    { set: ReturnType<typeof withZones>; loaded: ReturnType<typeof loadCluster> } | undefined;
  repeat(o.reps, o.floor, () => {
    gc();
    const [loaded, tLoad] = clock(() => loadCluster(files));
    const prog = loaded.program as ZoneProgram;
    const [compiled, tCompile] = clock(() => compiledZones(prog, render));
    if (!compiled.zones) throw new Error('compile failed');
    load.ms.push(tLoad);
    load.floorMs.push(jsonParseMs(json));
    compile.ms.push(tCompile);
    compile.floorMs.push(jsonRoundTripMs(prog));
    last = { set: withZones(ownPolicies(loaded), compiled.zones), loaded };
  });
  if (!last?.loaded.zonePolicy) throw new Error('no repetitions');
  const { set } = last;
  const zp = last.loaded.zonePolicy;
  const [shape, classesMs] = clock(() => {
    const engine = Engine.build(set);
    const sets = addressSets(
      set.policies,
      zp,
      set.networkSets.map((n) => n.nets),
    );
    const all = endpointSelectors(set.policies);
    const distinct = [...new Map(all.map((s) => [selectorKey(s), s])).values()];
    const c = podClasses({ engine, selectors: distinct, addressSets: sets, zonePolicy: zp });
    const addresses = addressAtoms(sets, podAddressKeys(engine), formatIP);
    return {
      pods: engine.eps.allPods().length,
      selectors: all.length,
      distinctSelectors: distinct.length,
      podClasses: c.classes.length,
      identicalGroups: c.identicalGroups,
      addressClasses: addresses.length,
    };
  });
  return { load, compile, policies: set.policies.length, classesMs, ...shape };
}

export interface Projection {
  connections: number;
  clusterMs: number;
  guardrailMs: number;
}

/** The full-size check's cost at the largest measured run's connections per pair and µs each. */
export function project(full: FullScale, run: ScaledRun): Projection {
  const pairs = checkedPairs(full);
  const per = (r: VerifyResult): number => r.stats.connections / checkedPairs(r.stats);
  const msPer = (r: VerifyResult, ms: number): number => ms / r.stats.connections;
  const c = run.results.cluster;
  const g = run.results.guardrail;
  const connections = pairs * per(c);
  return {
    connections,
    clusterMs: connections * msPer(c, run.ms.cluster),
    guardrailMs: pairs * per(g) * msPer(g, run.ms.guardrail),
  };
}

/** A count as text. */
export const n = (x: number): string => Math.round(x).toLocaleString('en-US');
/** A verify run's statistics as one line. */
export const stats = (r: VerifyResult): string => {
  const s = r.stats;
  return `${n(s.pods)} pods (${n(s.identicalGroups)} identical groups) in ${n(s.podClasses)} classes, ${n(s.addressClasses)} address classes, ${s.protocols} protocols, ${n(s.portIntervals)} port intervals; ${n(s.connections)} connections, ${r.differenceCount} differences`;
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
