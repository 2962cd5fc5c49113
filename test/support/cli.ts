// Run the CLI in-process with captured output.
import type { IO } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';

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
