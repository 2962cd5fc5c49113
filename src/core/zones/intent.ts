// What the ZonePolicy alone says about a connection: the first enabled rule whose sides cover
// both ends (and whose selectors and services match), else the intra- or inter-zone default.
// This is computed directly from the policy, independently of any compiled form, so that
// `verify` can compare what is enforced against what was meant.
import { cidrContains } from '../net/index.js';
import type { IP } from '../net/index.js';
import type { ContainerPort, Labels, PortMatch } from '../model/types.js';
import { zoneOf } from './membership.js';
import type { RuleOrigin } from './program.js';
import type { ZoneAction, ZonePolicy, ZoneRef, ZoneRule } from './types.js';

/** One end of a connection as the zone policy sees it. */
export type ZoneEnd =
  | {
      kind: 'pod';
      labels: Labels;
      namespaceLabels: Labels | undefined;
      ports?: readonly ContainerPort[];
    }
  | { kind: 'address'; ip: IP };

export interface ZonePacket {
  protocol: number;
  port?: number;
}

export interface Intent {
  action: ZoneAction;
  origin: RuleOrigin;
}

/** Where an end is: a declared zone, no zone (undeclared label / cluster address), externals, internet. */
export interface Placement {
  zone?: string;
  externals: string[];
  internet: boolean;
  labels?: Labels;
  /** A pod's declared ports (named ports in services resolve on the destination). */
  ports?: readonly ContainerPort[];
}

/** Place one end. */
export function placeEnd(zp: ZonePolicy, end: ZoneEnd): Placement {
  if (end.kind === 'pod') {
    const m = zoneOf(zp, end.labels, end.namespaceLabels);
    return {
      ...(m.zone !== undefined ? { zone: m.zone } : {}),
      externals: [],
      internet: false,
      labels: end.labels,
      ports: end.ports ?? [],
    };
  }
  const ip = end.ip;
  const externals = zp.externals
    .filter((e) => e.nets.some((c) => cidrContains(c, ip)))
    .map((e) => e.name);
  const inCluster =
    zp.clusterNets.some((c) => cidrContains(c, ip)) ||
    zp.zones.some((z) => z.pools.some((p) => cidrContains(p.cidr, ip)));
  return { externals, internet: externals.length === 0 && !inCluster };
}

function covers(refs: readonly ZoneRef[], p: Placement): boolean {
  return refs.some(
    (r) =>
      r.kind === 'any' ||
      (r.kind === 'zone' && r.name === p.zone) ||
      (r.kind === 'external' && p.externals.includes(r.name)) ||
      (r.kind === 'internet' && p.internet),
  );
}

function selects(sel: ZoneRule['sourceSelector'], p: Placement): boolean {
  // A selector narrows workloads: an address is never selected.
  return !sel || (p.labels !== undefined && sel.matches(p.labels));
}

function portMatches(p: PortMatch, pkt: ZonePacket, dst: Placement): boolean {
  const port = pkt.port;
  if (port === undefined) return false;
  if (p.kind === 'range') return port >= p.range.start && port <= p.range.end;
  return (dst.ports ?? []).some(
    (c) => c.name === p.name && c.protocol === pkt.protocol && c.port === port,
  );
}

function serviceMatches(rule: ZoneRule, pkt: ZonePacket, dst: Placement): boolean {
  if (!rule.services) return true;
  return rule.services.some(
    (s) =>
      s.protocol === pkt.protocol && (!s.ports || s.ports.some((p) => portMatches(p, pkt, dst))),
  );
}

/** Whether a rule can decide for some connection from `src` to `dst` (any service). */
export function ruleAppliesBetween(r: ZoneRule, src: Placement, dst: Placement): boolean {
  return ruleAppliesFrom(r, src) && ruleAppliesTo(r, dst);
}

/** Whether a rule's source side (zones and selector) covers `src`. */
export function ruleAppliesFrom(r: ZoneRule, src: Placement): boolean {
  return r.enabled && covers(r.from, src) && selects(r.sourceSelector, src);
}

/** Whether a rule's destination side (zones and selector) covers `dst`. */
export function ruleAppliesTo(r: ZoneRule, dst: Placement): boolean {
  return r.enabled && covers(r.to, dst) && selects(r.destinationSelector, dst);
}

/**
 * The intent given the rules (in order) that apply between the two ends: the first whose
 * services match, else the intra- or inter-zone default.
 */
export function intentAmong(
  zp: ZonePolicy,
  rules: readonly ZoneRule[],
  src: Placement,
  dst: Placement,
  pkt: ZonePacket,
): Intent {
  for (const r of rules) {
    if (!serviceMatches(r, pkt, dst)) continue;
    return { action: r.action, origin: { kind: 'rule', index: r.index, name: r.name } };
  }
  if (src.zone !== undefined && src.zone === dst.zone)
    return { action: zp.intraZone, origin: { kind: 'intra-zone' } };
  return { action: zp.interZone, origin: { kind: 'inter-zone' } };
}

/** The intent for a connection between two placed ends. */
export function intentFor(zp: ZonePolicy, src: Placement, dst: Placement, pkt: ZonePacket): Intent {
  for (const r of zp.rules) {
    if (!ruleAppliesBetween(r, src, dst) || !serviceMatches(r, pkt, dst)) continue;
    return { action: r.action, origin: { kind: 'rule', index: r.index, name: r.name } };
  }
  return intentAmong(zp, [], src, dst, pkt);
}

/** The intent for a connection between two ends. */
export function zoneIntent(zp: ZonePolicy, src: ZoneEnd, dst: ZoneEnd, pkt: ZonePacket): Intent {
  return intentFor(zp, placeEnd(zp, src), placeEnd(zp, dst), pkt);
}
