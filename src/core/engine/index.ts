// The policy engine: label index, endpoint -> policies, evaluator with trace, matrix.
export { Engine } from './engine.js';
export type { TierOutcome } from './engine.js';
export { Endpoints } from './endpoint-set.js';
export type { Endpoint, EndpointKind, Peer } from './endpoints.js';
export { endpointName } from './endpoints.js';
export type { PolicyEntry } from './evaluate.js';
export type { Packet } from './match.js';
export { reachabilityMatrix } from './matrix.js';
export type { Matrix, MatrixOptions } from './matrix.js';
export { connection, resolveProtocol, resolveTarget } from './query.js';
export type { ConnectionSpec, Target } from './query.js';
export { combine, decidedBy } from './trace.js';
export type {
  DirectionResult,
  Evaluation,
  StepAction,
  TraceStep,
  Verdict,
  VerdictValue,
} from './trace.js';
export { decidedByMatches, parseQueries, runCheck, stepRef } from './check.js';
export type { CheckQuery, CheckResult, DecidedByRef } from './check.js';
export { comparePolicies, compareTiers, rankPolicies } from './policy-table.js';
