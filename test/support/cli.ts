// Run the CLI in-process with captured output.
import path from 'node:path';
import type { IO } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';
import { REPO_ROOT } from './shared.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Run `zonewall ARGS...`, optionally with stdin text. */
export async function cli(args: string[], stdin = ''): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: IO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: () => Promise.resolve(stdin),
    isTTY: false,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** `zonewall flows ingest` of the bank example's snapshot into a store, then more arguments. */
export function ingestArgs(format: string, store: string, ...rest: string[]): string[] {
  const bank = path.join(REPO_ROOT, 'examples/bank');
  return ['flows', 'ingest', '--format', format, '--snapshot', bank, '--store', store, ...rest];
}
