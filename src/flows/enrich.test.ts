import { beforeAll, describe, expect, it } from 'vitest';
import { Enricher } from './enrich.js';
import { blankRecord } from './record.js';
import type { FlowRecord } from './record.js';
import { loadSnapshot, snapshotOf } from './snapshot.js';
import type { Snapshot } from './snapshot.js';

const T = 1_780_000_000;

function flow(over: Partial<FlowRecord>): FlowRecord {
  return { ...blankRecord(), id: 'x', start_time: T, end_time: T + 1, ...over };
}

describe('Enricher over the bank snapshot', () => {
  let snap: Snapshot;
  beforeAll(async () => {
    const res = await loadSnapshot('examples/bank');
    if (!res.ok) throw new Error(JSON.stringify(res.issues));
    snap = res.snapshot;
  });

  it.each([
    // ip -> name, namespace, zone; outside addresses get their external or `internet`.
    [
      '10.30.0.4',
      'payments-api-5c9d8f7b6-j7x4r',
      'payments-api-5c9d8f7b6-*',
      'payments-api',
      'trusted',
      'wep',
    ],
    ['10.40.0.66', 'payments-db-0', 'payments-db-*', 'payments-db', 'restricted', 'wep'],
    [
      '10.70.0.7',
      'fraud-scoring-6f8d9c7b5-h3k8d',
      'fraud-scoring-6f8d9c7b5-*',
      'fraud-scoring',
      'unclassified',
      'wep',
    ],
    ['198.51.100.7', '-', 'pub', '-', 'partner-net', 'net'],
    ['203.0.113.9', '-', 'pub', '-', 'internet', 'net'],
    ['10.0.0.11', '-', 'pvt', '-', 'cluster', 'net'],
  ])('%s is %s (%s) in %s, zone %s', (ip, name, aggr, ns, zone, type) => {
    const r = flow({ source_ip: ip, dest_ip: '10.60.0.4', dest_port: 6514 });
    new Enricher(snap).enrich(r);
    expect(r).toMatchObject({
      source_name: name,
      source_name_aggr: aggr,
      source_namespace: ns,
      source_zone: zone,
      source_type: type,
    });
  });

  it('computes the trace when the source has none, and says so', () => {
    const e = new Enricher(snap);
    const denied = flow({ source_ip: '10.20.0.5', dest_ip: '10.40.0.66', dest_port: 5432 });
    e.enrich(denied);
    expect(denied.trace_source).toBe('computed');
    expect(denied.policy_tier).toBe('security');
    expect(denied.policy_name).toBe('zonepolicy.bank');
    expect(denied.policies.at(-1)).toMatch(/^\d+\|security\|zonepolicy\.bank\|deny\|/);
    const dns = flow({ source_ip: '10.30.0.4', dest_ip: '10.10.0.2', dest_port: 53, proto: 'udp' });
    e.enrich(dns);
    expect(dns.policies.some((h) => h.includes('|security|zonepolicy.bank|allow|0'))).toBe(true);
  });

  it('keeps an observed trace and takes the deciding policy from it', () => {
    const r = flow({
      source_ip: '10.20.0.5',
      dest_ip: '10.30.0.4',
      dest_port: 8080,
      policies: [
        '0|security|zonepolicy.bank|pass|6',
        '1|default|payments-api/knp.default.api|allow|0',
      ],
    });
    new Enricher(snap).enrich(r);
    expect(r).toMatchObject({
      trace_source: 'observed',
      policy_tier: 'default',
      policy_name: 'payments-api/knp.default.api',
    });
  });

  it('evaluates each distinct (source, destination, protocol, port) once', () => {
    const e = new Enricher(snap);
    for (let i = 0; i < 50; i++) {
      e.enrich(
        flow({
          source_ip: '10.30.0.4',
          source_port: 40000 + i,
          dest_ip: '10.40.0.66',
          dest_port: 5432,
        }),
      );
      e.enrich(flow({ source_ip: '10.30.0.4', dest_ip: '10.40.0.66', dest_port: 5433 }));
    }
    expect(e.stats).toEqual({ evaluated: 2, computed: 100 });
  });

  it('resolves an end by namespace and name prefix when the source gives no address', () => {
    const r = flow({
      source_namespace: 'payments-web',
      source_name_aggr: 'payments-web-7d9f8b6c4-*',
    });
    new Enricher(snap).enrich(r);
    expect(r).toMatchObject({ source_zone: 'dmz', source_type: 'wep', source_name: '-' });
  });
});

/** A running pod in namespace shop with its addresses (the first is podIP) and lifetime. */
function podYaml(name: string, ips: readonly string[], created?: string, deleted?: string): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: { app: ${name} }
${created ? `  creationTimestamp: "${created}"\n` : ''}${deleted ? `  deletionTimestamp: "${deleted}"\n` : ''}spec:
  containers: [{ name: c, image: x }]
status:
  phase: Running
  podIP: "${ips[0]}"
  podIPs: [${ips.map((ip) => `{ ip: "${ip}" }`).join(', ')}]
`;
}

const SHOP = {
  path: 'ns.yaml',
  text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
};

describe('address reuse', () => {
  const files = [
    SHOP,
    {
      path: 'pods.yaml',
      text: [
        podYaml('old', ['10.1.0.5'], '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'),
        podYaml('new', ['10.1.0.5'], '2026-01-01T01:00:05Z'),
      ].join('---\n'),
    },
  ];

  it.each([
    ['2026-01-01T00:30:00Z', 'old'],
    ['2026-01-01T01:00:02Z', '-'],
    ['2026-01-01T02:00:00Z', 'new'],
  ])('at %s the address is %s', (at, name) => {
    const res = snapshotOf(files);
    if (!res.ok) throw new Error(JSON.stringify(res.issues));
    const r = flow({
      source_ip: '10.1.0.5',
      dest_ip: '10.1.0.9',
      start_time: Date.parse(at) / 1000,
    });
    new Enricher(res.snapshot).enrich(r);
    expect(r.source_name).toBe(name);
  });
});

describe('a dual-stack pod', () => {
  const files = [
    SHOP,
    {
      path: 'pods.yaml',
      text: [podYaml('web', ['10.1.0.5', 'fd00::5']), podYaml('db', ['10.1.0.9', 'fd00::9'])].join(
        '---\n',
      ),
    },
    {
      path: 'np.yaml',
      text: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-v4, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ ipBlock: { cidr: 10.1.0.0/16 } }]
`,
    },
  ];

  it('is evaluated with the address family of each record', () => {
    const res = snapshotOf(files);
    if (!res.ok) throw new Error(JSON.stringify(res.issues));
    const e = new Enricher(res.snapshot);
    const v4 = flow({ source_ip: '10.1.0.5', dest_ip: '10.1.0.9', dest_port: 5432 });
    const v6 = flow({ source_ip: 'fd00::5', dest_ip: 'fd00::9', dest_port: 5432 });
    e.enrich(v4);
    e.enrich(v6);
    expect([v4.source_name, v6.source_name]).toEqual(['web', 'web']);
    const last = (r: FlowRecord): string => r.policies[r.policies.length - 1] ?? '';
    expect(last(v4)).toMatch(/db-from-v4\|allow/);
    expect(last(v6)).toMatch(/\|deny\|/);
  });
});
