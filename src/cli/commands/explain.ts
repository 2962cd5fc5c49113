// `zonewall explain`: one connection's verdict with every step that led to it.
import { connection, resolveProtocol, resolveTarget, stepRef } from '../../core/engine/index.js';
import type {
  DirectionResult,
  Evaluation,
  Peer,
  TraceStep,
  Verdict,
} from '../../core/engine/index.js';
import { formatIP, protocolName } from '../../core/net/index.js';
import { loadOrExit } from '../load.js';
import { EXIT, printData, println } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';

export interface ExplainOptions {
  files: string[];
  from: string;
  to: string;
  port?: number;
  protocol?: string;
  output: OutputFormat;
}

/** Run `explain`; exit 0 when allowed, 1 when denied. */
export async function explain(io: IO, o: ExplainOptions): Promise<ExitCode> {
  const loaded = await loadOrExit(io, o.files);
  if (typeof loaded === 'number') return loaded;
  const { engine } = loaded;
  const from = resolveTarget(engine, o.from);
  const to = resolveTarget(engine, o.to);
  const protocol = resolveProtocol(o.protocol);
  for (const [what, r] of [
    ['--from', from],
    ['--to', to],
    ['--protocol', protocol],
  ] as const) {
    if (!r.ok) {
      io.err(`error: ${what}: ${r.message}\n`);
      return EXIT.BAD_INPUT;
    }
  }
  if (!from.ok || !to.ok || !protocol.ok) return EXIT.BAD_INPUT;
  const conn = connection(engine, {
    from: from.value,
    to: to.value,
    protocol: protocol.value,
    ...(o.port !== undefined ? { port: o.port } : {}),
  });
  if (!conn.ok) {
    io.err(`error: ${conn.message}\n`);
    return EXIT.BAD_INPUT;
  }
  const { src, dst, pkt } = conn.value;
  const v = engine.evaluate(src, dst, pkt);
  const conn2 = `${protocolName(pkt.protocol)}${pkt.port !== undefined ? `/${pkt.port}` : ''}`;
  if (o.output === 'table') printExplanation(io, src, dst, conn2, v);
  else printData(io, explanationData(src, dst, pkt.protocol, pkt.port, v), o.output);
  return v.verdict === 'allow' ? EXIT.OK : EXIT.FINDINGS;
}

function peerText(p: Peer): string {
  return p.ip && p.display !== formatIP(p.ip) ? `${p.display} (${formatIP(p.ip)})` : p.display;
}

/** Human-readable text of one trace step. */
export function stepText(s: TraceStep): string {
  const where =
    s.policy.kind === 'Profile'
      ? `profile ${s.policy.name}`
      : `${s.policy.kind} ${s.policy.namespace ? `${s.policy.namespace}/` : ''}${s.policy.name}`;
  const rule =
    s.rule === 'default' && s.ruleName !== undefined && s.tierPolicies === undefined
      ? s.ruleName
      : s.rule === 'default'
        ? s.policy.kind === 'Profile'
          ? 'after the last tier'
          : `end of tier (no rule matched${s.tierPolicies && s.tierPolicies.length > 1 ? ` in ${s.tierPolicies.length} policies` : ''})`
        : `rule ${s.rule}${s.ruleName ? ` "${s.ruleName}"` : ''}`;
  return `${s.tier ? `tier ${s.tier}: ` : ''}${where}, ${rule} -> ${s.action.toUpperCase()}`;
}

function printDirection(io: IO, d: DirectionResult, at: string): void {
  println(io, `  ${d.direction} at ${at}: ${d.verdict.toUpperCase()}`);
  if (!d.enforced) println(io, `    not enforced: ${d.note ?? ''}`);
  d.steps.forEach((s, i) => println(io, `    ${i + 1}. ${stepText(s)}`));
}

function printEvaluation(io: IO, src: Peer, dst: Peer, e: Evaluation): void {
  printDirection(io, e.egress, src.display);
  printDirection(io, e.ingress, dst.display);
  if (e.decidedBy) println(io, `  decided by: ${e.decidedBy.direction} ${stepText(e.decidedBy)}`);
}

function printExplanation(io: IO, src: Peer, dst: Peer, conn: string, v: Verdict): void {
  println(io, `${peerText(src)} -> ${peerText(dst)} ${conn}: ${v.verdict.toUpperCase()}`);
  printEvaluation(io, src, dst, v);
  if (v.pending) {
    println(io, '');
    println(io, `with staged policies enforced (pending): ${v.pending.verdict.toUpperCase()}`);
    printEvaluation(io, src, dst, v.pending);
  }
}

function evaluationData(e: Evaluation): unknown {
  const dir = (d: DirectionResult): unknown => ({
    verdict: d.verdict,
    enforced: d.enforced,
    ...(d.note ? { note: d.note } : {}),
    steps: d.steps,
  });
  return {
    verdict: e.verdict,
    decidedBy: e.decidedBy ? stepRef(e.decidedBy) : null,
    egress: dir(e.egress),
    ingress: dir(e.ingress),
  };
}

function explanationData(
  src: Peer,
  dst: Peer,
  protocol: number,
  port: number | undefined,
  v: Verdict,
): unknown {
  const peer = (p: Peer): unknown => ({
    name: p.display,
    ip: p.ip ? formatIP(p.ip) : null,
    kind: p.endpoint?.kind ?? 'external',
  });
  return {
    from: peer(src),
    to: peer(dst),
    protocol: protocolName(protocol),
    port: port ?? null,
    ...(evaluationData(v) as object),
    ...(v.pending ? { pending: evaluationData(v.pending) } : {}),
  };
}
