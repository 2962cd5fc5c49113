// `lab probe`: from every pod, a connection attempt to every other pod on each port it
// declares (TCP and UDP), several source pods at once and many attempts per pod, each with a
// short timeout; the kernel's answer (reached or not) beside the engine's verdict.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { connection } from '../../core/engine/index.js';
import type { Engine, Verdict } from '../../core/engine/index.js';
import { labDir } from './state.js';
import type { LabPlan, LabPod } from './plan.js';

export interface ProbeOptions {
  /** Source pods probed at the same time. */
  parallel: number;
  /** Attempts in flight per source pod. */
  concurrency: number;
  timeoutMs: number;
}

export const PROBE_DEFAULTS: ProbeOptions = { parallel: 6, concurrency: 64, timeoutMs: 800 };

export interface Probe {
  src: string;
  dst: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  /** What the kernel did: the attempt reached the pod (allow) or not (deny), or failed oddly. */
  kernel: 'allow' | 'deny' | 'error';
  detail: string;
  engine: Verdict;
  agree: boolean;
}

export interface ProbeReport {
  probes: Probe[];
  agreements: number;
  disagreements: number;
  /** Declared ports not probed (SCTP), as `pod port/proto`. */
  unprobed: string[];
}

export interface Target {
  key: string;
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export function targetsFrom(plan: LabPlan, src: LabPod): Array<Target & { dst: LabPod }> {
  const out: Array<Target & { dst: LabPod }> = [];
  for (const dst of plan.pods) {
    if (dst === src) continue; // a pod's connection to itself never leaves it
    for (const [protocol, ports] of [
      ['TCP', dst.tcp],
      ['UDP', dst.udp],
    ] as const) {
      for (const port of ports) {
        out.push({ key: `${dst.id} ${port}/${protocol}`, ip: dst.ip, port, protocol, dst });
      }
    }
  }
  return out;
}

export function runProber(
  plan: LabPlan,
  src: LabPod,
  targets: Target[],
  o: ProbeOptions,
): Promise<Map<string, { result: string; reply: string }>> {
  return new Promise((resolve, reject) => {
    const script = path.join(labDir(plan.name), 'prober.cjs');
    const child = spawn('ip', ['netns', 'exec', src.netns, process.execPath, script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`prober in ${src.netns} failed (exit ${code}): ${err.trim()}`));
      const m = new Map<string, { result: string; reply: string }>();
      for (const line of out.split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as { key: string; result: string; reply: string };
        m.set(r.key, r);
      }
      resolve(m);
    });
    child.stdin.end(
      JSON.stringify({
        timeoutMs: o.timeoutMs,
        concurrency: o.concurrency,
        targets: targets.map(({ key, ip, port, protocol }) => ({ key, ip, port, protocol })),
      }),
    );
  });
}

function kernelVerdict(
  r: { result: string; reply: string } | undefined,
  dst: LabPod,
): [Probe['kernel'], string] {
  if (!r) return ['error', 'no answer from the prober'];
  if (r.result === 'timeout') return ['deny', 'no answer (dropped)'];
  if (r.result === 'refused') return ['allow', 'reached (refused: nothing listening)'];
  if (r.result === 'open') {
    // The responder names its pod: an answer from anyone else is not this pod's.
    return r.reply === '' || r.reply === dst.id
      ? ['allow', 'answered']
      : ['error', `answered by ${r.reply}`];
  }
  return ['error', r.result];
}

/** Probe every ordered pair of pods on every declared TCP and UDP port. */
export async function labProbe(
  plan: LabPlan,
  engine: Engine,
  o: ProbeOptions = PROBE_DEFAULTS,
): Promise<ProbeReport> {
  const bySource = new Map(plan.pods.map((src) => [src, targetsFrom(plan, src)] as const));
  const probes = await probeConfirmed(plan, engine, bySource, o);
  probes.sort((a, b) => cmpProbe(a, b));
  const agreements = probes.filter((p) => p.agree).length;
  return {
    probes,
    agreements,
    disagreements: probes.length - agreements,
    unprobed: plan.pods.flatMap((p) => p.unprobed.map((u) => `${p.id} ${u}`)),
  };
}

/**
 * Probe, then try once more, with a four times longer timeout, what the kernel dropped where
 * the engine allows: on a loaded machine an answer may only have been slow.
 */
export async function probeConfirmed(
  plan: LabPlan,
  engine: Engine,
  bySource: ReadonlyMap<LabPod, Array<Target & { dst: LabPod }>>,
  o: ProbeOptions,
): Promise<Probe[]> {
  const probes = await probeAll(plan, engine, bySource, o);
  const doubt = probes.filter((p) => !p.agree && p.kernel !== 'allow');
  if (doubt.length === 0) return probes;
  const keys = new Set(doubt.map((p) => `${p.src} ${p.dst} ${p.port}/${p.protocol}`));
  const again = new Map(
    [...bySource].map(
      ([src, ts]) => [src, ts.filter((t) => keys.has(`${src.id} ${t.key}`))] as const,
    ),
  );
  const retried = await probeAll(plan, engine, again, { ...o, timeoutMs: o.timeoutMs * 4 });
  const byKey = new Map(retried.map((p) => [`${p.src} ${p.dst} ${p.port}/${p.protocol}`, p]));
  return probes.map((p) => byKey.get(`${p.src} ${p.dst} ${p.port}/${p.protocol}`) ?? p);
}

export async function probeAll(
  plan: LabPlan,
  engine: Engine,
  bySource: ReadonlyMap<LabPod, Array<Target & { dst: LabPod }>>,
  o: ProbeOptions,
): Promise<Probe[]> {
  const probes: Probe[] = [];
  const queue = [...bySource.keys()];
  const worker = async (): Promise<void> => {
    for (let src = queue.shift(); src; src = queue.shift()) {
      const targets = bySource.get(src) ?? [];
      if (targets.length === 0) continue;
      const results = await runProber(plan, src, targets, o);
      for (const t of targets) {
        const [kernel, detail] = kernelVerdict(results.get(t.key), t.dst);
        const v = engineVerdict(engine, src, t.dst, t.protocol, t.port);
        probes.push({
          src: src.id,
          dst: t.dst.id,
          protocol: t.protocol,
          port: t.port,
          kernel,
          detail,
          engine: v,
          agree: kernel === v.verdict,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  return probes;
}

function cmpProbe(a: Probe, b: Probe): number {
  const ka = `${a.src}|${a.dst}|${a.protocol}|${String(a.port).padStart(5, '0')}`;
  const kb = `${b.src}|${b.dst}|${b.protocol}|${String(b.port).padStart(5, '0')}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function engineVerdict(
  engine: Engine,
  src: LabPod,
  dst: LabPod,
  protocol: 'TCP' | 'UDP',
  port: number,
): Verdict {
  const s = engine.eps.pod(src.namespace, src.name);
  const d = engine.eps.pod(dst.namespace, dst.name);
  if (!s || !d) throw new Error(`the engine does not know ${src.id} or ${dst.id}`);
  const c = connection(engine, {
    from: { endpoint: s },
    to: { endpoint: d },
    protocol: protocol === 'TCP' ? 6 : 17,
    port,
  });
  if (!c.ok) throw new Error(c.message);
  return engine.evaluate(c.value.src, c.value.dst, c.value.pkt);
}
