// `lab down`: remove every network namespace whose name starts with the lab's prefix (and
// with them every interface, route and table in them), after stopping the processes the lab
// started inside them; then the lab's state directory. Idempotent, needs no state (works
// after a crash), and touches nothing without the prefix.
import { run } from '../exec.js';
import { labPrefix } from './plan.js';
import { removeState } from './state.js';

/** Network namespaces whose names start with a prefix. */
export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** Stop the processes running in a namespace (the lab's responders and probers). */
async function stopProcesses(netns: string): Promise<void> {
  const r = await run('ip', ['netns', 'pids', netns]);
  const pids = r.stdout
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Remove a lab; returns the namespaces removed. */
export async function labDown(name: string): Promise<string[]> {
  const names = await namespacesWithPrefix(labPrefix(name));
  for (const ns of names) await stopProcesses(ns);
  const failed: string[] = [];
  for (const ns of names) {
    const r = await run('ip', ['netns', 'del', ns]);
    if (r.code !== 0 && (await namespacesWithPrefix(ns)).includes(ns))
      failed.push(`${ns}: ${r.stderr.trim()}`);
  }
  await removeState(name);
  if (failed.length > 0) throw new Error(`could not remove: ${failed.join('; ')}`);
  return names;
}
