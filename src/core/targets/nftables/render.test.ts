// The nftables target: golden rulesets for the bank's nodes and a fixture that uses every
// construct (Pass, Log, end-of-tier Pass, ICMP, negated ports, named ports, network sets),
// determinism, and that the rule count follows the policies, not the pods. Whether the
// kernel enforces what the engine says is shown in the lab (src/dataplane).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCluster } from '../../zones/load.js';
import type { PolicySet } from '../../model/types.js';
import { renderNftables } from './index.js';

/** Compare with a golden file; `UPDATE_GOLDEN=1` writes it instead. */
function golden(name: string, text: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

function load(files: Array<{ path: string; text: string }>): PolicySet {
  const res = loadCluster(files);
  const errors = res.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new Error(JSON.stringify(errors, null, 2));
  return res.set;
}

/** Every YAML file under a directory, sorted, as the model's input files. */
function yamlFiles(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith('.yaml')) out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

const bankFiles = yamlFiles(new URL('../../../../examples/bank', import.meta.url).pathname);
const bank = load(bankFiles);

export const FIXTURE = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: web } }
---
apiVersion: v1
kind: Namespace
metadata: { name: ops }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web } }
spec:
  nodeName: n1
  containers: [{ name: c, ports: [{ name: http, containerPort: 8080 }, { name: dns, containerPort: 53, protocol: UDP }] }]
status: { podIP: 10.1.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: db-1, namespace: shop, labels: { app: db } }
spec:
  nodeName: n1
  containers: [{ name: c, ports: [{ name: pg, containerPort: 5432 }] }]
status: { podIP: 10.1.0.2 }
---
apiVersion: v1
kind: Pod
metadata: { name: mon-1, namespace: ops, labels: { app: mon } }
spec:
  nodeName: n2
  containers: [{ name: c, ports: [{ name: http, containerPort: 9090 }] }]
status: { podIP: 10.2.0.1 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: { name: partners, labels: { role: partner } }
spec: { nets: [192.0.2.0/24, 2001:db8::/64] }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: platform }
spec: { order: 50, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: platform.guard }
spec:
  tier: platform
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress:
    - action: Log
      protocol: TCP
      source: { selector: role == 'partner' }
    - action: Deny
      protocol: ICMP
      icmp: { type: 8 }
    - action: Pass
      source: { namespaceSelector: team == 'web' }
      destination: { notPorts: [22] }
      protocol: TCP
    - action: Allow
      protocol: UDP
      destination: { ports: [dns] }
  egress:
    - action: Deny
      destination: { nets: [198.51.100.0/24], notNets: [198.51.100.128/25] }
    - action: Allow
      notProtocol: UDP
      destination: { selector: app == 'mon', namespaceSelector: all() }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ port: pg }, { port: 6000, endPort: 6010 }]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: ops-in }
spec:
  priority: 5
  subject: { namespaces: {} }
  ingress:
    - name: from-ops
      action: Allow
      from: [{ namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } }]
      ports: [{ namedPort: http }]
    - name: pass-shop
      action: Pass
      from: [{ namespaces: { matchLabels: { team: web } } }]
`;

const fixture = load([{ path: 'fixture.yaml', text: FIXTURE }]);

describe('nftables target', () => {
  for (const host of ['node-a', 'node-b', 'node-c']) {
    it(`renders the bank's ${host} as the golden file says`, () => {
      const r = renderNftables(bank, { host });
      expect(r.issues).toEqual([]);
      golden(`bank.${host}.nft`, r.text);
    });
  }

  it('renders the fixture (tiers, Pass, Log, ICMP, negations, named ports, sets) as the golden file says', () => {
    golden('fixture.n1.nft', renderNftables(fixture, { host: 'n1' }).text);
  });

  it('is deterministic: the same text whatever the order of the input files', () => {
    const reversed = load([...bankFiles].reverse());
    for (const host of ['node-a', 'node-b']) {
      expect(renderNftables(reversed, { host }).text).toBe(renderNftables(bank, { host }).text);
    }
  });

  it('grows with policies, not with pods: more pods add set elements, not rules', () => {
    const base = renderNftables(bank, { host: 'node-a' }).stats;
    const more = { ...bank, pods: [...bank.pods] };
    const extra = bank.pods
      .filter((p) => p.nodeName === 'node-a')
      .map((p, i) => ({
        ...p,
        name: `${p.name}-copy`,
        ips: p.ips.map((ip) =>
          ip.version === 4 ? { version: 4 as const, v4: ip.v4 + 200 + i } : ip,
        ),
      }));
    more.pods.push(...extra);
    const grown = renderNftables(more, { host: 'node-a' }).stats;
    expect(grown.endpoints).toBe(base.endpoints * 2);
    expect(grown.rules).toBe(base.rules);
    expect(grown.chains).toBe(base.chains);
    expect(grown.elements).toBeGreaterThan(base.elements);
  });

  it('leaves staged policies out and warns about host endpoints it does not render', () => {
    const staged = load([
      { path: 'fixture.yaml', text: FIXTURE },
      {
        path: 'staged.yaml',
        text: `apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: { name: deny-all }
spec: { selector: all(), types: [Ingress], ingress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: { name: n1-eth0 }
spec: { node: n1, interfaceName: eth0, expectedIPs: [10.0.0.1] }
`,
      },
    ]);
    const r = renderNftables(staged, { host: 'n1' });
    expect(r.text).not.toContain('deny-all');
    expect(r.issues.map((i) => i.code)).toEqual(['nftables.host-endpoint']);
  });
});
