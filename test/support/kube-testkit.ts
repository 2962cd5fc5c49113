// Test support for the Kubernetes targets (used by cnp.test.ts and anp.test.ts only): a small
// generated cluster for a zone policy, and verdict tables computed with the engine, so the
// compiled manifests (read back like any user's) can be compared, connection by connection,
// with the engine-native compilation of the same ZonePolicy.
import { toYaml } from '../../src/core/model/documents.js';
import { Engine, connection, resolveProtocol, resolveTarget } from '../../src/core/engine/index.js';
import type { VerdictValue } from '../../src/core/engine/index.js';
import { loadPolicySet } from '../../src/core/model/load.js';
import type { Issue } from '../../src/core/model/issues.js';
import { loadCluster } from '../../src/core/zones/load.js';
import type { ZoneProgram } from '../../src/core/zones/program.js';
import { zoneIntent } from '../../src/core/zones/intent.js';
import type { ZoneEnd } from '../../src/core/zones/intent.js';
import type { ZonePolicy } from '../../src/core/zones/types.js';
import { PROTO, parseIP } from '../../src/core/net/index.js';
import type { Manifest } from '../../src/core/targets/types.js';

export interface ClusterSpec {
  zoneLabel: string;
  /** Declared zones: one namespace each, labeled with the zone. */
  zones: readonly string[];
  /** A zone name no ZonePolicy declares. */
  undeclared: string;
  /** Pods put in every namespace: name -> labels. */
  pods: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Addresses outside the pods to probe from and to. */
  addresses: readonly string[];
  /** Container ports by pod name, instead of the default ones. */
  ports?: Readonly<Record<string, readonly ContainerPortSpec[]>>;
}

export interface ContainerPortSpec {
  name: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  protocol: 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
  port?: number;
}

export interface GeneratedCluster {
  yaml: string;
  /** `namespace/pod` of every pod, then the addresses. */
  targets: string[];
  /** Each target as the zone policy sees it. */
  ends: Map<string, ZoneEnd>;
}

const PORTS: readonly ContainerPortSpec[] = [
  { name: 'http', containerPort: 8080 },
  { name: 'metrics', containerPort: 9090 },
  { name: 'syslog', containerPort: 514, protocol: 'UDP' },
];

function doc(kind: string, metadata: object, rest: object = {}): string {
  const apiVersion = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'v1';
  return toYaml([{ apiVersion, kind, metadata, ...rest }]);
}

/**
 * Namespaces per zone, one with no zone label (the default zone) and one in an undeclared
 * zone; in each, the spec's pods, plus pods whose own zone label overrides the namespace's.
 * Every namespace denies ingress to `app: db` pods (a developer policy), so that a Pass and an
 * Allow give different verdicts.
 */
export function generateCluster(spec: ClusterSpec): GeneratedCluster {
  const key = spec.zoneLabel;
  const ports = spec.ports ?? {};
  const namespaces: Array<[string, Record<string, string>]> = [
    ...spec.zones.map((z): [string, Record<string, string>] => [`ns-${z}`, { [key]: z }]),
    ['ns-plain', {}],
    ['ns-nowhere', { [key]: spec.undeclared }],
  ];
  const docs: string[] = [];
  const ends = new Map<string, ZoneEnd>();
  let ip = 0;
  const pod = (ns: string, name: string, labels: Record<string, string>): void => {
    ip++;
    const status = { podIP: `10.250.${ip >> 8}.${ip & 255}` };
    const list = ports[name] ?? PORTS;
    const spec = { containers: [{ name: 'c', ports: list }] };
    docs.push(doc('Pod', { name, namespace: ns, labels }, { spec, status }));
    const nsLabels = new Map(Object.entries(namespaces.find(([n]) => n === ns)?.[1] ?? {}));
    const containerPorts = list.map((p) => ({
      name: p.name,
      port: p.containerPort,
      protocol: p.protocol === 'UDP' ? PROTO.UDP : PROTO.TCP,
    }));
    const end: ZoneEnd = {
      kind: 'pod',
      labels: new Map(Object.entries(labels)),
      namespaceLabels: nsLabels,
      ports: containerPorts,
    };
    ends.set(`${ns}/${name}`, end);
  };
  namespaces.forEach(([ns, labels], i) => {
    docs.push(doc('Namespace', { name: ns, labels }));
    for (const [name, l] of Object.entries(spec.pods)) pod(ns, name, { ...l });
    const other = spec.zones[(i + 1) % spec.zones.length] ?? spec.undeclared;
    pod(ns, 'moved', { app: 'web', [key]: other });
    pod(ns, 'lost', { app: 'web', [key]: spec.undeclared });
    const np = { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] };
    docs.push(doc('NetworkPolicy', { name: 'db-closed', namespace: ns }, { spec: np }));
  });
  for (const a of spec.addresses) {
    const addr = parseIP(a);
    if (addr) ends.set(a, { kind: 'address', ip: addr });
  }
  return { yaml: docs.join('---\n'), targets: [...ends.keys()], ends };
}

function errorsOf(issues: readonly Issue[]): string {
  const errors = issues.filter((i) => i.severity === 'error');
  return errors.map((e) => `${e.file ?? ''} ${e.path ?? ''}: ${e.message}`).join('\n');
}

/** The engine for a ZonePolicy compiled by zonewall itself (the reference). */
export function nativeEngine(zonesYaml: string, clusterYaml: string): Engine {
  const res = loadCluster([
    { path: 'zones.yaml', text: zonesYaml },
    { path: 'cluster.yaml', text: clusterYaml },
  ]);
  const errors = errorsOf(res.issues);
  if (errors) throw new Error(errors);
  return Engine.build(res.set);
}

/** Manifests as one YAML stream, as `zonewall compile -o -` writes them. */
export function manifestsYaml(manifests: readonly Manifest[]): string {
  return toYaml(manifests);
}

/** The engine for compiled manifests read back, with the cluster; throws on any load error. */
export function manifestEngine(manifests: readonly Manifest[], clusterYaml: string): Engine {
  const res = loadPolicySet([
    { path: 'out.yaml', text: manifestsYaml(manifests) },
    { path: 'cluster.yaml', text: clusterYaml },
  ]);
  const errors = errorsOf(res.issues);
  if (errors) throw new Error(errors);
  return Engine.build(res.set);
}

/** `src -> dst proto/port`: how verdict tables key a connection. */
export function connectionKey(src: string, dst: string, p: Probe): string {
  return `${src} -> ${dst} ${p.protocol}${p.port === undefined ? '' : `/${p.port}`}`;
}

/** The verdict of every ordered pair of targets for every probe, by `src -> dst proto/port`. */
export function verdicts(
  engine: Engine,
  targets: readonly string[],
  probes: readonly Probe[],
): Map<string, VerdictValue> {
  const out = new Map<string, VerdictValue>();
  for (const a of targets) {
    const from = resolveTarget(engine, a);
    for (const b of targets) {
      const to = resolveTarget(engine, b);
      if (a === b || !from.ok || !to.ok) continue;
      for (const p of probes) {
        const protocol = resolveProtocol(p.protocol);
        if (!protocol.ok) continue;
        const spec = { from: from.value, to: to.value, protocol: protocol.value };
        const c = connection(engine, p.port === undefined ? spec : { ...spec, port: p.port });
        if (!c.ok) continue;
        const v = engine.evaluate(c.value.src, c.value.dst, c.value.pkt);
        out.set(connectionKey(a, b, p), v.verdict);
      }
    }
  }
  return out;
}

/** Connections whose verdicts differ (`want` is the reference), as `key: got, want`. */
export function differences(
  got: ReadonlyMap<string, VerdictValue>,
  want: ReadonlyMap<string, VerdictValue>,
): string[] {
  const keys = [...new Set([...got.keys(), ...want.keys()])];
  return keys
    .filter((k) => got.get(k) !== want.get(k))
    .map((k) => `${k}: ${got.get(k)}, want ${want.get(k)}`);
}

/** Connections `got` allows that the reference denies: what an approximation must never do. */
export function unsafeAllows(
  got: ReadonlyMap<string, VerdictValue>,
  want: ReadonlyMap<string, VerdictValue>,
): string[] {
  return [...got.entries()]
    .filter(([k, v]) => v === 'allow' && want.get(k) === 'deny')
    .map(([k]) => k);
}

/** The compiled program of a ZonePolicy; throws with the issues when it does not load. */
export function zoneProgram(text: string, path = 'zones.yaml'): ZoneProgram {
  const res = loadCluster([{ path, text }]);
  if (!res.program) throw new Error(res.issues.map((i) => i.message).join('\n'));
  return res.program;
}

/** Issues one per line, as a golden file holds them: `severity code path: message`. */
export function issueLines(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.severity} ${i.code} ${i.path ?? ''}: ${i.message}\n`).join('');
}

/** Connections `got` allows that the zone policy's intent denies. */
export function allowedButDenied(
  got: ReadonlyMap<string, VerdictValue>,
  denied: ReadonlySet<string>,
): string[] {
  return [...got.entries()].filter(([k, v]) => v === 'allow' && denied.has(k)).map(([k]) => k);
}

/** Connections the zone policy alone denies (its intent), keyed as `verdicts` keys them. */
export function intentDenials(
  zp: ZonePolicy,
  cluster: GeneratedCluster,
  probes: readonly Probe[],
): Set<string> {
  const out = new Set<string>();
  for (const [a, src] of cluster.ends) {
    for (const [b, dst] of cluster.ends) {
      if (a === b) continue;
      for (const p of probes) {
        const protocol = resolveProtocol(p.protocol);
        if (!protocol.ok) continue;
        const pkt = { protocol: protocol.value, ...(p.port !== undefined ? { port: p.port } : {}) };
        if (zoneIntent(zp, src, dst, pkt).action !== 'Deny') continue;
        out.add(connectionKey(a, b, p));
      }
    }
  }
  return out;
}
