// A matrix by sweep (rules filtered for the packet, no trace) must equal one by full evaluation.
import { describe, expect, it } from 'vitest';
import { Engine, reachabilityMatrix } from '../src/core/engine/index.js';
import { loadCluster } from '../src/core/zones/index.js';
import { readManifestInputs } from '../src/integrations/manifests.js';
import { REPO_ROOT } from './support/shared.js';

describe('sweeps', () => {
  it('equal full evaluation on the bank, on every declared port and ICMP', async () => {
    const res = loadCluster(await readManifestInputs([`${REPO_ROOT}/examples/bank`]));
    const e = Engine.build(res.set);
    const pods = e.eps.allPods();
    const ports = new Set(
      pods.flatMap((p) => (p.pod?.ports ?? []).map((c) => `${c.protocol}/${c.port}`)),
    );
    let cells = 0;
    for (const key of [...ports, '1/0']) {
      const [protocol, port] = key.split('/').map(Number) as [number, number];
      const o = {
        sources: pods,
        destinations: pods,
        protocol,
        ...(protocol === 1 ? {} : { port }),
      };
      const fast = reachabilityMatrix(e, o);
      const full = reachabilityMatrix(e, { ...o, keepVerdicts: true });
      expect(fast.cells).toEqual(full.cells);
      cells += fast.total;
    }
    expect(cells).toBeGreaterThan(10_000);
  });
});
