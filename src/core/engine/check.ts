// The query format of ../shared/conformance/FORMAT.md: one JSON query per line, each checked
// against the engine; the result line format is a stable interface other tools read.
import { formatIP, parseIP } from '../net/index.js';
import { quote } from '../model/issues.js';
import type { Issue } from '../model/issues.js';
import type { Direction, PolicyKind } from '../model/types.js';
import type { Engine } from './engine.js';
import { connection, resolveProtocol, resolveTarget } from './query.js';
import type { Target } from './query.js';
import type { TraceStep, VerdictValue } from './trace.js';

export interface DecidedByRef {
  direction: Direction;
  kind: PolicyKind;
  namespace?: string;
  name?: string;
  rule: number | 'default';
}

export type Endpointish = string | { ip: string };

export interface CheckQuery {
  id: string;
  from: Endpointish;
  to: Endpointish;
  protocol: string;
  port?: number;
  expect: VerdictValue;
  decidedBy?: Partial<DecidedByRef>;
  note?: string;
}

export interface CheckResult {
  id: string;
  verdict: VerdictValue | null;
  expect: VerdictValue;
  match: boolean;
  decidedBy: DecidedByRef | null;
  trace: TraceStep[];
  /** Set when the query could not be evaluated (unknown pod, ...). */
  error?: string;
}

/** Parse a queries.jsonl text; malformed lines become issues. */
export function parseQueries(
  text: string,
  file: string,
): { queries: CheckQuery[]; issues: Issue[] } {
  const queries: CheckQuery[] = [];
  const issues: Issue[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const bad = (message: string): void => {
      issues.push({
        code: 'query.invalid',
        severity: 'error',
        message,
        file,
        pos: { line: i + 1, col: 1 },
      });
    };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      bad(`not JSON: ${(e as Error).message}`);
      return;
    }
    const q = v as Partial<CheckQuery>;
    if (typeof v !== 'object' || v === null) return bad('a query must be a JSON object');
    if (typeof q.id !== 'string') return bad('"id" must be a string');
    if (!isEndpointish(q.from) || !isEndpointish(q.to))
      return bad(`query ${quote(q.id)}: "from" and "to" must be "namespace/pod" or {"ip": "..."}`);
    if (typeof q.protocol !== 'string')
      return bad(`query ${quote(q.id)}: "protocol" must be a string`);
    if (q.port !== undefined && (typeof q.port !== 'number' || !Number.isInteger(q.port)))
      return bad(`query ${quote(q.id)}: "port" must be a whole number`);
    if (q.expect !== 'allow' && q.expect !== 'deny')
      return bad(
        `query ${quote(q.id)}: "expect" must be "allow" or "deny", found ${quote(q.expect)}`,
      );
    queries.push(q as CheckQuery);
  });
  return { queries, issues };
}

function isEndpointish(v: unknown): v is Endpointish {
  return (
    typeof v === 'string' ||
    (typeof v === 'object' && v !== null && typeof (v as { ip?: unknown }).ip === 'string')
  );
}

function target(
  engine: Engine,
  e: Endpointish,
): { ok: true; value: Target } | { ok: false; message: string } {
  if (typeof e === 'string') return resolveTarget(engine, e);
  const ip = parseIP(e.ip);
  return ip
    ? { ok: true, value: { ip } }
    : { ok: false, message: `${quote(e.ip)} is not an IP address` };
}

/** The decidedBy reference of a trace step. */
export function stepRef(s: TraceStep): DecidedByRef {
  return {
    direction: s.direction,
    kind: s.policy.kind,
    ...(s.policy.namespace !== undefined ? { namespace: s.policy.namespace } : {}),
    name: s.policy.name,
    rule: s.rule,
  };
}

/** Does the actual decider agree with every field the expectation gives? */
export function decidedByMatches(
  expected: Partial<DecidedByRef>,
  actual: DecidedByRef | null,
): boolean {
  if (!actual) return false;
  for (const k of ['direction', 'kind', 'namespace', 'name', 'rule'] as const) {
    if (expected[k] !== undefined && expected[k] !== actual[k]) return false;
  }
  return true;
}

/** Evaluate one query and compare with its expectation. */
export function runCheck(engine: Engine, q: CheckQuery): CheckResult {
  const fail = (error: string): CheckResult => ({
    id: q.id,
    verdict: null,
    expect: q.expect,
    match: false,
    decidedBy: null,
    trace: [],
    error,
  });
  const from = target(engine, q.from);
  if (!from.ok) return fail(`from: ${from.message}`);
  const to = target(engine, q.to);
  if (!to.ok) return fail(`to: ${to.message}`);
  const protocol = resolveProtocol(q.protocol);
  if (!protocol.ok) return fail(protocol.message);
  const conn = connection(engine, {
    from: from.value,
    to: to.value,
    protocol: protocol.value,
    ...(q.port !== undefined ? { port: q.port } : {}),
  });
  if (!conn.ok) return fail(conn.message);
  const v = engine.evaluate(conn.value.src, conn.value.dst, conn.value.pkt);
  const decided = v.decidedBy ? stepRef(v.decidedBy) : null;
  const match = v.verdict === q.expect && (!q.decidedBy || decidedByMatches(q.decidedBy, decided));
  return {
    id: q.id,
    verdict: v.verdict,
    expect: q.expect,
    match,
    decidedBy: decided,
    trace: [...v.egress.steps, ...v.ingress.steps],
  };
}

/** A readable name for a query end, for messages. */
export function endpointishText(e: Endpointish): string {
  if (typeof e === 'string') return e;
  const ip = parseIP(e.ip);
  return ip ? formatIP(ip) : e.ip;
}
