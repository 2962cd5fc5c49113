// The tag-registration benchmark: register the 10,000 pods of the engine benchmark's cluster
// (bench/gen-cluster.ts, 20 zones) with the PAN-OS XML API stand-in, in batches, and renew
// them. The stand-in (STAND-IN, NOT PAN-OS: built from the documented API) runs as its own
// process, fresh for each repetition, over HTTP on 127.0.0.1. The floor is the same requests,
// with the same bodies, to a server of the same kind that reads nothing and answers a fixed
// success: what the transport alone costs.
//
//   npm run bench:panorama [-- --reps N] [--json PATH]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadCluster } from '../src/core/zones/index.js';
import { PanoramaClient } from '../src/integrations/panorama/client.js';
import { pushTags, readRegistered } from '../src/integrations/panorama/push.js';
import type { PushOptions } from '../src/integrations/panorama/push.js';
import { Secret } from '../src/integrations/panorama/secret.js';
import { desiredTags, planTags } from '../src/integrations/panorama/tags.js';
import { uidMessages } from '../src/integrations/panorama/uid-message.js';
import { post } from '../src/integrations/panorama/transport.js';
import { generateCluster } from './gen-cluster.js';
import { zoneLabeller, zonePolicyFile, zoneSet } from './gen-zones.js';
import { median, now } from './measure.js';
import { figure, fmt, table } from './table.js';
import type { Spec } from './table.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVE = path.join(ROOT, 'dist/src/integrations/panorama/testing/serve.js');
const KEY = 'stand-in-key';
const PODS_TARGET_MS = 10_000;

async function serve(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const m = /^listening (\S+)/.exec(line);
    if (m?.[1]) return { url: m[1], proc };
  }
  throw new Error('the stand-in did not start');
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill();
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = (f: string): string | undefined => argv[argv.indexOf(f) + 1];
  const reps = argv.includes('--reps') ? Number(at('--reps')) : 5;
  const json = argv.includes('--json') ? at('--json') : undefined;
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus[0]?.model ?? '?'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`,
  );

  const zs = zoneSet(20);
  const files = generateCluster({ zoneLabels: zoneLabeller(zs) }).filter((f) =>
    f.path.startsWith('cluster/'),
  );
  const t0 = now();
  const res = loadCluster([zonePolicyFile({ zones: zs, rules: 50 }), ...files]);
  if (!res.ok || !res.zonePolicy) throw new Error('the generated cluster does not load');
  const zp = res.zonePolicy;
  console.log(
    `cluster: ${res.set.pods.length} pods in ${res.set.namespaces.length} namespaces, ${zp.zones.length} zones (loaded once in ${fmt(now() - t0, 'ms')}, not measured)`,
  );

  const naming = { appLabel: 'app', cluster: 'bench' };
  const opts: PushOptions = { naming, timeoutS: 3600, persistent: true };
  const first: number[] = [];
  const renew: number[] = [];
  const plan: number[] = [];
  const planFloor: number[] = [];
  const firstFloor: number[] = [];
  const renewFloor: number[] = [];
  let batches = 0;
  let bytes = 0;
  for (let rep = 0; rep < reps; rep++) {
    const { url, proc } = await serve(['--key', KEY]);
    const client = new PanoramaClient({ url, apiKey: new Secret(KEY) });
    const a = now();
    const { desired } = desiredTags(res.set, zp, naming);
    const r1 = await pushTags(client, desired, opts);
    const b = now();
    const r2 = await pushTags(client, desired, opts);
    const c = now();
    const registered = await readRegistered(client);
    await stop(proc);
    if (
      r1.registered !== desired.size ||
      r1.rejected.length + r1.failures.length > 0 ||
      registered.size !== desired.size
    )
      throw new Error(
        `registration incomplete: ${JSON.stringify({ ...r1, rejected: r1.rejected.length })}`,
      );
    if (r2.unregistered !== 0) throw new Error('a renewal changed tags');
    first.push(b - a);
    renew.push(c - b);
    batches = r1.batches;

    const p0 = now();
    const { desired: d } = desiredTags(res.set, zp, naming);
    const messages = uidMessages(planTags(d, new Map(), naming), {
      timeoutS: 3600,
      persistent: true,
      maxEntries: 1000,
    });
    plan.push(now() - p0);
    const j0 = now();
    JSON.stringify([...d]);
    planFloor.push(now() - j0);
    bytes = Math.max(...messages.map((m) => m.length));
    const echo = await serve(['--echo']);
    const send = (cmd: string): Promise<unknown> =>
      post({
        url: new URL('/api/', echo.url),
        form: { type: 'user-id', cmd, key: KEY },
        trust: { kind: 'system' },
        timeoutMs: 60_000,
        maxResponseBytes: 1 << 20,
      });
    const readPage = (): Promise<unknown> =>
      post({
        url: new URL('/api/', echo.url),
        form: {
          type: 'op',
          cmd: '<show><object><registered-ip><limit>500</limit><start-point>1</start-point></registered-ip></object></show>',
          key: KEY,
        },
        trust: { kind: 'system' },
        timeoutMs: 60_000,
        maxResponseBytes: 1 << 20,
      });
    const f0 = now();
    await readPage();
    for (const m of messages) await send(m);
    const f1 = now();
    for (let i = 0; i < Math.ceil(d.size / 500) + 1; i++) await readPage();
    for (const m of messages) await send(m);
    const f2 = now();
    await stop(echo.proc);
    firstFloor.push(f1 - f0);
    renewFloor.push(f2 - f1);
    console.log(
      `  rep ${rep + 1}: first ${fmt(b - a, 'ms')}, renew ${fmt(c - b, 'ms')}; floor ${fmt(f1 - f0, 'ms')} / ${fmt(f2 - f1, 'ms')}`,
    );
  }

  const specs: Spec[] = [
    {
      id: '1',
      what: `register 10,000 pods (${batches} batches, read-back, plan)`,
      unit: 'ms',
      samples: first,
      floorSamples: firstFloor,
      limit: PODS_TARGET_MS,
      lookups: 0,
      note: 'floor: the same requests to a server that reads nothing',
    },
    {
      id: '2',
      what: 'renew 10,000 pods (read back 21 pages, register again)',
      unit: 'ms',
      samples: renew,
      floorSamples: renewFloor,
      lookups: 0,
      note: 'floor: the same requests to a server that reads nothing',
    },
    {
      id: '3',
      what: 'tags and uid-messages for 10,000 pods (no I/O)',
      unit: 'ms',
      samples: plan,
      floorSamples: planFloor,
      lookups: 0,
      note: 'floor: JSON.stringify of the address-to-tags map',
    },
  ];
  const figures = specs.map((s) => figure(s, 1, 0));
  console.log(
    `\nlargest uid-message: ${(bytes / 1e6).toFixed(2)} MB (limit 5 MB); medians of ${reps} repetitions\n`,
  );
  console.log(table(figures));
  if (json)
    writeFileSync(
      json,
      `${JSON.stringify({ date: new Date().toISOString(), reps, figures, median: median(first) }, null, 2)}\n`,
    );
}

await main();
