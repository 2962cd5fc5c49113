// Least-privilege policy learned from observed allowed flows: per workload (its namespace and
// stable labels, never a pod name), each peer workload by its labels and namespace, each
// outside peer by its exact addresses merged into CIDRs, on the exact ports seen. Flows the
// zone rules deny are never turned into policy: they are reported as zone violations.
import { Engine } from '../engine/index.js';
import type { Endpoint } from '../engine/index.js';
import { aggregateCIDRs, cidrOf, formatCIDR, parseIP, protocolName } from '../net/index.js';
import type { CIDR, IP } from '../net/index.js';
import type { PolicySet } from '../model/types.js';
import { intentFor, placeEnd } from '../zones/intent.js';
import type { Placement } from '../zones/intent.js';
import type { ZonePolicy } from '../zones/types.js';
import type { FlowEnd, PreviewFlow } from './preview.js';

/** Labels set per pod, per revision or per release: they do not identify a workload. */
export const UNSTABLE_LABELS: readonly string[] = [
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
  // Versions change with every release: a policy must outlive them.
  'app.kubernetes.io/version',
  'version',
  'helm.sh/chart',
  'chart',
  'service.istio.io/canonical-revision',
];

export type RecommendFormat = 'networkpolicy' | 'calico-staged';

export interface RecommendOptions {
  /** Only workloads in this namespace, or in this zone (needs the zone policy). */
  namespace?: string;
  zone?: string;
  format: RecommendFormat;
  zonePolicy?: ZonePolicy;
  /** Extra label keys to leave out of workload identity. */
  unstableLabels?: readonly string[];
}

export interface ZoneViolation {
  source: string;
  dest: string;
  proto: string;
  port: number | null;
  flows: number;
  /** The zone rule (or default) that denies it. */
  rule: string;
}

export interface Recommendation {
  /** Manifests, in a stable order. */
  manifests: Array<Record<string, unknown>>;
  /** Workloads a policy was written for, as `namespace/labels`. */
  workloads: string[];
  zoneViolations: ZoneViolation[];
  /** Flows whose ends the snapshot cannot resolve (not learned from). */
  unresolved: Array<{ source: string; dest: string; reason: string; flows: number }>;
  /** What the format could not express (left closed, not widened). */
  notes: string[];
  /** A digest of the manifests: unchanged between intervals means the learning is stable. */
  digest: string;
}

/** A workload: namespace and stable labels. */
interface Workload {
  namespace: string;
  labels: Array<[string, string]>;
  key: string;
}

type Peer = { kind: 'workload'; w: Workload } | { kind: 'address'; ip: string };

interface Edge {
  peer: Peer;
  proto: number;
  port: number | undefined;
}

/** Learn policy from allowed flows. */
export function recommend(
  set: PolicySet,
  flows: Iterable<PreviewFlow>,
  o: RecommendOptions,
): Recommendation {
  const engine = Engine.build(set);
  const unstable = new Set([...UNSTABLE_LABELS, ...(o.unstableLabels ?? [])]);
  const zp = o.zonePolicy;
  const workloadOf = (ep: Endpoint): Workload => {
    const labels = [...(ep.pod?.labels ?? new Map<string, string>())]
      .filter(([k]) => !unstable.has(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const namespace = ep.namespace ?? '';
    return {
      namespace,
      labels,
      key: `${namespace}/${labels.map(([k, v]) => `${k}=${v}`).join(',')}`,
    };
  };
  const placement = (ep: Endpoint): Placement | undefined =>
    zp &&
    placeEnd(zp, {
      kind: 'pod',
      labels: ep.pod?.labels ?? new Map(),
      namespaceLabels: engine.eps.namespaceLabels(ep.namespace ?? ''),
      ports: ep.pod?.ports ?? [],
    });
  const inScope = (ep: Endpoint): boolean =>
    (o.namespace === undefined || ep.namespace === o.namespace) &&
    (o.zone === undefined || placement(ep)?.zone === o.zone);
  const ingress = new Map<string, { w: Workload; edges: Map<string, Edge> }>();
  const egress = new Map<string, { w: Workload; edges: Map<string, Edge> }>();
  const violations = new Map<string, ZoneViolation>();
  const unresolved = new Map<string, Recommendation['unresolved'][number]>();
  const note = (
    m: Map<string, { w: Workload; edges: Map<string, Edge> }>,
    w: Workload,
    e: Edge,
  ): void => {
    let entry = m.get(w.key);
    if (!entry) m.set(w.key, (entry = { w, edges: new Map() }));
    const pk = e.peer.kind === 'workload' ? `w:${e.peer.w.key}` : `a:${e.peer.ip}`;
    entry.edges.set(`${pk}|${e.proto}|${e.port ?? ''}`, e);
  };
  for (const f of flows) {
    const src = resolve(engine, f.source);
    const dst = resolve(engine, f.dest);
    if (typeof src === 'string' || typeof dst === 'string') {
      const reason = typeof src === 'string' ? src : (dst as string);
      const k = `${endText(f.source)}|${endText(f.dest)}|${reason}`;
      const u = unresolved.get(k);
      if (u) u.flows += f.flows;
      else
        unresolved.set(k, {
          source: endText(f.source),
          dest: endText(f.dest),
          reason,
          flows: f.flows,
        });
      continue;
    }
    for (const s of src) {
      for (const d of dst) {
        if (s.kind === 'address' && d.kind === 'address') continue;
        if (zp) {
          const ps =
            s.kind === 'pod' ? placement(s.ep) : placeEnd(zp, { kind: 'address', ip: s.addr });
          const pd =
            d.kind === 'pod' ? placement(d.ep) : placeEnd(zp, { kind: 'address', ip: d.addr });
          const intent =
            ps &&
            pd &&
            intentFor(zp, ps, pd, {
              protocol: f.proto,
              ...(f.port !== undefined ? { port: f.port } : {}),
            });
          if (intent?.action === 'Deny') {
            const origin = intent.origin;
            const rule =
              origin.kind === 'rule'
                ? `rule ${origin.index} "${origin.name}"`
                : `${origin.kind} default`;
            const k = `${endText(f.source)}|${endText(f.dest)}|${f.proto}|${f.port ?? ''}`;
            const v = violations.get(k);
            if (v) v.flows += f.flows;
            else
              violations.set(k, {
                source: endText(f.source),
                dest: endText(f.dest),
                proto: protocolName(f.proto),
                port: f.port ?? null,
                flows: f.flows,
                rule,
              });
            continue;
          }
        }
        const peerOf = (x: Resolved): Peer =>
          x.kind === 'pod'
            ? { kind: 'workload', w: workloadOf(x.ep) }
            : { kind: 'address', ip: x.ip };
        if (d.kind === 'pod' && inScope(d.ep))
          note(ingress, workloadOf(d.ep), { peer: peerOf(s), proto: f.proto, port: f.port });
        if (s.kind === 'pod' && inScope(s.ep))
          note(egress, workloadOf(s.ep), { peer: peerOf(d), proto: f.proto, port: f.port });
      }
    }
  }
  const keys = [...new Set([...ingress.keys(), ...egress.keys()])].sort();
  const notes: string[] = [];
  const manifests = keys.map((k) => {
    const w = (ingress.get(k) ?? egress.get(k))?.w as Workload;
    return policyFor(w, ingress.get(k)?.edges, egress.get(k)?.edges, o.format, notes);
  });
  const text = JSON.stringify(manifests);
  return {
    manifests,
    workloads: keys,
    zoneViolations: [...violations.values()].sort(
      (a, b) => b.flows - a.flows || cmp(a.source, b.source),
    ),
    unresolved: [...unresolved.values()],
    notes,
    digest: fnv1a(text),
  };
}

type Resolved = { kind: 'pod'; ep: Endpoint } | { kind: 'address'; ip: string; addr: IP };

function resolve(e: Engine, end: FlowEnd): Resolved[] | string {
  if (end.kind === 'unknown') return `${end.label}: the record has no address or workload`;
  if (end.kind === 'address') {
    const ip = parseIP(end.ip);
    if (!ip) return `${end.ip} is not an address`;
    const owner = e.eps.peerOfIP(ip).endpoint;
    if (owner?.kind === 'pod') return `${end.ip} belongs to pod ${owner.namespace}/${owner.name}`;
    return [{ kind: 'address', ip: end.ip, addr: ip }];
  }
  if (end.name !== undefined) {
    const ep = e.eps.pod(end.namespace, end.name);
    return ep ? [{ kind: 'pod', ep }] : `pod ${end.namespace}/${end.name} is not in the snapshot`;
  }
  const prefix = end.prefix ?? '';
  const pods = e.eps.podsIn(end.namespace).filter((p) => p.name.startsWith(prefix));
  if (pods.length === 0) return `no pod ${end.namespace}/${prefix}* in the snapshot`;
  return pods.map((ep) => ({ kind: 'pod', ep }));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function endText(e: FlowEnd): string {
  if (e.kind === 'unknown') return e.label;
  return e.kind === 'address' ? e.ip : `${e.namespace}/${e.name ?? (e.prefix || '*')}`;
}

/** A short, stable name for a workload's policy. */
function policyName(w: Workload): string {
  const app =
    w.labels.find(([k]) => k === 'app.kubernetes.io/name' || k === 'app')?.[1] ??
    w.labels[0]?.[1] ??
    'all';
  const clean = app
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `zonewall-learned-${clean || 'workload'}-${fnv1a(w.key).slice(0, 6)}`;
}

interface RuleDraft {
  peers: Peer[];
  ports: Array<{ proto: number; port: number | undefined }>;
}

/** Rules: one per peer, with every (protocol, port) seen for it, in a stable order. */
function rulesOf(edges: Map<string, Edge> | undefined): RuleDraft[] {
  if (!edges) return [];
  const byPeer = new Map<string, RuleDraft>();
  const outside: Edge[] = [];
  for (const e of edges.values()) {
    if (e.peer.kind === 'address') {
      outside.push(e);
      continue;
    }
    const k = e.peer.w.key;
    const r = byPeer.get(k) ?? { peers: [e.peer], ports: [] };
    r.ports.push({ proto: e.proto, port: e.port });
    byPeer.set(k, r);
  }
  // Outside addresses: one rule per port set, its addresses merged into exact CIDRs.
  const byPorts = new Map<string, { ips: string[]; ports: RuleDraft['ports'] }>();
  const portsOf = new Map<string, RuleDraft['ports']>();
  for (const e of outside) {
    const ip = (e.peer as { ip: string }).ip;
    const list = portsOf.get(ip) ?? [];
    list.push({ proto: e.proto, port: e.port });
    portsOf.set(ip, list);
  }
  for (const [ip, ports] of portsOf) {
    const k = portKey(ports);
    const g = byPorts.get(k) ?? { ips: [], ports };
    g.ips.push(ip);
    byPorts.set(k, g);
  }
  const out = [...byPeer.entries()].sort(([a], [b]) => cmp(a, b)).map(([, r]) => r);
  for (const [, g] of [...byPorts.entries()].sort(([a], [b]) => cmp(a, b)))
    out.push({ peers: g.ips.map((ip) => ({ kind: 'address', ip })), ports: g.ports });
  for (const r of out) r.ports = sortPorts(r.ports);
  return out;
}

function sortPorts(ps: RuleDraft['ports']): RuleDraft['ports'] {
  const seen = new Map(ps.map((p) => [`${p.proto}/${p.port ?? ''}`, p]));
  return [...seen.values()].sort((a, b) => a.proto - b.proto || (a.port ?? -1) - (b.port ?? -1));
}

function portKey(ps: RuleDraft['ports']): string {
  return sortPorts(ps)
    .map((p) => `${p.proto}/${p.port ?? ''}`)
    .join(',');
}

/** Addresses merged into the fewest CIDRs that cover exactly them. */
function cidrsOf(peers: readonly Peer[]): string[] {
  const blocks: CIDR[] = [];
  for (const p of peers) {
    if (p.kind !== 'address') continue;
    const ip = parseIP(p.ip);
    if (ip) blocks.push(cidrOf(ip, ip.version === 4 ? 32 : 128));
  }
  return aggregateCIDRs(blocks).map(formatCIDR);
}

const K8S_PROTOCOLS: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

function policyFor(
  w: Workload,
  ingress: Map<string, Edge> | undefined,
  egress: Map<string, Edge> | undefined,
  format: RecommendFormat,
  notes: string[],
): Record<string, unknown> {
  const name = policyName(w);
  const labels = Object.fromEntries(w.labels);
  const inRules = rulesOf(ingress);
  const outRules = rulesOf(egress);
  const annotations = {
    'zonewall.io/learned-from': 'observed allowed flows',
    'zonewall.io/workload': w.key,
  };
  if (format === 'networkpolicy') {
    const k8sPeer = (p: Peer, nets: string[]): Record<string, unknown>[] =>
      p.kind === 'workload'
        ? [
            {
              podSelector: { matchLabels: Object.fromEntries(p.w.labels) },
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': p.w.namespace },
              },
            },
          ]
        : nets.map((cidr) => ({ ipBlock: { cidr } }));
    const k8sRule = (r: RuleDraft, side: 'from' | 'to'): Record<string, unknown> => {
      const nets = cidrsOf(r.peers);
      const peers =
        r.peers[0]?.kind === 'address'
          ? k8sPeer(r.peers[0], nets)
          : r.peers.flatMap((p) => k8sPeer(p, []));
      // Only TCP, UDP and SCTP can be named; the rest stays closed and is noted.
      const ports = r.ports
        .filter((p) => K8S_PROTOCOLS[p.proto] !== undefined)
        .map((p) => ({
          protocol: K8S_PROTOCOLS[p.proto],
          ...(p.port !== undefined ? { port: p.port } : {}),
        }));
      return { [side]: peers, ...(ports.length > 0 ? { ports } : {}) };
    };
    for (const [dir, rules] of [
      ['ingress', inRules],
      ['egress', outRules],
    ] as const) {
      for (const r of rules)
        for (const p of r.ports)
          if (K8S_PROTOCOLS[p.proto] === undefined)
            notes.push(
              `${w.key} ${dir}: ${protocolName(p.proto)} cannot be expressed in a Kubernetes NetworkPolicy; left closed (use --format calico-staged)`,
            );
    }
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: w.namespace, annotations },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: inRules.filter(expressibleInK8s).map((r) => k8sRule(r, 'from')),
        egress: outRules.filter(expressibleInK8s).map((r) => k8sRule(r, 'to')),
      },
    };
  }
  const selectorOf = (ls: Array<[string, string]>): string =>
    ls.length === 0 ? 'all()' : ls.map(([k, v]) => `${k} == '${v}'`).join(' && ');
  const calicoRules = (rules: RuleDraft[], side: 'source' | 'destination'): unknown[] =>
    rules.flatMap((r) => {
      const byProto = new Map<number, Array<number | undefined>>();
      for (const p of r.ports) byProto.set(p.proto, [...(byProto.get(p.proto) ?? []), p.port]);
      const first = r.peers[0];
      const peer =
        first?.kind === 'workload'
          ? {
              selector: selectorOf(first.w.labels),
              namespaceSelector: `projectcalico.org/name == '${first.w.namespace}'`,
            }
          : { nets: cidrsOf(r.peers) };
      return [...byProto].map(([proto, ports]) => {
        const numbered = ports.filter((p): p is number => p !== undefined);
        return {
          action: 'Allow',
          protocol: protocolName(proto),
          [side]: peer,
          ...(numbered.length > 0
            ? { destination: { ...(side === 'destination' ? peer : {}), ports: numbered } }
            : {}),
        };
      });
    });
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'StagedNetworkPolicy',
    metadata: { name, namespace: w.namespace, annotations },
    spec: {
      stagedAction: 'Set',
      tier: 'default',
      selector: selectorOf(w.labels),
      types: ['Ingress', 'Egress'],
      ingress: calicoRules(inRules, 'source'),
      egress: calicoRules(outRules, 'destination'),
    },
  };
}

/** Kubernetes NetworkPolicy ports name only TCP, UDP and SCTP. */
function expressibleInK8s(r: RuleDraft): boolean {
  return r.ports.some((p) => K8S_PROTOCOLS[p.proto] !== undefined);
}

/** FNV-1a, 32-bit, as 8 hex digits: a stable digest without a crypto dependency in core. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * How much of the cluster is reachable: of every (source pod, destination pod, declared
 * destination port) combination, how many are allowed.
 */
export function reachability(
  set: PolicySet,
  namespace?: string,
): { reachable: number; total: number } {
  const engine = Engine.build(set);
  const pods = engine.eps.allPods().filter((p) => !p.hostNetwork);
  let reachable = 0;
  let total = 0;
  for (const d of pods) {
    if (namespace !== undefined && d.namespace !== namespace) continue;
    const dp = engine.eps.peerOf(d);
    for (const port of d.pod?.ports ?? []) {
      for (const s of pods) {
        if (s === d) continue;
        total++;
        if (
          engine.verdictOf(engine.eps.peerOf(s), dp, {
            protocol: port.protocol,
            port: port.port,
          }) === 'allow'
        )
          reachable++;
      }
    }
  }
  return { reachable, total };
}

export interface LearningState {
  state: 'learning' | 'stable';
  /** Intervals in a row (ending with the latest) whose recommendation was the same. */
  unchanged: number;
}

/**
 * A namespace's learning state from its recommendation digests, one per interval, oldest
 * first: stable once the latest digest has held for `stableAfter` intervals in a row.
 */
export function learningState(digests: readonly string[], stableAfter: number): LearningState {
  const last = digests[digests.length - 1];
  let unchanged = 0;
  for (let i = digests.length - 1; i >= 0 && digests[i] === last; i--) unchanged++;
  return {
    state: last !== undefined && unchanged >= Math.max(1, stableAfter) ? 'stable' : 'learning',
    unchanged,
  };
}
