// `lab up`: plan, record the input, build the network, apply each node's ruleset (rendered by
// the nftables target) inside that node's namespace, and start a responder in every pod.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderNftables } from '../../core/targets/nftables/index.js';
import { applyRuleset } from '../nft.js';
import { buildNetwork } from './build.js';
import { labDown, namespacesWithPrefix } from './down.js';
import { loadLab } from './load.js';
import type { LabInput } from './load.js';
import type { LabPlan, LabPod } from './plan.js';
import { PROBER, RESPONDER } from './scripts.js';
import { labDir, writeState } from './state.js';
import { DataplaneError } from '../exec.js';

export interface LabUpResult extends LabInput {
  rulesets: Array<{ node: string; rules: number; chains: number; sets: number }>;
}

/** Build a lab from manifests; on failure, everything built so far is removed again. */
export async function labUp(name: string, inputs: readonly string[]): Promise<LabUpResult> {
  const abs = inputs.map((p) => path.resolve(p));
  const input = await loadLab(name, abs);
  const existing = await namespacesWithPrefix(input.plan.prefix);
  if (existing.length > 0)
    throw new DataplaneError(
      'lab.state',
      `lab ${JSON.stringify(name)} is already up (${existing.length} namespaces); run \`zonewall lab down --name ${name}\` first`,
    );
  await writeState({ name, inputs: abs, created: new Date().toISOString() });
  try {
    await writeScripts(name);
    await buildNetwork(input.plan);
    const rulesets = await applyRulesets(input);
    await startResponders(input.plan);
    return { ...input, rulesets };
  } catch (e) {
    await labDown(name).catch(() => undefined);
    throw e;
  }
}

async function writeScripts(name: string): Promise<void> {
  await writeFile(path.join(labDir(name), 'responder.cjs'), RESPONDER);
  await writeFile(path.join(labDir(name), 'prober.cjs'), PROBER);
}

/** Render and apply every node's ruleset; the texts are kept in the state directory. */
export async function applyRulesets(input: LabInput): Promise<LabUpResult['rulesets']> {
  const out: LabUpResult['rulesets'] = [];
  await mkdir(path.join(labDir(input.plan.name), 'rulesets'), { recursive: true });
  for (const n of input.plan.nodes) {
    const r = renderNftables(input.plan.set, { host: n.name, engine: input.engine });
    await writeFile(path.join(labDir(input.plan.name), 'rulesets', `${n.name}.nft`), r.text);
    await applyRuleset(n.netns, r.text);
    out.push({ node: n.name, rules: r.stats.rules, chains: r.stats.chains, sets: r.stats.sets });
  }
  return out;
}

function readyFile(plan: LabPlan, p: LabPod): string {
  return path.join(labDir(plan.name), 'ready', p.hostIf);
}

async function startResponders(plan: LabPlan): Promise<void> {
  const script = path.join(labDir(plan.name), 'responder.cjs');
  for (const p of plan.pods) {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        p.netns,
        process.execPath,
        script,
        p.id,
        readyFile(plan, p),
        p.tcp.join(','),
        p.udp.join(','),
      ],
      { detached: true, stdio: 'ignore' },
    );
    child.unref();
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const waiting = plan.pods.filter((p) => !existsSync(readyFile(plan, p)));
    if (waiting.length === 0) return;
    if (Date.now() > deadline)
      throw new DataplaneError(
        'tool.failed',
        `responders did not start in ${waiting.map((p) => p.id).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
