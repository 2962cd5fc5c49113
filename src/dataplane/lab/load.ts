// Reading a lab's input (manifests, a ZonePolicy among them or not) into a plan and an
// engine that sees the pods where the lab puts them.
import { Engine } from '../../core/engine/index.js';
import type { Issue } from '../../core/model/index.js';
import { loadCluster } from '../../core/zones/index.js';
import { readManifestInputs } from '../../integrations/manifests.js';
import { DataplaneError } from '../exec.js';
import { planLab } from './plan.js';
import type { LabPlan } from './plan.js';

export interface LabInput {
  plan: LabPlan;
  engine: Engine;
  issues: Issue[];
}

/** Load manifests and plan the lab; a DataplaneError (with the issues) when they are invalid. */
export async function loadLab(name: string, inputs: readonly string[]): Promise<LabInput> {
  const files = await readManifestInputs(inputs);
  const res = loadCluster(files);
  if (!res.ok) {
    const first = res.issues.find((i) => i.severity === 'error');
    throw new DataplaneError(
      'lab.input',
      `the lab's manifests are invalid: ${first?.file ?? ''} ${first?.path ?? ''}: ${first?.message ?? ''}`,
    );
  }
  const plan = planLab(name, res.set, res.zonePolicy);
  return { plan, engine: Engine.build(plan.set), issues: res.issues };
}
