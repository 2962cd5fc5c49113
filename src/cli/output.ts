// The CLI's output layer: the one place that writes to the terminal. Issues, tables, JSON
// and YAML are rendered here and nowhere else.
import { stringify } from 'yaml';
import type { Issue } from '../core/model/index.js';

export const EXIT = { OK: 0, FINDINGS: 1, BAD_INPUT: 2, FAILURE: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type OutputFormat = 'table' | 'json' | 'yaml';

/** Where a command writes; tests pass their own. */
export interface IO {
  out(text: string): void;
  err(text: string): void;
  stdin(): Promise<string>;
  /** Colour and progress only on a terminal. */
  isTTY: boolean;
}

/** The process's own streams. */
export function processIO(): IO {
  // A reader that stops early (`| head`) is not an error: stop quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** Write a line to stdout. */
export function println(io: IO, line = ''): void {
  io.out(`${line}\n`);
}

/** Write data as JSON (pretty) or YAML. */
export function printData(io: IO, data: unknown, format: 'json' | 'yaml'): void {
  io.out(
    format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data, { lineWidth: 0 }),
  );
}

/** Render issues to stderr, one block each, with a caret under selector spans. */
export function printIssues(io: IO, issues: readonly Issue[]): void {
  for (const i of issues) io.err(formatIssue(i));
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  if (issues.length > 0) {
    io.err(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
  }
}

/** One issue as text: `severity  file:line:col (document N) path: message [code]` plus a caret line. */
export function formatIssue(i: Issue): string {
  const where = [
    i.file ? `${i.file}${i.pos ? `:${i.pos.line}:${i.pos.col}` : ''}` : '',
    i.doc !== undefined && i.doc > 0 ? `(document ${i.doc + 1})` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const head = `${i.severity === 'error' ? 'error' : 'warning'}: ${where ? `${where} ` : ''}${i.path ? `${i.path}: ` : ''}${i.message} [${i.code}]\n`;
  if (i.text === undefined || !i.span) return head;
  const pad = '    ';
  const width = Math.max(1, i.span.end - i.span.start);
  return `${head}${pad}${i.text}\n${pad}${' '.repeat(i.span.start)}${'^'.repeat(width)}\n`;
}

/** `3 errors`, `1 warning`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Align rows of cells into columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat(rows.length > 0 ? '\n' : '');
}

/** Progress on stderr, only on a terminal; returns a function that clears the line. */
export function progress(io: IO, text: string): () => void {
  if (!io.isTTY) return () => undefined;
  io.err(`\r${text}`);
  return () => io.err(`\r${' '.repeat(text.length)}\r`);
}
