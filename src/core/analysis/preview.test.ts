import { describe, expect, it } from 'vitest';
import { validSet } from '../../../test/support/model.js';
import { applyChanges, previewFlows } from './preview.js';
import type { PreviewFlow } from './preview.js';

const TCP = 6;

const set = validSet;

const pod = (ns: string, name: string, app: string, ip: string): string => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${app}}}
spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: ${ip}}
`;

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {team: pay}}
${pod('shop', 'web-7d9f-a1', 'web', '10.0.0.1')}
${pod('shop', 'web-7d9f-b2', 'web', '10.0.0.2')}
${pod('pay', 'api-5c4-a1', 'api', '10.0.1.1')}
${pod('pay', 'api-5c4-b2', 'api', '10.0.1.2')}
${pod('pay', 'canary-1', 'canary', '10.0.1.9')}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-shop, namespace: pay}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}], ports: [{port: 8080}]}]
`;

const webToApi = (n = 3): PreviewFlow => ({
  source: { kind: 'pod', namespace: 'shop', prefix: 'web-7d9f-' },
  dest: { kind: 'pod', namespace: 'pay', prefix: 'api-5c4-' },
  proto: TCP,
  port: 8080,
  records: n,
  flows: n * 10,
});

describe('preview', () => {
  it('reports flows a new deny would cut, with the old and new deciding step', () => {
    const before = set(CLUSTER);
    const change = set(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-shop, namespace: pay}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}], ports: [{port: 9090}]}]
`);
    const after = applyChanges(before, change);
    const r = previewFlows(before, after, [webToApi(2), webToApi(3)]);
    expect(r.keys).toBe(1);
    expect(r.records).toBe(5);
    expect(r.newlyDenied.records).toBe(5);
    expect(r.newlyDenied.flows).toBe(50);
    expect(r.newlyDenied.keys).toEqual([
      {
        source: 'shop/web-7d9f-',
        dest: 'pay/api-5c4-',
        proto: 'TCP',
        port: 8080,
        records: 5,
        oldDecidedBy: {
          direction: 'ingress',
          kind: 'NetworkPolicy',
          namespace: 'pay',
          name: 'api-from-shop',
          rule: 0,
        },
        newDecidedBy: {
          direction: 'ingress',
          kind: 'NetworkPolicy',
          namespace: 'pay',
          name: 'api-from-shop',
          rule: 'default',
        },
      },
    ]);
    expect(r.newlyAllowed.keys).toEqual([]);
  });

  it('reports newly allowed flows when a policy is deleted', () => {
    const before = set(CLUSTER);
    const after = applyChanges(before, set(''), [
      { kind: 'NetworkPolicy', namespace: 'pay', name: 'api-from-shop' },
    ]);
    const probe: PreviewFlow = {
      source: { kind: 'pod', namespace: 'pay', name: 'canary-1' },
      dest: { kind: 'pod', namespace: 'pay', name: 'api-5c4-a1' },
      proto: TCP,
      port: 8080,
      records: 1,
      flows: 1,
    };
    const r = previewFlows(before, after, [probe, webToApi()]);
    expect(r.newlyAllowed.keys.map((k) => `${k.source} -> ${k.dest}`)).toEqual([
      'pay/canary-1 -> pay/api-5c4-a1',
    ]);
    expect(r.newlyDenied.records).toBe(0);
  });

  it('promotes staged policies: their verdicts are the preview', () => {
    const before = set(`${CLUSTER}
---
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: {name: api-from-shop, namespace: pay}
spec:
  stagedAction: Delete
`);
    const r = previewFlows(before, applyChanges(before, set('')), [
      {
        source: { kind: 'pod', namespace: 'pay', name: 'canary-1' },
        dest: { kind: 'pod', namespace: 'pay', name: 'api-5c4-b2' },
        proto: TCP,
        port: 8080,
        records: 4,
        flows: 4,
      },
    ]);
    expect(r.newlyAllowed.records).toBe(4);
  });

  it('calls a flow uncertain, not allowed or denied, when it cannot be known', () => {
    const before = set(CLUSTER);
    const after = applyChanges(before, set(''), [
      { kind: 'NetworkPolicy', namespace: 'pay', name: 'api-from-shop' },
    ]);
    const flows: PreviewFlow[] = [
      // A pod gone from the snapshot.
      { ...webToApi(), dest: { kind: 'pod', namespace: 'pay', name: 'api-gone' } },
      // A workload whose pods decide differently: the canary is not isolated, the API is.
      { ...webToApi(), dest: { kind: 'pod', namespace: 'pay' }, port: 9090 },
      // A port protocol without a port.
      { ...webToApi(), port: undefined },
      // An address recorded as outside that the snapshot gives to a pod.
      { ...webToApi(), source: { kind: 'address', ip: '10.0.0.1' } },
    ];
    const r = previewFlows(before, before, flows);
    expect(r.uncertain.keys.map((k) => `${k.source} -> ${k.dest}: ${k.reason}`)).toEqual([
      '10.0.0.1 -> pay/api-5c4-: 10.0.0.1 belongs to pod shop/web-7d9f-a1 in the snapshot',
      expect.stringContaining("shop/web-7d9f- -> pay/*: the workload's pods disagree"),
      'shop/web-7d9f- -> pay/api-5c4-: TCP flow without a port',
      'shop/web-7d9f- -> pay/api-gone: pod pay/api-gone is not in the snapshot',
    ]);
    expect(previewFlows(before, after, flows).uncertain.records).toBe(12);
  });

  it('evaluates outside addresses', () => {
    const before = set(CLUSTER);
    const change = set(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
`);
    const r = previewFlows(before, applyChanges(before, change), [
      {
        source: { kind: 'pod', namespace: 'shop', name: 'web-7d9f-a1' },
        dest: { kind: 'address', ip: '203.0.113.7' },
        proto: TCP,
        port: 443,
        records: 1,
        flows: 2,
      },
    ]);
    expect(r.newlyDenied.keys[0]).toMatchObject({
      source: 'shop/web-7d9f-a1',
      dest: '203.0.113.7',
      newDecidedBy: { direction: 'egress', name: 'no-egress', rule: 'default' },
    });
  });

  it('lists the keys with most flows first, cut at maxKeys, counting them all', () => {
    const before = set(CLUSTER);
    const after = applyChanges(before, set(''), [
      { kind: 'NetworkPolicy', namespace: 'pay', name: 'api-from-shop' },
    ]);
    const from = (name: string, flows: number): PreviewFlow => ({
      source: { kind: 'pod', namespace: 'pay', name },
      dest: { kind: 'pod', namespace: 'pay', name: 'api-5c4-a1' },
      proto: TCP,
      port: 8080,
      records: 1,
      flows,
    });
    const r = previewFlows(before, after, [from('canary-1', 1), from('api-5c4-b2', 9)], {
      maxKeys: 1,
    });
    expect(r.newlyAllowed.records).toBe(2);
    expect(r.newlyAllowed.flows).toBe(10);
    expect(r.newlyAllowed.keys.map((k) => k.source)).toEqual(['pay/api-5c4-b2']);
  });
});
