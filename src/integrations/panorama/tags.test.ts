// Tag planning: what each pod address carries, the 32-tag limit, and reconciliation that
// changes only zonewall's own tags on addresses this cluster owns.
import { describe, expect, it } from 'vitest';
import { planTags, podTags } from './tags.js';

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
