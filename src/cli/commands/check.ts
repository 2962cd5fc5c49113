// `zonewall check`: run a queries.jsonl (../shared/conformance/FORMAT.md) against manifests.
// Output is a stable interface: one JSON line per query, then one summary line.
import { readFile } from 'node:fs/promises';
import { parseQueries, runCheck } from '../../core/engine/index.js';
import { loadOrExit } from '../load.js';
import { EXIT, printIssues } from '../output.js';
import type { ExitCode, IO } from '../output.js';

export interface CheckOptions {
  manifests: string[];
  queries: string;
}

/** Run `check`; exit 1 on any mismatch, 2 on bad input (including a query that cannot be evaluated). */
export async function check(io: IO, o: CheckOptions): Promise<ExitCode> {
  let text: string;
  try {
    text = o.queries === '-' ? await io.stdin() : await readFile(o.queries, 'utf8');
  } catch (e) {
    io.err(`error: cannot read ${o.queries}: ${(e as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
  const parsed = parseQueries(text, o.queries === '-' ? '<stdin>' : o.queries);
  if (parsed.issues.length > 0) {
    printIssues(io, parsed.issues);
    return EXIT.BAD_INPUT;
  }
  const loaded = await loadOrExit(io, o.manifests);
  if (typeof loaded === 'number') return loaded;
  let matched = 0;
  let errors = 0;
  for (const q of parsed.queries) {
    const r = runCheck(loaded.engine, q);
    if (r.match) matched++;
    if (r.error) errors++;
    io.out(`${JSON.stringify(r)}\n`);
  }
  const total = parsed.queries.length;
  io.out(
    `${JSON.stringify({ summary: { total, matched, mismatched: total - matched, errors } })}\n`,
  );
  // A query naming a pod or address that is not in the manifests is bad input, not a finding.
  if (errors > 0) return EXIT.BAD_INPUT;
  return matched === total ? EXIT.OK : EXIT.FINDINGS;
}
