// The ClusterNetworkPolicy target (policy.networking.k8s.io/v1alpha2, tier Admin): one policy
// per zone, membership path and priority step (see kube-policies.ts), ending with the explicit
// deny the Admin tier needs (its end passes). Ingress peers are pods and namespaces only, so
// rules about traffic from the internet or an external set cannot be enforced at ingress.
import type { KubeFlavor, KubePeer, KubePolicy, KubePort, KubeRule } from './kube-ir.js';
import { kubeMetadata, podSelectors, podsPeer, renderKube } from './kube-render.js';
import type { Manifest, Renderer } from './types.js';
import type { ZonePolicy } from '../zones/types.js';

const API = 'policy.networking.k8s.io/v1alpha2';

/** What ClusterNetworkPolicy v1alpha2 can hold (CRD limits). */
export const CNP_FLAVOR: KubeFlavor = {
  kind: 'ClusterNetworkPolicy',
  maxRules: 25,
  maxPeers: 25,
  maxPorts: 25,
  domainNames: true,
};

function peer(p: KubePeer): Record<string, unknown> {
  switch (p.kind) {
    case 'pods':
      return podsPeer(p);
    case 'networks':
      return { networks: [...p.cidrs] };
    case 'domains':
      return { domainNames: [...p.names] };
  }
}

function protocol(p: KubePort): Record<string, unknown> {
  if (p.kind === 'named') return { destinationNamedPort: p.name };
  const destinationPort =
    p.start === p.end ? { number: p.start } : { range: { start: p.start, end: p.end } };
  return { [p.protocol.toLowerCase()]: { destinationPort } };
}

function rule(r: KubeRule, dir: 'ingress' | 'egress'): Record<string, unknown> {
  return {
    name: r.name,
    action: r.action === 'Allow' ? 'Accept' : r.action,
    [dir === 'ingress' ? 'from' : 'to']: r.peers.map(peer),
    ...(r.ports !== 'all' ? { protocols: r.ports.map(protocol) } : {}),
  };
}

function manifest(zp: ZonePolicy, p: KubePolicy): Manifest {
  return {
    apiVersion: API,
    kind: 'ClusterNetworkPolicy',
    metadata: kubeMetadata(zp, p),
    spec: {
      tier: 'Admin',
      priority: p.priority,
      subject: { pods: podSelectors(p.subject) },
      ...(p.ingress.length > 0 ? { ingress: p.ingress.map((r) => rule(r, 'ingress')) } : {}),
      ...(p.egress.length > 0 ? { egress: p.egress.map((r) => rule(r, 'egress')) } : {}),
    },
  };
}

/** Render the zone program as ClusterNetworkPolicies (v1alpha2, tier Admin). */
export const renderCnp: Renderer = (prog, opts) => {
  const { policies, issues } = renderKube(prog, opts, CNP_FLAVOR);
  return { manifests: policies.map((p) => manifest(prog.policy, p)), issues };
};
