// The measurements of zones.bench.ts: compiling a ZonePolicy step by step, rendering it for each
// target, and `zonewall verify`'s steps in-process. Each returns samples (milliseconds) and,
// beside them, the floor measured in the same repetition where one makes sense.
import { spawnSync } from 'node:child_process';
import jsyaml from 'js-yaml';
import {
  compiledZones,
  verifyZonesTogether,
  withDevelopersAllowingEverything,
  withZones,
} from '../src/core/analysis/index.js';
import type { CompiledZones, VerifyInput, VerifyResult } from '../src/core/analysis/index.js';
import { Engine } from '../src/core/engine/index.js';
import { loadPolicySet } from '../src/core/model/index.js';
import type { InputFile, Issue, PolicySet } from '../src/core/model/index.js';
import { renderAnp, renderCalico, renderCnp } from '../src/core/targets/index.js';
import type { Renderer } from '../src/core/targets/index.js';
import {
  compileProgram,
  loadCluster,
  zoneEnginePolicies,
  zoneKinds,
  zoneOf,
} from '../src/core/zones/index.js';
import type { ClusterLoad, ZonePolicy, ZoneProgram } from '../src/core/zones/index.js';
import { gc, now, repeat } from './measure.js';
import type { MapFloor } from './measure.js';

/** Samples of one step and of its floor, in milliseconds. */
export interface Timed {
  ms: number[];
  floorMs: number[];
}

const timed = (): Timed => ({ ms: [], floorMs: [] });

/** Milliseconds `fn` takes, and its result. */
export function clock<T>(fn: () => T): [T, number] {
  const t = now();
  const r = fn();
  return [r, now() - t];
}

/** The files as JSON text (the same objects), for a JSON.parse floor. */
export function asJson(files: readonly InputFile[]): string[] {
  return files.map((f) => JSON.stringify(jsyaml.loadAll(f.text)));
}

/** Milliseconds to JSON.parse all these texts. */
export function jsonParseMs(texts: readonly string[]): number {
  return clock(() => texts.reduce((n, t) => n + (JSON.parse(t) as unknown[]).length, 0))[1];
}

export interface CompileSamples {
  parse: Timed;
  program: Timed;
  policies: Timed;
  build: Timed;
  zp: ZonePolicy;
  prog: ZoneProgram;
  counts: { programRules: number; policies: number; rules: number; matches: number };
}

/**
 * Part 1: the ZonePolicy read and validated alone, compiled to the program, to the engine's
 * policies, and Engine.build on the pods with them; floors: JSON.parse of the same policy, one
 * Map look-up per program rule and per match, and Engine.build of the same pods without them.
 */
export function measureCompile(
  zoneFile: InputFile,
  pods: PolicySet,
  o: { reps: number; floor: MapFloor },
): CompileSamples {
  const s = { parse: timed(), program: timed(), policies: timed(), build: timed() };
  const json = asJson([zoneFile]);
  let last: Omit<CompileSamples, keyof typeof s> | undefined;
  repeat(o.reps, o.floor, () => {
    gc();
    const found: ZonePolicy[] = [];
    const [res, tParse] = clock(() => loadPolicySet([zoneFile], { extraKinds: zoneKinds(found) }));
    const zp = found[0];
    if (!res.ok || !zp) throw new Error(`the generated ZonePolicy has errors: ${msg(res.issues)}`);
    const [prog, tProgram] = clock(() => compileProgram(zp));
    const [policies, tPolicies] = clock(() => zoneEnginePolicies(prog));
    const [, tBuild] = clock(() =>
      Engine.build({ ...pods, policies: [...pods.policies, ...policies] }),
    );
    const [, tBare] = clock(() => Engine.build(pods));
    const rules = policies.flatMap((p) => [...(p.ingress ?? []), ...(p.egress ?? [])]);
    const counts = {
      programRules: prog.sides.reduce((n, sd) => n + sd.ingress.length + sd.egress.length, 0),
      policies: policies.length,
      rules: rules.length,
      matches: rules.reduce((n, r) => n + r.matches.length, 0),
    };
    const ns = o.floor.sample() * 1e-6;
    push(s.parse, tParse, jsonParseMs(json));
    push(s.program, tProgram, counts.programRules * ns);
    push(s.policies, tPolicies, counts.matches * ns);
    push(s.build, tBuild, tBare);
    last = { zp, prog, counts };
  });
  if (!last) throw new Error('no repetitions');
  return { ...s, ...last };
}

function push(t: Timed, ms: number, floorMs: number): void {
  t.ms.push(ms);
  t.floorMs.push(floorMs);
}

const msg = (issues: readonly Issue[]): string =>
  issues.find((i) => i.severity === 'error')?.message ?? '(none)';

/** How the pods are in their zones: by pod label, namespace label, default, or undeclared. */
export function membership(zp: ZonePolicy, set: PolicySet): Record<string, number> {
  const ns = new Map(set.namespaces.map((x) => [x.name, x.labels]));
  const out: Record<string, number> = {};
  for (const p of set.pods) {
    const m = zoneOf(zp, p.labels, ns.get(p.namespace));
    const key = m.zone === undefined ? 'undeclared zone' : m.from;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export const RENDERERS: ReadonlyArray<[name: string, renderer: Renderer, approximate: boolean]> = [
  ['Calico', renderCalico, false],
  ['ClusterNetworkPolicy', renderCnp, true],
  ['AdminNetworkPolicy', renderAnp, true],
];

export interface RenderSamples extends Timed {
  name: string;
  manifests: number;
  /** Largest object as YAML, KiB (the API server refuses objects over about 1.5 MiB). */
  largestKiB: number;
  outputMiB: number;
  issues: Record<string, number>;
}

/** Each renderer on the program; floor: JSON.stringify of what it returned. */
export function measureRenderers(
  prog: ZoneProgram,
  pods: PolicySet,
  reps: number,
  floor: MapFloor,
): RenderSamples[] {
  return RENDERERS.map(([name, renderer, approximate]) => {
    const t = timed();
    const opts = { approximate, namespaces: pods.namespaces };
    let out = renderer(prog, opts);
    repeat(reps, floor, () => {
      gc();
      const [res, ms] = clock(() => renderer(prog, opts));
      out = res;
      push(t, ms, clock(() => JSON.stringify(res.manifests))[1]);
    });
    const issues: Record<string, number> = {};
    for (const i of out.issues)
      issues[`${i.severity} ${i.code}`] = (issues[`${i.severity} ${i.code}`] ?? 0) + 1;
    const sizes = out.manifests.map((m) => jsyaml.dump(m, { lineWidth: -1 }).length);
    return {
      ...t,
      name,
      manifests: out.manifests.length,
      largestKiB: Math.max(0, ...sizes) / 1024,
      outputMiB: sizes.reduce((a, b) => a + b, 0) / 1_048_576,
      issues,
    };
  });
}

export interface VerifySamples {
  load: Timed;
  compile: Timed;
  /** Both scenarios together, as `zonewall verify` checks them. */
  verify: Timed;
  total: Timed;
  results: { cluster: VerifyResult; guardrail: VerifyResult };
}

/** `zonewall verify`'s steps once: load, compile for Calico, both scenarios checked together. */
export function verifyOnce(files: readonly InputFile[]): {
  ms: { load: number; compile: number; verify: number };
  results: VerifySamples['results'];
  program: ZoneProgram;
} {
  const [loaded, load] = clock(() => loadCluster(files));
  if (!loaded.ok || !loaded.program || !loaded.zonePolicy)
    throw new Error(`verify input has errors: ${msg(loaded.issues)}`);
  const zp = loaded.zonePolicy;
  const cluster = ownPolicies(loaded);
  const render = { renderer: renderCalico, options: { approximate: false }, name: 'calico' };
  const [compiled, compile] = clock(() => compiledZones(loaded.program as ZoneProgram, render));
  if (!compiled.zones) throw new Error(`compile failed: ${msg(compiled.issues)}`);
  const zones: CompiledZones = compiled.zones;
  const input = (base: PolicySet): VerifyInput => ({
    cluster: base,
    enforced: withZones(base, zones),
    zonePolicy: zp,
  });
  // Both scenarios together, as `zonewall verify` checks them (the zone level is shared).
  const [both, tb] = clock(() =>
    verifyZonesTogether([input(cluster), input(withDevelopersAllowingEverything(cluster))]),
  );
  const [c, g] = both as [VerifyResult, VerifyResult];
  return {
    ms: { load, compile, verify: tb },
    results: { cluster: c, guardrail: g },
    program: loaded.program,
  };
}

/** The cluster's own policies (as verify.ts: everything but the ZonePolicy's). */
export function ownPolicies(loaded: ClusterLoad): PolicySet {
  const set = loaded.set;
  return { ...set, policies: set.policies.filter((p) => p.ref.kind !== 'ZonePolicy') };
}

/**
 * Part 2: verify's steps, repeated; `read` gives the files (reading them is part of load).
 * Floors: JSON.parse of the same objects (load), one Map look-up per connection checked.
 */
export async function measureVerify(
  read: () => Promise<InputFile[]>,
  o: { reps: number; floor: MapFloor },
): Promise<VerifySamples> {
  const s = {
    load: timed(),
    compile: timed(),
    verify: timed(),
    total: timed(),
  };
  const json = asJson(await read());
  let results: VerifySamples['results'] | undefined;
  for (let r = 0; r < o.reps; r++) {
    gc();
    const [files, tRead] = await clockAsync(read);
    const once = verifyOnce(files);
    results = once.results;
    const ns = o.floor.sample() * 1e-6;
    const parse = jsonParseMs(json);
    const conn = (v: VerifyResult): number => (v.stats.zoneConnections + v.stats.connections) * ns;
    push(s.load, tRead + once.ms.load, parse);
    push(s.compile, once.ms.compile, jsonRoundTripMs(once.program));
    push(s.verify, once.ms.verify, conn(results.cluster) + conn(results.guardrail));
    const { load, compile, verify } = once.ms;
    push(
      s.total,
      tRead + load + compile + verify,
      parse + conn(results.cluster) + conn(results.guardrail),
    );
  }
  if (!results) throw new Error('no repetitions');
  return { ...s, results };
}

/** Milliseconds of a JSON round trip of the Calico manifests of a program (not timed itself). */
export function jsonRoundTripMs(prog: ZoneProgram): number {
  const manifests = renderCalico(prog, { approximate: false }).manifests;
  return clock(() => JSON.parse(JSON.stringify(manifests)) as unknown)[1];
}

async function clockAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = now();
  const r = await fn();
  return [r, now() - t];
}

/** Wall-clock milliseconds of a child process (startup included); throws on a failure exit. */
export function processMs(args: readonly string[], cwd: string, okCodes = [0]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!okCodes.includes(r.status ?? -1))
    throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
