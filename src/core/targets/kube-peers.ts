// The remote side and the services of a zone rule as Kubernetes peers and ports. Pod peers and
// address peers are kept apart: egress renders all pod rules before any address rule (see
// kube-rules.ts), and ingress has no address peers at all.
import { CidrSet, formatCIDR, PROTO } from '../net/index.js';
import type { Selector, SelectorNode } from '../selector/index.js';
import type { Direction } from '../model/types.js';
import { notInternet } from '../zones/program.js';
import type { MemberPath, Party } from '../zones/program.js';
import type { ZoneAction, ZonePolicy, ZoneService } from '../zones/types.js';
import { convertSelector } from './k8s-selectors.js';
import type { Conj, SelectorForms } from './k8s-selectors.js';
import { ALL_NETWORKS, chunk, mergeReasons } from './kube-ir.js';
import type { Forms, KubeFlavor, KubePeer, KubePort, KubePorts, KubeProtocol } from './kube-ir.js';

/** The most entries of one `networks` or `domainNames` peer. */
const MAX_ADDRESSES = 25;
const ALL: SelectorNode = { kind: 'all' };

export interface PeerContext {
  zp: ZonePolicy;
  flavor: KubeFlavor;
  paths: (zone: string) => MemberPath[];
  /** `internet` as networks: every address but pools, cluster networks and externals. */
  internet: readonly string[];
}

/** A party split into pod peers, address peers and (ingress) sources no peer can name. */
export interface PartyForms {
  pods: Forms<KubePeer[]>;
  nets: Forms<KubePeer[]>;
  outside: string[];
}

/** `internet` as CIDRs: the complement of everything the zone policy places in the cluster. */
export function internetNetworks(zp: ZonePolicy): string[] {
  return CidrSet.all()
    .subtract(CidrSet.of(notInternet(zp)))
    .toCIDRs()
    .map(formatCIDR);
}

const exact = <T>(v: T): Forms<T> => ({ under: v, over: v, reasons: [] });
const NONE = (): Forms<KubePeer[]> => exact([]);

function networks(cidrs: readonly string[]): KubePeer[] {
  return chunk(cidrs, MAX_ADDRESSES).map((c) => ({ kind: 'networks', cidrs: c }));
}

function cross(ns: readonly Conj[], pods: readonly Conj[]): KubePeer[] {
  return ns.flatMap((n) => pods.map((p): KubePeer => ({ kind: 'pods', namespaces: n, pods: p })));
}

function podPeers(ns: SelectorForms, pods: SelectorForms): Forms<KubePeer[]> {
  return {
    under: cross(ns.under, pods.under),
    over: cross(ns.over, pods.over),
    reasons: mergeReasons(ns.reasons, pods.reasons),
  };
}

/** Forms of several peer lists together (any of them). */
export function concatForms(list: ReadonlyArray<Forms<KubePeer[]>>): Forms<KubePeer[]> {
  const overs = list.map((f) => f.over);
  return {
    under: list.flatMap((f) => f.under),
    over: overs.every((o) => o !== undefined) ? overs.flat() : undefined,
    reasons: mergeReasons(...list.map((f) => f.reasons)),
  };
}

function members(ctx: PeerContext, zone: string, sel: Selector | undefined): Forms<KubePeer[]> {
  return concatForms(
    ctx.paths(zone).map((m) => {
      const pod: SelectorNode = sel ? { kind: 'and', operands: [m.pod, sel.ast] } : m.pod;
      return podPeers(convertSelector(m.namespace ?? ALL), convertSelector(pod));
    }),
  );
}

function external(ctx: PeerContext, name: string, action: ZoneAction): Forms<KubePeer[]> {
  const ext = ctx.zp.externals.find((e) => e.name === name);
  const nets = networks((ext?.nets ?? []).map(formatCIDR));
  if (!ext || ext.domains.length === 0) return exact(nets);
  if (ctx.flavor.domainNames && action === 'Allow') {
    const names = chunk(ext.domains, MAX_ADDRESSES);
    return exact([...nets, ...names.map((n): KubePeer => ({ kind: 'domains', names: n }))]);
  }
  const why = ctx.flavor.domainNames
    ? 'domainNames peers are allowed in Accept rules only'
    : 'AdminNetworkPolicy v1alpha1 has no domainNames peer';
  return {
    under: nets,
    // Domain names resolve to addresses outside the cluster: every address covers them.
    over: networks(ALL_NETWORKS),
    reasons: [`domain names of external ${JSON.stringify(name)}: ${why}`],
  };
}

/** A party of a rule in one direction, for a rule with this action. */
export function partyForms(
  ctx: PeerContext,
  p: Party,
  dir: Direction,
  action: ZoneAction,
): PartyForms {
  const ingress = dir === 'ingress';
  switch (p.kind) {
    case 'members':
      return { pods: members(ctx, p.zone, p.selector), nets: NONE(), outside: [] };
    case 'anyone': {
      const pods = podPeers(convertSelector(ALL), convertSelector(p.selector?.ast ?? ALL));
      if (p.selector) return { pods, nets: NONE(), outside: [] };
      if (ingress) return { pods, nets: NONE(), outside: ['addresses outside the cluster'] };
      return { pods, nets: exact(networks(ALL_NETWORKS)), outside: [] };
    }
    case 'external':
      if (ingress)
        return { pods: NONE(), nets: NONE(), outside: [`external ${JSON.stringify(p.name)}`] };
      return { pods: NONE(), nets: external(ctx, p.name, action), outside: [] };
    case 'internet':
      if (ingress) return { pods: NONE(), nets: NONE(), outside: ['the internet'] };
      return { pods: NONE(), nets: exact(networks(ctx.internet)), outside: [] };
  }
}

const KUBE_PROTOCOLS = new Map<number, KubeProtocol>([
  [PROTO.TCP, 'TCP'],
  [PROTO.UDP, 'UDP'],
  [PROTO.SCTP, 'SCTP'],
]);

function protocolText(n: number): string {
  return KUBE_PROTOCOLS.get(n) ?? (n === PROTO.ICMP ? 'ICMP' : `protocol ${n}`);
}

/** Named ports per name, with the protocols the zone rule names them for. */
function namedPorts(services: readonly ZoneService[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const s of services) {
    for (const p of s.ports ?? []) {
      if (p.kind !== 'named') continue;
      const set = out.get(p.name) ?? new Set<number>();
      out.set(p.name, set.add(s.protocol));
    }
  }
  return out;
}

function numericPorts(s: ZoneService, protocol: KubeProtocol): KubePort[] {
  // No ports: the whole protocol. Port 0 is left out (the APIs start at 1; nothing listens on 0).
  if (!s.ports) return [{ kind: 'range', protocol, start: 1, end: 65535 }];
  return s.ports.flatMap((p): KubePort[] =>
    p.kind === 'range' ? [{ kind: 'range', protocol, start: p.range.start, end: p.range.end }] : [],
  );
}

/**
 * Services as ports. For address peers (`forAddresses`) named ports are left out: an address
 * has no named ports, so they never match it.
 */
export function serviceForms(
  services: readonly ZoneService[] | undefined,
  forAddresses: boolean,
): Forms<KubePorts> {
  if (!services) return exact('all');
  const reasons: string[] = [];
  const under: KubePort[] = [];
  let overAll = false;
  for (const s of services) {
    const protocol = KUBE_PROTOCOLS.get(s.protocol);
    if (protocol) under.push(...numericPorts(s, protocol));
    else {
      reasons.push(`${protocolText(s.protocol)}: only TCP, UDP and SCTP can be matched`);
      overAll = true;
    }
  }
  const over = [...under];
  for (const [name, protocols] of forAddresses ? [] : namedPorts(services)) {
    const port: KubePort = { kind: 'named', name };
    if ([...KUBE_PROTOCOLS.keys()].every((k) => protocols.has(k))) under.push(port);
    else {
      const list = [...protocols].map(protocolText).join('/');
      reasons.push(
        `port ${JSON.stringify(name)} (${list}): a named port matches the pod's port of that name in any protocol`,
      );
    }
    over.push(port);
  }
  return { under, over: overAll ? 'all' : over, reasons };
}
