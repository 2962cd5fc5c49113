// Fast paths for the bulk of a cluster snapshot (Pods and Namespaces): plain property reads
// with the same checks as the Reader path, returning undefined at the first thing that is not
// plainly valid, so that the Reader path runs and reports it. For valid input both paths
// produce the same object (a test checks it).
import { PROTO, formatIP, isValidPortName, parseIP } from '../../net/index.js';
import type { IP } from '../../net/index.js';
import { labelKeyProblem, labelValueProblem, nameProblem } from '../k8s-meta.js';
import type { ContainerPort, Namespace, Pod, SourceRef } from '../types.js';

type Obj = Record<string, unknown>;
const PROTOCOLS: Record<string, number> = { TCP: PROTO.TCP, UDP: PROTO.UDP, SCTP: PROTO.SCTP };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;

function labelsOf(v: unknown): Map<string, string> | undefined {
  if (absent(v)) return new Map();
  if (!isObj(v)) return undefined;
  const out = new Map<string, string>();
  for (const k in v) {
    const val = v[k];
    if (typeof val !== 'string' || labelKeyProblem(k) || labelValueProblem(val)) return undefined;
    out.set(k, val);
  }
  return out;
}

function metaOf(
  v: unknown,
  namespaced: boolean,
): { name: string; namespace: string; labels: Map<string, string> } | undefined {
  if (!isObj(v)) return undefined;
  const { name, namespace, labels } = v;
  if (
    typeof name !== 'string' ||
    name === '' ||
    nameProblem(name, namespaced ? 'dns-subdomain' : 'dns-label')
  )
    return undefined;
  let ns = 'default';
  if (namespaced && !absent(namespace)) {
    if (typeof namespace !== 'string' || namespace === '' || nameProblem(namespace, 'dns-label'))
      return undefined;
    ns = namespace;
  }
  if (!namespaced && !absent(namespace)) return undefined; // the Reader path warns about it
  const l = labelsOf(labels);
  return l ? { name, namespace: ns, labels: l } : undefined;
}

/** A v1 Namespace, or undefined when the Reader path must look at it. */
export function fastNamespace(doc: Obj, source: SourceRef): Namespace | undefined {
  const meta = metaOf(doc.metadata, false);
  if (!meta) return undefined;
  meta.labels.set('kubernetes.io/metadata.name', meta.name);
  return { name: meta.name, labels: meta.labels, source };
}

function portsOf(c: unknown): ContainerPort[] | undefined {
  if (!isObj(c)) return undefined;
  if (absent(c.ports)) return [];
  if (!Array.isArray(c.ports)) return undefined;
  const names = new Set<string>();
  const out: ContainerPort[] = [];
  for (const p of c.ports) {
    if (!isObj(p)) return undefined;
    const { containerPort: port, protocol, name } = p;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      return undefined;
    const proto = absent(protocol)
      ? PROTO.TCP
      : typeof protocol === 'string'
        ? PROTOCOLS[protocol]
        : undefined;
    if (proto === undefined) return undefined;
    if (!absent(name) && (typeof name !== 'string' || !isValidPortName(name) || names.has(name)))
      return undefined;
    if (typeof name === 'string') names.add(name);
    out.push({ ...(typeof name === 'string' ? { name } : {}), port, protocol: proto });
  }
  return out;
}

function containerPorts(spec: Obj): ContainerPort[] | undefined {
  const out: ContainerPort[] = [];
  for (const key of ['containers', 'initContainers'] as const) {
    const list = spec[key];
    if (absent(list)) continue;
    if (!Array.isArray(list)) return undefined;
    for (const c of list) {
      const ports = portsOf(c);
      if (!ports) return undefined;
      // Sidecars (init containers that keep running) serve ports; other init containers do not.
      if (key === 'containers' || (c as Obj).restartPolicy === 'Always') out.push(...ports);
    }
  }
  return out;
}

function podIPs(status: Obj): IP[] | undefined {
  const texts: string[] = [];
  if (!absent(status.podIP)) {
    if (typeof status.podIP !== 'string') return undefined;
    if (status.podIP !== '') texts.push(status.podIP);
  }
  if (!absent(status.podIPs)) {
    if (!Array.isArray(status.podIPs)) return undefined;
    for (const item of status.podIPs) {
      if (!isObj(item) || typeof item.ip !== 'string' || Object.keys(item).some((k) => k !== 'ip'))
        return undefined;
      texts.push(item.ip);
    }
  }
  const out: IP[] = [];
  const seen = new Set<string>();
  for (const t of texts) {
    const ip = parseIP(t);
    if (!ip) return undefined;
    const key = formatIP(ip);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(ip);
    }
  }
  return out;
}

const optString = (v: unknown): string | undefined | null =>
  absent(v) ? undefined : typeof v === 'string' ? v : null;

/** A v1 Pod, or undefined when the Reader path must look at it. */
export function fastPod(doc: Obj, source: SourceRef): Pod | undefined {
  const meta = metaOf(doc.metadata, true);
  const spec = absent(doc.spec) ? {} : doc.spec;
  const status = absent(doc.status) ? {} : doc.status;
  if (!meta || !isObj(spec) || !isObj(status)) return undefined;
  const sa = optString(spec.serviceAccountName);
  const saOld = optString(spec.serviceAccount);
  const nodeName = optString(spec.nodeName);
  const phase = optString(status.phase);
  if (sa === null || saOld === null || nodeName === null || phase === null) return undefined;
  if (!absent(spec.hostNetwork) && typeof spec.hostNetwork !== 'boolean') return undefined;
  const ports = containerPorts(spec);
  const ips = podIPs(status);
  if (!ports || !ips) return undefined;
  return {
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    serviceAccount: sa ?? saOld ?? 'default',
    ...(nodeName !== undefined ? { nodeName } : {}),
    hostNetwork: spec.hostNetwork === true,
    ips,
    ports,
    ...(phase !== undefined ? { phase } : {}),
    source,
  };
}
