// What a ZonePolicy means, from the policy alone: membership, first matching rule, defaults.
import { describe, expect, it } from 'vitest';
import { toYaml } from '../model/documents.js';
import { parseIP } from '../net/index.js';
import { loadCluster } from './load.js';
import { zoneOf } from './membership.js';
import { zoneIntent } from './intent.js';
import type { ZoneEnd } from './intent.js';
import type { ZonePolicy } from './types.js';

const loaded0 = loadCluster([
  {
    path: 'z.yaml',
    text: toYaml([
      {
        apiVersion: 'zonewall.io/v1alpha1',
        kind: 'ZonePolicy',
        metadata: { name: 't' },
        spec: {
          defaultZone: 'trusted',
          defaults: { intraZone: 'Pass', interZone: 'Deny' },
          zones: [
            { name: 'dmz', pools: [{ cidr: '10.20.0.0/16' }] },
            { name: 'trusted' },
            { name: 'restricted' },
          ],
          externals: [{ name: 'partner', nets: ['198.51.100.0/24'] }],
          clusterNets: ['10.96.0.0/12'],
          rules: [
            {
              name: 'web',
              from: ['internet'],
              to: ['dmz'],
              destination: { selector: "app == 'web'" },
              services: [{ protocol: 'TCP', ports: [443] }],
              action: 'Allow',
            },
            { name: 'off', from: ['any'], to: ['any'], action: 'Allow', enabled: false },
            { name: 'partner', from: ['partner'], to: ['dmz'], action: 'Pass' },
            { name: 'no-db', from: ['dmz'], to: ['restricted'], action: 'Deny' },
            {
              name: 'metrics',
              from: ['trusted'],
              to: ['any'],
              services: [{ protocol: 'TCP', ports: ['metrics'] }],
              action: 'Pass',
            },
          ],
        },
      },
    ]),
  },
]);
const zp = loaded0.zonePolicy as ZonePolicy;

const labels = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
type Port = { name?: string; port: number; protocol: number };
const pod = (
  l: Record<string, string>,
  ns: Record<string, string> = {},
  ports: Port[] = [],
): ZoneEnd => ({
  kind: 'pod',
  labels: labels(l),
  namespaceLabels: labels(ns),
  ports,
});
const addr = (ip: string): ZoneEnd => ({ kind: 'address', ip: parseIP(ip)! });
const Z = 'zonewall.io/zone';

describe('membership', () => {
  it.each([
    [{ [Z]: 'dmz' }, { [Z]: 'trusted' }, 'dmz', 'pod label', true],
    [{}, { [Z]: 'restricted' }, 'restricted', 'namespace label', false],
    [{}, {}, 'trusted', 'default', false],
    [{ [Z]: 'nowhere' }, {}, undefined, 'pod label', false],
  ])('pod %o in namespace %o is in %s (from %s)', (p, n, zone, from, conflict) => {
    expect(zoneOf(zp, labels(p), labels(n))).toMatchObject({ zone, from, conflict });
  });
});

describe('intent', () => {
  it.each<[string, ZoneEnd, ZoneEnd, number, number | undefined, string]>([
    [
      'internet to the web on 443: rule web',
      addr('203.0.113.9'),
      pod({ [Z]: 'dmz', app: 'web' }),
      6,
      443,
      'Allow web',
    ],
    [
      'internet to the web on 80: no rule, inter-zone',
      addr('203.0.113.9'),
      pod({ [Z]: 'dmz', app: 'web' }),
      6,
      80,
      'Deny inter-zone',
    ],
    [
      'a disabled rule is skipped',
      pod({ [Z]: 'trusted' }),
      pod({ [Z]: 'dmz' }),
      6,
      1,
      'Deny inter-zone',
    ],
    [
      'the partner network is not internet',
      addr('198.51.100.7'),
      pod({ [Z]: 'dmz', app: 'web' }),
      6,
      443,
      'Pass partner',
    ],
    [
      'a pool address without a pod is not internet',
      addr('10.20.9.9'),
      pod({ [Z]: 'dmz', app: 'web' }),
      6,
      443,
      'Deny inter-zone',
    ],
    [
      'a cluster range is not internet',
      addr('10.96.0.10'),
      pod({ [Z]: 'dmz', app: 'web' }),
      6,
      443,
      'Deny inter-zone',
    ],
    [
      'inside a zone: intra-zone default',
      pod({ [Z]: 'dmz' }),
      pod({}, { [Z]: 'dmz' }),
      6,
      5432,
      'Pass intra-zone',
    ],
    ['an explicit deny', pod({ [Z]: 'dmz' }), pod({ [Z]: 'restricted' }), 6, 5432, 'Deny no-db'],
    [
      'a named port resolves on the destination',
      pod({}),
      pod({ [Z]: 'dmz' }, {}, [{ name: 'metrics', port: 9100, protocol: 6 }]),
      6,
      9100,
      'Pass metrics',
    ],
    [
      '... and only on its own number',
      pod({}),
      pod({ [Z]: 'dmz' }, {}, [{ name: 'metrics', port: 9100, protocol: 6 }]),
      6,
      9101,
      'Deny inter-zone',
    ],
    [
      'an undeclared zone is no zone: inter-zone even with itself',
      pod({ [Z]: 'nowhere' }),
      pod({ [Z]: 'nowhere' }),
      6,
      1,
      'Deny inter-zone',
    ],
  ])('%s', (_, src, dst, protocol, port, expected) => {
    const i = zoneIntent(zp, src, dst, { protocol, ...(port !== undefined ? { port } : {}) });
    expect(`${i.action} ${i.origin.kind === 'rule' ? i.origin.name : i.origin.kind}`).toBe(
      expected,
    );
  });
});
