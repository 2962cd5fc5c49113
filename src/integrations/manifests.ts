// Reading manifests from disk and stdin: files, directories (walked recursively, in sorted
// order so results are deterministic) and `-` for standard input.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputFile } from '../core/model/index.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** An input that could not be read, as a message for the user. */
export class InputError extends Error {
  readonly code = 'input.unreadable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** Read every manifest under the given paths; `-` reads stdin once. */
export async function readManifestInputs(
  paths: readonly string[],
  readStdin: () => Promise<string> = defaultStdin,
): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const seen = new Set<string>();
  let stdinUsed = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinUsed) throw new InputError('"-" (standard input) may be given only once');
      stdinUsed = true;
      out.push({ path: '<stdin>', text: await readStdin() });
      continue;
    }
    await readPath(p, out, true);
  }
  // A file named twice (say a zones file that is also inside a manifest directory) is read once.
  return out.filter((f) => {
    const key = f.path === '<stdin>' ? f.path : path.resolve(f.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function readPath(p: string, out: InputFile[], explicit: boolean): Promise<void> {
  let st;
  try {
    st = await stat(p);
  } catch (e) {
    throw new InputError(
      `cannot read ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
      { cause: e },
    );
  }
  if (st.isDirectory()) {
    const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
    for (const n of names) await readPath(path.join(p, n), out, false);
    return;
  }
  // Inside directories only manifest files are read; a file named explicitly is always read.
  if (!explicit && !EXTENSIONS.has(path.extname(p).toLowerCase())) return;
  out.push({ path: p, text: await readFile(p, 'utf8') });
}

async function defaultStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
