// Zones: the ZonePolicy resource, membership, the compiled program, intent.
export * from './types.js';
export { readZonePolicy } from './read.js';
export { zoneOf } from './membership.js';
export type { Membership, ZoneOrigin } from './membership.js';
export { compileProgram, memberPaths, undeclaredPaths } from './program.js';
export type {
  MemberPath,
  Party,
  ProgramRule,
  RuleOrigin,
  SideProgram,
  ZoneProgram,
} from './program.js';
export { ZONE_POLICY_ORDER, zoneEnginePolicies } from './engine-policies.js';
export { intentFor, placeEnd, zoneIntent } from './intent.js';
export type { Intent, ZoneEnd, ZonePacket } from './intent.js';
export { loadCluster, zoneKinds } from './load.js';
export type { ClusterLoadOptions } from './load.js';
export type { ClusterLoad } from './load.js';
