// Repairs for conformance inputs that a Kubernetes API server would reject (see DEVIATIONS.md).
// Each turns the input into the valid manifest with the meaning the suite gives it, so the
// suite's verdicts can still be checked after zonewall has (correctly) rejected the original.
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../../src/core/model/index.js';
import type { InputFile } from '../../src/core/model/index.js';

type Obj = Record<string, unknown>;
export type Repair = 'empty-selectors' | 'dns-names' | 'split-named-port';

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Apply a repair to every document of every file. */
export function repair(files: readonly InputFile[], kind: Repair): InputFile[] {
  return files.map((f) => {
    const docs = parseAllDocuments(f.text, { version: '1.1' });
    const list = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS() as unknown);
    const fixed = list.map((d) => (isObj(d) ? FIX[kind](d) : d));
    return { path: f.path, text: toYaml(fixed) };
  });
}

const FIX: Record<Repair, (d: Obj) => Obj> = {
  // netpol-analyzer decodes a missing selector of an ANP `pods` peer as Go's zero value: empty.
  'empty-selectors': (d) => {
    const spec = d.spec;
    if (!isObj(spec)) return d;
    const fill = (pods: unknown): void => {
      if (!isObj(pods)) return;
      pods.namespaceSelector ??= {};
      pods.podSelector ??= {};
    };
    if (isObj(spec.subject)) fill(spec.subject.pods);
    for (const dir of ['ingress', 'egress'] as const) {
      for (const rule of asList(spec[dir])) {
        for (const peer of asList(rule.from ?? rule.to)) fill(peer.pods);
      }
    }
    return d;
  },
  // netpol-analyzer accepts '_' in object names; Kubernetes names are DNS subdomains.
  'dns-names': (d) => {
    const meta = d.metadata;
    if (isObj(meta) && typeof meta.name === 'string') meta.name = meta.name.replaceAll('_', '-');
    return d;
  },
  // A named port next to a `networks` peer matches only pods (networks have no named ports):
  // the same rule split in two, with the same action, matches exactly the same traffic.
  'split-named-port': (d) => {
    const spec = d.spec;
    if (!isObj(spec) || !Array.isArray(spec.egress)) return d;
    spec.egress = (spec.egress as unknown[]).flatMap((r) => splitRule(r));
    return d;
  },
};

function asList(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function splitRule(r: unknown): unknown[] {
  if (!isObj(r)) return [r];
  const ports = asList(r.ports);
  const peers = asList(r.to);
  const named = ports.filter((p) => p.namedPort !== undefined);
  const hasNetworks = peers.some((p) => p.networks !== undefined || p.nodes !== undefined);
  if (named.length === 0 || !hasNetworks) return [r];
  const podPeers = peers.filter((p) => p.networks === undefined && p.nodes === undefined);
  const numeric = ports.filter((p) => p.namedPort === undefined);
  const out: unknown[] = [];
  if (numeric.length > 0) out.push({ ...r, ports: numeric });
  if (podPeers.length > 0)
    out.push({ ...r, name: `${String(r.name ?? 'rule')}-named`, to: podPeers, ports: named });
  return out;
}
