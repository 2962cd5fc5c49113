// Where a lab keeps what it needs between verbs: the input it was built from, its rulesets,
// the scripts it runs and the responders' ready marks. Removed by `lab down`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataplaneError } from '../exec.js';

/** The state directory of all labs (ZONEWALL_LAB_DIR overrides it). */
export function labRoot(): string {
  return process.env.ZONEWALL_LAB_DIR ?? '/run/zonewall-lab';
}

/** One lab's state directory. */
export function labDir(name: string): string {
  return path.join(labRoot(), name);
}

export interface LabState {
  name: string;
  /** The manifest paths the lab was built from (absolute). */
  inputs: string[];
  created: string;
}

/** Record a lab's input (written before anything is created, so a crash leaves a trace). */
export async function writeState(s: LabState): Promise<void> {
  await mkdir(path.join(labDir(s.name), 'ready'), { recursive: true });
  await writeFile(path.join(labDir(s.name), 'state.json'), `${JSON.stringify(s, null, 2)}\n`);
}

/** Read a lab's state; a DataplaneError when there is no such lab. */
export async function readState(name: string): Promise<LabState> {
  try {
    return JSON.parse(await readFile(path.join(labDir(name), 'state.json'), 'utf8')) as LabState;
  } catch (e) {
    throw new DataplaneError(
      'lab.state',
      `no lab named ${JSON.stringify(name)} is up (run \`zonewall lab up\`)`,
      { cause: e },
    );
  }
}

/** Remove a lab's state directory (nothing else). */
export async function removeState(name: string): Promise<void> {
  await rm(labDir(name), { recursive: true, force: true });
}
