// The lab's plan, without building anything: nodes, names, addresses from status.podIP or the
// zone's pool, what is left out.
import { describe, expect, it } from 'vitest';
import { loadCluster } from '../../core/zones/index.js';
import { workloadInterface } from '../../core/targets/nftables/index.js';
import { planLab } from './plan.js';

const TOPOLOGY = `
apiVersion: zonewall.io/v1alpha1
kind: ZonePolicy
metadata: { name: z }
spec:
  defaultZone: web
  zones:
    - name: web
      pools: [{ cidr: 10.20.0.0/24 }]
  rules: []
---
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { zonewall.io/zone: web } }
---
apiVersion: v1
kind: Pod
metadata: { name: a, namespace: shop }
spec: { containers: [{ name: c, ports: [{ containerPort: 80 }, { containerPort: 53, protocol: UDP }, { containerPort: 9, protocol: SCTP }] }] }
status: { podIP: 10.20.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: b, namespace: shop }
spec: { containers: [{ name: c }] }
---
apiVersion: v1
kind: Pod
metadata: { name: host, namespace: shop }
spec: { hostNetwork: true, containers: [{ name: c }] }
status: { podIP: 10.0.0.5 }
`;

describe('lab plan', () => {
  const res = loadCluster([{ path: 't.yaml', text: TOPOLOGY }]);
  const plan = planLab('t1', res.set, res.zonePolicy);

  it('has two nodes when the pods name none, and spreads the pods over them', () => {
    expect(plan.nodes.map((n) => [n.name, n.netns])).toEqual([
      ['lab-node-1', 'zw-t1-node-lab-node-1'],
      ['lab-node-2', 'zw-t1-node-lab-node-2'],
    ]);
    expect(plan.pods.map((p) => [p.id, p.node])).toEqual([
      ['shop/a', 'lab-node-1'],
      ['shop/b', 'lab-node-2'],
    ]);
  });

  it("takes status.podIP, else the next free address of the zone's pool, and tells the engine", () => {
    expect(plan.pods.map((p) => p.ip)).toEqual(['10.20.0.1', '10.20.0.2']);
    const b = plan.set.pods.find((p) => p.name === 'b');
    expect(b?.nodeName).toBe('lab-node-2');
    expect(b?.ips.map((ip) => ip.version)).toEqual([4]);
  });

  it('names everything with the lab prefix and the ruleset interface names', () => {
    for (const p of plan.pods) {
      expect(p.netns.startsWith('zw-t1-')).toBe(true);
      expect(p.hostIf).toBe(workloadInterface(p.namespace, p.name));
    }
    expect(plan.fabricNetns).toBe('zw-t1-fabric');
  });

  it('probes TCP and UDP ports, lists the others, and leaves host-networked pods out', () => {
    const a = plan.pods[0];
    expect([a?.tcp, a?.udp, a?.unprobed]).toEqual([[80], [53], ['9/SCTP']]);
    expect(plan.skipped).toEqual([{ id: 'shop/host', reason: 'host-networked: it is the node' }]);
  });

  it('refuses a lab name that would not keep its objects apart', () => {
    expect(() => planLab('a-b', res.set)).toThrow(/lowercase letters and digits/);
    expect(() => planLab('', res.set)).toThrow();
  });
});
