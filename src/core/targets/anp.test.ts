// Golden files and the bank example are files on disk; a test never runs in the browser.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { env } from 'node:process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../model/documents.js';
import { loadPolicySet } from '../model/load.js';
import type { Issue } from '../model/issues.js';
import type { PortMatch } from '../model/types.js';
import { PROTO } from '../net/index.js';
import type { ZoneService } from '../zones/types.js';
import { renderAnp } from './anp.js';
import { renderCnp } from './cnp.js';
import { serviceForms } from './kube-peers.js';
import {
  BANK_CLUSTER,
  BANK_PROBES,
  manyRules,
  RISKY,
  SHOP,
  SMALL_CLUSTER,
  SMALL_PROBES,
  TINY_CLUSTER,
} from '../../../test/support/kube-fixtures.js';
import {
  differences,
  generateCluster,
  allowedButDenied,
  intentDenials,
  issueLines,
  manifestEngine,
  manifestsYaml,
  nativeEngine,
  unsafeAllows,
  verdicts,
  zoneProgram,
} from '../../../test/support/kube-testkit.js';
import type { Probe } from '../../../test/support/kube-testkit.js';
import type { Manifest } from './types.js';

const BANK_PATH = 'examples/bank/zones.yaml';
const BANK = readFileSync(new URL(`../../../${BANK_PATH}`, import.meta.url), 'utf8');

/** Compare with a golden file; `UPDATE_GOLDEN=1` writes it instead. */
function golden(name: string, text: string): void {
  const dir = new URL('./golden/', import.meta.url);
  const file = new URL(name, dir);
  if (env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const errors = (issues: readonly Issue[]): Issue[] => issues.filter((i) => i.severity === 'error');
const fromAddress = (key: string): boolean => /^[\d.]+ -> /.test(key);

type Rule = { name: string; action: string; ports?: object[] } & Record<string, unknown>;
interface Spec {
  priority: number;
  subject: { pods: object };
  ingress?: Rule[];
  egress?: Rule[];
}
const spec = (m: Manifest): Spec => m.spec as Spec;

describe('renderAnp: the bank example', () => {
  const prog = zoneProgram(BANK, BANK_PATH);
  const strict = renderAnp(prog, { approximate: false });
  const approx = renderAnp(prog, { approximate: true });

  it('fails without --approximate, naming each rule it cannot express', () => {
    expect(strict.manifests).toEqual([]);
    const named = errors(strict.issues).map((i) => `${i.path} ${i.message}`);
    expect(named).toContainEqual(
      expect.stringMatching(/^spec\.rules\[2\] AdminNetworkPolicy .*"deny-to-restricted"/),
    );
    expect(named).toContainEqual(
      expect.stringMatching(/"payment-processor".*AdminNetworkPolicy v1alpha1 has no domainNames/),
    );
    expect(named).toContainEqual(expect.stringMatching(/^spec\.defaults\.interZone /));
  });

  it('succeeds with --approximate and matches the golden files', () => {
    expect(errors(approx.issues)).toEqual([]);
    golden('bank.anp.yaml', manifestsYaml(approx.manifests));
    golden(
      'bank.anp.issues.txt',
      `# without --approximate\n${issueLines(strict.issues)}# with --approximate\n${issueLines(approx.issues)}`,
    );
  });

  it('loads back without issues', () => {
    const res = loadPolicySet([{ path: 'out.yaml', text: manifestsYaml(approx.manifests) }]);
    expect(res.issues).toEqual([]);
    expect(res.set.policies).toHaveLength(approx.manifests.length);
  });

  it('never allows what the zones deny, except traffic into the cluster it reports', () => {
    const cluster = generateCluster(BANK_CLUSTER);
    const want = verdicts(nativeEngine(BANK, cluster.yaml), cluster.targets, BANK_PROBES);
    const got = verdicts(
      manifestEngine(approx.manifests, cluster.yaml),
      cluster.targets,
      BANK_PROBES,
    );
    expect(unsafeAllows(got, want).filter((k) => !fromAddress(k))).toEqual([]);
    const denied = intentDenials(prog.policy, cluster, BANK_PROBES);
    expect(allowedButDenied(got, denied).filter((k) => !fromAddress(k))).toEqual([]);
  });
});

describe('renderAnp: a fully expressible zone policy', () => {
  const out = renderAnp(zoneProgram(SHOP), { approximate: false });

  it('renders v1alpha1 shapes, matching the golden file', () => {
    expect(out.issues.map((i) => i.code)).toEqual(['target.log']);
    golden('shop.anp.yaml', manifestsYaml(out.manifests));
    const rules = out.manifests.flatMap((m) => [
      ...(spec(m).ingress ?? []),
      ...(spec(m).egress ?? []),
    ]);
    const ports = rules.flatMap((r) => r.ports ?? []).map((p) => Object.keys(p)[0]);
    expect(new Set(ports)).toEqual(new Set(['portNumber', 'portRange']));
    expect(new Set(rules.map((r) => r.action))).toEqual(new Set(['Allow', 'Deny', 'Pass']));
    for (const m of out.manifests) {
      expect(m.apiVersion).toBe('policy.networking.k8s.io/v1alpha1');
      expect(spec(m).subject.pods).toHaveProperty('namespaceSelector');
      expect(spec(m).subject.pods).toHaveProperty('podSelector');
    }
  });

  it('enforces exactly what the engine-native compilation does', () => {
    const cluster = generateCluster(SMALL_CLUSTER);
    const want = verdicts(nativeEngine(SHOP, cluster.yaml), cluster.targets, SMALL_PROBES);
    const got = verdicts(
      manifestEngine(out.manifests, cluster.yaml),
      cluster.targets,
      SMALL_PROBES,
    );
    expect(differences(got, want)).toEqual([]);
  });
});

describe('renderAnp: rules it cannot express', () => {
  const prog = zoneProgram(RISKY);

  it('names each rule and the target without --approximate', () => {
    const out = renderAnp(prog, { approximate: false });
    expect(out.manifests).toEqual([]);
    const saas = errors(out.issues).filter((i) => i.path === 'spec.rules[5]');
    expect(saas.map((i) => i.message)).toEqual([
      'AdminNetworkPolicy cannot express rule "saas" (egress of zone apps): domain names of external "saas": AdminNetworkPolicy v1alpha1 has no domainNames peer',
    ]);
    golden('risky.anp.issues.txt', issueLines(out.issues));
  });

  it('approximates safely with --approximate', () => {
    const out = renderAnp(prog, { approximate: true });
    expect(errors(out.issues)).toEqual([]);
    const cluster = generateCluster(SMALL_CLUSTER);
    const want = verdicts(nativeEngine(RISKY, cluster.yaml), cluster.targets, SMALL_PROBES);
    const got = verdicts(
      manifestEngine(out.manifests, cluster.yaml),
      cluster.targets,
      SMALL_PROBES,
    );
    expect(unsafeAllows(got, want).filter((k) => !fromAddress(k))).toEqual([]);
    const denied = intentDenials(prog.policy, cluster, SMALL_PROBES);
    expect(allowedButDenied(got, denied).filter((k) => !fromAddress(k))).toEqual([]);
    golden('risky.anp.yaml', manifestsYaml(out.manifests));
  });
});

describe('renderAnp: limits', () => {
  it('holds up to 100 rules per direction in one policy', () => {
    const text = manyRules(110);
    const out = renderAnp(zoneProgram(text), { approximate: false });
    expect(out.issues).toEqual([]);
    const web = out.manifests.filter((m) =>
      m.metadata.name.startsWith('zonewall.zone-web.pod-label'),
    );
    expect(web.map((m) => [spec(m).priority, spec(m).egress?.length])).toEqual([
      [100, 100],
      [101, 12],
    ]);
    const cluster = generateCluster(TINY_CLUSTER);
    const ports = [999, 1000, 1050, 1099, 1100, 1101, 1109, 1110];
    const probes = ports.map((port) => ({ protocol: 'TCP' as const, port }));
    const want = verdicts(nativeEngine(text, cluster.yaml), cluster.targets, probes);
    const got = verdicts(manifestEngine(out.manifests, cluster.yaml), cluster.targets, probes);
    expect(differences(got, want)).toEqual([]);
  });
});

describe('serviceForms', () => {
  const tcp = (ports?: PortMatch[]): ZoneService => ({
    protocol: PROTO.TCP,
    ...(ports ? { ports } : {}),
  });
  const range = (start: number, end = start): PortMatch => ({
    kind: 'range',
    range: { start, end },
  });
  const named = (name: string, protocol: number): PortMatch => ({ kind: 'named', name, protocol });

  it('renders protocols and ports exactly where it can', () => {
    expect(serviceForms(undefined, false)).toEqual({ under: 'all', over: 'all', reasons: [] });
    const f = serviceForms([tcp([range(80), range(8000, 8080)]), { protocol: PROTO.UDP }], false);
    expect(f.reasons).toEqual([]);
    expect(f.under).toEqual([
      { kind: 'range', protocol: 'TCP', start: 80, end: 80 },
      { kind: 'range', protocol: 'TCP', start: 8000, end: 8080 },
      { kind: 'range', protocol: 'UDP', start: 1, end: 65535 },
    ]);
  });

  it('matches a named port in every protocol only when the rule names all three', () => {
    const all = [PROTO.TCP, PROTO.UDP, PROTO.SCTP].map((p) => ({
      protocol: p,
      ports: [named('dns', p)],
    }));
    expect(serviceForms(all, false)).toMatchObject({
      under: [{ kind: 'named', name: 'dns' }],
      reasons: [],
    });
    const one = serviceForms([tcp([named('metrics', PROTO.TCP)])], false);
    expect(one.under).toEqual([]);
    expect(one.over).toEqual([{ kind: 'named', name: 'metrics' }]);
    expect(one.reasons).toEqual([
      'port "metrics" (TCP): a named port matches the pod\'s port of that name in any protocol',
    ]);
    // An address has no named ports: for address peers the name is simply left out.
    expect(serviceForms([tcp([named('metrics', PROTO.TCP)])], true)).toEqual({
      under: [],
      over: [],
      reasons: [],
    });
  });

  it('widens to every protocol for ICMP and narrows to nothing', () => {
    const f = serviceForms([{ protocol: PROTO.ICMP }, tcp([range(22)])], false);
    expect(f.reasons).toEqual(['ICMP: only TCP, UDP and SCTP can be matched']);
    expect(f.under).toEqual([{ kind: 'range', protocol: 'TCP', start: 22, end: 22 }]);
    expect(f.over).toBe('all');
  });
});

describe('both Kubernetes targets: random zone policies', () => {
  const ref = fc.constantFrom('a', 'b', 'c', 'ext', 'internet', 'any');
  const selector = fc.constantFrom(
    undefined,
    "app == 'web'",
    "app != 'db'",
    "app == 'web' || app == 'db'",
    "app contains 'e'",
    '!has(app)',
  );
  const service = fc.constantFrom(
    { protocol: 'TCP', ports: [80] },
    { protocol: 'TCP', ports: ['8000:8100'] },
    { protocol: 'UDP', ports: [53] },
    { protocol: 'TCP', ports: ['http'] },
    { protocol: 'ICMP' },
  );
  const rule = fc.record({
    from: fc.uniqueArray(ref, { minLength: 1, maxLength: 2 }),
    to: fc.uniqueArray(ref, { minLength: 1, maxLength: 2 }),
    source: selector,
    destination: selector,
    services: fc.option(fc.uniqueArray(service, { minLength: 1, maxLength: 2 }), {
      nil: undefined,
    }),
    action: fc.constantFrom('Allow', 'Pass', 'Deny'),
  });
  const policy = fc.record({
    intraZone: fc.constantFrom('Pass', 'Allow', 'Deny'),
    interZone: fc.constantFrom('Deny', 'Pass'),
    rules: fc.array(rule, { maxLength: 5 }),
  });
  type P = typeof policy extends fc.Arbitrary<infer T> ? T : never;

  /** Selectors only narrow sides made of zones (and `any`), as the ZonePolicy requires. */
  function zonesYaml(p: P): string {
    const zonesOnly = (side: string[]): boolean => side.every((s) => s.length === 1 || s === 'any');
    const rules = p.rules.map((r, i) => ({
      name: `r${i}`,
      from: r.from,
      to: r.to,
      ...(r.source && zonesOnly(r.from) ? { source: { selector: r.source } } : {}),
      ...(r.destination && zonesOnly(r.to) ? { destination: { selector: r.destination } } : {}),
      ...(r.services ? { services: r.services } : {}),
      action: r.action,
    }));
    const spec = {
      defaultZone: 'c',
      defaults: { intraZone: p.intraZone, interZone: p.interZone },
      zones: ['a', 'b', 'c'].map((name, i) => ({ name, pools: [{ cidr: `10.${i + 1}.0.0/16` }] })),
      externals: [{ name: 'ext', nets: ['198.51.100.0/24'] }],
      clusterNets: ['10.96.0.0/12'],
      rules,
    };
    return toYaml([
      { apiVersion: 'zonewall.io/v1alpha1', kind: 'ZonePolicy', metadata: { name: 'p' }, spec },
    ]);
  }

  const cluster = generateCluster({
    zoneLabel: 'zonewall.io/zone',
    zones: ['a', 'b'],
    undeclared: 'nope',
    pods: { web: { app: 'web' }, db: { app: 'db' }, bare: {} },
    addresses: ['8.8.8.8', '198.51.100.9', '10.1.9.9'],
  });
  const probes: Probe[] = [
    { protocol: 'TCP', port: 80 },
    { protocol: 'TCP', port: 8080 },
    { protocol: 'UDP', port: 53 },
    { protocol: 'ICMP' },
  ];

  it('are exact when they render without errors, and safe when approximated', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const text = zonesYaml(p);
        const prog = zoneProgram(text);
        const want = verdicts(nativeEngine(text, cluster.yaml), cluster.targets, probes);
        for (const render of [renderAnp, renderCnp]) {
          const strict = render(prog, { approximate: false });
          const approx = render(prog, { approximate: true });
          const got = verdicts(
            manifestEngine(approx.manifests, cluster.yaml),
            cluster.targets,
            probes,
          );
          if (errors(strict.issues).length === 0) expect(differences(got, want)).toEqual([]);
          const unsafe = unsafeAllows(got, want);
          expect(unsafe.filter((k) => !fromAddress(k))).toEqual([]);
          if (unsafe.length > 0)
            expect(approx.issues.map((i) => i.code)).toContain('target.unenforced');
        }
      }),
      { numRuns: 40 },
    );
  });
});
