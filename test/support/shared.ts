// Where the shared test data lives: `../shared` beside the checkout (as CI lays it out), or
// ZONEWALL_SHARED_DIR. Tests that need it are skipped, with the reason, when it is absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared data directory, or undefined when it is not present. */
export function sharedDir(): string | undefined {
  const candidates = [process.env.ZONEWALL_SHARED_DIR, path.resolve(REPO_ROOT, '..', 'shared')];
  return candidates.find(
    (c): c is string => c !== undefined && existsSync(path.join(c, 'conformance')),
  );
}

export const SHARED_MISSING =
  'shared test data not found (expected ../shared beside the checkout, or set ZONEWALL_SHARED_DIR)';
