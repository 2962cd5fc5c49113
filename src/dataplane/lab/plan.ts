// What a lab is made of, decided from the manifests before anything is created: the nodes
// (pods' spec.nodeName, at least two), each pod's namespace, interface, IPv4 address (its
// status.podIP, else the next free address of its zone's pool) and declared ports. The plan
// is a pure function of the input, so `lab probe` rebuilds the same one from the same files.
import { CidrSet, formatIP, parseIP } from '../../core/net/index.js';
import type { IP } from '../../core/net/index.js';
import type { Pod, PolicySet } from '../../core/model/index.js';
import { workloadInterface } from '../../core/targets/nftables/index.js';
import { zoneOf } from '../../core/zones/index.js';
import type { ZonePolicy } from '../../core/zones/index.js';
import { hex8 } from '../../core/targets/nftables/ids.js';

/** Lab names: short, so every object name stays short and starts with `zw-NAME-`. */
export const LAB_NAME = /^[a-z][a-z0-9]{0,11}$/;
/** The network the node namespaces share (never a pod address). */
const FABRIC_NET = '169.254.100.';
/** The gateway pods route to, answered by the node with proxy ARP (as Calico does). */
export const POD_GATEWAY = '169.254.1.1';
const FINISHED = new Set(['Succeeded', 'Failed']);

export interface LabPod {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  node: string;
  netns: string;
  /** The node-side end of the pod's veth. */
  hostIf: string;
  ip: string;
  tcp: number[];
  udp: number[];
  /** Declared ports the lab cannot probe (SCTP and others). */
  unprobed: string[];
}

export interface LabNode {
  name: string;
  netns: string;
  /** Address on the fabric. */
  address: string;
  /** The node's link in the fabric namespace. */
  fabricIf: string;
}

export interface LabPlan {
  name: string;
  prefix: string;
  fabricNetns: string;
  nodes: LabNode[];
  pods: LabPod[];
  /** Pods left out, with why (host-networked, finished, IPv6 only). */
  skipped: Array<{ id: string; reason: string }>;
  /** The policy set with each lab pod's node and address as the lab gives them. */
  set: PolicySet;
}

/** The prefix of every namespace a lab creates. */
export function labPrefix(name: string): string {
  return `zw-${name}-`;
}

function netnsName(prefix: string, kind: string, id: string): string {
  const base = `${prefix}${kind}-${id.replace(/[^A-Za-z0-9.-]/g, '.')}`;
  return base.length <= 80 ? base : `${base.slice(0, 70)}-${hex8(id)}`;
}

/** Plan a lab for a policy set (throws on a bad name). */
export function planLab(name: string, input: PolicySet, zones?: ZonePolicy): LabPlan {
  if (!LAB_NAME.test(name))
    throw new Error(`lab name ${JSON.stringify(name)}: 1-12 lowercase letters and digits`);
  const prefix = labPrefix(name);
  const skipped: LabPlan['skipped'] = [];
  const live = input.pods.filter((p) => {
    const id = `${p.namespace}/${p.name}`;
    if (p.hostNetwork) skipped.push({ id, reason: 'host-networked: it is the node' });
    else if (p.phase !== undefined && FINISHED.has(p.phase))
      skipped.push({ id, reason: `${p.phase}: no endpoint` });
    else return true;
    return false;
  });
  const nodeNames = [...new Set(live.flatMap((p) => (p.nodeName ? [p.nodeName] : [])))].sort();
  for (let i = 1; nodeNames.length < 2; i++)
    if (!nodeNames.includes(`lab-node-${i}`)) nodeNames.push(`lab-node-${i}`);
  const nodes: LabNode[] = nodeNames.map((n, i) => ({
    name: n,
    netns: netnsName(prefix, 'node', n),
    address: `${FABRIC_NET}${i + 1}`,
    fabricIf: `zwn${i}`,
  }));
  const addresses = new Allocator(input, zones);
  let rr = 0;
  const placed = new Map<Pod, Pod>();
  const pods: LabPod[] = [];
  for (const p of [...live].sort((a, b) => cmp(podId(a), podId(b)))) {
    const node = p.nodeName ?? (nodeNames[rr++ % nodeNames.length] as string);
    const ip = p.ips.find((x) => x.version === 4) ?? addresses.next(p);
    if (!ip) {
      skipped.push({ id: podId(p), reason: 'no IPv4 address and no zone pool to take one from' });
      continue;
    }
    placed.set(p, {
      ...p,
      nodeName: node,
      ips: p.ips.some((x) => x.version === 4) ? p.ips : [ip, ...p.ips],
    });
    pods.push(labPod(prefix, p, node, ip));
  }
  const set: PolicySet = { ...input, pods: input.pods.map((p) => placed.get(p) ?? p) };
  return { name, prefix, fabricNetns: `${prefix}fabric`, nodes, pods, skipped, set };
}

function labPod(prefix: string, p: Pod, node: string, ip: IP): LabPod {
  const id = podId(p);
  const ports = (proto: number): number[] =>
    [...new Set(p.ports.filter((x) => x.protocol === proto).map((x) => x.port))].sort(
      (a, b) => a - b,
    );
  return {
    id,
    namespace: p.namespace,
    name: p.name,
    node,
    netns: netnsName(prefix, 'pod', id),
    hostIf: workloadInterface(p.namespace, p.name),
    ip: formatIP(ip),
    tcp: ports(6),
    udp: ports(17),
    unprobed: p.ports
      .filter((x) => x.protocol !== 6 && x.protocol !== 17)
      .map((x) => `${x.port}/${x.protocol === 132 ? 'SCTP' : x.protocol}`),
  };
}

function podId(p: Pod): string {
  return `${p.namespace}/${p.name}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Next free IPv4 address of a pod's zone pool (the first pool with room). */
class Allocator {
  private readonly used = new Set<string>();
  private readonly ns = new Map<string, ReadonlyMap<string, string>>();

  constructor(
    set: PolicySet,
    private readonly zones: ZonePolicy | undefined,
  ) {
    for (const p of set.pods) for (const ip of p.ips) this.used.add(formatIP(ip));
    for (const n of set.namespaces) this.ns.set(n.name, n.labels);
  }

  next(p: Pod): IP | undefined {
    if (!this.zones) return undefined;
    const zone = zoneOf(this.zones, p.labels, this.ns.get(p.namespace)).zone;
    const pools = this.zones.zones.find((z) => z.name === zone)?.pools ?? [];
    for (const pool of pools) {
      for (const range of CidrSet.of([pool.cidr]).toRanges()) {
        if (range.start.version !== 4 || range.end.version !== 4) continue;
        for (let a = range.start.v4 + 1; a < range.end.v4; a++) {
          const ip = parseIP(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
          if (ip && !this.used.has(formatIP(ip))) {
            this.used.add(formatIP(ip));
            return ip;
          }
        }
      }
    }
    return undefined;
  }
}
