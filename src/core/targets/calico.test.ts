// The Calico target: golden output for the bank and the SHOP fixture, determinism, and
// naming; its meaning is checked by the zones property test and by verify.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHOP } from '../../../test/support/kube-fixtures.js';
import { toYaml } from '../model/documents.js';
import { loadPolicySet } from '../model/load.js';
import { loadCluster } from '../zones/load.js';
import type { ZoneProgram } from '../zones/program.js';
import { renderCalico } from './calico.js';

/** Compare with a golden file; `UPDATE_GOLDEN=1` writes it instead. */
function golden(name: string, text: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

function program(text: string, file: string): ZoneProgram {
  const res = loadCluster([{ path: file, text }]);
  if (!res.program) throw new Error(JSON.stringify(res.issues));
  return res.program;
}

const bank = program(
  readFileSync(new URL('../../../examples/bank/zones.yaml', import.meta.url), 'utf8'),
  'examples/bank/zones.yaml',
);

describe('Calico target', () => {
  it('renders the bank as the golden file says', () => {
    golden('bank.calico.yaml', toYaml(renderCalico(bank, { approximate: false }).manifests));
  });

  it('renders the SHOP fixture as the golden file says', () => {
    golden(
      'shop.calico.yaml',
      toYaml(renderCalico(program(SHOP, 'shop.yaml'), { approximate: false }).manifests),
    );
  });

  it('is deterministic and reads back through the model without issues', () => {
    const a = toYaml(renderCalico(bank, { approximate: false }).manifests);
    expect(
      toYaml(
        renderCalico(
          program(
            readFileSync(new URL('../../../examples/bank/zones.yaml', import.meta.url), 'utf8'),
            'z',
          ),
          { approximate: false },
        ).manifests,
      ),
    ).toBe(a);
    const back = loadPolicySet([{ path: 'out.yaml', text: a }]);
    expect(back.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(back.issues.every((i) => i.code === 'kind.unknown')).toBe(true); // IPPools only
  });

  it('names policies per zone and membership path, in the security tier, with the rule on each rule', () => {
    const out = renderCalico(bank, { approximate: false }).manifests;
    const names = out.filter((m) => m.kind === 'GlobalNetworkPolicy').map((m) => m.metadata.name);
    expect(names).toContain('security.zone-dmz');
    expect(names).toContain('security.zone-dmz-by-namespace');
    expect(names).toContain(`security.zone-${bank.policy.defaultZone}-default`);
    expect(names).toContain('security.unzoned');
    const tier = out.find((m) => m.kind === 'Tier');
    expect(tier?.spec).toEqual({ order: 100, defaultAction: 'Deny' });
    const dmz = out.find((m) => m.metadata.name === 'security.zone-dmz')?.spec as {
      ingress: Array<{ metadata: { annotations: Record<string, string> } }>;
    };
    expect(
      dmz.ingress.every((r) => typeof r.metadata.annotations['zonewall.io/rule'] === 'string'),
    ).toBe(true);
  });

  it('annotates zoned namespaces with their pools when the cluster is known', () => {
    const ns = [
      {
        name: 'web-a',
        labels: new Map([['zonewall.io/zone', 'web']]),
        source: { file: 'x', doc: 0 },
      },
    ];
    const out = renderCalico(program(SHOP, 'shop.yaml'), {
      approximate: false,
      namespaces: ns,
    }).manifests;
    expect(out.find((m) => m.kind === 'Namespace')?.metadata).toEqual({
      name: 'web-a',
      annotations: { 'cni.projectcalico.org/ipv4pools': '["zonewall-web"]' },
    });
  });
});
