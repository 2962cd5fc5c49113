// `zonewall preview` and `zonewall recommend` against a DuckDB store holding the bank's normal
// traffic (every allowed pod-to-pod expectation of examples/bank, as lab capture records):
// a namespace with no policies of its own (fraud-scoring) learns its policy;
// the preview contract, the CI gate's exit code, and issue 7's proof in small: the learned
// policy, previewed against the same flows, denies none of them, and reachability drops.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/core/engine/index.js';
import { formatIP } from '../src/core/net/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import { readManifestInputs } from '../src/integrations/manifests.js';
import { cli, ingestArgs } from './support/cli.js';
import { REPO_ROOT } from './support/shared.js';

const BANK = path.join(REPO_ROOT, 'examples/bank');

interface Expectation {
  from: string | { ip: string };
  to: string | { ip: string };
  protocol: string;
  port?: number;
  expect: 'allow' | 'deny';
}

/** Lab capture lines (conntrack, allowed) for every allowed pod-to-pod expectation. */
async function bankTraffic(): Promise<{ lines: string[]; pairs: number }> {
  const files = await readManifestInputs([BANK], () => Promise.resolve(''));
  const loaded = loadCluster(files);
  const engine = Engine.build(loaded.set);
  const ipOf = (ref: string): string | undefined => {
    const [ns, name] = ref.split('/');
    const ep = engine.eps.pod(ns ?? '', name ?? '');
    const ip = ep && engine.eps.primaryIP(ep, 4);
    return ip ? formatIP(ip) : undefined;
  };
  const text = await readFile(path.join(BANK, 'expectations.jsonl'), 'utf8');
  const lines: string[] = [];
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Expectation;
    if (e.expect !== 'allow' || typeof e.from !== 'string' || typeof e.to !== 'string') continue;
    const src = ipOf(e.from);
    const dst = ipOf(e.to);
    if (!src || !dst || e.port === undefined) continue;
    n++;
    lines.push(
      JSON.stringify({
        v: 1,
        kind: 'conntrack',
        node: 'node-a',
        proto: e.protocol.toLowerCase(),
        src,
        sport: 40000 + n,
        dst,
        dport: e.port,
        start: `2026-12-03T10:00:${String(n % 60).padStart(2, '0')}Z`,
        end: `2026-12-03T10:00:${String(n % 60).padStart(2, '0')}.500Z`,
        bytes_orig: 100,
        bytes_reply: 200,
        packets_orig: 2,
        packets_reply: 2,
        state: 'closed',
      }),
    );
  }
  return { lines, pairs: n };
}

describe('preview and recommend over stored flows', () => {
  let dir: string;
  let store: string;
  let pairs = 0;
  /** `zonewall VERB --store STORE -f examples/bank ARGS...` */
  const onBank = (verb: 'preview' | 'recommend', ...args: string[]) =>
    cli([verb, '--store', store, '-f', BANK, ...args]);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zw-preview-'));
    store = path.join(dir, 'flows.duckdb');
    const t = await bankTraffic();
    pairs = t.pairs;
    await writeFile(path.join(dir, 'traffic.jsonl'), `${t.lines.join('\n')}\n`);
    const r = await cli(ingestArgs('lab', store, path.join(dir, 'traffic.jsonl')));
    expect(r.code, r.err).toBe(0);
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has the traffic to work on', () => {
    expect(pairs).toBeGreaterThan(20);
  });

  it('without changes: nothing changes, exit 0', async () => {
    const r = await onBank('preview', '--output', 'json');
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as Record<string, { records: number }>;
    expect(Object.keys(out)).toEqual(['newlyDenied', 'newlyAllowed', 'uncertain']);
    expect(out.newlyDenied?.records).toBe(0);
    expect(out.newlyAllowed?.records).toBe(0);
    expect(out.uncertain?.records).toBe(0);
  });

  it('deleting the policy that lets the front ends call the API: those flows, exit 1', async () => {
    const r = await onBank(
      'preview',
      '--delete',
      'NetworkPolicy/payments-api/payments-api-ingress',
      '--output',
      'json',
    );
    expect(r.code, r.err).toBe(1);
    const out = JSON.parse(r.out) as {
      newlyDenied: {
        records: number;
        keys: Array<{
          source: string;
          dest: string;
          proto: string;
          port: number;
          records: number;
          newDecidedBy: { name: string; rule: string };
        }>;
      };
    };
    expect(out.newlyDenied.records).toBeGreaterThan(0);
    for (const k of out.newlyDenied.keys) {
      expect(k.dest).toMatch(/^payments-api\//);
      expect(k.newDecidedBy).toMatchObject({ name: 'default-deny-ingress', rule: 'default' });
      expect(Object.keys(k)).toEqual([
        'source',
        'dest',
        'proto',
        'port',
        'records',
        'oldDecidedBy',
        'newDecidedBy',
      ]);
    }
    const table = await onBank(
      'preview',
      '--delete',
      'NetworkPolicy/payments-api/payments-api-ingress',
    );
    expect(table.out).toContain('newly denied:');
    expect(table.out).toContain('by zone pair: ');
    expect(table.out).toContain('default-deny-ingress');
  });

  it('rejects a malformed --delete', async () => {
    const r = await onBank('preview', '--delete', 'nonsense');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected KIND/NAMESPACE/NAME');
    const gone = await onBank('preview', '--delete', 'NetworkPolicy/payments-api/no-such-policy');
    expect(gone.code).toBe(2);
    expect(gone.err).toContain('no such policy in the cluster');
  });

  for (const format of ['calico-staged', 'networkpolicy']) {
    it(`recommend (${format}): previewed against the same flows it denies none, and reachability drops`, async () => {
      const out = path.join(dir, `learned-${format}.yaml`);
      const r = await onBank(
        'recommend',
        '--namespace',
        'fraud-scoring',
        '--format',
        format,
        '-o',
        out,
      );
      expect(r.code, r.err).toBe(0);
      const m = /(\d+\.\d)% now, (\d+\.\d)% with the recommendation/.exec(r.err);
      expect(m, r.err).not.toBeNull();
      expect(Number(m?.[2])).toBeLessThan(Number(m?.[1]));
      const p = await onBank('preview', '--changes', out, '--output', 'json');
      expect(p.code, p.out).toBe(0);
      expect((JSON.parse(p.out) as { newlyDenied: { records: number } }).newlyDenied.records).toBe(
        0,
      );
    });
  }

  it('recommend needs exactly one scope', async () => {
    const r = await onBank('recommend');
    expect(r.code).toBe(2);
    expect(r.err).toContain('exactly one of --namespace NS or --zone Z');
  });
});
