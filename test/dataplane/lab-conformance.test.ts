// A subset of the network-policy-api conformance cases in the lab (ZONEWALL_LAB_ALL_CASES=1:
// every case, about six minutes): each step's manifests become a lab of two nodes; the kernel
// agrees with the engine on every pod-to-pod probe of every TCP and UDP port the pods declare
// (SCTP is not probed). Counts are printed.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, namespacesWithPrefix } from '../../src/dataplane/lab/down.js';
import { labProbe } from '../../src/dataplane/lab/probe.js';
import { labPrefix } from '../../src/dataplane/lab/plan.js';
import { labUp } from '../../src/dataplane/lab/up.js';
import { SHARED_MISSING, sharedDir } from '../support/shared.js';
import { LAB_SKIP, labTitle, privateLabDir, uniqueLabName } from './lab-support.js';

/** Cases chosen to cover both API versions, every tier, Pass, named ports, TCP and UDP. */
const SUBSET = [
  'v1alpha1/AdminNetworkPolicyIngressTCP',
  'v1alpha1/AdminNetworkPolicyEgressUDP',
  'v1alpha1/AdminNetworkPolicyIngressNamedPort',
  'v1alpha1/BaselineAdminNetworkPolicyEgressNamedPort',
  'v1alpha1/AdminNetworkPolicyIntegration',
  'v1alpha2/CNPAdminTierGress',
];

const shared = sharedDir();
const skip = LAB_SKIP ?? (shared ? undefined : SHARED_MISSING);
const root = shared ? path.join(shared, 'conformance', 'network-policy-api') : '';
const CASES =
  process.env.ZONEWALL_LAB_ALL_CASES === '1' && shared
    ? ['v1alpha1', 'v1alpha2'].flatMap((v) =>
        readdirSync(path.join(root, v))
          .sort()
          .map((c) => `${v}/${c}`),
      )
    : SUBSET;

function steps(c: string): string[] {
  const dir = path.join(root, c);
  if (existsSync(path.join(dir, 'manifests'))) return [dir];
  return readdirSync(dir)
    .filter((d) => d.startsWith('step-'))
    .sort()
    .map((d) => path.join(dir, d));
}

describe.skipIf(skip !== undefined)(
  skip === LAB_SKIP
    ? labTitle('network-policy-api cases in the lab')
    : `network-policy-api cases in the lab (skipped: ${skip})`,
  () => {
    let dir = '';
    // Made when the tests run (not when a skipped suite is collected).
    beforeAll(() => {
      dir = privateLabDir();
    });
    const names: string[] = [];
    let probes = 0;
    let agreed = 0;

    afterAll(async () => {
      for (const n of names) await labDown(n);
      if (dir) rmSync(dir, { recursive: true, force: true });
      console.log(
        `network-policy-api cases in the lab: ${CASES.length} cases, ${probes} probes, kernel and engine agree on ${agreed}`,
      );
      for (const n of names) expect(await namespacesWithPrefix(labPrefix(n))).toEqual([]);
    });

    for (const c of CASES) {
      it(c, async () => {
        for (const step of steps(c)) {
          const name = uniqueLabName();
          names.push(name);
          try {
            const up = await labUp(name, [path.join(step, 'manifests')]);
            expect(up.plan.nodes.length).toBeGreaterThanOrEqual(2);
            const report = await labProbe(up.plan, up.engine);
            probes += report.probes.length;
            agreed += report.agreements;
            const bad = report.probes.filter((p) => !p.agree);
            expect(
              bad.map(
                (p) =>
                  `${path.basename(step)} ${p.src} -> ${p.dst} ${p.port}/${p.protocol}: kernel ${p.kernel}, engine ${p.engine.verdict}`,
              ),
            ).toEqual([]);
            expect(report.probes.length).toBeGreaterThan(0);
          } finally {
            await labDown(name);
          }
        }
      });
    }
  },
);
