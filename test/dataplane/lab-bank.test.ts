// The bank example in the lab: every pod a network namespace, each node enforcing its own
// rendered ruleset; the kernel agrees with the engine on every probe (count printed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, namespacesWithPrefix } from '../../src/dataplane/lab/down.js';
import { labProbe } from '../../src/dataplane/lab/probe.js';
import { labPrefix } from '../../src/dataplane/lab/plan.js';
import { labUp } from '../../src/dataplane/lab/up.js';
import { TRAFFIC_DEFAULTS, labTraffic } from '../../src/dataplane/lab/traffic.js';
import { PROBE_DEFAULTS } from '../../src/dataplane/lab/probe.js';
import type { LabUpResult } from '../../src/dataplane/lab/up.js';
import { readFileSync } from 'node:fs';
import { startCapture, rulesetLegend } from '../../src/dataplane/lab/capture.js';
import { hasTool } from '../../src/dataplane/exec.js';
import { labDir } from '../../src/dataplane/lab/state.js';
import { connection } from '../../src/core/engine/index.js';
import { labParser } from '../../src/flows/lab.js';
import { cli } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';
import { LAB_SKIP, labTitle, privateLabDir, uniqueLabName } from './lab-support.js';

describe.skipIf(LAB_SKIP !== undefined)(labTitle('the bank in the lab'), () => {
  const name = uniqueLabName();
  let dir = '';
  // Made when the tests run (not when a skipped suite is collected).
  beforeAll(() => {
    dir = privateLabDir();
  });

  afterAll(async () => {
    await labDown(name);
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(await namespacesWithPrefix(labPrefix(name))).toEqual([]);
  });

  let up: LabUpResult | undefined;
  /** The flow capture's lines (the next test learns policy from them). */
  const lines: string[] = [];

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

  const noCapture = !hasTool('conntrack')
    ? 'conntrack is not installed'
    : !hasTool('ulogd')
      ? 'ulogd2 is not installed'
      : undefined;
  it.skipIf(noCapture !== undefined)(
    `flow capture: allowed connections from conntrack and denies from NFLOG, each as the engine decides${noCapture ? ` (skipped: ${noCapture})` : ''}`,
    async () => {
      if (!up) throw new Error('the lab did not come up');
      const { plan, engine } = up;
      const cap = await startCapture(plan, (l) => lines.push(l));
      expect(cap.missing).toEqual([]);
      await labTraffic(plan, engine, { ...TRAFFIC_DEFAULTS, scanPorts: [1, 30] }, PROBE_DEFAULTS);
      await cap.stop();
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const parse = labParser();
      lines.forEach((l, i) => expect(parse(l, i + 1)).not.toHaveProperty('error'));
      const podByIp = new Map(plan.pods.map((p) => [p.ip, p]));
      const verdict = (o: Record<string, unknown>) => {
        const s = podByIp.get(String(o.src));
        const d = podByIp.get(String(o.dst));
        if (!s || !d) throw new Error(`not a pod pair: ${JSON.stringify(o)}`);
        const proto = o.proto === 'tcp' || o.proto === 6 ? 6 : 17;
        const c = connection(engine, {
          from: { endpoint: engine.eps.pod(s.namespace, s.name)! },
          to: { endpoint: engine.eps.pod(d.namespace, d.name)! },
          protocol: proto,
          port: Number(o.dport),
        });
        if (!c.ok) throw new Error(c.message);
        return engine.evaluate(c.value.src, c.value.dst, c.value.pkt);
      };
      const allowed = records.filter((o) => o.kind === 'conntrack');
      const denied = records.filter((o) => o.kind === 'nflog');
      // Every normal call is seen at its source's node, with both directions counted.
      const atSource = allowed.filter((o) => o.reporter === 'src');
      expect(atSource.length).toBeGreaterThanOrEqual(510);
      for (const o of allowed) {
        expect(verdict(o).verdict).toBe('allow');
        expect(Number(o.packets_orig)).toBeGreaterThan(0);
        expect(Number(o.packets_reply)).toBeGreaterThan(0);
      }
      // Every denied packet names the policy the engine says decided, in its tier.
      const legends = new Map(
        plan.nodes.map((n) => [
          n.name,
          rulesetLegend(readFileSync(`${labDir(plan.name)}/rulesets/${n.name}.nft`, 'utf8')),
        ]),
      );
      expect(denied.length).toBeGreaterThan(50);
      for (const o of denied) {
        const v = verdict(o);
        expect(v.verdict).toBe('deny');
        const id = /^zw D (\S+) (in|eg) (\S+)$/.exec(String(o.prefix));
        const known = legends.get(String(o.node))?.get(id?.[1] ?? '');
        const by = v.decidedBy;
        const name = `${by?.policy.namespace !== undefined ? `${by.policy.namespace}/` : ''}${by?.policy.name ?? ''}`;
        expect({ policy: known?.policy, tier: known?.tier, dir: id?.[2], rule: id?.[3] }).toEqual({
          policy: name,
          tier: by?.tier,
          dir: by?.direction === 'egress' ? 'eg' : 'in',
          rule: by?.rule === 'default' ? 'default' : `r${String(by?.rule)}`,
        });
      }
      console.log(
        `bank flow capture: ${allowed.length} allowed connections (${atSource.length} at the source's node), ${denied.length} denied packets, all as the engine decides`,
      );
    },
  );

  it.skipIf(noCapture !== undefined)(
    `the policy learned from the lab's traffic, previewed against the same flows, denies none of them; reachability drops${noCapture ? ` (skipped: ${noCapture})` : ''}`,
    async () => {
      expect(lines.length).toBeGreaterThan(0);
      const work = mkdtempSync(path.join(tmpdir(), 'zw-lab-learn-'));
      try {
        const capture = path.join(work, 'capture.jsonl');
        writeFileSync(capture, `${lines.join('\n')}\n`);
        const store = path.join(work, 'flows.duckdb');
        const bank = path.join(REPO_ROOT, 'examples/bank');
        const zones = path.join(bank, 'zones.yaml');
        const ingest = await cli([
          'flows',
          'ingest',
          '--format',
          'lab',
          '--snapshot',
          bank,
          '--store',
          store,
          capture,
        ]);
        expect(ingest.code, ingest.err).toBe(0);
        const fractions: string[] = [];
        const source = ['--store', store, '-f', bank, '--zones', zones];
        for (const ns of ['fraud-scoring', 'online-banking']) {
          const learned = path.join(work, `${ns}.yaml`);
          const r = await cli(['recommend', ...source, '--namespace', ns, '-o', learned]);
          expect(r.code, r.err).toBe(0);
          const m = /(\d+\.\d)% now, (\d+\.\d)% with the recommendation/.exec(r.err);
          expect(m, r.err).not.toBeNull();
          expect(Number(m?.[2])).toBeLessThan(Number(m?.[1]));
          fractions.push(`${ns} ${m?.[1]}% -> ${m?.[2]}%`);
          const p = await cli(['preview', ...source, '--changes', learned, '--output', 'json']);
          expect(p.code, p.out).toBe(0);
          const out = JSON.parse(p.out) as Record<string, { records: number }>;
          expect(out.newlyDenied?.records).toBe(0);
        }
        console.log(
          `learned from the lab's traffic: reachable (pod pair, port) into ${fractions.join(', ')}; previewed against the same flows, none newly denied`,
        );
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
