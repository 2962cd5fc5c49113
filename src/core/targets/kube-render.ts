// The zone program as Kubernetes admin policies (the part ClusterNetworkPolicy and
// AdminNetworkPolicy share): rules per side and direction, runs as policies in the priority
// band, and the issues for whatever could not be expressed. Errors leave no policies at all:
// a partial zone policy is never emitted.
import type { Issue } from '../model/issues.js';
import type { MemberPath, ZoneProgram } from '../zones/program.js';
import type { ZonePolicy } from '../zones/types.js';
import type { KubeFlavor, KubePolicy, Problem } from './kube-ir.js';
import { problemIssues } from './kube-issues.js';
import { internetNetworks } from './kube-peers.js';
import type { PeerContext } from './kube-peers.js';
import { prioritiesNeeded, sidePolicies } from './kube-policies.js';
import { directionRules } from './kube-rules.js';
import { safeName } from './names.js';
import { GENERATED_LABELS } from './types.js';
import type { CompileOptions, Manifest } from './types.js';
import { labelSelector } from './k8s-selectors.js';
import type { Conj } from './k8s-selectors.js';

/** The priority band used when none is given. */
export const DEFAULT_PRIORITY_BAND: [number, number] = [100, 199];

export interface KubeRender {
  policies: KubePolicy[];
  issues: Issue[];
}

function bandIssue(zp: ZonePolicy, message: string): Issue {
  return {
    code: 'target.priorityBand',
    severity: 'error',
    message,
    file: zp.source.file,
    doc: zp.source.doc,
    path: 'spec.rules',
  };
}

function checkBand(zp: ZonePolicy, band: [number, number], kind: string): Issue | undefined {
  const [first, last] = band;
  const ok = Number.isInteger(first) && Number.isInteger(last) && first >= 0 && last <= 1000;
  if (ok && first <= last) return undefined;
  return bandIssue(
    zp,
    `${kind} priority band [${first}, ${last}] must be integers with 0 <= first <= last <= 1000`,
  );
}

/** Render a zone program into neutral Kubernetes admin policies. */
export function renderKube(
  prog: ZoneProgram,
  opts: CompileOptions,
  flavor: KubeFlavor,
): KubeRender {
  const zp = prog.policy;
  const band = opts.priorityBand ?? DEFAULT_PRIORITY_BAND;
  const bad = checkBand(zp, band, flavor.kind);
  if (bad) return { policies: [], issues: [bad] };
  const ctx: PeerContext = {
    zp,
    flavor,
    paths: (zone: string): MemberPath[] => prog.sides.find((s) => s.zone === zone)?.members ?? [],
    internet: internetNetworks(zp),
  };
  const problems: Problem[] = [];
  const policies: KubePolicy[] = [];
  let needed = 0;
  for (const side of prog.sides) {
    const ingress = directionRules(ctx, side, 'ingress', problems);
    const egress = directionRules(ctx, side, 'egress', problems);
    const input = { side, ingress, egress, flavor, firstPriority: band[0] };
    needed = Math.max(needed, prioritiesNeeded(input));
    policies.push(...sidePolicies(input));
  }
  const issues = problemIssues(zp, problems, { flavor, approximate: opts.approximate });
  if (needed > band[1] - band[0] + 1) {
    issues.push(
      bandIssue(
        zp,
        `${flavor.kind} priority band [${band[0]}, ${band[1]}] holds ${band[1] - band[0] + 1} priorities; the zone rules need ${needed}`,
      ),
    );
  }
  const failed = issues.some((i) => i.severity === 'error');
  return { policies: failed ? [] : policies, issues };
}

/** Metadata of a generated policy: its name, zonewall's labels, the zone it is for. */
export function kubeMetadata(zp: ZonePolicy, p: KubePolicy): Manifest['metadata'] {
  return {
    name: p.name,
    // A label value holds at most 63 characters; a ZonePolicy name may be longer.
    labels: { ...GENERATED_LABELS, 'zonewall.io/zone-policy': safeName(zp.name) },
    annotations: { 'zonewall.io/zone': p.zone ?? '(none)' },
  };
}

/** Pods by namespace and pod labels: the `pods` form of a subject or peer. */
export function podSelectors(p: { namespaces: Conj; pods: Conj }): Record<string, unknown> {
  return { namespaceSelector: labelSelector(p.namespaces), podSelector: labelSelector(p.pods) };
}

/** A pod peer: `namespaces` when it names no pod labels, else `pods`. */
export function podsPeer(p: { namespaces: Conj; pods: Conj }): Record<string, unknown> {
  return p.pods.length === 0
    ? { namespaces: labelSelector(p.namespaces) }
    : { pods: podSelectors(p) };
}
