// Loading a cluster together with its ZonePolicy: the zone policy is validated with the other
// manifests and, when everything is valid, compiled into the `security` tier the engine
// evaluates above every developer policy.
import { loadPolicySet } from '../model/load.js';
import type { KindReader, LoadResult } from '../model/load.js';
import type { InputFile } from '../model/documents.js';
import { sortIssues } from '../model/issues.js';
import { zoneEnginePolicies } from './engine-policies.js';
import { compileProgram } from './program.js';
import type { ZoneProgram } from './program.js';
import { readZonePolicy } from './read.js';
import { ZONE_API_VERSION } from './types.js';
import type { ZonePolicy } from './types.js';

export interface ClusterLoad extends LoadResult {
  zonePolicy?: ZonePolicy;
  program?: ZoneProgram;
}

/** The `apiVersion kind` readers zonewall adds to the model's. */
export function zoneKinds(found: ZonePolicy[]): ReadonlyMap<string, KindReader> {
  return new Map<string, KindReader>([
    [
      `${ZONE_API_VERSION} ZonePolicy`,
      (root, source) => {
        const z = readZonePolicy(root, source);
        if (z) found.push(z);
      },
    ],
  ]);
}

export interface ClusterLoadOptions {
  /**
   * false: validate and compile the zone program, but leave the zones' engine policies out of
   * the set (for a check that the ZonePolicy loads, without evaluating anything).
   */
  enginePolicies?: boolean;
}

/** Load manifests (any of which may be a ZonePolicy) and compile the zones into the policy set. */
export function loadCluster(files: readonly InputFile[], o: ClusterLoadOptions = {}): ClusterLoad {
  const found: ZonePolicy[] = [];
  const res = loadPolicySet(files, { extraKinds: zoneKinds(found) });
  if (found.length > 1) {
    const [first, ...rest] = found;
    for (const z of rest) {
      res.issues.push({
        code: 'zones.multiple',
        severity: 'error',
        message: `only one ZonePolicy may be in force; ${JSON.stringify(z.name)} comes after ${JSON.stringify(first?.name)} (${first?.source.file})`,
        file: z.source.file,
        doc: z.source.doc,
        path: 'metadata.name',
      });
    }
    return { ...res, issues: sortIssues(res.issues), ok: false };
  }
  const zonePolicy = found[0];
  if (!zonePolicy || !res.ok) return { ...res, ...(zonePolicy ? { zonePolicy } : {}) };
  const program = compileProgram(zonePolicy);
  if (o.enginePolicies !== false) res.set.policies.push(...zoneEnginePolicies(program));
  return { ...res, zonePolicy, program };
}
