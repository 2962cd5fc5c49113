// Golden files and the bank example are files on disk; a test never runs in the browser.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { env } from 'node:process';
import { describe, expect, it } from 'vitest';
import { loadPolicySet } from '../model/load.js';
import type { Issue } from '../model/issues.js';
import { renderCnp } from './cnp.js';
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

const program = zoneProgram;
const lines = issueLines;
const errors = (issues: readonly Issue[]): Issue[] => issues.filter((i) => i.severity === 'error');
const fromAddress = (key: string): boolean => /^[\d.]+ -> /.test(key);

interface Spec {
  tier: string;
  priority: number;
  ingress?: Array<{ name: string; from: unknown[] }>;
  egress?: Array<{ name: string; to: unknown[] }>;
}
const spec = (m: Manifest): Spec => m.spec as Spec;

describe('renderCnp: the bank example', () => {
  const prog = program(BANK, BANK_PATH);
  const strict = renderCnp(prog, { approximate: false });
  const approx = renderCnp(prog, { approximate: true });

  it('fails without --approximate, naming each rule it cannot express', () => {
    expect(strict.manifests).toEqual([]);
    const named = errors(strict.issues).map((i) => `${i.path} ${i.message}`);
    // Traffic from outside the cluster cannot be denied at ingress; a named port is matched
    // in every protocol; domain names are for Accept rules only.
    expect(named).toContainEqual(
      expect.stringMatching(
        /^spec\.rules\[2\] .*"deny-to-restricted".*from the internet, external "partner-net"/,
      ),
    );
    expect(named).toContainEqual(
      expect.stringMatching(/^spec\.defaults\.interZone .*from addresses outside the cluster/),
    );
    expect(named).toContainEqual(expect.stringMatching(/"metrics" \(ingress .*named port/));
    expect(named).toContainEqual(expect.stringMatching(/"payment-processor".*domainNames/));
    for (const i of errors(strict.issues)) {
      expect(i).toMatchObject({ code: 'target.inexpressible', file: BANK_PATH, doc: 0 });
      expect(i.message).toContain('ClusterNetworkPolicy cannot express');
    }
  });

  it('succeeds with --approximate, with a warning for each of those', () => {
    expect(errors(approx.issues)).toEqual([]);
    const where = (issues: readonly Issue[]): string[] =>
      issues.filter((i) => i.code !== 'target.log').map((i) => i.message.split(': ')[0] ?? '');
    expect(where(approx.issues)).toEqual(where(strict.issues));
    expect(approx.issues.some((i) => i.code === 'target.unenforced')).toBe(true);
    expect(approx.issues.some((i) => i.code === 'target.approximated')).toBe(true);
  });

  it('matches the golden files', () => {
    golden('bank.cnp.yaml', manifestsYaml(approx.manifests));
    golden(
      'bank.cnp.issues.txt',
      `# without --approximate\n${lines(strict.issues)}# with --approximate\n${lines(approx.issues)}`,
    );
  });

  it('loads back without issues, every policy in the Admin tier and the band', () => {
    const res = loadPolicySet([{ path: 'out.yaml', text: manifestsYaml(approx.manifests) }]);
    expect(res.issues).toEqual([]);
    for (const m of approx.manifests) {
      expect(spec(m).tier).toBe('Admin');
      expect(spec(m).priority).toBeGreaterThanOrEqual(100);
      expect(spec(m).priority).toBeLessThanOrEqual(199);
    }
  });

  it('never allows what the zones deny, except traffic into the cluster it reports', () => {
    const cluster = generateCluster(BANK_CLUSTER);
    const want = verdicts(nativeEngine(BANK, cluster.yaml), cluster.targets, BANK_PROBES);
    const got = verdicts(
      manifestEngine(approx.manifests, cluster.yaml),
      cluster.targets,
      BANK_PROBES,
    );
    const unsafe = unsafeAllows(got, want);
    // Only sources outside the cluster: the `target.unenforced` warnings.
    expect(unsafe.filter((k) => !fromAddress(k))).toEqual([]);
    expect(unsafe.length).toBeGreaterThan(0);
    const denied = intentDenials(prog.policy, cluster, BANK_PROBES);
    expect(allowedButDenied(got, denied).filter((k) => !fromAddress(k))).toEqual([]);
  });
});

describe('renderCnp: a fully expressible zone policy', () => {
  const shop = program(SHOP);
  const out = { ...renderCnp(shop, { approximate: false }), program: shop };

  it('renders with only a note for the dropped log', () => {
    expect(out.issues.map((i) => `${i.code} ${i.path}`)).toEqual(['target.log spec.rules[9]']);
    golden('shop.cnp.yaml', manifestsYaml(out.manifests));
  });

  it('enforces exactly what the engine-native compilation does', () => {
    const cluster = generateCluster(SMALL_CLUSTER);
    const want = verdicts(nativeEngine(SHOP, cluster.yaml), cluster.targets, SMALL_PROBES);
    const got = verdicts(
      manifestEngine(out.manifests, cluster.yaml),
      cluster.targets,
      SMALL_PROBES,
    );
    expect(got.size).toBe(want.size);
    expect(differences(got, want)).toEqual([]);
    const denied = intentDenials(out.program.policy, cluster, SMALL_PROBES);
    expect(allowedButDenied(got, denied)).toEqual([]);
    expect([...want.values()]).toContain('deny');
    expect([...want.values()]).toContain('allow');
  });

  it('is deterministic', () => {
    const again = renderCnp(program(SHOP), { approximate: false });
    expect(manifestsYaml(again.manifests)).toBe(manifestsYaml(out.manifests));
  });

  it('splits alternatives of a narrowing into policies at consecutive priorities', () => {
    const pay = out.manifests.filter((m) => spec(m).egress?.some((r) => r.name === 'payments'));
    expect(pay.map((m) => [m.metadata.name, spec(m).priority])).toEqual([
      ['zonewall.zone-apps.pod-label.2.egress.t0', 102],
      ['zonewall.zone-apps.pod-label.2.egress.t1', 103],
      ['zonewall.zone-apps.namespace-label.2.egress.t0', 102],
      ['zonewall.zone-apps.namespace-label.2.egress.t1', 103],
      ['zonewall.zone-apps.default.2.egress.t0', 102],
      ['zonewall.zone-apps.default.2.egress.t1', 103],
    ]);
  });
});

describe('renderCnp: rules it cannot express', () => {
  const prog = program(RISKY);

  it('names each rule and the target without --approximate', () => {
    const out = renderCnp(prog, { approximate: false });
    expect(out.manifests).toEqual([]);
    const paths = [...new Set(errors(out.issues).map((i) => i.path))];
    expect(paths).toEqual([
      'spec.rules[0]',
      'spec.rules[1]',
      'spec.rules[2]',
      'spec.rules[3]',
      'spec.rules[4]',
      'spec.rules[5]',
      'spec.rules[7]',
      'spec.rules[8]',
      'spec.defaults.interZone',
    ]);
    golden('risky.cnp.issues.txt', lines(out.issues));
  });

  it('approximates safely with --approximate, reporting each approximation', () => {
    const out = renderCnp(prog, { approximate: true });
    expect(errors(out.issues)).toEqual([]);
    const byCode = (code: string): string[] =>
      out.issues.filter((i) => i.code === code).map((i) => i.path ?? '');
    expect(byCode('target.unenforced')).toEqual(['spec.rules[8]', 'spec.defaults.interZone']);
    expect(new Set(byCode('target.approximated'))).toEqual(
      new Set([
        'spec.rules[0]',
        'spec.rules[1]',
        'spec.rules[2]',
        'spec.rules[3]',
        'spec.rules[4]',
        'spec.rules[5]',
        'spec.rules[7]',
      ]),
    );
    const cluster = generateCluster(SMALL_CLUSTER);
    const want = verdicts(nativeEngine(RISKY, cluster.yaml), cluster.targets, SMALL_PROBES);
    const got = verdicts(
      manifestEngine(out.manifests, cluster.yaml),
      cluster.targets,
      SMALL_PROBES,
    );
    const unsafe = unsafeAllows(got, want);
    expect(unsafe.filter((k) => !fromAddress(k))).toEqual([]);
    const denied = intentDenials(prog.policy, cluster, SMALL_PROBES);
    expect(allowedButDenied(got, denied).filter((k) => !fromAddress(k))).toEqual([]);
    // What is left unenforced is exactly traffic from outside the cluster into the data zone
    // (internet-deny) or into any zone (the inter-zone default).
    expect(unsafe.length).toBeGreaterThan(0);
    golden('risky.cnp.yaml', manifestsYaml(out.manifests));
  });
});

describe('renderCnp: limits', () => {
  it('splits more than 25 rules into policies at consecutive priorities, exactly', () => {
    const text = manyRules(40);
    const out = renderCnp(program(text), { approximate: false });
    expect(out.issues).toEqual([]);
    for (const m of out.manifests) {
      expect(spec(m).egress?.length ?? 0).toBeLessThanOrEqual(25);
      expect(spec(m).ingress?.length ?? 0).toBeLessThanOrEqual(25);
    }
    const web = out.manifests.filter((m) =>
      m.metadata.name.startsWith('zonewall.zone-web.pod-label'),
    );
    expect(web.map((m) => spec(m).priority)).toEqual([100, 101]);
    const cluster = generateCluster(TINY_CLUSTER);
    const probes = Array.from({ length: 42 }, (_, i) => ({
      protocol: 'TCP' as const,
      port: 999 + i,
    }));
    const want = verdicts(nativeEngine(text, cluster.yaml), cluster.targets, probes);
    const got = verdicts(manifestEngine(out.manifests, cluster.yaml), cluster.targets, probes);
    expect(differences(got, want)).toEqual([]);
  });

  it('uses the priority band it is given', () => {
    const out = renderCnp(program(SHOP), { approximate: false, priorityBand: [500, 510] });
    expect(Math.min(...out.manifests.map((m) => spec(m).priority))).toBe(500);
  });

  it('fails when the band is too small or invalid', () => {
    const small = renderCnp(program(SHOP), { approximate: true, priorityBand: [500, 501] });
    expect(small.manifests).toEqual([]);
    expect(errors(small.issues).map((i) => i.message)).toEqual([
      expect.stringMatching(/band \[500, 501\] holds 2 priorities; the zone rules need \d+/),
    ]);
    const bad = renderCnp(program(SHOP), { approximate: true, priorityBand: [900, 1200] });
    expect(errors(bad.issues).map((i) => i.code)).toEqual(['target.priorityBand']);
  });
});
