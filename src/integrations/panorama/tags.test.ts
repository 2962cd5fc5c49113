// Tag planning: what each pod address carries, the 32-tag limit, and reconciliation that
// changes only zonewall's own tags on addresses this cluster owns.
import { describe, expect, it } from 'vitest';
import { loadCluster } from '../../core/zones/index.js';
import { desiredTags, planTags, podTags } from './tags.js';

const N = { appLabel: 'app', cluster: 'prod' };
const m = (o: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(o));

describe('podTags', () => {
  it('names zone, namespace, application and cluster, in that order', () => {
    expect(podTags('dmz', 'shop', 'web', N)).toEqual([
      'zonewall.zone.dmz',
      'zonewall.ns.shop',
      'zonewall.app.web',
      'zonewall.cluster.prod',
    ]);
    expect(podTags(undefined, 'shop', undefined, { appLabel: 'app' })).toEqual([
      'zonewall.ns.shop',
    ]);
  });
});

describe('planTags', () => {
  const want = ['zonewall.zone.dmz', 'zonewall.ns.shop', 'zonewall.cluster.prod'];

  it('registers every desired tag (renewing leases) and removes only stale zonewall tags', () => {
    const plan = planTags(
      m({ '10.0.0.1': want }),
      m({
        '10.0.0.1': [
          'zonewall.zone.trusted',
          'zonewall.ns.shop',
          'zonewall.cluster.prod',
          'team-x',
          'quarantine',
        ],
      }),
      N,
    );
    expect(plan.unregister).toEqual([{ ip: '10.0.0.1', tags: ['zonewall.zone.trusted'] }]);
    expect(plan.register).toEqual([{ ip: '10.0.0.1', tags: want }]);
    expect(plan.issues).toEqual([]);
  });

  it("releases this cluster's addresses that have no pod, and leaves every other address alone", () => {
    const plan = planTags(
      m({}),
      m({
        '10.0.0.9': ['zonewall.ns.gone', 'zonewall.cluster.prod', 'keep-me'],
        '10.0.0.8': ['zonewall.ns.x', 'zonewall.cluster.staging'],
        '10.0.0.7': ['zonewall.ns.unclustered'],
        '10.0.0.6': ['firewall-team'],
      }),
      N,
    );
    expect(plan.unregister).toEqual([
      { ip: '10.0.0.9', tags: ['zonewall.ns.gone', 'zonewall.cluster.prod'] },
    ]);
    expect(plan.released).toBe(1);
  });

  it('without a cluster name owns only addresses without any cluster tag', () => {
    const plan = planTags(
      m({}),
      m({
        '10.0.0.7': ['zonewall.ns.a', 'other'],
        '10.0.0.8': ['zonewall.cluster.b', 'zonewall.ns.b'],
      }),
      { appLabel: 'app' },
    );
    expect(plan.unregister).toEqual([{ ip: '10.0.0.7', tags: ['zonewall.ns.a'] }]);
  });

  it('does not touch an address another cluster registered, and says so', () => {
    const plan = planTags(
      m({ '10.0.0.1': want }),
      m({ '10.0.0.1': ['zonewall.cluster.staging'] }),
      N,
    );
    expect([plan.register, plan.unregister]).toEqual([[], []]);
    expect(plan.issues.map((i) => i.code)).toEqual(['tags.foreign-cluster']);
  });

  it('keeps an address within 32 tags, dropping the least important of its own first', () => {
    const others = Array.from({ length: 30 }, (_, i) => `other-${i}`);
    const plan = planTags(m({ '10.0.0.1': want }), m({ '10.0.0.1': others }), N);
    expect(plan.register).toEqual([{ ip: '10.0.0.1', tags: want.slice(0, 2) }]);
    expect(plan.issues[0]?.code).toBe('tags.limit');
    expect(plan.issues[0]?.message).toContain('not registered: zonewall.cluster.prod');
    const full = planTags(m({ '10.0.0.1': want }), m({ '10.0.0.1': [...others, 'x', 'y'] }), N);
    expect(full.register).toEqual([]);
  });
});

const CLUSTER = `apiVersion: zonewall.io/v1alpha1
kind: ZonePolicy
metadata: {name: z}
spec:
  defaultZone: trusted
  zones: [{name: dmz}, {name: trusted}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {zonewall.io/zone: dmz}}
---
apiVersion: v1
kind: Namespace
metadata: {name: batch}
${[
  ['shop', 'web', '{app: web}', 'Running', false, '10.1.0.1'],
  ['shop', 'db', '{app: db, zonewall.io/zone: trusted}', 'Running', false, '10.1.0.2'],
  ['shop', 'odd', '{zonewall.io/zone: nowhere}', 'Running', false, '10.1.0.3'],
  ['batch', 'done', '{}', 'Succeeded', false, '10.1.0.4'],
  ['batch', 'agent', '{}', 'Running', true, '192.168.0.10'],
  ['batch', 'twin', '{}', 'Running', false, '10.1.0.1'],
]
  .map(
    ([ns, name, labels, phase, host, ip]) => `---
apiVersion: v1
kind: Pod
metadata: {namespace: ${ns}, name: ${name}, labels: ${labels}}
spec: {hostNetwork: ${host}, containers: [{name: c, image: i}]}
status: {phase: ${phase}, podIP: ${ip}}`,
  )
  .join('\n')}
`;

describe('desiredTags', () => {
  it('tags running pods by zone (pod label, namespace label, default), namespace and app', () => {
    const res = loadCluster([{ path: 'c.yaml', text: CLUSTER }]);
    expect(res.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const { desired, issues } = desiredTags(res.set, res.zonePolicy ?? expect.fail('no policy'), N);
    // Sorted by namespace/name, batch/twin comes before shop/web and keeps the shared address;
    // the finished and the host-network pods are not registered.
    expect(Object.fromEntries(desired)).toEqual({
      '10.1.0.1': ['zonewall.zone.trusted', 'zonewall.ns.batch', 'zonewall.cluster.prod'],
      '10.1.0.2': [
        'zonewall.zone.trusted',
        'zonewall.ns.shop',
        'zonewall.app.db',
        'zonewall.cluster.prod',
      ],
      '10.1.0.3': ['zonewall.ns.shop', 'zonewall.cluster.prod'],
    });
    expect(issues.map((i) => [i.code, i.ip])).toEqual([['tags.duplicate-ip', '10.1.0.1']]);
  });
});
