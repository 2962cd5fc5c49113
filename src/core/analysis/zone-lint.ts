// Warnings about a ZonePolicy and the cluster it governs: rules an earlier rule makes
// unreachable, zones with no pods, overlapping address pools, pods whose pod and namespace
// zone labels disagree, pods labelled with a zone the policy does not declare, and pods
// whose address is outside their zone's pools.
import { CidrSet, cidrOverlaps, formatCIDR, formatIP } from '../net/index.js';
import type { Issue } from '../model/issues.js';
import type { PolicySet, PortMatch } from '../model/types.js';
import { zoneOf } from '../zones/membership.js';
import type { ZonePolicy, ZoneRef, ZoneRule, ZoneService } from '../zones/types.js';

function warn(zp: ZonePolicy, code: string, message: string, path?: string): Issue {
  return {
    code,
    severity: 'warning',
    message,
    file: zp.source.file,
    doc: zp.source.doc,
    ...(path ? { path } : {}),
  };
}

const refCovers = (outer: readonly ZoneRef[], r: ZoneRef): boolean =>
  outer.some(
    (o) =>
      o.kind === 'any' ||
      (o.kind === r.kind &&
        (o.kind === 'internet' || ('name' in o && 'name' in r && o.name === r.name))),
  );

const sideCovers = (outer: readonly ZoneRef[], inner: readonly ZoneRef[]): boolean =>
  inner.every((r) => refCovers(outer, r));

const sameSelector = (a: ZoneRule['sourceSelector'], b: ZoneRule['sourceSelector']): boolean =>
  a === undefined || (b !== undefined && a.canonical === b.canonical);

function portsCover(
  outer: readonly PortMatch[] | undefined,
  inner: readonly PortMatch[] | undefined,
): boolean {
  if (!outer) return true;
  if (!inner) return false;
  return inner.every((p) =>
    p.kind === 'named'
      ? outer.some((o) => o.kind === 'named' && o.name === p.name)
      : outer.some(
          (o) => o.kind === 'range' && o.range.start <= p.range.start && o.range.end >= p.range.end,
        ),
  );
}

function servicesCover(
  outer: readonly ZoneService[] | undefined,
  inner: readonly ZoneService[] | undefined,
): boolean {
  if (!outer) return true;
  if (!inner) return false;
  return inner.every((s) =>
    outer.some((o) => o.protocol === s.protocol && portsCover(o.ports, s.ports)),
  );
}

/** Does rule `a` (earlier) match everything rule `b` matches? */
export function ruleCovers(a: ZoneRule, b: ZoneRule): boolean {
  return (
    sideCovers(a.from, b.from) &&
    sideCovers(a.to, b.to) &&
    sameSelector(a.sourceSelector, b.sourceSelector) &&
    sameSelector(a.destinationSelector, b.destinationSelector) &&
    servicesCover(a.services, b.services)
  );
}

/** Warnings about the policy alone: unreachable rules, overlapping pools. */
export function lintZonePolicy(zp: ZonePolicy): Issue[] {
  const out: Issue[] = [];
  const rules = zp.rules.filter((r) => r.enabled);
  for (const [j, b] of rules.entries()) {
    const a = rules.slice(0, j).find((x) => ruleCovers(x, b));
    if (a)
      out.push(
        warn(
          zp,
          'zones.unreachable',
          `rule ${JSON.stringify(b.name)} can never match: the earlier rule ${JSON.stringify(a.name)} matches everything it does`,
          `spec.rules[${b.index}]`,
        ),
      );
  }
  const pools = zp.zones.flatMap((z) => z.pools.map((p) => ({ zone: z.name, cidr: p.cidr })));
  for (const [i, p] of pools.entries()) {
    for (const q of pools.slice(i + 1)) {
      if (cidrOverlaps(p.cidr, q.cidr))
        out.push(
          warn(
            zp,
            'zones.poolOverlap',
            `pools ${formatCIDR(p.cidr)} (${p.zone}) and ${formatCIDR(q.cidr)} (${q.zone}) overlap`,
            'spec.zones',
          ),
        );
    }
    for (const e of zp.externals) {
      for (const n of e.nets) {
        if (cidrOverlaps(p.cidr, n))
          out.push(
            warn(
              zp,
              'zones.externalInPool',
              `external ${JSON.stringify(e.name)} (${formatCIDR(n)}) overlaps the ${p.zone} pool ${formatCIDR(p.cidr)}: pods there are not outside the cluster`,
              'spec.externals',
            ),
          );
      }
    }
  }
  return out;
}

/** Warnings about the cluster under the policy: empty zones, label disagreements, addresses. */
export function lintZoneMembers(zp: ZonePolicy, set: PolicySet): Issue[] {
  const out: Issue[] = [];
  const nsLabels = new Map(set.namespaces.map((n) => [n.name, n.labels]));
  const counts = new Map<string, number>(zp.zones.map((z) => [z.name, 0]));
  for (const pod of set.pods) {
    const m = zoneOf(zp, pod.labels, nsLabels.get(pod.namespace));
    const name = `${pod.namespace}/${pod.name}`;
    if (m.zone !== undefined) counts.set(m.zone, (counts.get(m.zone) ?? 0) + 1);
    else
      out.push(
        warn(
          zp,
          'zones.undeclared',
          `pod ${name}: its ${m.from} names zone ${JSON.stringify(m.value)}, which the policy does not declare (treated as inter-zone)`,
        ),
      );
    if (m.conflict)
      out.push(
        warn(
          zp,
          'zones.labelConflict',
          `pod ${name} is labelled ${JSON.stringify(pod.labels.get(zp.zoneLabel))} but its namespace ${JSON.stringify(nsLabels.get(pod.namespace)?.get(zp.zoneLabel))}: the pod label wins`,
        ),
      );
    const zone = zp.zones.find((z) => z.name === m.zone);
    if (zone && zone.pools.length > 0 && !pod.hostNetwork) {
      const pools = CidrSet.of(zone.pools.map((p) => p.cidr));
      for (const ip of pod.ips.filter((a) => !pools.contains(a)))
        out.push(
          warn(
            zp,
            'zones.outsidePool',
            `pod ${name} (zone ${zone.name}) has address ${formatIP(ip)}, outside the zone's pools`,
          ),
        );
    }
  }
  for (const z of zp.zones.filter((x) => x.declared && (counts.get(x.name) ?? 0) === 0))
    out.push(warn(zp, 'zones.empty', `zone ${JSON.stringify(z.name)} has no pods`, 'spec.zones'));
  return out;
}
