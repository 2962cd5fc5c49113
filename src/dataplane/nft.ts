// Applying an nftables ruleset: `nft -f` in one network namespace, one transaction. The
// ruleset replaces only the `inet zonewall` table; if nft rejects any part of it nothing
// changes and the previous table stays in force.
import { DataplaneError, must, run } from './exec.js';

/** The command prefix that runs a tool inside a named network namespace. */
export function inNetns(netns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

/** Apply a ruleset atomically in a network namespace; throws (with nft's message) on failure. */
export async function applyRuleset(netns: string, text: string): Promise<void> {
  const [cmd, args] = inNetns(netns, 'nft', ['-f', '-']);
  const r = await run(cmd, args, text);
  if (r.code !== 0) {
    throw new DataplaneError(
      'tool.failed',
      `nft -f in ${netns} rejected the ruleset; the previous one stays in force: ${r.stderr.trim()}`,
    );
  }
}

/** Check a ruleset without applying it (`nft -c -f`). */
export async function checkRuleset(netns: string, text: string): Promise<void> {
  const [cmd, args] = inNetns(netns, 'nft', ['-c', '-f', '-']);
  await must(cmd, args, text);
}

/** The zonewall table as nft lists it (empty when there is none). */
export async function listTable(netns: string): Promise<string> {
  const [cmd, args] = inNetns(netns, 'nft', ['list', 'table', 'inet', 'zonewall']);
  const r = await run(cmd, args);
  return r.code === 0 ? r.stdout : '';
}

/** Rules and chains in the zonewall table, counted from nft's own listing. */
export async function countTable(netns: string): Promise<{ rules: number; chains: number }> {
  const [cmd, args] = inNetns(netns, 'nft', ['-a', 'list', 'table', 'inet', 'zonewall']);
  const text = await must(cmd, args);
  const rules = text
    .split('\n')
    .filter(
      (l) => /# handle \d+$/.test(l) && !/^\s*(chain|set|map|table) /.test(l.trim() + ' '),
    ).length;
  const chains = text.split('\n').filter((l) => /^\s*chain /.test(l)).length;
  return { rules, chains };
}
