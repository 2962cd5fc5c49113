// networking.k8s.io/v1 NetworkPolicy (and Calico's StagedKubernetesNetworkPolicy, which has
// the same spec) -> a default-tier policy at order 1000, as Calico converts it. A rule's
// peers x ports become its match alternatives; the rule index stays the user's.
import { CidrSet, PROTO, cidrContainsCidr, isValidPortName, parseCIDR } from '../../net/index.js';
import type { CIDR } from '../../net/index.js';
import { quote } from '../issues.js';
import { readLabelSelector, readMeta } from '../k8s-meta.js';
import { readStagedAction } from './calico-policy.js';
import type { Reader } from '../reader.js';
import { EP_POD, K8S_NETWORK_POLICY_ORDER } from '../types.js';
import type {
  Match,
  PeerMatch,
  Policy,
  PolicyRef,
  PortMatch,
  Rule,
  SourceRef,
  StagedInfo,
} from '../types.js';

const SPEC_FIELDS = ['podSelector', 'ingress', 'egress', 'policyTypes'];
const PROTOCOLS = { TCP: PROTO.TCP, UDP: PROTO.UDP, SCTP: PROTO.SCTP } as const;

interface PortItem {
  protocol: number;
  port?: PortMatch;
}

/** A Kubernetes NetworkPolicy. */
export function readK8sNetworkPolicy(root: Reader, source: SourceRef): Policy | undefined {
  const meta = readMeta(root, { namespaced: true, nameRule: 'dns-subdomain' });
  root.at('spec').object(SPEC_FIELDS);
  if (!root.at('spec').require()) return undefined;
  const ns = meta?.namespace ?? 'default';
  const body = readSpec(root.at('spec'), ns);
  if (!meta || !body) return undefined;
  return { ...body, ref: { kind: 'NetworkPolicy', namespace: ns, name: meta.name }, source };
}

/** Calico's StagedKubernetesNetworkPolicy: a proposed Kubernetes NetworkPolicy. */
export function readStagedK8sNetworkPolicy(root: Reader, source: SourceRef): Policy | undefined {
  const meta = readMeta(root, { namespaced: true, nameRule: 'dns-subdomain' });
  const spec = root.at('spec');
  spec.object([...SPEC_FIELDS, 'stagedAction']);
  const action = readStagedAction(spec);
  const ns = meta?.namespace ?? 'default';
  if (action === 'Delete') rejectDeleteBody(spec);
  const body = readSpec(spec, ns);
  if (!meta || !body || !action) return undefined;
  const target: PolicyRef = { kind: 'NetworkPolicy', namespace: ns, name: meta.name };
  const staged: StagedInfo = { action, target };
  const ref: PolicyRef = { kind: 'StagedKubernetesNetworkPolicy', namespace: ns, name: meta.name };
  return { ...body, ref, staged, source };
}

/** Calico's validator: a Delete's spec fields must all be zero-valued. */
function rejectDeleteBody(spec: Reader): void {
  for (const k of SPEC_FIELDS) {
    const v = spec.at(k).value;
    const empty =
      v === undefined ||
      v === null ||
      (typeof v === 'object' && Object.keys(v).length === 0 && !Array.isArray(v));
    if (!empty)
      spec.at(k).error('staged.delete', `spec.${k} must not be set when stagedAction is Delete`);
  }
}

function readSpec(spec: Reader, ns: string): Omit<Policy, 'ref' | 'source'> | undefined {
  const podSelector = readLabelSelector(spec.at('podSelector'));
  const types = readPolicyTypes(spec);
  const ingress = readRules(spec.at('ingress'), 'ingress', ns);
  const egress = readRules(spec.at('egress'), 'egress', ns);
  if (!podSelector || !types || !ingress || !egress) return undefined;
  return {
    tier: 'default',
    order: K8S_NETWORK_POLICY_ORDER,
    subject: { kinds: EP_POD, namespace: ns, selector: podSelector },
    ...(types.ingress ? { ingress } : {}),
    ...(types.egress ? { egress } : {}),
  };
}

function readPolicyTypes(spec: Reader): { ingress: boolean; egress: boolean } | undefined {
  const r = spec.at('policyTypes');
  const list = r.list({ max: 2 });
  if (!list || list.length === 0) {
    // API server defaulting: Ingress always, Egress when there are egress rules.
    const egressRules = spec.at('egress').value;
    return { ingress: true, egress: Array.isArray(egressRules) && egressRules.length > 0 };
  }
  // An atomic list: a repeated type is accepted (and means the same); every bad one is reported.
  const seen = new Set<string>();
  let ok = true;
  for (const item of list) {
    const t = item.oneOf(['Ingress', 'Egress'] as const);
    if (t === undefined) ok = false;
    else seen.add(t);
  }
  if (!ok) return undefined;
  return { ingress: seen.has('Ingress'), egress: seen.has('Egress') };
}

function readRules(r: Reader, dir: 'ingress' | 'egress', ns: string): Rule[] | undefined {
  const items = r.list() ?? [];
  const peersKey = dir === 'ingress' ? 'from' : 'to';
  const out: Rule[] = [];
  let ok = true;
  items.forEach((item, index) => {
    item.object([peersKey, 'ports']);
    const peers = readPeers(item.at(peersKey), ns);
    const ports = readPorts(item.at('ports'));
    if (!peers || !ports) {
      ok = false;
      return;
    }
    out.push({ action: 'Allow', index, matches: combine(peers, ports, dir) });
  });
  return ok ? out : undefined;
}

function combine(peers: PeerMatch[], ports: PortItem[] | 'all', dir: string): Match[] {
  const out: Match[] = [];
  for (const peer of peers) {
    for (const p of ports === 'all' ? [undefined] : ports) {
      const dstPorts = p?.port ? { ports: [p.port] } : {};
      const m: Match =
        dir === 'ingress'
          ? { source: peer, destination: dstPorts }
          : { source: {}, destination: { ...peer, ...dstPorts } };
      out.push(p ? { ...m, protocol: p.protocol } : m);
    }
  }
  return out;
}

/** `from`/`to`: absent or empty matches every peer. */
function readPeers(r: Reader, ns: string): PeerMatch[] | undefined {
  const items = r.list();
  if (!items || items.length === 0) return [{}];
  const out: PeerMatch[] = [];
  let ok = true;
  for (const item of items) {
    const p = readPeer(item, ns);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function readPeer(r: Reader, ns: string): PeerMatch | undefined {
  const obj = r.object(['podSelector', 'namespaceSelector', 'ipBlock']);
  if (!obj) {
    if (r.missing)
      r.error('peer.empty', 'a peer must set podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const hasPod = !r.at('podSelector').missing;
  const hasNs = !r.at('namespaceSelector').missing;
  const hasIp = !r.at('ipBlock').missing;
  if (hasIp && (hasPod || hasNs)) {
    r.error('peer.conflict', 'ipBlock may not be combined with podSelector or namespaceSelector');
    return undefined;
  }
  if (hasIp) return readIPBlock(r.at('ipBlock'));
  if (!hasPod && !hasNs) {
    r.error('peer.empty', 'a peer must set podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const pod = hasPod ? readLabelSelector(r.at('podSelector')) : undefined;
  const nsSel = hasNs ? readLabelSelector(r.at('namespaceSelector')) : undefined;
  if ((hasPod && !pod) || (hasNs && !nsSel)) return undefined;
  return {
    selector: {
      kinds: EP_POD,
      ...(nsSel ? { namespaceSelector: nsSel } : { namespace: ns }),
      ...(pod ? { selector: pod } : {}),
    },
  };
}

function readIPBlock(r: Reader): PeerMatch | undefined {
  r.object(['cidr', 'except']);
  const cidrR = r.at('cidr');
  const text = cidrR.string({ required: true, nonEmpty: true });
  if (text === undefined) return undefined;
  const parsed = parseCIDR(text);
  if (!parsed.ok || !text.includes('/')) {
    cidrR.error(
      'cidr.invalid',
      `${quote(text)} is not a valid CIDR${parsed.ok ? '' : `: ${parsed.message}`}`,
    );
    return undefined;
  }
  const except: CIDR[] = [];
  let ok = true;
  for (const e of r.at('except').list() ?? []) {
    const c = readExcept(e, parsed.cidr);
    if (c) except.push(c);
    else ok = false;
  }
  if (!ok) return undefined;
  return {
    nets: CidrSet.of([parsed.cidr]),
    ...(except.length > 0 ? { notNets: CidrSet.of(except) } : {}),
  };
}

function readExcept(e: Reader, outer: CIDR): CIDR | undefined {
  const t = e.string({ required: true });
  if (t === undefined) return undefined;
  const p = parseCIDR(t);
  if (!p.ok || !t.includes('/')) {
    e.error('cidr.invalid', `${quote(t)} is not a valid CIDR${p.ok ? '' : `: ${p.message}`}`);
    return undefined;
  }
  if (
    p.cidr.ip.version !== outer.ip.version ||
    !cidrContainsCidr(outer, p.cidr) ||
    p.cidr.prefix <= outer.prefix
  ) {
    e.error('cidr.except', `except ${quote(t)} must be strictly within the ipBlock's cidr`);
    return undefined;
  }
  return p.cidr;
}

/** `ports`: absent or empty (`all`) matches every port and protocol; undefined on error. */
function readPorts(r: Reader): PortItem[] | 'all' | undefined {
  const items = r.list();
  if (!items || items.length === 0) return 'all';
  const out: PortItem[] = [];
  let ok = true;
  for (const item of items) {
    const p = readPort(item);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function readPort(r: Reader): PortItem | undefined {
  r.object(['protocol', 'port', 'endPort']);
  const protoName = r.at('protocol').missing
    ? 'TCP'
    : r.at('protocol').oneOf(['TCP', 'UDP', 'SCTP'] as const);
  if (protoName === undefined) return undefined;
  const protocol = PROTOCOLS[protoName];
  const portR = r.at('port');
  const endR = r.at('endPort');
  if (portR.missing) {
    if (!endR.missing) endR.error('field.forbidden', 'endPort requires port to be set');
    return endR.missing ? { protocol } : undefined;
  }
  if (typeof portR.value === 'string') {
    const name = portR.value;
    if (!isValidPortName(name)) {
      portR.error('port.name', `${quote(name)} is not a valid port number or port name`);
      return undefined;
    }
    if (!endR.missing) {
      endR.error('field.forbidden', 'endPort may not be used with a named port');
      return undefined;
    }
    return { protocol, port: { kind: 'named', name, protocol } };
  }
  const start = portR.int({ min: 1, max: 65535 });
  const end = endR.missing ? start : endR.int({ min: 1, max: 65535 });
  if (start === undefined || end === undefined) return undefined;
  if (end < start) {
    endR.error('field.range', `endPort ${end} must be greater than or equal to port ${start}`);
    return undefined;
  }
  return { protocol, port: { kind: 'range', range: { start, end } } };
}
