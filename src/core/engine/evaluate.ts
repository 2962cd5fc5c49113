// One direction at one endpoint, exactly as DESIGN.md states Calico's semantics: tiers in
// order (only those with a policy selecting the endpoint in this direction), policies in
// order, rules in order; the first Allow/Deny is final, Pass jumps to the next tier, Log
// records and continues; a tier that took no action applies its default action; after the
// last tier the profile decides.
import type { Direction, PolicyRef, Rule, Tier } from '../model/types.js';
import { cRuleApplies } from './compiled.js';
import type { CRule, SelectorSlots } from './compiled.js';
import type { Endpoint, Peer } from './endpoints.js';
import type { NamespaceView, Packet } from './match.js';
import type { DirectionResult, StepAction, TraceStep } from './trace.js';

/** A policy as placed for evaluation: its tier and its rules for one direction. */
export interface PolicyEntry {
  ref: PolicyRef;
  tier: Tier;
  rank: number;
  /** The rules as the model states them. */
  rules: readonly Rule[];
  /** The same rules compiled for evaluation. */
  compiled: readonly CRule[];
}

/** Everything one direction's walk needs. */
export interface WalkContext {
  local: Endpoint;
  src: Peer;
  dst: Peer;
  pkt: Packet;
  ns: NamespaceView;
  slots: SelectorSlots;
}

/** The profile applied after the last tier. */
export function profileStep(local: Endpoint, direction: Direction): TraceStep {
  if (local.kind === 'host') {
    // Host endpoints without a profile deny by default; Calico's default-allow profile allows.
    const allow = local.profiles.includes('projectcalico-default-allow');
    const name = local.profiles[0] ?? 'none';
    return {
      direction,
      policy: { kind: 'Profile', name },
      rule: 'default',
      action: allow ? 'allow' : 'deny',
    };
  }
  return {
    direction,
    policy: { kind: 'Profile', name: `kns.${local.namespace ?? ''}` },
    rule: 'default',
    action: 'allow',
  };
}

/** Evaluate one direction with its trace; `local` is the endpoint whose policy list is walked. */
export function evaluateDirection(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
): DirectionResult {
  const steps: TraceStep[] = [];
  const verdict = walk(list, direction, ctx, steps);
  return { direction, enforced: true, verdict, steps };
}

/** The direction's verdict only: no trace is built (for exhaustive sweeps). */
export function directionVerdict(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
): 'allow' | 'deny' {
  return walk(list, direction, ctx, null);
}

/**
 * What the tiers alone decide in one direction: allow or deny, or `none` when every tier
 * passed (or none applies) and the profile would decide.
 */
export function tiersOutcome(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
): 'allow' | 'deny' | 'none' {
  return walk(list, direction, ctx, null, false);
}

function walk(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
  sink: TraceStep[] | null,
  profile?: true,
): 'allow' | 'deny';
function walk(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
  sink: TraceStep[] | null,
  profile: boolean,
): 'allow' | 'deny' | 'none';
function walk(
  list: readonly PolicyEntry[],
  direction: Direction,
  ctx: WalkContext,
  sink: TraceStep[] | null,
  profile = true,
): 'allow' | 'deny' | 'none' {
  let i = 0;
  while (i < list.length) {
    const tier = (list[i] as PolicyEntry).tier;
    let j = i;
    let decided: StepAction | undefined;
    for (; j < list.length && (list[j] as PolicyEntry).tier === tier; j++) {
      if (decided) continue; // a Pass or final action ended this tier: skip to its end
      decided = walkPolicy(list[j] as PolicyEntry, direction, ctx, sink);
    }
    if (decided === 'allow' || decided === 'deny') return decided;
    if (decided === undefined) {
      const action: StepAction = tier.defaultAction === 'Pass' ? 'pass' : 'deny';
      if (sink) sink.push(endOfTier(list.slice(i, j), direction, action));
      if (action === 'deny') return 'deny';
    }
    i = j;
  }
  if (!profile) return 'none';
  const p = profileStep(ctx.local, direction);
  if (sink) sink.push(p);
  return p.action === 'allow' ? 'allow' : 'deny';
}

/** Walk one policy's rules; returns the tier-ending action (allow/deny/pass) or undefined. */
function walkPolicy(
  e: PolicyEntry,
  direction: Direction,
  ctx: WalkContext,
  sink: TraceStep[] | null,
): StepAction | undefined {
  for (const rule of e.compiled) {
    if (!cRuleApplies(rule, ctx.src, ctx.dst, ctx.pkt, ctx.slots, ctx.ns)) continue;
    if (sink) {
      sink.push({
        direction,
        tier: e.tier.name,
        policy: e.ref,
        rule: rule.index,
        ...(rule.name !== undefined ? { ruleName: rule.name } : {}),
        action: rule.action,
      });
    }
    if (rule.action !== 'log') return rule.action;
  }
  return undefined;
}

function endOfTier(
  entries: readonly PolicyEntry[],
  direction: Direction,
  action: StepAction,
): TraceStep {
  const last = entries[entries.length - 1] as PolicyEntry;
  return {
    direction,
    tier: last.tier.name,
    // As Calico's flow logs do, the end of tier is attributed to the tier's last policy.
    policy: last.ref,
    rule: 'default',
    action,
    tierPolicies: entries.map((e) => e.ref),
  };
}
