// Pod identity for the firewalls: each pod address is registered with tags saying its zone,
// namespace, application and cluster, so dynamic address groups on the firewalls keep matching
// traffic that leaves the cluster. Reconciliation reads back what is registered and changes
// only tags under zonewall's prefix, and only on addresses this cluster owns.
import { formatIP } from '../../core/net/index.js';
import type { PolicySet } from '../../core/model/index.js';
import { zoneOf } from '../../core/zones/index.js';
import type { ZonePolicy } from '../../core/zones/index.js';
import { MAX_TAGS_PER_IP, tagProblem } from './uid-message.js';
import type { TagEntry } from './uid-message.js';

/** Every tag zonewall registers starts with this. */
export const TAG_PREFIX = 'zonewall.';
const CLUSTER_PREFIX = `${TAG_PREFIX}cluster.`;

export interface TagNaming {
  /** The pod label whose value becomes `zonewall.app.<value>`. */
  appLabel: string;
  /** Adds `zonewall.cluster.<name>`, and limits reconciliation to this cluster's addresses. */
  cluster?: string;
}

/** Something about one address that the tags could not say exactly. */
export interface TagIssue {
  code: 'tags.limit' | 'tags.invalid' | 'tags.duplicate-ip' | 'tags.foreign-cluster';
  ip: string;
  message: string;
}

/** A pod's tags, most important first (zone, namespace, application, cluster). */
export function podTags(
  zone: string | undefined,
  namespace: string,
  app: string | undefined,
  naming: TagNaming,
): string[] {
  return [
    ...(zone !== undefined ? [`${TAG_PREFIX}zone.${zone}`] : []),
    `${TAG_PREFIX}ns.${namespace}`,
    ...(app !== undefined ? [`${TAG_PREFIX}app.${app}`] : []),
    ...(naming.cluster !== undefined ? [`${CLUSTER_PREFIX}${naming.cluster}`] : []),
  ];
}

/** The tags every pod address should carry; host-network and finished pods have none. */
export function desiredTags(
  set: PolicySet,
  zp: ZonePolicy,
  naming: TagNaming,
): { desired: Map<string, string[]>; issues: TagIssue[] } {
  const nsLabels = new Map(set.namespaces.map((n) => [n.name, n.labels]));
  const desired = new Map<string, string[]>();
  const owner = new Map<string, string>();
  const issues: TagIssue[] = [];
  const pods = [...set.pods].sort((a, b) =>
    `${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1,
  );
  for (const p of pods) {
    if (p.hostNetwork || p.phase === 'Succeeded' || p.phase === 'Failed') continue;
    const zone = zoneOf(zp, p.labels, nsLabels.get(p.namespace)).zone;
    const all = podTags(zone, p.namespace, p.labels.get(naming.appLabel), naming);
    const tags = all.filter((t) => {
      const why = tagProblem(t);
      if (why)
        issues.push({
          code: 'tags.invalid',
          ip: p.ips.map(formatIP).join(', '),
          message: `tag ${JSON.stringify(t)} of ${p.namespace}/${p.name} ${why}`,
        });
      return !why;
    });
    for (const addr of p.ips) {
      const ip = formatIP(addr);
      const first = owner.get(ip);
      if (first !== undefined) {
        issues.push({
          code: 'tags.duplicate-ip',
          ip,
          message: `${ip} belongs to ${first} and ${p.namespace}/${p.name}; registered for ${first} only`,
        });
        continue;
      }
      owner.set(ip, `${p.namespace}/${p.name}`);
      desired.set(ip, tags);
    }
  }
  return { desired, issues };
}

const ours = (t: string): boolean => t.startsWith(TAG_PREFIX);

/** Whether zonewall, run for this cluster, may change this address's zonewall tags. */
function owned(tags: readonly string[], naming: TagNaming): boolean {
  const clusters = tags.filter((t) => t.startsWith(CLUSTER_PREFIX));
  if (naming.cluster === undefined) return clusters.length === 0 && tags.some(ours);
  return clusters.includes(`${CLUSTER_PREFIX}${naming.cluster}`);
}

export interface TagPlan {
  register: TagEntry[];
  unregister: TagEntry[];
  issues: TagIssue[];
  /** Addresses whose zonewall tags are all being removed. */
  released: number;
}

/**
 * What to register and unregister so that the device holds `desired`: every desired tag is
 * registered again (renewing its lease); zonewall tags that are no longer desired are
 * removed; other tags, and addresses another cluster owns, are never touched.
 */
export function planTags(
  desired: ReadonlyMap<string, readonly string[]>,
  current: ReadonlyMap<string, readonly string[]>,
  naming: TagNaming,
  maxTags = MAX_TAGS_PER_IP,
): TagPlan {
  const plan: TagPlan = { register: [], unregister: [], issues: [], released: 0 };
  for (const [ip, want] of [...desired].sort(byIp)) {
    const have = current.get(ip) ?? [];
    const foreignCluster = have.find(
      (t) =>
        t.startsWith(CLUSTER_PREFIX) &&
        naming.cluster !== undefined &&
        t !== `${CLUSTER_PREFIX}${naming.cluster}`,
    );
    if (foreignCluster !== undefined) {
      plan.issues.push({
        code: 'tags.foreign-cluster',
        ip,
        message: `${ip} is registered for another cluster (${foreignCluster}); left as it is`,
      });
      continue;
    }
    const stale = have.filter((t) => ours(t) && !want.includes(t));
    if (stale.length > 0) plan.unregister.push({ ip, tags: stale });
    const room = maxTags - have.filter((t) => !ours(t)).length;
    const tags = want.slice(0, Math.max(0, room));
    if (tags.length < want.length)
      plan.issues.push({
        code: 'tags.limit',
        ip,
        message: `${ip} already carries ${maxTags - room} other tags; only ${tags.length} of zonewall's ${want.length} fit under the limit of ${maxTags} (not registered: ${want.slice(tags.length).join(', ')})`,
      });
    if (tags.length > 0) plan.register.push({ ip, tags });
  }
  for (const [ip, have] of [...current].sort(byIp)) {
    if (desired.has(ip) || !owned(have, naming)) continue;
    plan.unregister.push({ ip, tags: have.filter(ours) });
    plan.released++;
  }
  return plan;
}

function byIp(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** How many registered addresses zonewall owns (for the empty-cluster guard). */
export function ownedCount(
  current: ReadonlyMap<string, readonly string[]>,
  naming: TagNaming,
): number {
  let n = 0;
  for (const tags of current.values()) if (owned(tags, naming)) n++;
  return n;
}
