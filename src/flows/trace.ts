// Policy traces as flow logs carry them: one hit per step, Calico's string form
// `index|tier|name|action|rule` (e.g. `0|default|policy-demo/knp.default.allow-web|allow|0`,
// https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/datatypes,
// field `policies`). Rule -1 is the end of a tier or a resource's own default.
import type { Evaluation, TraceStep } from '../core/engine/index.js';
import type { PolicyRef } from '../core/model/index.js';
import { NONE } from './record.js';

/** Calico's kind prefixes for non-Calico kinds (so that names from both sources agree). */
const KIND_PREFIX: Partial<Record<PolicyRef['kind'], string>> = {
  NetworkPolicy: 'knp.default.',
  StagedNetworkPolicy: 'staged:',
  StagedGlobalNetworkPolicy: 'staged:',
  StagedKubernetesNetworkPolicy: 'staged:knp.default.',
  AdminNetworkPolicy: 'kanp.adminnetworkpolicy.',
  BaselineAdminNetworkPolicy: 'kbanp.baselineadminnetworkpolicy.',
  ClusterNetworkPolicy: 'kcnp.',
  ZonePolicy: 'zonepolicy.',
};

/** The name part of a hit for one of the user's resources. */
export function hitName(ref: PolicyRef): string {
  if (ref.kind === 'Profile') return `__PROFILE__.${ref.name}`;
  const name = `${KIND_PREFIX[ref.kind] ?? ''}${ref.name}`;
  return ref.namespace !== undefined ? `${ref.namespace}/${name}` : name;
}

/** One step as a hit string. */
export function hitOf(s: TraceStep, index: number): string {
  const tier = s.tier ?? '__PROFILE__';
  const rule = s.rule === 'default' ? -1 : s.rule;
  return `${index}|${tier}|${hitName(s.policy)}|${s.action}|${rule}`;
}

/** Every step of both directions (egress first, as evaluated) as hits. */
export function hitsOf(e: Evaluation): string[] {
  return [...e.egress.steps, ...e.ingress.steps].map((s, i) => hitOf(s, i));
}

export interface Hit {
  index: number;
  tier: string;
  name: string;
  action: string;
  rule: number;
}

/** Parse a hit string; undefined when it is not one. */
export function parseHit(text: string): Hit | undefined {
  const p = text.split('|');
  if (p.length < 4) return undefined;
  const [index, tier, name, action, rule] = p as [string, string, string, string, string?];
  return {
    index: Number(index),
    tier,
    name,
    action: action.toLowerCase(),
    rule: rule === undefined || rule === '-' ? -1 : Number(rule),
  };
}

/** The hit that decided: the last final one (allow or deny). */
export function decidingHit(hits: readonly string[]): { tier: string; name: string } {
  for (let i = hits.length - 1; i >= 0; i--) {
    const h = parseHit(hits[i] as string);
    if (h && (h.action === 'allow' || h.action === 'deny')) return { tier: h.tier, name: h.name };
  }
  return { tier: NONE, name: NONE };
}
