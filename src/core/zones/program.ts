// ZonePolicy -> neutral per-zone rules (the "program"), which every target renders: the
// engine's own policies, Calico, ClusterNetworkPolicy / AdminNetworkPolicy, nftables.
//
// For a connection from zone X to zone Y the first enabled rule with X in `from` and Y in
// `to` decides; else the intra- or inter-zone default. Compiled per side: X's egress lists the
// rules with X in `from` (in order), Y's ingress those with Y in `to`; both sides then reach
// the same first rule, so they agree.
import type { CIDR } from '../net/index.js';
import type { SelectorNode, Selector } from '../selector/index.js';
import type { ZoneAction, ZonePolicy, ZoneRef, ZoneRule, ZoneService } from './types.js';

/** One way a pod can be a member: a pod-label selector, with a namespace-label selector. */
export interface MemberPath {
  pod: SelectorNode;
  namespace?: SelectorNode;
}

/** The remote side of a compiled rule. */
export type Party =
  | { kind: 'members'; zone: string; selector?: Selector }
  | { kind: 'external'; name: string }
  | { kind: 'internet' }
  /** Every address; with a selector, pods anywhere that match it. */
  | { kind: 'anyone'; selector?: Selector };

export type RuleOrigin =
  { kind: 'rule'; index: number; name: string } | { kind: 'intra-zone' } | { kind: 'inter-zone' };

export interface ProgramRule {
  origin: RuleOrigin;
  action: ZoneAction | 'Log';
  /** Narrows the local workload (a rule's source selector at egress, destination at ingress). */
  local?: Selector;
  /** The remote side: any of these. */
  peers: Party[];
  /** undefined: every protocol and port. */
  services?: ZoneService[];
}

export interface SideProgram {
  /** The zone, or undefined for pods in no declared zone. */
  zone: string | undefined;
  /** Who this applies to: any of these paths. */
  members: MemberPath[];
  ingress: ProgramRule[];
  egress: ProgramRule[];
}

export interface ZoneProgram {
  policy: ZonePolicy;
  sides: SideProgram[];
}

const has = (key: string): SelectorNode => ({ kind: 'has', key });
const not = (n: SelectorNode): SelectorNode => ({ kind: 'not', operand: n });

/** The membership paths of a zone (pod label; namespace label; default zone). */
export function memberPaths(zp: ZonePolicy, zone: string): MemberPath[] {
  const key = zp.zoneLabel;
  const is: SelectorNode = { kind: 'eq', key, value: zone };
  const paths: MemberPath[] = [{ pod: is }, { pod: not(has(key)), namespace: is }];
  if (zone === zp.defaultZone) paths.push({ pod: not(has(key)), namespace: not(has(key)) });
  return paths;
}

/** Pods whose zone label (on the pod, else the namespace) names no declared zone. */
export function undeclaredPaths(zp: ZonePolicy): MemberPath[] {
  const key = zp.zoneLabel;
  const names = [...new Set(zp.zones.map((z) => z.name))].sort();
  const unknown: SelectorNode = {
    kind: 'and',
    operands: [has(key), { kind: 'notin', key, values: names }],
  };
  return [{ pod: unknown }, { pod: not(has(key)), namespace: unknown }];
}

function covers(refs: readonly ZoneRef[], zone: string | undefined): boolean {
  return refs.some(
    (r) => r.kind === 'any' || (zone !== undefined && r.kind === 'zone' && r.name === zone),
  );
}

function party(ref: ZoneRef, selector: Selector | undefined): Party {
  switch (ref.kind) {
    case 'zone':
      return { kind: 'members', zone: ref.name, ...(selector ? { selector } : {}) };
    case 'any':
      return { kind: 'anyone', ...(selector ? { selector } : {}) };
    default:
      return ref;
  }
}

function ruleFor(r: ZoneRule, dir: 'ingress' | 'egress', action: ZoneAction | 'Log'): ProgramRule {
  const remote = dir === 'egress' ? r.to : r.from;
  const remoteSel = dir === 'egress' ? r.destinationSelector : r.sourceSelector;
  const local = dir === 'egress' ? r.sourceSelector : r.destinationSelector;
  return {
    origin: { kind: 'rule', index: r.index, name: r.name },
    action,
    ...(local ? { local } : {}),
    peers: remote.map((ref) => party(ref, remoteSel)),
    ...(r.services ? { services: r.services } : {}),
  };
}

function sideRules(
  zp: ZonePolicy,
  zone: string | undefined,
  dir: 'ingress' | 'egress',
): ProgramRule[] {
  const out: ProgramRule[] = [];
  for (const r of zp.rules) {
    if (!r.enabled || !covers(dir === 'egress' ? r.from : r.to, zone)) continue;
    if (r.log) out.push(ruleFor(r, dir, 'Log'));
    out.push(ruleFor(r, dir, r.action));
  }
  if (zone !== undefined) {
    out.push({
      origin: { kind: 'intra-zone' },
      action: zp.intraZone,
      peers: [{ kind: 'members', zone }],
    });
  }
  out.push({ origin: { kind: 'inter-zone' }, action: zp.interZone, peers: [{ kind: 'anyone' }] });
  return out;
}

/** Addresses that are never `internet`: the zones' pools, the cluster's ranges, the externals. */
export function notInternet(zp: ZonePolicy): CIDR[] {
  return [
    ...zp.zones.flatMap((z) => z.pools.map((p) => p.cidr)),
    ...zp.clusterNets,
    ...zp.externals.flatMap((e) => e.nets),
  ];
}

/** Compile a ZonePolicy into per-zone ingress and egress rules. */
export function compileProgram(zp: ZonePolicy): ZoneProgram {
  const sides: SideProgram[] = zp.zones.map((z) => ({
    zone: z.name,
    members: memberPaths(zp, z.name),
    ingress: sideRules(zp, z.name, 'ingress'),
    egress: sideRules(zp, z.name, 'egress'),
  }));
  sides.push({
    zone: undefined,
    members: undeclaredPaths(zp),
    ingress: sideRules(zp, undefined, 'ingress'),
    egress: sideRules(zp, undefined, 'egress'),
  });
  return { policy: zp, sides };
}
