// Zone policies and clusters the Kubernetes targets are tested with (cnp.test.ts, anp.test.ts):
// `SHOP` is fully expressible in both targets; `RISKY` holds one of every kind of rule they
// cannot express faithfully.
import type { ClusterSpec, Probe } from './kube-testkit.js';

/** Every kind of expressible rule: DNF peers and subjects, internet, externals, UDP, ranges. */
export const SHOP = `apiVersion: zonewall.io/v1alpha1
kind: ZonePolicy
metadata: {name: shop}
spec:
  defaultZone: apps
  defaults: {intraZone: Allow, interZone: Pass}
  zones:
    - name: web
      pools: [{cidr: 10.1.0.0/16}]
    - name: apps
    - name: data
  externals:
    - name: payments
      nets: [203.0.113.0/28]
  clusterNets: [10.96.0.0/12]
  rules:
    - name: web-to-api
      from: [web]
      to: [apps]
      destination: {selector: "app in {'api', 'api-canary'} && tier != 'debug'"}
      services: [{protocol: TCP, ports: [8080]}]
      action: Allow
    - name: no-web-to-data
      from: [web]
      to: [data]
      action: Deny
    - name: apps-to-db
      from: [apps]
      to: [data]
      source: {selector: "has(app) && app not in {'batch'}"}
      destination: {selector: "app == 'db' || app == 'cache'"}
      services: [{protocol: TCP, ports: [5432, "6379:6380"]}]
      action: Allow
    - name: web-out
      from: [web]
      to: [internet]
      services: [{protocol: TCP, ports: [443]}]
      action: Allow
    - name: payments
      from: [apps]
      to: [payments]
      source: {selector: "app == 'api' || tier == 'payments'"}
      services: [{protocol: TCP, ports: [443]}]
      action: Allow
    - name: batch-out
      from: [apps]
      to: [internet, payments]
      source: {selector: "app == 'batch'"}
      action: Pass
    - name: no-egress
      from: [web, apps, data]
      to: [internet, payments]
      action: Deny
    - name: data-udp
      from: [web, apps]
      to: [data]
      services: [{protocol: UDP}]
      action: Deny
    - name: ops
      from: [data]
      to: [any]
      source: {selector: "!has(tier)"}
      services: [{protocol: TCP, ports: [9090]}]
      action: Allow
    - name: quiet-data
      from: [data]
      to: [web, apps]
      action: Deny
      log: true
`;

/** One rule of each kind the targets cannot express faithfully. */
export const RISKY = `apiVersion: zonewall.io/v1alpha1
kind: ZonePolicy
metadata: {name: risky}
spec:
  defaultZone: apps
  zones: [{name: web}, {name: apps}, {name: data}]
  externals:
    - {name: partner, nets: [198.51.100.0/24]}
    - {name: saas, nets: [192.0.2.0/28], domains: [api.saas.example]}
  rules:
    - name: partner-in
      from: [partner]
      to: [web]
      services: [{protocol: TCP, ports: [443]}]
      action: Allow
    - name: block-debug
      from: [web]
      to: [apps]
      destination: {selector: "app contains 'debug'"}
      action: Deny
      log: true
    - name: web-to-api
      from: [web]
      to: [apps]
      destination: {selector: "app starts with 'api'"}
      services: [{protocol: TCP, ports: [8080]}]
      action: Allow
    - name: scrape
      from: [apps]
      to: [web, data]
      services: [{protocol: TCP, ports: [metrics]}]
      action: Pass
    - name: ping
      from: [web, apps]
      to: [data]
      services: [{protocol: ICMP}]
      action: Allow
    - name: saas
      from: [apps]
      to: [saas]
      services: [{protocol: TCP, ports: [443]}]
      action: Pass
    - name: cache
      from: [apps]
      to: [data]
      source: {selector: "app == 'api' || app == 'batch'"}
      destination: {selector: "app == 'cache' || tier == 'cache'"}
      services: [{protocol: TCP, ports: [6379]}]
      action: Allow
    - name: from-db
      from: [data]
      to: [apps]
      source: {selector: "app ends with 'db'"}
      action: Pass
    - name: internet-deny
      from: [internet]
      to: [data]
      action: Deny
`;

const ZONE_LABEL = 'zonewall.io/zone';

/** The cluster SHOP and RISKY are checked on. */
export const SMALL_CLUSTER: ClusterSpec = {
  zoneLabel: ZONE_LABEL,
  zones: ['web', 'apps', 'data'],
  undeclared: 'elsewhere',
  pods: {
    web: { app: 'web' },
    api: { app: 'api', tier: 'backend' },
    canary: { app: 'api-canary', tier: 'debug' },
    debug: { app: 'debugger' },
    db: { app: 'db' },
    cache: { app: 'cache', tier: 'cache' },
    batch: { app: 'batch', tier: 'payments' },
    bare: {},
  },
  // A port named "metrics" in UDP: a named port alone would match it.
  ports: { bare: [{ name: 'metrics', containerPort: 9090, protocol: 'UDP' }] },
  addresses: ['8.8.8.8', '203.0.113.5', '198.51.100.7', '192.0.2.3', '10.1.200.1', '10.96.0.10'],
};

/** Probes for SHOP and RISKY: every port their rules name, and some no rule names. */
export const SMALL_PROBES: Probe[] = [
  { protocol: 'TCP', port: 443 },
  { protocol: 'TCP', port: 5432 },
  { protocol: 'TCP', port: 6380 },
  { protocol: 'TCP', port: 6381 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 9090 },
  { protocol: 'TCP', port: 22 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'UDP', port: 9090 },
  { protocol: 'ICMP' },
];

/** A cluster for the bank example. */
export const BANK_CLUSTER: ClusterSpec = {
  zoneLabel: ZONE_LABEL,
  zones: ['dmz', 'trusted', 'restricted', 'management', 'audit'],
  undeclared: 'lab',
  pods: {
    web: { app: 'payments-web' },
    gw: { app: 'partner-gateway' },
    api: { app: 'payments-api' },
    pgdb: { app: 'payments-db' },
    vault: { app: 'card-vault' },
    dns: { 'k8s-app': 'kube-dns' },
    logs: { app: 'log-forwarder' },
    prom: { 'app.kubernetes.io/name': 'prometheus' },
    bastion: { app: 'bastion' },
    db: { app: 'db' },
  },
  ports: { db: [{ name: 'metrics', containerPort: 9090, protocol: 'UDP' }] },
  addresses: ['8.8.8.8', '198.51.100.7', '192.0.2.200', '192.0.2.53', '10.20.0.99'],
};

/** Probes for the bank: every port its rules name, and some no rule names. */
export const BANK_PROBES: Probe[] = [
  { protocol: 'TCP', port: 443 },
  { protocol: 'TCP', port: 5432 },
  { protocol: 'TCP', port: 6514 },
  { protocol: 'TCP', port: 8080 },
  { protocol: 'TCP', port: 8200 },
  { protocol: 'TCP', port: 8443 },
  { protocol: 'TCP', port: 9090 },
  { protocol: 'UDP', port: 53 },
  { protocol: 'UDP', port: 9090 },
];

/** A cluster with one pod per namespace (and the generated zone-label overrides). */
export const TINY_CLUSTER: ClusterSpec = {
  ...SMALL_CLUSTER,
  pods: { web: { app: 'web' } },
  addresses: ['8.8.8.8'],
};

/** SHOP's zones with `n` rules from web to apps, one port each, actions in turn. */
export function manyRules(n: number): string {
  const rules = Array.from({ length: n }, (_, i) => {
    const action = ['Allow', 'Deny', 'Pass'][i % 3] ?? 'Deny';
    const svc = `[{protocol: TCP, ports: [${1000 + i}]}]`;
    return `    - {name: r${i}, from: [web], to: [apps], services: ${svc}, action: ${action}}`;
  });
  return `${SHOP.split('  rules:')[0] ?? ''}  rules:\n${rules.join('\n')}\n`;
}
