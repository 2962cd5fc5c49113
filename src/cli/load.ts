// Shared by the verbs: read manifests, validate, report issues, build the engine.
import { Engine } from '../core/engine/index.js';
import { loadCluster } from '../core/zones/index.js';
import type { ClusterLoad, ZonePolicy, ZoneProgram } from '../core/zones/index.js';
import { InputError, readManifestInputs } from '../integrations/manifests.js';
import { EXIT, printIssues } from './output.js';
import type { ExitCode, IO } from './output.js';

export interface Loaded {
  result: ClusterLoad;
  engine: Engine;
}

/** Load and validate; on any error print the issues and return the exit code (2). */
export async function loadOrExit(io: IO, paths: readonly string[]): Promise<Loaded | ExitCode> {
  const res = await validateInputs(io, paths);
  if (typeof res === 'number') return res;
  if (!res.ok) return EXIT.BAD_INPUT;
  return { result: res, engine: Engine.build(res.set) };
}

/** Read and validate; issues are printed (warnings too); returns the result or an exit code. */
export async function validateInputs(
  io: IO,
  paths: readonly string[],
  opts: { printIssues?: boolean } = {},
): Promise<ClusterLoad | ExitCode> {
  if (paths.length === 0) {
    io.err('error: no manifests given (use -f PATH, a file, a directory, or - for stdin)\n');
    return EXIT.BAD_INPUT;
  }
  let files;
  try {
    files = await readManifestInputs(paths, () => io.stdin());
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`error: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
  const res = loadCluster(files);
  if (opts.printIssues !== false) printIssues(io, res.issues);
  return res;
}

export interface ZonesLoaded {
  result: ClusterLoad;
  zonePolicy: ZonePolicy;
  program: ZoneProgram;
}

/** Load a zones file (and optionally cluster manifests); it must hold exactly one ZonePolicy. */
export async function loadZonesOrExit(
  io: IO,
  zonesPath: string,
  clusterPaths: readonly string[],
): Promise<ZonesLoaded | ExitCode> {
  const res = await validateInputs(io, [zonesPath, ...clusterPaths]);
  if (typeof res === 'number') return res;
  if (!res.ok) return EXIT.BAD_INPUT;
  if (!res.zonePolicy || !res.program) {
    io.err(
      `error: ${zonesPath} holds no ZonePolicy (apiVersion zonewall.io/v1alpha1, kind ZonePolicy)\n`,
    );
    return EXIT.BAD_INPUT;
  }
  return { result: res, zonePolicy: res.zonePolicy, program: res.program };
}
