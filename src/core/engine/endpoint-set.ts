// All endpoints of a policy set, with lookups by name, namespace and address, and the peers
// (an address plus the endpoints it stands for) the evaluator matches rules against.
import { formatIP } from '../net/index.js';
import type { IP } from '../net/index.js';
import type { Labels, PolicySet } from '../model/types.js';
import {
  LABEL_NAME,
  endpointName,
  hostEndpoint,
  netsetEndpoint,
  nodeEndpoint,
  podEndpoint,
  podLabels,
} from './endpoints.js';
import type { Endpoint, Peer } from './endpoints.js';

/** Finished pods have no endpoint (Calico removes it). */
const FINISHED = new Set(['Succeeded', 'Failed']);

export class Endpoints {
  readonly all: Endpoint[] = [];
  private readonly subjectList: Endpoint[] = [];
  private readonly pods = new Map<string, Endpoint>();
  private readonly hosts = new Map<string, Endpoint>();
  private readonly byNs = new Map<string, Endpoint[]>();
  private readonly byIP = new Map<string, Endpoint[]>();
  private readonly netsets: Endpoint[] = [];
  private readonly nsLabels = new Map<string, Map<string, string>>();
  private readonly peers = new Map<number, Peer>();
  private readonly ipPeers = new Map<string, Peer>();

  constructor(set: PolicySet) {
    for (const n of set.namespaces) this.setNamespaceLabels(n.name, n.labels);
    for (const pod of set.pods) {
      if (pod.phase !== undefined && FINISHED.has(pod.phase)) continue;
      const ep = this.push(podEndpoint(this.all.length, pod));
      this.pods.set(`${pod.namespace}/${pod.name}`, ep);
      let list = this.byNs.get(pod.namespace);
      if (!list) this.byNs.set(pod.namespace, (list = []));
      if (!pod.hostNetwork) list.push(ep);
      if (!pod.hostNetwork) this.subjectList.push(ep);
    }
    for (const h of set.hostEndpoints) {
      const ep = this.push(hostEndpoint(this.all.length, h));
      this.hosts.set(h.name, ep);
      this.subjectList.push(ep);
    }
    for (const n of set.nodes) this.push(nodeEndpoint(this.all.length, n));
    for (const s of set.networkSets)
      this.netsets.push(this.push(netsetEndpoint(this.all.length, s)));
  }

  private push(ep: Endpoint): Endpoint {
    this.all.push(ep);
    for (const ip of ep.ips) {
      const k = formatIP(ip);
      const list = this.byIP.get(k);
      if (list) list.push(ep);
      else this.byIP.set(k, [ep]);
    }
    return ep;
  }

  /** Endpoints a policy can apply to: pods with a workload endpoint, and host endpoints. */
  subjects(): readonly Endpoint[] {
    return this.subjectList;
  }

  *byIds(ids: Iterable<number>): Iterable<Endpoint> {
    for (const id of ids) {
      const ep = this.all[id];
      if (ep) yield ep;
    }
  }

  /** Pods (with a workload endpoint) in a namespace. */
  podsIn(namespace: string): readonly Endpoint[] {
    return this.byNs.get(namespace) ?? [];
  }

  pod(namespace: string, name: string): Endpoint | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  hostEndpoint(name: string): Endpoint | undefined {
    return this.hosts.get(name);
  }

  /** All pods, in input order. */
  allPods(): Endpoint[] {
    return [...this.pods.values()];
  }

  namespaceNames(): string[] {
    return [...this.nsLabels.keys()];
  }

  /** A namespace's labels plus Calico's name label; undefined for an unknown namespace. */
  namespaceLabels(namespace: string): ReadonlyMap<string, string> | undefined {
    return this.nsLabels.get(namespace);
  }

  setNamespaceLabels(namespace: string, labels: Labels): void {
    const m = new Map(labels);
    m.set(LABEL_NAME, namespace);
    this.nsLabels.set(namespace, m);
  }

  setPodLabels(ep: Endpoint, labels: Labels): void {
    if (!ep.pod) throw new Error(`${endpointName(ep)} is not a pod`);
    ep.pod = { ...ep.pod, labels };
    ep.labels = podLabels(ep.pod);
  }

  /** The endpoint whose policy applies at this peer, if any. */
  enforcingEndpoint(peer: Peer): Endpoint | undefined {
    const ep = peer.endpoint;
    if (!ep) return undefined;
    if (ep.kind === 'pod' && !ep.hostNetwork) return ep;
    if (ep.kind === 'host') return ep;
    // A host-networked pod or a node address: host endpoint policy applies if a HEP has it.
    return peer.identities.find((i) => i.kind === 'host');
  }

  /** The endpoint's address of a family (IPv4 preferred), if it has one. */
  primaryIP(ep: Endpoint, version?: 4 | 6): IP | undefined {
    if (version !== undefined) return ep.ips.find((ip) => ip.version === version);
    return ep.ips.find((ip) => ip.version === 4) ?? ep.ips[0];
  }

  /** The canonical peer for an endpoint and address family (cached). */
  peerOf(ep: Endpoint, version?: 4 | 6): Peer {
    const ip = this.primaryIP(ep, version);
    const cacheId = ep.id * 2 + (ip?.version === 6 ? 1 : 0);
    let p = this.peers.get(cacheId);
    if (!p) {
      p = {
        endpoint: ep,
        ...(ip ? { ip } : {}),
        identities: this.identitiesFor(ep, ip),
        key: `#${cacheId}`,
        cacheId,
        display: endpointName(ep),
      };
      this.peers.set(cacheId, p);
    }
    return p;
  }

  /** A peer for an address: the endpoint that owns it, or an address outside the cluster. */
  peerOfIP(ip: IP): Peer {
    const key = formatIP(ip);
    const owners = this.byIP.get(key) ?? [];
    const owner =
      owners.find((e) => e.kind === 'pod' && !e.hostNetwork) ??
      owners.find((e) => e.kind === 'host') ??
      owners[0];
    if (owner && owner.kind !== 'netset') {
      const canonical = this.peerOf(owner, ip.version);
      if (canonical.ip && formatIP(canonical.ip) === key) return canonical;
    }
    let p = this.ipPeers.get(key);
    if (!p) {
      p = {
        ...(owner ? { endpoint: owner } : {}),
        ip,
        identities: this.identitiesFor(owner, ip),
        key,
        display: key,
      };
      this.ipPeers.set(key, p);
    }
    return p;
  }

  /** Which endpoints' labels an address stands for when a rule selector is matched. */
  private identitiesFor(ep: Endpoint | undefined, ip: IP | undefined): Endpoint[] {
    const out: Endpoint[] = [];
    if (ep && !(ep.kind === 'pod' && ep.hostNetwork)) out.push(ep);
    if (!ip) return out;
    for (const other of this.byIP.get(formatIP(ip)) ?? []) {
      if (other !== ep && (other.kind === 'host' || other.kind === 'node')) out.push(other);
    }
    for (const s of this.netsets) if (s.netset?.nets.contains(ip)) out.push(s);
    return out;
  }
}
