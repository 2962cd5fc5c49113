// Verdicts and their traces: every step the evaluator took, naming the user's own resources.
import type { Direction, PolicyRef } from '../model/types.js';

export type StepAction = 'allow' | 'deny' | 'pass' | 'log';
export type VerdictValue = 'allow' | 'deny';

export interface TraceStep {
  direction: Direction;
  /** The tier; absent for the profile step after the last tier. */
  tier?: string;
  /** The user's resource; kind `Profile` for the namespace/host profile. */
  policy: PolicyRef;
  /** Rule index within the resource and direction, or `default` (end of tier / profile). */
  rule: number | 'default';
  ruleName?: string;
  action: StepAction;
  /** End of tier: every policy of the tier that selected the endpoint (none matched). */
  tierPolicies?: PolicyRef[];
}

export interface DirectionResult {
  direction: Direction;
  /**
   * false when no policy is enforced at this end: an address outside the cluster, or a
   * host-networked pod (no workload endpoint); the direction then allows.
   */
  enforced: boolean;
  verdict: VerdictValue;
  steps: TraceStep[];
  /** Why the direction was not enforced. */
  note?: string;
}

export interface Evaluation {
  verdict: VerdictValue;
  egress: DirectionResult;
  ingress: DirectionResult;
  /** The step that decided, by the rule in DESIGN.md (see decidedBy()). */
  decidedBy?: TraceStep;
}

export interface Verdict extends Evaluation {
  /** With staged policies present: the verdict if they were enforced (Calico's pending). */
  pending?: Evaluation;
}

function lastStep(d: DirectionResult): TraceStep | undefined {
  return d.steps[d.steps.length - 1];
}

/**
 * Which step decided. A deny: the first denying direction (egress is evaluated first). An
 * allow: the direction whose allow came from a policy rule (egress first when both did);
 * with neither, the profile step.
 */
export function decidedBy(
  egress: DirectionResult,
  ingress: DirectionResult,
): TraceStep | undefined {
  if (egress.verdict === 'deny') return lastStep(egress);
  if (ingress.verdict === 'deny') return lastStep(ingress);
  const byRule = (d: DirectionResult): boolean => {
    const s = lastStep(d);
    return d.enforced && s !== undefined && s.policy.kind !== 'Profile' && s.action === 'allow';
  };
  if (byRule(egress)) return lastStep(egress);
  if (byRule(ingress)) return lastStep(ingress);
  return egress.enforced ? lastStep(egress) : lastStep(ingress);
}

/** Combine the two directions into an evaluation. */
export function combine(egress: DirectionResult, ingress: DirectionResult): Evaluation {
  const verdict: VerdictValue =
    egress.verdict === 'allow' && ingress.verdict === 'allow' ? 'allow' : 'deny';
  const d = decidedBy(egress, ingress);
  return { verdict, egress, ingress, ...(d ? { decidedBy: d } : {}) };
}
