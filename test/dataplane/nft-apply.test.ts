// Applying rulesets: nft accepts every golden ruleset; a failing `nft -f` leaves the previous
// ruleset in force (the same table, the same probe results before and after); a half-built
// lab is removed by `lab down`, which is idempotent and touches only its own prefix.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, run } from '../../src/dataplane/exec.js';
import { labDown, namespacesWithPrefix } from '../../src/dataplane/lab/down.js';
import { labProbe, runProber } from '../../src/dataplane/lab/probe.js';
import { connection } from '../../src/core/engine/index.js';
import { parseIP } from '../../src/core/net/index.js';
import type { ProbeReport } from '../../src/dataplane/lab/probe.js';
import { labPrefix, planLab } from '../../src/dataplane/lab/plan.js';
import { labDir, writeState } from '../../src/dataplane/lab/state.js';
import { labUp } from '../../src/dataplane/lab/up.js';
import { applyRuleset, checkRuleset, listTable } from '../../src/dataplane/nft.js';
import { loadCluster } from '../../src/core/zones/index.js';
import { REPO_ROOT } from '../support/shared.js';
import { LAB_SKIP, labTitle, privateLabDir, uniqueLabName } from './lab-support.js';

const TOPOLOGY = `
apiVersion: v1
kind: Namespace
metadata: { name: a }
---
apiVersion: v1
kind: Namespace
metadata: { name: b }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: a, labels: { app: client } }
spec: { nodeName: n1, containers: [{ name: c, ports: [{ containerPort: 80 }] }] }
status: { podIP: 10.9.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: server, namespace: b, labels: { app: server } }
spec: { nodeName: n2, containers: [{ name: c, ports: [{ containerPort: 80 }, { containerPort: 53, protocol: UDP }] }] }
status: { podIP: 10.9.0.2 }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: isolate, namespace: b }
spec: { podSelector: {} }
`;

const verdicts = (r: ProbeReport): string[] =>
  r.probes.map((p) => `${p.src}->${p.dst} ${p.port}/${p.protocol} ${p.kernel}`);

describe.skipIf(LAB_SKIP !== undefined)(labTitle('applying rulesets'), () => {
  let stateDir = '';
  // Made when the tests run (not when a skipped suite is collected).
  beforeAll(() => {
    stateDir = privateLabDir();
  });
  const names: string[] = [];
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'zw-topo-'));
  });

  afterAll(async () => {
    for (const n of names) await labDown(n);
    for (const n of names) expect(await namespacesWithPrefix(labPrefix(n))).toEqual([]);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('nft accepts every golden ruleset', async () => {
    const name = uniqueLabName();
    names.push(name);
    const ns = `${labPrefix(name)}check`;
    await must('ip', ['netns', 'add', ns]);
    try {
      const dir = path.join(REPO_ROOT, 'src/core/targets/nftables/golden');
      const files = readdirSync(dir).filter((f) => f.endsWith('.nft'));
      expect(files.length).toBeGreaterThanOrEqual(4);
      for (const f of files) await checkRuleset(ns, readFileSync(path.join(dir, f), 'utf8'));
    } finally {
      await run('ip', ['netns', 'del', ns]);
    }
  });

  it('a failing nft -f leaves the previous ruleset in force', async () => {
    const name = uniqueLabName();
    names.push(name);
    writeFileSync(path.join(tmp, 'topology.yaml'), TOPOLOGY);
    const up = await labUp(name, [tmp]);
    const server = up.plan.nodes.find((n) => n.name === 'n2');
    if (!server) throw new Error('no node n2');
    const before = await labProbe(up.plan, up.engine);
    expect(before.disagreements).toBe(0);
    expect(verdicts(before)).toContain('a/client->b/server 80/TCP deny');
    const table = await listTable(server.netns);
    // An open ruleset (the isolating policy left out), broken at its very end.
    const open = loadCluster([
      { path: 't.yaml', text: TOPOLOGY.replace(/---\napiVersion: networking[\s\S]*$/, '') },
    ]);
    const { renderNftables } = await import('../../src/core/targets/nftables/index.js');
    const text = renderNftables(planLab(name, open.set).set, { host: 'n2' }).text;
    await expect(
      applyRuleset(server.netns, `${text}\nadd rule inet zonewall nosuchchain accept\n`),
    ).rejects.toThrow(/previous one stays in force/);
    expect(await listTable(server.netns)).toBe(table);
    expect(verdicts(await labProbe(up.plan, up.engine))).toEqual(verdicts(before));
    // The same ruleset without the error applies, and the kernel follows it.
    await applyRuleset(server.netns, text);
    expect(verdicts(await labProbe(up.plan, up.engine))).toContain(
      'a/client->b/server 80/TCP allow',
    );
  });

  it("a node's own connections to its pods meet their ingress policy (output hook), as the engine says", async () => {
    const name = uniqueLabName();
    names.push(name);
    writeFileSync(path.join(tmp, 'topology.yaml'), TOPOLOGY);
    const up = await labUp(name, [tmp]);
    const results: string[] = [];
    for (const node of up.plan.nodes) {
      const local = up.plan.pods.filter((p) => p.node === node.name);
      const targets = local.flatMap((p) =>
        p.tcp.map((port) => ({ key: `${p.id} ${port}`, ip: p.ip, port, protocol: 'TCP' as const })),
      );
      // The prober runs in the node's namespace: the source is the node's own address.
      const asNode = { ...(local[0] as (typeof local)[number]), netns: node.netns };
      const got = await runProber(up.plan, asNode, targets, {
        parallel: 1,
        concurrency: 8,
        timeoutMs: 1500,
      });
      for (const p of local) {
        for (const port of p.tcp) {
          const kernel = got.get(`${p.id} ${port}`)?.result === 'timeout' ? 'deny' : 'allow';
          const c = connection(up.engine, {
            from: { ip: parseIP(node.address)! },
            to: { endpoint: up.engine.eps.pod(p.namespace, p.name)! },
            protocol: 6,
            port,
          });
          if (!c.ok) throw new Error(c.message);
          const engine = up.engine.evaluate(c.value.src, c.value.dst, c.value.pkt).verdict;
          results.push(`${node.name}->${p.id}:${port} kernel ${kernel} engine ${engine}`);
        }
      }
    }
    // b/server is isolated by its namespace's policy; a/client is open.
    expect(results).toEqual([
      'n1->a/client:80 kernel allow engine allow',
      'n2->b/server:80 kernel deny engine deny',
    ]);
  });

  it('lab down removes a half-built lab, is idempotent, and touches nothing else', async () => {
    const name = uniqueLabName();
    const other = uniqueLabName();
    names.push(name, other);
    const plan = planLab(name, loadCluster([{ path: 't.yaml', text: TOPOLOGY }]).set);
    await writeState({ name, inputs: [], created: new Date().toISOString() });
    // A crash in the middle of lab up: some namespaces, a link, a process inside one.
    const [n1, pod] = [plan.nodes[0]?.netns as string, plan.pods[0]?.netns as string];
    await must('ip', ['netns', 'add', n1]);
    await must('ip', ['netns', 'add', pod]);
    await must('ip', [
      'link',
      'add',
      'zwhalf',
      'netns',
      n1,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      pod,
    ]);
    const sleeper = spawn('ip', ['netns', 'exec', pod, 'sleep', '300'], { stdio: 'ignore' });
    await must('ip', ['netns', 'add', `${labPrefix(other)}keep`]);
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await labDown(name)).toEqual([n1, pod].sort());
      expect(await namespacesWithPrefix(labPrefix(name))).toEqual([]);
      expect(await labDown(name)).toEqual([]);
      // Another lab's namespace is left alone; this lab's state is gone.
      expect(await namespacesWithPrefix(labPrefix(other))).toEqual([`${labPrefix(other)}keep`]);
      // The process the crashed lab left running inside its namespace was stopped.
      const exited = (): boolean => sleeper.exitCode !== null || sleeper.signalCode !== null;
      await new Promise<void>((resolve) =>
        exited() ? resolve() : sleeper.on('exit', () => resolve()),
      );
      expect(sleeper.signalCode).toBe('SIGKILL');
      expect(() => readFileSync(path.join(labDir(name), 'state.json'))).toThrow();
    } finally {
      sleeper.kill('SIGKILL');
      await labDown(other);
    }
  });
});
