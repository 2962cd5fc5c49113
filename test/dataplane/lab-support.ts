// Shared by the lab tests: whether the lab can run here (root, ip, nft) and why not, a lab
// name unique to this test run (so a test only ever touches what it created), and a state
// directory of its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labUnavailable } from '../../src/dataplane/exec.js';

/** Why the lab tests are skipped here, or undefined when they run. */
export const LAB_SKIP = labUnavailable();

/** The test name with the reason it is skipped, if it is. */
export function labTitle(title: string): string {
  return LAB_SKIP ? `${title} (skipped: the lab ${LAB_SKIP})` : title;
}

/** A lab name no other run uses: `t` and random letters and digits. */
export function uniqueLabName(): string {
  return `t${Math.random().toString(36).slice(2, 9)}`;
}

/** Keep this run's lab state in a directory of its own. */
export function privateLabDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zw-lab-'));
  process.env.ZONEWALL_LAB_DIR = dir;
  return dir;
}
