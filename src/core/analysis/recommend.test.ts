import { describe, expect, it } from 'vitest';
import { validSet } from '../../../test/support/model.js';
import { toYaml } from '../model/index.js';
import { loadCluster } from '../zones/index.js';
import { applyChanges, previewFlows } from './preview.js';
import type { PreviewFlow } from './preview.js';
import { learningState, reachability, recommend } from './recommend.js';
import type { RecommendFormat } from './recommend.js';

const TCP = 6;
const ICMP = 1;

const set = validSet;

const pod = (ns: string, name: string, labels: string, ip: string, port: number): string => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec: {containers: [{name: c, ports: [{containerPort: ${port}}]}]}
status: {podIP: ${ip}}
`;

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {zone: dmz}}
---
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {zone: trusted}}
${pod('shop', 'web-7d9f-a1', 'app: web, pod-template-hash: 7d9f', '10.0.0.1', 8443)}
${pod('shop', 'web-7d9f-b2', 'app: web, pod-template-hash: 7d9f', '10.0.0.2', 8443)}
${pod('pay', 'api-5c4-a1', 'app: api, pod-template-hash: 5c4', '10.0.1.1', 8080)}
${pod('pay', 'db-0', 'app: db, statefulset.kubernetes.io/pod-name: db-0', '10.0.1.5', 5432)}
${pod('pay', 'batch-1', 'app: batch', '10.0.1.7', 9000)}
`;

const flow = (
  source: PreviewFlow['source'],
  dest: PreviewFlow['dest'],
  port: number | undefined,
  proto = TCP,
): PreviewFlow => ({
  source,
  dest,
  proto,
  ...(port !== undefined ? { port } : {}),
  records: 1,
  flows: 3,
});

const OBSERVED: PreviewFlow[] = [
  flow(
    { kind: 'pod', namespace: 'shop', prefix: 'web-7d9f-' },
    { kind: 'pod', namespace: 'pay', prefix: 'api-5c4-' },
    8080,
  ),
  flow(
    { kind: 'pod', namespace: 'pay', name: 'api-5c4-a1' },
    { kind: 'pod', namespace: 'pay', name: 'db-0' },
    5432,
  ),
  flow(
    { kind: 'pod', namespace: 'pay', name: 'api-5c4-a1' },
    { kind: 'address', ip: '203.0.113.8' },
    443,
  ),
  flow(
    { kind: 'pod', namespace: 'pay', name: 'api-5c4-a1' },
    { kind: 'address', ip: '203.0.113.9' },
    443,
  ),
  flow(
    { kind: 'address', ip: '198.51.100.20' },
    { kind: 'pod', namespace: 'shop', name: 'web-7d9f-a1' },
    8443,
  ),
];

function learned(format: RecommendFormat, flows = OBSERVED, namespace?: string) {
  const before = set(CLUSTER);
  const r = recommend(before, flows, { format, ...(namespace ? { namespace } : {}) });
  const after = applyChanges(before, set(toYaml(r.manifests)));
  return { before, after, r };
}

describe('recommend', () => {
  for (const format of ['networkpolicy', 'calico-staged'] as const) {
    it(`${format}: the learned policy, previewed against the same flows, denies none of them`, () => {
      const { before, after, r } = learned(format);
      expect(r.workloads).toEqual(['pay/app=api', 'pay/app=db', 'shop/app=web']);
      const p = previewFlows(before, after, OBSERVED);
      expect(p.newlyDenied.keys).toEqual([]);
      expect(p.uncertain.keys).toEqual([]);
      // And it closes what was never seen: reachability drops.
      const b = reachability(before);
      const a = reachability(after);
      expect(b.reachable).toBe(b.total);
      expect(a.reachable).toBeLessThan(b.reachable);
      // Exactly the observed pairs stay reachable among the pods with learned policies.
      expect(a.reachable).toBeGreaterThan(0);
    });
  }

  it('identifies workloads by stable labels, merges outside addresses into exact CIDRs', () => {
    const { r } = learned('networkpolicy');
    const api = r.manifests.find(
      (m) =>
        (m.metadata as { namespace: string; annotations: Record<string, string> }).annotations[
          'zonewall.io/workload'
        ] === 'pay/app=api',
    ) as {
      spec: { podSelector: unknown; egress: Array<{ to: unknown; ports: unknown }> };
    };
    expect(api.spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(api.spec.egress).toEqual([
      {
        to: [
          {
            podSelector: { matchLabels: { app: 'db' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pay' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
      { to: [{ ipBlock: { cidr: '203.0.113.8/31' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    // Pod names and per-pod labels never appear.
    const text = JSON.stringify(r.manifests);
    expect(text).not.toContain('pod-template-hash');
    expect(text).not.toContain('db-0"');
  });

  it('is deterministic, and its digest changes only when the policy does', () => {
    const a = learned('calico-staged').r;
    const b = learned('calico-staged', [...OBSERVED].reverse()).r;
    expect(b.manifests).toEqual(a.manifests);
    expect(b.digest).toBe(a.digest);
    const c = learned('calico-staged', OBSERVED.slice(1)).r;
    expect(c.digest).not.toBe(a.digest);
  });

  it('limits itself to a namespace', () => {
    const { r } = learned('networkpolicy', OBSERVED, 'shop');
    expect(r.workloads).toEqual(['shop/app=web']);
  });

  it('leaves ICMP closed in Kubernetes NetworkPolicy, and says so', () => {
    const icmp = flow(
      { kind: 'pod', namespace: 'pay', name: 'batch-1' },
      { kind: 'pod', namespace: 'pay', name: 'db-0' },
      undefined,
      ICMP,
    );
    const { r } = learned('networkpolicy', [icmp]);
    expect(r.notes.some((n) => n.includes('ICMP cannot be expressed'))).toBe(true);
    const staged = learned('calico-staged', [icmp]).r;
    expect(JSON.stringify(staged.manifests)).toContain('"protocol":"ICMP"');
  });

  it('never learns what the zone rules deny: those are zone violations', () => {
    const zones = `
apiVersion: zonewall.io/v1alpha1
kind: ZonePolicy
metadata: {name: z}
spec:
  zoneLabel: zone
  defaults: {intraZone: Pass, interZone: Deny}
  zones: [{name: dmz}, {name: trusted}]
  rules:
    - {name: web-to-api, from: [dmz], to: [trusted], services: [{protocol: TCP, ports: [8080]}], action: Pass}
    - {name: internet-to-web, from: [internet], to: [dmz], action: Pass}
    - {name: out, from: [trusted], to: [internet], services: [{protocol: TCP, ports: [443]}], action: Pass}
`;
    const loaded = loadCluster([{ path: 'c.yaml', text: `${CLUSTER}\n---\n${zones}` }]);
    expect(loaded.ok).toBe(true);
    const bad = flow(
      { kind: 'pod', namespace: 'shop', name: 'web-7d9f-a1' },
      { kind: 'pod', namespace: 'pay', name: 'db-0' },
      5432,
    );
    const r = recommend(set(CLUSTER), [...OBSERVED, bad], {
      format: 'networkpolicy',
      zonePolicy: loaded.zonePolicy!,
    });
    expect(r.zoneViolations).toEqual([
      {
        source: 'shop/web-7d9f-a1',
        dest: 'pay/db-0',
        proto: 'TCP',
        port: 5432,
        flows: 3,
        rule: 'inter-zone default',
      },
    ]);
    const db = r.manifests.find(
      (m) =>
        (m.metadata as { annotations: Record<string, string> }).annotations[
          'zonewall.io/workload'
        ] === 'pay/app=db',
    ) as { spec: { ingress: unknown[] } };
    // Only the API's calls are learned into the database; the web tier's is a violation.
    expect(db.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: { matchLabels: { app: 'api' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pay' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
  });

  it('reports flows it cannot resolve instead of learning from them', () => {
    const r = recommend(
      set(CLUSTER),
      [
        flow(
          { kind: 'pod', namespace: 'pay', name: 'gone' },
          { kind: 'address', ip: '10.0.1.1' },
          1,
        ),
      ],
      { format: 'networkpolicy' },
    );
    expect(r.manifests).toEqual([]);
    expect(r.unresolved[0]?.reason).toBe('pod pay/gone is not in the snapshot');
  });

  it('is stable once the recommendation has not changed for the given intervals', () => {
    expect(learningState([], 3)).toEqual({ state: 'learning', unchanged: 0 });
    expect(learningState(['a', 'b', 'b'], 3)).toEqual({ state: 'learning', unchanged: 2 });
    expect(learningState(['a', 'b', 'b', 'b'], 3)).toEqual({ state: 'stable', unchanged: 3 });
    expect(learningState(['b', 'b', 'b', 'c'], 3)).toEqual({ state: 'learning', unchanged: 1 });
  });
});
