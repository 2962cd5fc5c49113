// v1 Namespace, Pod and Node: the cluster state verdicts depend on. Only the fields that
// matter to policy are read; other fields are left alone (pods carry many).
import { PROTO, formatIP, isValidPortName, parseIP } from '../../net/index.js';
import type { IP } from '../../net/index.js';
import { quote } from '../issues.js';
import { readMeta } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import type { ContainerPort, Namespace, Node, Pod, SourceRef } from '../types.js';

const K8S_PROTOCOLS = { TCP: PROTO.TCP, UDP: PROTO.UDP, SCTP: PROTO.SCTP } as const;

/** A v1 Namespace. */
export function readNamespace(root: Reader, source: SourceRef): Namespace | undefined {
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-label' });
  if (!meta) return undefined;
  // The API server always adds this label; policies commonly select on it.
  const labels = new Map(meta.labels);
  labels.set('kubernetes.io/metadata.name', meta.name);
  return { name: meta.name, labels, source };
}

/** A v1 Pod: labels, service account, node, host networking, addresses and declared ports. */
export function readPod(root: Reader, source: SourceRef): Pod | undefined {
  const meta = readMeta(root, { namespaced: true, nameRule: 'dns-subdomain' });
  const spec = root.at('spec');
  spec.object();
  const serviceAccount =
    spec.at('serviceAccountName').string() ?? spec.at('serviceAccount').string() ?? 'default';
  const nodeName = spec.at('nodeName').string();
  const hostNetwork = spec.at('hostNetwork').bool() ?? false;
  const ports = readContainerPorts(spec);
  const status = root.at('status');
  status.object();
  const ips = readPodIPs(status);
  const phase = status.at('phase').string();
  if (!meta || !ports) return undefined;
  return {
    namespace: meta.namespace ?? 'default',
    name: meta.name,
    labels: meta.labels,
    serviceAccount,
    ...(nodeName !== undefined ? { nodeName } : {}),
    hostNetwork,
    ips,
    ports,
    ...(phase !== undefined ? { phase } : {}),
    source,
  };
}

function readContainerPorts(spec: Reader): ContainerPort[] | undefined {
  const out: ContainerPort[] = [];
  let ok = true;
  const containers = spec.at('containers').list() ?? [];
  const inits = spec.at('initContainers').list() ?? [];
  for (const c of [...containers, ...inits]) {
    // Port names are unique per container (the API server checks each container on its own).
    const names = new Map<string, Reader>();
    // Sidecars (init containers that keep running) serve ports; other init containers do not.
    const serves = !inits.includes(c) || c.at('restartPolicy').value === 'Always';
    for (const p of c.at('ports').list() ?? []) {
      const port = readContainerPort(p, names);
      if (!port) ok = false;
      else if (serves) out.push(port);
    }
  }
  return ok ? out : undefined;
}

function readContainerPort(p: Reader, names: Map<string, Reader>): ContainerPort | undefined {
  const port = p.at('containerPort').int({ required: true, min: 1, max: 65535 });
  const protoName = p.at('protocol').missing
    ? 'TCP'
    : p.at('protocol').oneOf(['TCP', 'UDP', 'SCTP'] as const);
  const name = p.at('name').string();
  if (name !== undefined) {
    if (!isValidPortName(name)) {
      p.at('name').error(
        'port.name',
        `${quote(name)} is not a valid port name: at most 15 lower-case letters, digits and '-', with at least one letter`,
      );
      return undefined;
    }
    const prev = names.get(name);
    if (prev !== undefined) {
      p.at('name').error(
        'port.duplicateName',
        `port name ${quote(name)} is already used by ${prev.pathText}`,
      );
      return undefined;
    }
    names.set(name, p);
  }
  if (port === undefined || protoName === undefined) return undefined;
  return { ...(name !== undefined ? { name } : {}), port, protocol: K8S_PROTOCOLS[protoName] };
}

function readPodIPs(status: Reader): IP[] {
  const texts: Array<[string, Reader]> = [];
  const single = status.at('podIP');
  const s = single.string();
  if (s !== undefined && s !== '') texts.push([s, single]);
  for (const item of status.at('podIPs').list() ?? []) {
    item.object(['ip']);
    const ip = item.at('ip').string({ required: true });
    if (ip !== undefined) texts.push([ip, item.at('ip')]);
  }
  const out: IP[] = [];
  const seen = new Set<string>();
  for (const [text, r] of texts) {
    const ip = parseIP(text);
    if (!ip) {
      r.error('ip.invalid', `${quote(text)} is not a valid IP address`);
      continue;
    }
    const key = formatIP(ip);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(ip);
    }
  }
  return out;
}

/** A v1 Node: labels and addresses (the `nodes` peer of AdminNetworkPolicy selects these). */
export function readNode(root: Reader, source: SourceRef): Node | undefined {
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-subdomain' });
  const addresses: IP[] = [];
  for (const a of root.at('status').at('addresses').list() ?? []) {
    const type = a.at('type').string();
    const text = a.at('address').string();
    if (text === undefined || (type !== 'InternalIP' && type !== 'ExternalIP')) continue;
    const ip = parseIP(text);
    if (ip) addresses.push(ip);
    else a.at('address').error('ip.invalid', `${quote(text)} is not a valid IP address`);
  }
  if (!meta) return undefined;
  return { name: meta.name, labels: meta.labels, addresses, source };
}
