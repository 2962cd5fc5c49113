// The policy sets `verify` compares: the cluster with the zones as a target enforces them
// (rendered and read back exactly as a cluster would receive them), and the guardrail
// cluster in which every namespace's developers allow everything.
import { toYaml } from '../model/documents.js';
import { loadPolicySet } from '../model/load.js';
import type { Issue } from '../model/issues.js';
import type { PolicySet, Tier } from '../model/types.js';
import type { CompileOptions, Renderer } from '../targets/types.js';
import { zoneEnginePolicies } from '../zones/engine-policies.js';
import type { ZoneProgram } from '../zones/program.js';

/** The zones as a target enforces them: policies, tiers and network sets to add to a cluster. */
export interface CompiledZones {
  policies: PolicySet['policies'];
  tiers: Tier[];
  networkSets: PolicySet['networkSets'];
}

/**
 * Compile the zones: zonewall's own engine policies (no renderer), or a target's manifests,
 * rendered to YAML and read back through the model exactly as a cluster would receive them.
 */
export function compiledZones(
  prog: ZoneProgram,
  render?: { renderer: Renderer; options: CompileOptions; name: string },
): { zones?: CompiledZones; issues: Issue[] } {
  if (!render)
    return {
      zones: { policies: zoneEnginePolicies(prog), tiers: [], networkSets: [] },
      issues: [],
    };
  const out = render.renderer(prog, render.options);
  if (out.issues.some((i) => i.severity === 'error')) return { issues: out.issues };
  // Namespaces carry only pool annotations here (the cluster's own are the real ones), and
  // address pools play no part in evaluation (reading them back would only draw warnings).
  const objects = out.manifests.filter((m) => m.kind !== 'Namespace' && m.kind !== 'IPPool');
  const text = toYaml(objects);
  const loaded = loadPolicySet([{ path: `<compiled ${render.name}>`, text }]);
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) return { issues: [...out.issues, ...errors] };
  const s = loaded.set;
  return {
    zones: {
      policies: s.policies,
      tiers: s.tiers.filter((t) => !t.builtIn),
      networkSets: s.networkSets,
    },
    issues: out.issues,
  };
}

/** A cluster with compiled zones added (a Tier of the same name replaces the built-in one). */
export function withZones(cluster: PolicySet, z: CompiledZones): PolicySet {
  const tiers = new Map<string, Tier>(cluster.tiers.map((t) => [t.name, t]));
  for (const t of z.tiers) tiers.set(t.name, t);
  return {
    ...cluster,
    networkSets: [...cluster.networkSets, ...z.networkSets],
    tiers: [...tiers.values()],
    policies: [...cluster.policies, ...z.policies],
  };
}

/** Every namespace gets an allow-everything NetworkPolicy and Calico default-tier policy. */
export function withDevelopersAllowingEverything(cluster: PolicySet): PolicySet {
  const docs = cluster.namespaces.flatMap((ns) => [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'zonewall-guardrail-allow-all', namespace: ns.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'zonewall-guardrail-allow-all', namespace: ns.name },
      spec: {
        selector: 'all()',
        types: ['Ingress', 'Egress'],
        ingress: [{ action: 'Allow' }],
        egress: [{ action: 'Allow' }],
      },
    },
  ]);
  const loaded = loadPolicySet([{ path: '<guardrail>', text: toYaml(docs) }]);
  return { ...cluster, policies: [...cluster.policies, ...loaded.set.policies] };
}
