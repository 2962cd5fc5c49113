// Reading registered addresses back from the device (paged with `limit` and `start-point`, as
// PAN-OS 8.0 and later accept) and applying a tag plan in size-bounded User-ID batches.
import { formatIP, parseIP } from '../../core/net/index.js';
import type { PanoramaClient, UidEntryResult } from './client.js';
import { PanoramaError } from './errors.js';
import { TAG_PREFIX, ownedCount, planTags } from './tags.js';
import type { TagIssue, TagNaming, TagPlan } from './tags.js';
import { uidMessages } from './uid-message.js';

/** The documented largest page of `show object registered-ip`. */
export const REGISTERED_PAGE = 500;

/** Every registered address and its tags. */
export async function readRegistered(
  client: PanoramaClient,
  pageSize = REGISTERED_PAGE,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let start = 1, page = 0; ; page++) {
    const cmd = `<show><object><registered-ip><limit>${pageSize}</limit><start-point>${start}</start-point></registered-ip></object></show>`;
    const result = await client.op(cmd);
    if (result.at('msg/line/outfile'))
      throw new PanoramaError(
        'api',
        'the device wrote the registered addresses to a file (PAN-OS before 8.0 is not supported)',
      );
    const entries = result.children('entry');
    let added = 0;
    for (const e of entries) {
      const ip = e.attr('ip');
      if (ip === undefined)
        throw new PanoramaError('malformed', 'a registered-ip entry without an ip');
      const key = canonicalIp(ip);
      if (!out.has(key)) added++;
      out.set(
        key,
        e.all('tag/member').map((m) => m.value),
      );
    }
    if (entries.length < pageSize) return out;
    // A device that ignores start-point would page forever: a full page must bring new addresses.
    if (added === 0 || page > 100_000)
      throw new PanoramaError(
        'malformed',
        `registered-ip paging does not advance at start-point ${start}`,
      );
    start += entries.length;
  }
}

/**
 * An address as zonewall writes it, so that the device's spelling (upper-case or expanded IPv6,
 * a host written as /32 or /128) matches the pod's. Ranges and networks are kept as they are.
 */
export function canonicalIp(text: string): string {
  const host = /^(.*)\/(32|128)$/.exec(text);
  const ip = parseIP(host?.[1] ?? text);
  if (!ip) return text;
  if (host && (ip.version === 4) !== (host[2] === '32')) return text;
  return formatIP(ip);
}

export interface PushOptions {
  naming: TagNaming;
  /** Lease: seconds each tag lives unless registered again. */
  timeoutS: number;
  persistent: boolean;
  maxEntries?: number;
  maxBytes?: number;
  /** Remove every zonewall registration when the cluster has no pod addresses. */
  allowEmpty?: boolean;
}

export interface PushReport {
  addresses: number;
  registered: number;
  unregistered: number;
  released: number;
  batches: number;
  /** Entries the device rejected. */
  rejected: UidEntryResult[];
  issues: TagIssue[];
  /** Batches that failed as a whole. */
  failures: string[];
}

/** Read back, plan and apply; per-entry rejections and failed batches are reported, not thrown. */
export async function pushTags(
  client: PanoramaClient,
  desired: ReadonlyMap<string, readonly string[]>,
  o: PushOptions,
): Promise<PushReport> {
  const current = await readRegistered(client);
  if (desired.size === 0 && !o.allowEmpty && ownedCount(current, o.naming) > 0)
    throw new PanoramaError(
      'config',
      `the cluster has no pod addresses, but ${ownedCount(current, o.naming)} addresses carry zonewall's tags: refusing to remove them all (allow it explicitly to proceed)`,
    );
  const plan = planTags(desired, current, o.naming);
  return apply(client, plan, desired.size, o);
}

async function apply(
  client: PanoramaClient,
  plan: TagPlan,
  addresses: number,
  o: PushOptions,
): Promise<PushReport> {
  const batches = uidMessages(plan, {
    timeoutS: o.timeoutS,
    persistent: o.persistent,
    overheadBytes: client.keyOverhead(),
    ...(o.maxEntries !== undefined ? { maxEntries: o.maxEntries } : {}),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
  });
  const report: PushReport = {
    addresses,
    registered: plan.register.length,
    unregistered: plan.unregister.length,
    released: plan.released,
    batches: batches.length,
    rejected: [],
    issues: plan.issues,
    failures: [],
  };
  for (const [i, cmd] of batches.entries()) {
    try {
      report.rejected.push(...(await client.userId(cmd)));
    } catch (e) {
      if (e instanceof PanoramaError && e.code === 'auth') throw e;
      report.failures.push(`batch ${i + 1} of ${batches.length}: ${(e as Error).message}`);
    }
  }
  return report;
}

/** Whether a tag is one zonewall manages. */
export const isZonewallTag = (t: string): boolean => t.startsWith(TAG_PREFIX);
