// The AdminNetworkPolicy target (policy.networking.k8s.io/v1alpha1), for clusters on the older
// API: the same policies as the ClusterNetworkPolicy target, in v1alpha1's shape (`pods` peers
// with both selectors, `ports` as portNumber / portRange / namedPort, Allow / Deny / Pass) and
// without domain names, which v1alpha1 has no peer for.
import type { KubeFlavor, KubePeer, KubePolicy, KubePort, KubeRule } from './kube-ir.js';
import { kubeMetadata, podSelectors, podsPeer, renderKube } from './kube-render.js';
import type { Manifest, Renderer } from './types.js';
import type { ZonePolicy } from '../zones/types.js';

const API = 'policy.networking.k8s.io/v1alpha1';

/** What AdminNetworkPolicy v1alpha1 can hold (CRD limits). */
export const ANP_FLAVOR: KubeFlavor = {
  kind: 'AdminNetworkPolicy',
  maxRules: 100,
  maxPeers: 100,
  maxPorts: 100,
  domainNames: false,
};

function peer(p: KubePeer): Record<string, unknown> {
  switch (p.kind) {
    case 'pods':
      return podsPeer(p);
    case 'networks':
      return { networks: [...p.cidrs] };
    case 'domains':
      // Never built for this flavor (domainNames: false).
      throw new Error('AdminNetworkPolicy v1alpha1 has no domainNames peer');
  }
}

function port(p: KubePort): Record<string, unknown> {
  if (p.kind === 'named') return { namedPort: p.name };
  if (p.start === p.end) return { portNumber: { protocol: p.protocol, port: p.start } };
  return { portRange: { protocol: p.protocol, start: p.start, end: p.end } };
}

function rule(r: KubeRule, dir: 'ingress' | 'egress'): Record<string, unknown> {
  return {
    name: r.name,
    action: r.action,
    [dir === 'ingress' ? 'from' : 'to']: r.peers.map(peer),
    ...(r.ports !== 'all' ? { ports: r.ports.map(port) } : {}),
  };
}

function manifest(zp: ZonePolicy, p: KubePolicy): Manifest {
  return {
    apiVersion: API,
    kind: 'AdminNetworkPolicy',
    metadata: kubeMetadata(zp, p),
    spec: {
      priority: p.priority,
      subject: { pods: podSelectors(p.subject) },
      ...(p.ingress.length > 0 ? { ingress: p.ingress.map((r) => rule(r, 'ingress')) } : {}),
      ...(p.egress.length > 0 ? { egress: p.egress.map((r) => rule(r, 'egress')) } : {}),
    },
  };
}

/** Render the zone program as AdminNetworkPolicies (v1alpha1). */
export const renderAnp: Renderer = (prog, opts) => {
  const { policies, issues } = renderKube(prog, opts, ANP_FLAVOR);
  return { manifests: policies.map((p) => manifest(prog.policy, p)), issues };
};
