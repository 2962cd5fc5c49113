// policy.networking.k8s.io: v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy and
// v1alpha2 ClusterNetworkPolicy, converted as Calico does: the Admin tier is `kube-admin`
// (order 1000, end of tier Pass), the Baseline tier is `kube-baseline` (order 10,000,000,
// end of tier Pass), `priority` is the policy order, and a direction with no rules does not
// apply at all ("CNPs with no ingress rules do not affect ingress traffic").
import { CidrSet, isV4Mapped, parseCIDR } from '../../net/index.js';
import { readPorts, readProtocols } from './anp-ports.js';
import type { CIDR } from '../../net/index.js';
import type { Selector } from '../../selector/index.js';
import { quote } from '../issues.js';
import { readLabelSelector, readMeta } from '../k8s-meta.js';
import type { Reader } from '../reader.js';
import { EP_NODE, EP_POD } from '../types.js';
import type {
  Action,
  EndpointSelector,
  Match,
  PeerMatch,
  Policy,
  PolicyKind,
  Rule,
  SourceRef,
} from '../types.js';

type Flavor = 'anp' | 'banp' | 'cnp';
type Dir = 'ingress' | 'egress';

const ACTIONS: Record<Flavor, Record<string, Action>> = {
  anp: { Allow: 'Allow', Deny: 'Deny', Pass: 'Pass' },
  banp: { Allow: 'Allow', Deny: 'Deny' },
  cnp: { Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' },
};
const MAX_RULES: Record<Flavor, number> = { anp: 100, banp: 100, cnp: 25 };
const KIND: Record<Flavor, PolicyKind> = {
  anp: 'AdminNetworkPolicy',
  banp: 'BaselineAdminNetworkPolicy',
  cnp: 'ClusterNetworkPolicy',
};

/** v1alpha1 AdminNetworkPolicy. */
export function readAdminNetworkPolicy(root: Reader, source: SourceRef): Policy | undefined {
  return readPolicy(root, source, 'anp');
}

/** v1alpha1 BaselineAdminNetworkPolicy (a singleton named `default`). */
export function readBaselineAdminNetworkPolicy(
  root: Reader,
  source: SourceRef,
): Policy | undefined {
  return readPolicy(root, source, 'banp');
}

/** v1alpha2 ClusterNetworkPolicy (tier Admin or Baseline). */
export function readClusterNetworkPolicy(root: Reader, source: SourceRef): Policy | undefined {
  return readPolicy(root, source, 'cnp');
}

function readPolicy(root: Reader, source: SourceRef, flavor: Flavor): Policy | undefined {
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-subdomain' });
  const spec = root.at('spec');
  if (!spec.require()) return undefined;
  const fields = ['subject', 'ingress', 'egress'];
  if (flavor !== 'banp') fields.push('priority');
  if (flavor === 'cnp') fields.push('tier');
  spec.object(fields);
  if (meta && flavor === 'banp' && meta.name !== 'default') {
    root
      .at('metadata')
      .at('name')
      .error(
        'banp.name',
        `a BaselineAdminNetworkPolicy must be named "default", found ${quote(meta.name)}`,
      );
  }
  const tier =
    flavor === 'cnp'
      ? spec.at('tier').oneOf(['Admin', 'Baseline'] as const, { required: true })
      : undefined;
  const priority =
    flavor === 'banp' ? undefined : spec.at('priority').int({ required: true, min: 0, max: 1000 });
  const subject = readSubject(spec.at('subject'), flavor);
  const ingress = readRules(spec.at('ingress'), 'ingress', flavor);
  const egress = readRules(spec.at('egress'), 'egress', flavor);
  if (!meta || !subject || !ingress || !egress) return undefined;
  if (flavor !== 'banp' && priority === undefined) return undefined;
  if (flavor === 'cnp' && tier === undefined) return undefined;
  const baseline = flavor === 'banp' || tier === 'Baseline';
  return {
    ref: { kind: KIND[flavor], name: meta.name },
    tier: baseline ? 'kube-baseline' : 'kube-admin',
    order: priority,
    subject,
    ...(ingress.length > 0 ? { ingress } : {}),
    ...(egress.length > 0 ? { egress } : {}),
    source,
  };
}

function readSubject(r: Reader, flavor: Flavor): EndpointSelector | undefined {
  if (!r.require()) return undefined;
  r.object(['namespaces', 'pods']);
  const set = ['namespaces', 'pods'].filter((k) => !r.at(k).missing);
  if (set.length !== 1) {
    r.error(
      'subject.oneOf',
      `subject must set exactly one of namespaces or pods, found ${set.length === 0 ? 'neither' : 'both'}`,
    );
    return undefined;
  }
  return set[0] === 'namespaces'
    ? namespacesPeer(r.at('namespaces'))
    : podsPeer(r.at('pods'), flavor);
}

function namespacesPeer(r: Reader): EndpointSelector | undefined {
  const ns = readLabelSelector(r);
  return ns ? { kinds: EP_POD, namespaceSelector: ns } : undefined;
}

/** `pods`: both selectors are required in v1alpha1 (CRD v0.1.x); v1alpha2 makes namespaceSelector optional. */
function podsPeer(r: Reader, flavor: Flavor): EndpointSelector | undefined {
  r.object(['namespaceSelector', 'podSelector']);
  const podOk = r.at('podSelector').require();
  const nsOk = flavor === 'cnp' || r.at('namespaceSelector').require();
  if (!podOk || !nsOk) return undefined;
  const ns = readLabelSelector(r.at('namespaceSelector'));
  const pod = readLabelSelector(r.at('podSelector'));
  if (!ns || !pod) return undefined;
  return { kinds: EP_POD, namespaceSelector: ns, selector: pod };
}

function readRules(r: Reader, dir: Dir, flavor: Flavor): Rule[] | undefined {
  const items = r.list({ max: MAX_RULES[flavor] }) ?? [];
  const out: Rule[] = [];
  let ok = true;
  items.forEach((item, index) => {
    const rule = readRule(item, dir, flavor, index);
    if (rule) out.push(rule);
    else ok = false;
  });
  return ok ? out : undefined;
}

function readRule(r: Reader, dir: Dir, flavor: Flavor, index: number): Rule | undefined {
  const peersKey = dir === 'ingress' ? 'from' : 'to';
  const portsKey = flavor === 'cnp' ? 'protocols' : 'ports';
  r.object(['name', 'action', peersKey, portsKey]);
  const name = r.at('name').string();
  // The CRD's maxLength counts characters (runes), not UTF-16 units.
  const chars = name === undefined ? 0 : [...name].length;
  if (chars > 100) {
    r.at('name').error('field.tooLong', `rule name may have at most 100 characters, has ${chars}`);
  }
  const actionText = r.at('action').oneOf(Object.keys(ACTIONS[flavor]), { required: true });
  const peers = readPeers(r.at(peersKey), dir, flavor);
  const ports = flavor === 'cnp' ? readProtocols(r.at(portsKey)) : readPorts(r.at(portsKey));
  if (actionText === undefined || !peers || !ports) return undefined;
  const action = ACTIONS[flavor][actionText] as Action;
  if (
    ports !== 'all' &&
    peers.some((p) => p.nets || p.domains || p.selector?.kinds === EP_NODE) &&
    ports.some((p) => p.port?.kind === 'named')
  ) {
    r.at(portsKey).error(
      'port.namedOnNetworks',
      'a named port cannot be used with networks, nodes or domainNames peers, which have no named ports',
    );
    return undefined;
  }
  const matches: Match[] = [];
  for (const peer of peers) {
    for (const p of ports === 'all' ? [undefined] : ports) {
      const port = p?.port ? { ports: [p.port] } : {};
      const m: Match =
        dir === 'ingress'
          ? { source: peer, destination: port }
          : { source: {}, destination: { ...peer, ...port } };
      matches.push(p?.protocol !== undefined ? { ...m, protocol: p.protocol } : m);
    }
  }
  return { action, index, ...(name ? { name } : {}), matches };
}

function readPeers(r: Reader, dir: Dir, flavor: Flavor): PeerMatch[] | undefined {
  const items = r.list({ required: true, min: 1, max: MAX_RULES[flavor] });
  if (!items) return undefined;
  const allowed =
    dir === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'nodes', 'networks'];
  if (flavor === 'cnp' && dir === 'egress') allowed.push('domainNames');
  const out: PeerMatch[] = [];
  let ok = true;
  for (const item of items) {
    item.object(allowed);
    const set = allowed.filter((k) => !item.at(k).missing);
    if (set.length !== 1) {
      item.error(
        'peer.oneOf',
        `a peer must set exactly one of ${allowed.join(', ')}, found ${set.length === 0 ? 'none' : set.join(' and ')}`,
      );
      ok = false;
      continue;
    }
    const p = readPeer(item, set[0] as string, flavor);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function readPeer(item: Reader, key: string, flavor: Flavor): PeerMatch | undefined {
  const r = item.at(key);
  if (key === 'namespaces' || key === 'pods') {
    const sel = key === 'namespaces' ? namespacesPeer(r) : podsPeer(r, flavor);
    return sel ? { selector: sel } : undefined;
  }
  if (key === 'nodes') {
    const sel: Selector | undefined = readLabelSelector(r);
    return sel ? { selector: { kinds: EP_NODE, selector: sel } } : undefined;
  }
  if (key === 'domainNames') {
    const names = uniqueStrings(r, 'domain name');
    const bad = names?.filter(([n]) => !DOMAIN_NAME.test(n)) ?? [];
    for (const [n, item] of bad) {
      item.error(
        'domain.invalid',
        `${quote(n)} is not a domain name (a leading "*." may match one or more labels)`,
      );
    }
    return names && bad.length === 0 ? { domains: names.map(([n]) => n) } : undefined;
  }
  return readNetworks(r);
}

// The CRD's pattern for DomainName.
const DOMAIN_NAME =
  /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

/** A list with set semantics (listType=set): repeats are rejected, as the API server does. */
function uniqueStrings(r: Reader, what: string): Array<[string, Reader]> | undefined {
  const items = r.list({ min: 1, max: 25 });
  if (!items) return undefined;
  const seen = new Set<string>();
  const out: Array<[string, Reader]> = [];
  let ok = true;
  for (const item of items) {
    const v = item.string({ required: true });
    if (v === undefined) ok = false;
    else if (seen.has(v)) {
      item.error('field.duplicate', `${what} ${quote(v)} is listed twice`);
      ok = false;
    } else {
      seen.add(v);
      out.push([v, item]);
    }
  }
  return ok ? out : undefined;
}

function readNetworks(r: Reader): PeerMatch | undefined {
  const items = uniqueStrings(r, 'network');
  if (!items) return undefined;
  const nets: CIDR[] = [];
  let ok = true;
  for (const [t, item] of items) {
    const c = parseCIDR(t);
    // CEL isCIDR (the CRD's check) wants a prefix length and rejects IPv4-mapped IPv6.
    const problem = !c.ok
      ? c.message
      : !t.includes('/')
        ? 'a prefix length is required'
        : isV4Mapped(c.cidr.ip)
          ? 'IPv4-mapped IPv6 is not allowed'
          : undefined;
    if (problem !== undefined || !c.ok) {
      item.error('cidr.invalid', `${quote(t)} is not a valid CIDR: ${problem ?? ''}`);
      ok = false;
      continue;
    }
    nets.push(c.cidr);
  }
  return ok ? { nets: CidrSet.of(nets) } : undefined;
}
