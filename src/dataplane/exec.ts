// Running the Linux tools the data plane needs (ip, nft), with failures as typed errors that
// carry the command and what it printed.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** An operational failure of the data plane: a tool failed, or is missing. */
export class DataplaneError extends Error {
  constructor(
    readonly code: 'tool.failed' | 'tool.missing' | 'lab.state' | 'lab.input',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataplaneError';
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (no shell); never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new DataplaneError(
          e.code === 'ENOENT' ? 'tool.missing' : 'tool.failed',
          `${cmd}: ${e.message}`,
          { cause: e },
        ),
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a tool that exits early closes its stdin
    child.stdin.end(input ?? '');
  });
}

/** Run a command; a non-zero exit is a DataplaneError with its stderr. */
export async function must(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) {
    throw new DataplaneError(
      'tool.failed',
      `${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

const SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Whether an executable is on the usual paths. */
export function hasTool(name: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SBIN].filter(Boolean);
  return dirs.some((d) => {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Why the lab cannot run here, or undefined when it can: it needs root (network namespaces,
 * nftables) and the `ip` and `nft` tools.
 */
export function labUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'needs root (network namespaces and nftables)';
  const missing = ['ip', 'nft'].filter((t) => !hasTool(t));
  if (missing.length > 0)
    return `needs ${missing.join(' and ')} (apt-get install ${missing.map((t) => (t === 'ip' ? 'iproute2' : 'nftables')).join(' ')})`;
  return undefined;
}
