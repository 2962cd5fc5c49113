// Analysis: pure functions over policy sets (verification, lint, reports).
export { verifyZones, verifyZonesTogether } from './verify.js';
export type { Difference, VerifyInput, VerifyResult, VerifyStats } from './verify.js';
export { compiledZones, withDevelopersAllowingEverything, withZones } from './verify-inputs.js';
export type { CompiledZones } from './verify-inputs.js';
export { lintZoneMembers, lintZonePolicy, ruleCovers } from './zone-lint.js';
export { applyChanges, flowKeyText, previewFlows, previewKeyText } from './preview.js';
export type { FlowEnd, PreviewFlow, PreviewGroup, PreviewKey, PreviewResult } from './preview.js';
export { learningState, reachability, recommend, UNSTABLE_LABELS } from './recommend.js';
export type {
  LearningState,
  Recommendation,
  RecommendFormat,
  RecommendOptions,
  ZoneViolation,
} from './recommend.js';
