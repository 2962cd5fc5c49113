// Every case of the shared network-policy conformance suites, through the engine. A query may
// fail only if DEVIATIONS.md lists it (with the reason); the pass count per suite is printed.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, parseQueries, runCheck } from '../../src/core/engine/index.js';
import type { CheckResult } from '../../src/core/engine/index.js';
import { loadPolicySet } from '../../src/core/model/index.js';
import { readManifestInputs } from '../../src/integrations/manifests.js';
import { REPO_ROOT, SHARED_MISSING, sharedDir } from '../support/shared.js';
import { repair } from './repairs.js';
import type { Repair } from './repairs.js';

const shared = sharedDir();
const SUITES = ['network-policy-api', 'netpol-analyzer'] as const;

interface Deviations {
  /** Query ids allowed to fail, as `suite|case|id`. */
  queries: Set<string>;
  /** Cases whose input must be rejected, by `suite|case`: the issue code and the repair. */
  rejected: Map<string, { code: string; repair: Repair }>;
}

/** The ```jsonl block of DEVIATIONS.md. */
function deviations(): Deviations {
  const text = readFileSync(path.join(REPO_ROOT, 'test/conformance/DEVIATIONS.md'), 'utf8');
  const block = /```jsonl\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
  const out: Deviations = { queries: new Set(), rejected: new Map() };
  for (const line of block.split('\n').filter((l) => l.trim())) {
    const d = JSON.parse(line) as {
      suite: string;
      case: string;
      id?: string;
      rejected?: string;
      repair?: Repair;
    };
    if (d.id !== undefined) out.queries.add(`${d.suite}|${d.case}|${d.id}`);
    else if (d.rejected !== undefined && d.repair !== undefined)
      out.rejected.set(`${d.suite}|${d.case}`, { code: d.rejected, repair: d.repair });
  }
  return out;
}

/** Every directory under `dir` holding a queries.jsonl, sorted. */
function caseDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const names = readdirSync(d).sort();
    if (names.includes('queries.jsonl')) out.push(d);
    for (const n of names) {
      const p = path.join(d, n);
      if (n !== 'raw' && n !== 'manifests' && statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const totals = new Map<
  string,
  { cases: number; queries: number; passed: number; deviations: number; repaired: number }
>();

describe.skipIf(!shared)(
  `conformance suites${shared ? '' : ` (skipped: ${SHARED_MISSING})`}`,
  () => {
    const dev = shared ? deviations() : { queries: new Set<string>(), rejected: new Map() };
    for (const suite of SUITES) {
      const root = shared ? path.join(shared, 'conformance', suite) : '';
      const dirs = shared ? caseDirs(root) : [];
      describe(suite, () => {
        for (const dir of dirs) {
          const name = path.relative(root, dir);
          it(name, async () => {
            let files = await readManifestInputs([path.join(dir, 'manifests')]);
            const rejected = dev.rejected.get(`${suite}|${name}`);
            if (rejected) {
              // Listed in DEVIATIONS.md: must be rejected as the API server would, then repaired.
              const codes = loadPolicySet(files)
                .issues.filter((i) => i.severity === 'error')
                .map((i) => i.code);
              expect(codes.length, 'the original input is rejected').toBeGreaterThan(0);
              expect([...new Set(codes)]).toEqual([rejected.code]);
              files = repair(files, rejected.repair);
            }
            const loaded = loadPolicySet(files);
            const errors = loaded.issues.filter((i) => i.severity === 'error');
            expect(errors, 'the manifests load without errors').toEqual([]);
            const engine = Engine.build(loaded.set);
            const { queries, issues } = parseQueries(
              readFileSync(path.join(dir, 'queries.jsonl'), 'utf8'),
              name,
            );
            expect(issues).toEqual([]);
            const failed: CheckResult[] = [];
            let passed = 0;
            let deviating = 0;
            for (const q of queries) {
              const r = runCheck(engine, q);
              if (r.match) passed++;
              else if (dev.queries.has(`${suite}|${name}|${q.id}`)) deviating++;
              else failed.push(r);
            }
            const t = totals.get(suite) ?? {
              cases: 0,
              queries: 0,
              passed: 0,
              deviations: 0,
              repaired: 0,
            };
            totals.set(suite, {
              cases: t.cases + 1,
              queries: t.queries + queries.length,
              passed: t.passed + passed,
              deviations: t.deviations + deviating,
              repaired: t.repaired + (rejected ? 1 : 0),
            });
            expect(
              failed.slice(0, 5),
              `${failed.length} of ${queries.length} queries disagree`,
            ).toEqual([]);
          });
        }
      });
    }
  },
);

afterAll(() => {
  for (const [suite, t] of totals) {
    const notes = [
      t.repaired ? `${t.repaired} cases rejected as invalid and checked after repair` : '',
      t.deviations ? `${t.deviations} queries listed in DEVIATIONS.md` : '',
    ].filter(Boolean);
    console.log(
      `conformance ${suite}: ${t.passed}/${t.queries} queries pass in ${t.cases} cases${notes.length ? ` (${notes.join('; ')})` : ''}`,
    );
  }
});
