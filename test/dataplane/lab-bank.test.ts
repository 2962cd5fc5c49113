// The bank example in the lab: every pod a network namespace, each node enforcing its own
// rendered ruleset; the kernel agrees with the engine on every probe (count printed).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, namespacesWithPrefix } from '../../src/dataplane/lab/down.js';
import { labProbe } from '../../src/dataplane/lab/probe.js';
import { labPrefix } from '../../src/dataplane/lab/plan.js';
import { labUp } from '../../src/dataplane/lab/up.js';
import { TRAFFIC_DEFAULTS, labTraffic } from '../../src/dataplane/lab/traffic.js';
import { PROBE_DEFAULTS } from '../../src/dataplane/lab/probe.js';
import type { LabUpResult } from '../../src/dataplane/lab/up.js';
import { REPO_ROOT } from '../support/shared.js';
import { LAB_SKIP, labTitle, privateLabDir, uniqueLabName } from './lab-support.js';

describe.skipIf(LAB_SKIP !== undefined)(labTitle('the bank in the lab'), () => {
  const name = uniqueLabName();
  const dir = privateLabDir();

  afterAll(async () => {
    await labDown(name);
    rmSync(dir, { recursive: true, force: true });
    expect(await namespacesWithPrefix(labPrefix(name))).toEqual([]);
  });

  let up: LabUpResult | undefined;

  it('the kernel agrees with the engine on every probe', async () => {
    up = await labUp(name, [path.join(REPO_ROOT, 'examples/bank')]);
    expect(up.plan.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(up.plan.pods).toHaveLength(39);
    const report = await labProbe(up.plan, up.engine);
    const allowed = report.probes.filter((p) => p.kernel === 'allow').length;
    console.log(
      `bank in the lab: ${report.probes.length} probes, kernel and engine agree on ${report.agreements} (${allowed} reached, ${report.probes.length - allowed} dropped)`,
    );
    const bad = report.probes.filter((p) => !p.agree);
    expect(
      bad.map(
        (p) =>
          `${p.src} -> ${p.dst} ${p.port}/${p.protocol}: kernel ${p.kernel} (${p.detail}), engine ${p.engine.verdict}`,
      ),
    ).toEqual([]);
    expect(report.agreements).toBe(report.probes.length);
    // Both answers occur: the lab is not open or closed everywhere.
    expect(allowed).toBeGreaterThan(100);
    expect(report.probes.length - allowed).toBeGreaterThan(100);
  });

  it('lab traffic: normal calls reach, denied attempts and a DMZ port scan are dropped, as the engine says', async () => {
    if (!up) throw new Error('the lab did not come up');
    const r = await labTraffic(
      up.plan,
      up.engine,
      { ...TRAFFIC_DEFAULTS, scanPorts: [1, 600] },
      PROBE_DEFAULTS,
    );
    console.log(
      `bank traffic: ${r.normal.attempts} normal calls, ${r.denied.attempts} denied attempts, scan from ${r.scan.from}: ${r.scan.attempts} attempts, ${r.scan.reached} reached; ${r.disagreements.length} disagreements`,
    );
    expect(
      r.disagreements.map((p) => `${p.src} -> ${p.dst} ${p.port}/${p.protocol} kernel ${p.kernel}`),
    ).toEqual([]);
    expect(r.normal.reached).toBe(r.normal.attempts);
    expect(r.denied.reached).toBe(0);
    expect(r.scan.from).toMatch(/^(payments-web|online-banking|partner-gateway)\//);
    expect(r.scan.reachedPorts).toEqual([
      'kube-system/coredns-7db6d8ff4d-4kq7x 53',
      'payments-web/payments-web-7d9f8b6c4-b8n2w 443',
    ]);
  });
});
