// `zonewall lab up|probe|down`: the network-namespace lab that shows the kernel enforcing
// exactly what the engine says. Needs root, ip(8) and nft(8); says so and exits 3 otherwise.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { startCapture } from '../../dataplane/lab/capture.js';
import { DataplaneError, labUnavailable } from '../../dataplane/exec.js';
import { labDown } from '../../dataplane/lab/down.js';
import { loadLab } from '../../dataplane/lab/load.js';
import { PROBE_DEFAULTS, labProbe } from '../../dataplane/lab/probe.js';
import type { Probe, ProbeOptions, ProbeReport } from '../../dataplane/lab/probe.js';
import type { LabPlan } from '../../dataplane/lab/plan.js';
import { readState } from '../../dataplane/lab/state.js';
import { labUp } from '../../dataplane/lab/up.js';
import { TRAFFIC_DEFAULTS, labTraffic } from '../../dataplane/lab/traffic.js';
import type { TrafficOptions, TrafficReport } from '../../dataplane/lab/traffic.js';
import { InputError } from '../../integrations/manifests.js';
import { packageRoot } from './demo.js';
import { stepText } from './explain.js';
import { EXIT, printData, println } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';

export interface LabUpOptions {
  name: string;
  files: string[];
  example?: string;
}

/** Map the lab's failures to exit codes once, here. */
async function guarded(io: IO, f: () => Promise<ExitCode>): Promise<ExitCode> {
  const why = labUnavailable();
  if (why) {
    io.err(`error: the lab ${why}\n`);
    return EXIT.FAILURE;
  }
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError || (e instanceof DataplaneError && e.code === 'lab.input')) {
      io.err(`error: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    if (e instanceof DataplaneError) {
      io.err(`error: ${e.message}\n`);
      return EXIT.FAILURE;
    }
    throw e;
  }
}

/** `lab up`. */
export function labUpCommand(io: IO, o: LabUpOptions): Promise<ExitCode> {
  return guarded(io, async () => {
    const inputs = [...o.files];
    if (o.example !== undefined) inputs.push(path.join(packageRoot(), 'examples', o.example));
    if (inputs.length === 0) {
      io.err('error: give the topology with -f PATH (manifests) or --example bank\n');
      return EXIT.BAD_INPUT;
    }
    const up = await labUp(o.name, inputs);
    const p = up.plan;
    println(
      io,
      `lab ${p.name} is up: ${p.nodes.length} nodes, ${p.pods.length} pods (namespaces ${p.prefix}*)`,
    );
    for (const n of p.nodes) {
      const r = up.rulesets.find((x) => x.node === n.name);
      const pods = p.pods.filter((x) => x.node === n.name).length;
      println(
        io,
        `  ${n.name}: ${pods} pods, ruleset ${r?.rules ?? 0} rules in ${r?.chains ?? 0} chains, ${r?.sets ?? 0} sets`,
      );
    }
    for (const s of p.skipped) println(io, `  left out ${s.id}: ${s.reason}`);
    println(io, `next: zonewall lab probe --name ${p.name}; zonewall lab down --name ${p.name}`);
    return EXIT.OK;
  });
}

/** `lab down`. */
export function labDownCommand(io: IO, o: { name: string }): Promise<ExitCode> {
  return guarded(io, async () => {
    const removed = await labDown(o.name);
    println(io, `lab ${o.name}: removed ${removed.length} network namespaces`);
    return EXIT.OK;
  });
}

export interface LabProbeOptions extends Partial<ProbeOptions> {
  name: string;
  output: OutputFormat;
}

/** `lab probe`: exit 1 when the kernel and the engine disagree on any attempt. */
export function labProbeCommand(io: IO, o: LabProbeOptions): Promise<ExitCode> {
  return guarded(io, async () => {
    const state = await readState(o.name);
    const { plan, engine } = await loadLab(o.name, state.inputs);
    const report = await labProbe(plan, engine, {
      parallel: o.parallel ?? PROBE_DEFAULTS.parallel,
      concurrency: o.concurrency ?? PROBE_DEFAULTS.concurrency,
      timeoutMs: o.timeoutMs ?? PROBE_DEFAULTS.timeoutMs,
    });
    if (o.output === 'table') printReport(io, plan, report);
    else printData(io, reportData(report), o.output);
    return report.disagreements > 0 ? EXIT.FINDINGS : EXIT.OK;
  });
}

function reportData(r: ProbeReport): unknown {
  return {
    agreements: r.agreements,
    disagreements: r.disagreements,
    unprobed: r.unprobed,
    probes: r.probes.map((p) => ({ ...probeData(p), agree: p.agree })),
  };
}

/** A cell: `#` every declared port reached, `+` some, `.` none, `!` an attempt failed oddly. */
function cell(probes: readonly Probe[], key: 'kernel' | 'engine'): string {
  if (probes.length === 0) return ' ';
  const v = probes.map((p) => (key === 'kernel' ? p.kernel : p.engine.verdict));
  if (v.includes('error')) return '!';
  const allowed = v.filter((x) => x === 'allow').length;
  return allowed === 0 ? '.' : allowed === v.length ? '#' : '+';
}

function printReport(io: IO, plan: LabPlan, r: ProbeReport): void {
  const byPair = new Map<string, Probe[]>();
  for (const p of r.probes) {
    const k = `${p.src}|${p.dst}`;
    byPair.set(k, [...(byPair.get(k) ?? []), p]);
  }
  const ids = plan.pods.map((p) => p.id);
  const w = Math.max(...ids.map((i) => i.length), 6);
  const idx = (i: number): string => String(i + 1).padStart(2);
  println(
    io,
    'Rows: source pods; columns: destination pods (numbered as the rows), every declared port.',
  );
  println(io, "'#' all ports reached, '+' some, '.' none, '!' odd failure; ' ' nothing to try.");
  const tens = ids.map((_, i) => (i + 1 >= 10 ? String(Math.floor((i + 1) / 10)) : ' ')).join('');
  const ones = ids.map((_, i) => String((i + 1) % 10)).join('');
  println(io, `${' '.repeat(w + 4)}${'kernel'.padEnd(ids.length)}   engine`);
  println(io, `${' '.repeat(w + 4)}${tens}   ${tens}`);
  println(io, `${' '.repeat(w + 4)}${ones}   ${ones}`);
  ids.forEach((src, i) => {
    const row = (key: 'kernel' | 'engine'): string =>
      ids
        .map((dst) => (dst === src ? '\\' : cell(byPair.get(`${src}|${dst}`) ?? [], key)))
        .join('');
    const k = row('kernel');
    const e = row('engine');
    println(io, `${idx(i)} ${src.padEnd(w)} ${k} ${k === e ? '=' : '≠'} ${e}`);
  });
  const bad = r.probes.filter((p) => !p.agree);
  for (const p of bad) {
    println(io);
    println(
      io,
      `DISAGREE ${p.src} -> ${p.dst} ${p.port}/${p.protocol}: kernel ${p.kernel} (${p.detail}), engine ${p.engine.verdict}`,
    );
    for (const d of [p.engine.egress, p.engine.ingress]) {
      if (!d.enforced) println(io, `  ${d.direction}: not enforced (${d.note ?? ''})`);
      for (const s of d.steps) println(io, `  ${d.direction}: ${stepText(s)}`);
    }
  }
  const allowed = r.probes.filter((p) => p.kernel === 'allow').length;
  println(io);
  println(
    io,
    `${r.probes.length} probes: kernel and engine agree on ${r.agreements}, disagree on ${r.disagreements} (kernel: ${allowed} reached, ${r.probes.length - allowed} not)${r.unprobed.length > 0 ? `; ${r.unprobed.length} declared ports not probed (not TCP or UDP)` : ''}`,
  );
}

export interface LabTrafficOptions extends Partial<TrafficOptions> {
  name: string;
  output: OutputFormat;
  /** Capture flows while the traffic runs, into this file (JSON lines). */
  capture?: string;
}

/** Where captured lines go: a file, or standard output (`-`); returns a closer. */
function sink(io: IO, out: string): { write(line: string): void; close(): Promise<void> } {
  if (out === '-') return { write: (l) => io.out(`${l}\n`), close: () => Promise.resolve() };
  const f = createWriteStream(out);
  return {
    write: (l) => void f.write(`${l}\n`),
    close: () => new Promise((r) => f.end(r)),
  };
}

/** Count the captured lines by kind, for the summary. */
function counter(): { add(line: string): void; text(): string } {
  let allowed = 0;
  let denied = 0;
  return {
    add: (l) => (l.includes('"kind":"conntrack"') ? allowed++ : denied++),
    text: () =>
      `captured ${allowed} allowed connections (conntrack) and ${denied} logged packets (NFLOG)`,
  };
}

/** `lab capture`: flow records for a while, as the flow issue's lab format (JSON lines). */
export function labCaptureCommand(
  io: IO,
  o: { name: string; seconds: number; out: string },
): Promise<ExitCode> {
  return guarded(io, async () => {
    const state = await readState(o.name);
    const { plan } = await loadLab(o.name, state.inputs);
    const out = sink(io, o.out);
    const count = counter();
    const cap = await startCapture(plan, (l) => (out.write(l), count.add(l)));
    for (const m of cap.missing) io.err(`warning: not captured: ${m}\n`);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    await cap.stop();
    await out.close();
    (o.out === '-' ? io.err : io.out)(`${count.text()}\n`);
    return EXIT.OK;
  });
}

/** `lab traffic`: exit 1 when the kernel and the engine disagree on any attempt. */
export function labTrafficCommand(io: IO, o: LabTrafficOptions): Promise<ExitCode> {
  return guarded(io, async () => {
    const state = await readState(o.name);
    const { plan, engine } = await loadLab(o.name, state.inputs);
    const out = o.capture !== undefined ? sink(io, o.capture) : undefined;
    const count = counter();
    const cap = out ? await startCapture(plan, (l) => (out.write(l), count.add(l))) : undefined;
    for (const m of cap?.missing ?? []) io.err(`warning: not captured: ${m}\n`);
    const r = await labTraffic(
      plan,
      engine,
      {
        ...TRAFFIC_DEFAULTS,
        ...(o.scanFrom !== undefined ? { scanFrom: o.scanFrom } : {}),
        ...(o.scanPorts !== undefined ? { scanPorts: o.scanPorts } : {}),
        ...(o.denied !== undefined ? { denied: o.denied } : {}),
      },
      PROBE_DEFAULTS,
    );
    await cap?.stop();
    await out?.close();
    if (o.output === 'table') {
      printTraffic(io, r, o.scanPorts ?? TRAFFIC_DEFAULTS.scanPorts);
      if (cap) println(io, `${count.text()} into ${o.capture ?? ''}`);
    } else printData(io, { ...r, disagreements: r.disagreements.map(probeData) }, o.output);
    return r.disagreements.length > 0 ? EXIT.FINDINGS : EXIT.OK;
  });
}

/** A probe as printed (JSON, YAML). */
function probeData(p: Probe): Record<string, unknown> {
  return {
    src: p.src,
    dst: p.dst,
    protocol: p.protocol,
    port: p.port,
    kernel: p.kernel,
    engine: p.engine.verdict,
    detail: p.detail,
  };
}

function printTraffic(io: IO, r: TrafficReport, ports: [number, number]): void {
  println(
    io,
    `normal calls:     ${r.normal.attempts} (reached ${r.normal.reached}, dropped ${r.normal.dropped})`,
  );
  println(
    io,
    `denied attempts:  ${r.denied.attempts} (reached ${r.denied.reached}, dropped ${r.denied.dropped})`,
  );
  println(
    io,
    `port scan from ${r.scan.from}: TCP ${ports[0]}-${ports[1]} on ${r.scan.targets.length} pods, ${r.scan.attempts} attempts: reached ${r.scan.reached}, dropped ${r.scan.dropped}`,
  );
  for (const p of r.scan.reachedPorts) println(io, `  reached ${p}`);
  for (const p of r.disagreements) {
    println(
      io,
      `DISAGREE ${p.src} -> ${p.dst} ${p.port}/${p.protocol}: kernel ${p.kernel} (${p.detail}), engine ${p.engine.verdict}`,
    );
    for (const d of [p.engine.egress, p.engine.ingress])
      for (const s of d.steps) println(io, `  ${d.direction}: ${stepText(s)}`);
  }
  const total = r.normal.attempts + r.denied.attempts + r.scan.attempts;
  println(
    io,
    `${total} attempts: kernel and engine agree on ${total - r.disagreements.length}, disagree on ${r.disagreements.length}`,
  );
}
