// `zonewall compile --target nftables --host NODE`: the bank's node ruleset on standard output
// (the golden file of the renderer) and in a directory; a missing or unknown host is bad input.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { REPO_ROOT } from '../support/shared.js';

const BANK = path.join(REPO_ROOT, 'examples/bank');
const ZONES = path.join(BANK, 'zones.yaml');
const GOLDEN = path.join(REPO_ROOT, 'src/core/targets/nftables/golden/bank.node-a.nft');

/** `zonewall compile --target nftables` of the bank for a host, then more arguments. */
function compileArgs(host: string, ...rest: string[]): string[] {
  return ['compile', '--zones', ZONES, '-f', BANK, '--target', 'nftables', '--host', host, ...rest];
}

describe('zonewall compile --target nftables', () => {
  it('prints the ruleset of one node', async () => {
    const r = await cli(compileArgs('node-a'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(await readFile(GOLDEN, 'utf8'));
  });

  it('writes NODE.nft into a directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zw-nft-'));
    try {
      const r = await cli(compileArgs('node-b', '-o', dir));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^wrote .*node-b\.nft: 14 pods, \d+ rules in \d+ chains/);
      expect(await readFile(path.join(dir, 'node-b.nft'), 'utf8')).toContain(
        'table inet zonewall {',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('needs a node that runs pods', async () => {
    const none = await cli(['compile', '--zones', ZONES, '-f', BANK, '--target', 'nftables']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('give --host NODE (nodes: node-a, node-b, node-c)');
    const bad = await cli(compileArgs('node-z'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('no pod runs on "node-z"');
  });
});
