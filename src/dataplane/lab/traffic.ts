// `lab traffic`: what the bank's demo and the flow capture need to see: the application's
// normal calls (every pod-to-pod call on a declared port the engine allows), some attempts it
// denies, and a port scan from a compromised pod (by default the first in the DMZ) against one
// pod of every other namespace. Each attempt's kernel outcome is compared with the engine's.
import type { Engine } from '../../core/engine/index.js';
import { engineVerdict, probeConfirmed, targetsFrom } from './probe.js';
import type { Probe, ProbeOptions, Target } from './probe.js';
import type { LabPlan, LabPod } from './plan.js';

export interface TrafficOptions {
  /** `namespace/pod` of the scanning pod (default: the first pod in the `dmz` zone). */
  scanFrom?: string;
  scanPorts: [number, number];
  /** How many denied attempts (spread over the denied pairs). */
  denied: number;
  zoneLabel: string;
}

export const TRAFFIC_DEFAULTS: TrafficOptions = {
  scanPorts: [1, 1024],
  denied: 50,
  zoneLabel: 'zonewall.io/zone',
};

export interface TrafficPart {
  attempts: number;
  reached: number;
  dropped: number;
}

export interface TrafficReport {
  normal: TrafficPart;
  denied: TrafficPart;
  scan: TrafficPart & { from: string; targets: string[]; reachedPorts: string[] };
  disagreements: Probe[];
}

function part(probes: readonly Probe[]): TrafficPart {
  const reached = probes.filter((p) => p.kernel === 'allow').length;
  return { attempts: probes.length, reached, dropped: probes.length - reached };
}

/** The scanning pod: the one named, else the first whose pod or namespace label says `dmz`. */
export function scanner(plan: LabPlan, engine: Engine, o: TrafficOptions): LabPod {
  if (o.scanFrom !== undefined) {
    const p = plan.pods.find((x) => x.id === o.scanFrom);
    if (!p) throw new Error(`no pod ${o.scanFrom} in the lab`);
    return p;
  }
  const zone = (p: LabPod): string | undefined =>
    engine.eps.pod(p.namespace, p.name)?.pod?.labels.get(o.zoneLabel) ??
    engine.eps.namespaceLabels(p.namespace)?.get(o.zoneLabel);
  const first = plan.pods.find((p) => zone(p) === 'dmz') ?? plan.pods[0];
  if (!first) throw new Error('the lab has no pods');
  return first;
}

/** Run the traffic; every attempt is also a probe (kernel beside engine). */
export async function labTraffic(
  plan: LabPlan,
  engine: Engine,
  o: TrafficOptions,
  probe: ProbeOptions,
): Promise<TrafficReport> {
  // Normal calls and denied attempts: the declared ports, chosen by the engine's verdict.
  const choice = new Map<LabPod, Array<Target & { dst: LabPod }>>();
  const deniedAll: Array<[LabPod, Target & { dst: LabPod }]> = [];
  for (const src of plan.pods) {
    const list: Array<Target & { dst: LabPod }> = [];
    for (const t of targetsFrom(plan, src)) {
      if (engineVerdict(engine, src, t.dst, t.protocol, t.port).verdict === 'allow') list.push(t);
      else deniedAll.push([src, t]);
    }
    choice.set(src, list);
  }
  const step = Math.max(1, Math.floor(deniedAll.length / Math.max(1, o.denied)));
  for (const [src, t] of deniedAll.filter((_, i) => i % step === 0).slice(0, o.denied))
    choice.get(src)?.push(t);
  const made = await probeConfirmed(plan, engine, choice, probe);
  const normal = made.filter((p) => p.engine.verdict === 'allow');
  const denied = made.filter((p) => p.engine.verdict === 'deny');

  const from = scanner(plan, engine, o);
  const seen = new Set<string>([from.namespace]);
  const victims = plan.pods.filter((p) => !seen.has(p.namespace) && seen.add(p.namespace));
  const ports: Array<Target & { dst: LabPod }> = [];
  for (const dst of victims) {
    for (let port = o.scanPorts[0]; port <= o.scanPorts[1]; port++)
      ports.push({ key: `${dst.id} ${port}/TCP`, ip: dst.ip, port, protocol: 'TCP', dst });
  }
  // A scan does not wait long for an answer; dropped ports are the many.
  const scan = await probeConfirmed(plan, engine, new Map([[from, ports]]), {
    ...probe,
    parallel: 1,
    concurrency: Math.max(probe.concurrency, 256),
    timeoutMs: Math.min(probe.timeoutMs, 400),
  });
  const bad = [...normal, ...denied, ...scan].filter((p) => !p.agree);
  return {
    normal: part(normal),
    denied: part(denied),
    scan: {
      ...part(scan),
      from: from.id,
      targets: victims.map((v) => v.id),
      reachedPorts: scan.filter((p) => p.kernel === 'allow').map((p) => `${p.dst} ${p.port}`),
    },
    disagreements: bad,
  };
}
