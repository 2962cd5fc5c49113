// projectcalico.org/v3 Tier, NetworkSet, GlobalNetworkSet and HostEndpoint, validated as
// Calico v3.32+ accepts them (validator v3 plus the CRD schema and CEL rules). Sources:
// docs/research/calico-semantics.md.
import {
  CidrSet,
  calicoProtocolSupportsPorts,
  isValidPortName,
  parseCalicoProtocol,
  parseCIDR,
  parseIP,
} from '../../net/index.js';
import type { CIDR, IP } from '../../net/index.js';
import { quote } from '../issues.js';
import { nameProblem, readMeta } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import type { ContainerPort, HostEndpoint, NetworkSet, SourceRef, Tier } from '../types.js';
import { noDuplicates } from './calico-entity.js';

/** Tiers whose order and default action Calico fixes (CRD CEL rules on Tier). */
const RESERVED_TIERS: Record<string, { order: number; action: 'Deny' | 'Pass' }> = {
  'kube-admin': { order: 1000, action: 'Pass' },
  default: { order: 1_000_000, action: 'Deny' },
  'kube-baseline': { order: 10_000_000, action: 'Pass' },
};
const INTERFACE = /^[a-zA-Z0-9_.-]{1,15}$/;
const DOMAIN_LABEL = '(\\*|[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)';
const DOMAIN = new RegExp(`^${DOMAIN_LABEL}(\\.${DOMAIN_LABEL})*$`);

function errorCount(r: Reader): number {
  return r.ctx.issues.filter((i) => i.severity === 'error').length;
}

/** A Tier: order (a float; absent sorts last) and defaultAction Deny (default) or Pass. */
export function readTier(root: Reader, source: SourceRef): Tier | undefined {
  const before = errorCount(root);
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-label' });
  const spec = root.at('spec');
  spec.require();
  spec.object(['order', 'defaultAction']);
  const order = spec.at('order').number();
  const act = spec.at('defaultAction');
  const defaultAction = act.missing ? 'Deny' : act.oneOf(['Deny', 'Pass'] as const);
  const reserved = meta ? RESERVED_TIERS[meta.name] : undefined;
  if (meta && reserved && order !== reserved.order) {
    spec
      .at('order')
      .error(
        'tier.reserved',
        `the ${meta.name} tier's order must be ${reserved.order}, found ${order ?? 'nothing'}`,
      );
  }
  if (meta && reserved && defaultAction && defaultAction !== reserved.action) {
    act.error(
      'tier.reserved',
      `the ${meta.name} tier must have defaultAction ${reserved.action}, found ${quote(defaultAction)}`,
    );
  }
  if (!meta || !defaultAction || errorCount(root) > before) return undefined;
  return { name: meta.name, order, defaultAction, builtIn: false, source };
}

/** A NetworkSet (namespaced) or GlobalNetworkSet: labelled CIDRs, and domains (Calico Enterprise). */
export function readNetworkSet(
  root: Reader,
  source: SourceRef,
  global: boolean,
): NetworkSet | undefined {
  const before = errorCount(root);
  const meta = readMeta(root, { namespaced: !global, nameRule: 'dns-subdomain' });
  if (meta?.labels.has('projectcalico.org/namespace')) {
    root
      .at('metadata')
      .at('labels')
      .at('projectcalico.org/namespace')
      .error(
        'label.reserved',
        'projectcalico.org/namespace is not a valid label name: Calico sets it from the namespace',
      );
  }
  const spec = root.at('spec');
  spec.require();
  spec.object(['nets', 'allowedEgressDomains']);
  const nets = readSetNets(spec.at('nets'), global ? 49 : 43);
  const domains = readDomains(spec.at('allowedEgressDomains'));
  if (!meta || errorCount(root) > before) return undefined;
  return {
    ...(global ? {} : { namespace: meta.namespace ?? 'default' }),
    name: meta.name,
    labels: meta.labels,
    nets: CidrSet.of(nets),
    domains,
    source,
  };
}

/** NetworkSet nets: CIDRs or bare addresses; host bits are allowed and masked off. */
function readSetNets(r: Reader, maxLength: number): CIDR[] {
  const out: CIDR[] = [];
  for (const item of r.list({ max: 100_000 }) ?? []) {
    const t = item.string();
    if (t === undefined) continue;
    const p = parseCIDR(t);
    if (t.length > maxLength)
      item.error('field.tooLong', `${quote(t)} is longer than ${maxLength} characters`);
    else if (!p.ok)
      item.error(
        'cidr.invalid',
        `${quote(t)} is not an IP address or CIDR (e.g. "198.51.100.0/28")`,
      );
    else out.push(p.cidr);
  }
  noDuplicates(r);
  return out;
}

function readDomains(r: Reader): string[] {
  const out: string[] = [];
  for (const item of r.list() ?? []) {
    const d = item.string({ nonEmpty: true });
    if (d === undefined) continue;
    if (d.length > 253 || !DOMAIN.test(d) || d.split('.').some((l) => l.length > 63)) {
      item.error(
        'domain.invalid',
        `${quote(d)} is not a domain name (labels of letters, digits and '-', or '*' as a whole label)`,
      );
    } else out.push(d);
  }
  noDuplicates(r);
  return out;
}

/** A HostEndpoint: a node's interface and/or expected IPs, with profiles and named ports. */
export function readHostEndpoint(root: Reader, source: SourceRef): HostEndpoint | undefined {
  const before = errorCount(root);
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-subdomain' });
  const spec = root.at('spec');
  if (!spec.require()) return undefined;
  spec.object(['node', 'interfaceName', 'expectedIPs', 'profiles', 'ports']);
  const node = readNode(spec.at('node'));
  const iface = readInterface(spec.at('interfaceName'));
  const expectedIPs = readIPs(spec.at('expectedIPs'));
  const ipsGiven = Array.isArray(spec.at('expectedIPs').value) && expectedIPs.length > 0;
  if (!iface && !ipsGiven) {
    spec.error('hep.target', 'at least one of interfaceName or expectedIPs must be specified');
  }
  const profiles = readProfiles(spec.at('profiles'));
  const ports = readEndpointPorts(spec.at('ports'));
  if (!meta || errorCount(root) > before) return undefined;
  return {
    name: meta.name,
    node,
    ...(iface ? { interfaceName: iface } : {}),
    expectedIPs,
    labels: meta.labels,
    profiles,
    ports,
    source,
  };
}

function readNode(r: Reader): string {
  if (r.missing || r.value === '') {
    r.error('field.required', 'spec.node is required: name the node this host endpoint is on');
    return '';
  }
  const node = r.string();
  if (node === undefined) return '';
  const p = nameProblem(node, 'dns-subdomain');
  if (p) r.error('name.invalid', `node ${quote(node)} is not a valid node name: ${p}`);
  return node;
}

function readInterface(r: Reader): string | undefined {
  const name = r.string();
  if (!name) return undefined;
  if (name !== '*' && !INTERFACE.test(name)) {
    r.error(
      'hep.interface',
      `interfaceName ${quote(name)} must be "*" or 1 to 15 letters, digits, '_', '.' or '-'`,
    );
  }
  return name;
}

function readIPs(r: Reader): IP[] {
  const out: IP[] = [];
  for (const item of r.list() ?? []) {
    const t = item.string();
    if (t === undefined) continue;
    const ip = parseIP(t);
    if (ip) out.push(ip);
    else item.error('ip.invalid', `${quote(t)} is not a valid IP address`);
  }
  noDuplicates(r);
  return out;
}

function readProfiles(r: Reader): string[] {
  const out: string[] = [];
  for (const item of r.list() ?? []) {
    const name = item.string();
    if (name === undefined) continue;
    const p = nameProblem(name, 'dns-subdomain');
    if (p) item.error('name.invalid', `profile ${quote(name)} is not a valid name: ${p}`);
    else out.push(name);
  }
  noDuplicates(r);
  return out;
}

/** Named ports policy rules can refer to: name, port and a protocol that has ports. */
function readEndpointPorts(r: Reader): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const item of r.list() ?? []) {
    item.object(['name', 'port', 'protocol']);
    const name = item.at('name').string({ required: true });
    if (name !== undefined && !isValidPortName(name)) {
      item
        .at('name')
        .error(
          'port.name',
          `${quote(name)} is not a valid port name: at most 15 lower-case letters, digits and '-', with at least one letter`,
        );
    }
    const port = item.at('port').int({ required: true, min: 1, max: 65535 });
    const protocol = readPortProtocol(item.at('protocol'));
    if (name !== undefined && port !== undefined && protocol !== undefined)
      out.push({ name, port, protocol });
  }
  return out;
}

function readPortProtocol(r: Reader): number | undefined {
  if (!r.require()) return undefined;
  const res = parseCalicoProtocol(r.value);
  if (!res.ok) {
    r.error('protocol.invalid', res.message);
    return undefined;
  }
  if (!calicoProtocolSupportsPorts(res.proto)) {
    r.error(
      'protocol.noPorts',
      `protocol ${quote(r.value)} has no ports: a named port must be TCP, UDP or SCTP`,
    );
    return undefined;
  }
  return res.proto;
}
