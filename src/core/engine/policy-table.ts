// Policies in evaluation order: tiers by order (missing = last, ties by name), policies by
// order (missing = last), ties by name, namespace, kind (byte order), as DESIGN.md fixes.
import type { Policy, PolicyRef, Tier } from '../model/types.js';

export interface RankedPolicy {
  policy: Policy;
  tier: Tier;
  rank: number;
}

function byteCmp(a: string, b: string): number {
  // Go compares strings by bytes; for the ASCII names Kubernetes allows this is code-unit order.
  return a < b ? -1 : a > b ? 1 : 0;
}

function orderCmp(a: number | undefined, b: number | undefined): number {
  const x = a ?? Number.POSITIVE_INFINITY;
  const y = b ?? Number.POSITIVE_INFINITY;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compare tiers by evaluation position. */
export function compareTiers(a: Tier, b: Tier): number {
  return orderCmp(a.order, b.order) || byteCmp(a.name, b.name);
}

/** Compare two policies of the same tier. */
export function comparePolicies(a: Policy, b: Policy): number {
  return (
    orderCmp(a.order, b.order) ||
    byteCmp(a.ref.name, b.ref.name) ||
    byteCmp(a.ref.namespace ?? '', b.ref.namespace ?? '') ||
    byteCmp(a.ref.kind, b.ref.kind)
  );
}

/** Rank policies for evaluation; unknown tiers are left out (validation reports them). */
export function rankPolicies(
  policies: readonly Policy[],
  tiers: ReadonlyMap<string, Tier>,
): RankedPolicy[] {
  const placed: Array<{ policy: Policy; tier: Tier }> = [];
  for (const policy of policies) {
    const tier = tiers.get(policy.tier);
    if (tier) placed.push({ policy, tier });
  }
  placed.sort((a, b) => compareTiers(a.tier, b.tier) || comparePolicies(a.policy, b.policy));
  return placed.map((p, rank) => ({ ...p, rank }));
}

function refKey(r: PolicyRef): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

/**
 * The policies a pending (staged) evaluation sees: enforced policies, with each staged `Set`
 * replacing (or adding) its target and each staged `Delete` removing it.
 */
export function pendingPolicies(policies: readonly Policy[]): Policy[] | undefined {
  const staged = policies.filter((p) => p.staged);
  if (staged.length === 0) return undefined;
  const replaced = new Set(
    staged.map((p) => refKey((p.staged as NonNullable<Policy['staged']>).target)),
  );
  const out = policies.filter((p) => !p.staged && !replaced.has(refKey(p.ref)));
  for (const p of staged) if (p.staged?.action === 'Set') out.push(p);
  return out;
}

/** The enforced policies (staged ones are never enforced). */
export function enforcedPolicies(policies: readonly Policy[]): Policy[] {
  return policies.filter((p) => !p.staged);
}
