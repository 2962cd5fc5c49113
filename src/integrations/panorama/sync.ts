// Live sync: poll Panorama's running configuration, rebuild the ZonePolicy of one device
// group, and hand it on only when it is valid and its content changed. A failed poll (the
// device unreachable, an error, an answer that is not a configuration, a configuration that
// does not build or validate) changes nothing: the last good policy stays in force and the
// failure is reported. Policy is never removed because its source went away.
import { createHash } from 'node:crypto';
import type { ZonePolicy } from '../../core/zones/index.js';
import { loadCluster } from '../../core/zones/index.js';
import type { PanoramaClient } from './client.js';
import { PanoramaError } from './errors.js';
import type { PushOptions, PushReport } from './push.js';
import { pushTags } from './push.js';
import { writeXml } from './xml.js';

/** One issue of the import, as much as sync needs of it. */
export interface BuildIssue {
  severity: 'error' | 'warning';
  message: string;
  code?: string;
}

/** The import: a configuration export to ZonePolicy YAML (undefined when it cannot be built). */
export type BuildZonePolicy = (
  configXml: string,
  o: { deviceGroup: string; device?: string },
) => { zonePolicyYaml: string | undefined; issues: readonly BuildIssue[] };

export type SyncStage = 'fetch' | 'build' | 'validate' | 'hand-on' | 'tags';

export type SyncEvent =
  | { kind: 'changed'; hash: string; warnings: readonly BuildIssue[]; recoveredAfter?: number }
  | { kind: 'unchanged'; hash: string; recoveredAfter?: number }
  | {
      kind: 'failed';
      stage: SyncStage;
      message: string;
      issues?: readonly BuildIssue[];
      kept: string | undefined;
      /** Policy polls failed in a row, this one included (not set for tags). */
      inARow?: number;
    }
  | { kind: 'tags'; report: PushReport };

export interface SyncOptions {
  client: PanoramaClient;
  build: BuildZonePolicy;
  deviceGroup: string;
  device?: string;
  /** Put a new policy in force (write the file, apply it). */
  handOn: (yaml: string, hash: string) => Promise<void>;
  /** The policy in force before the first poll, if any (its YAML). */
  inForce?: string;
  /** Register pod addresses after each poll, with the policy in force. */
  tags?: { desired: (zp: ZonePolicy) => Promise<Map<string, string[]>>; options: PushOptions };
  report: (e: SyncEvent) => void;
}

/** The content hash policies are compared by. */
export const contentHash = (yaml: string): string =>
  createHash('sha256').update(yaml).digest('hex');

export interface PollResult {
  ok: boolean;
  changed: boolean;
}

export class PanoramaSync {
  private good: { hash: string; zonePolicy: ZonePolicy | undefined } | undefined;
  private failedPolls = 0;

  constructor(private readonly o: SyncOptions) {
    if (o.inForce !== undefined)
      this.good = { hash: contentHash(o.inForce), zonePolicy: validate(o.inForce).zonePolicy };
  }

  /** The hash of the policy in force, if any. */
  get inForce(): string | undefined {
    return this.good?.hash;
  }

  /** One poll: fetch, build, validate, hand on when changed; then tags, when enabled. */
  async poll(): Promise<PollResult> {
    const res = await this.policyStep();
    if (this.o.tags) await this.tagStep(this.o.tags);
    return res;
  }

  /** Poll every `intervalMs` until the signal aborts. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.poll();
      await delay(intervalMs, signal);
    }
  }

  private fail(stage: SyncStage, message: string, issues?: readonly BuildIssue[]): PollResult {
    this.o.report({
      kind: 'failed',
      stage,
      message,
      ...(issues ? { issues } : {}),
      kept: this.good?.hash,
      inARow: ++this.failedPolls,
    });
    return { ok: false, changed: false };
  }

  /** After failed polls, how many there were (and the count starts again). */
  private recovered(): { recoveredAfter?: number } {
    const n = this.failedPolls;
    this.failedPolls = 0;
    return n > 0 ? { recoveredAfter: n } : {};
  }

  private async policyStep(): Promise<PollResult> {
    let configXml: string;
    try {
      const result = await this.o.client.configShow('/config');
      const config = result.child('config');
      if (!config) throw new PanoramaError('malformed', 'the answer holds no <config>');
      configXml = writeXml(config);
    } catch (e) {
      return this.fail('fetch', (e as Error).message);
    }
    let built: ReturnType<BuildZonePolicy>;
    try {
      built = this.o.build(configXml, {
        deviceGroup: this.o.deviceGroup,
        ...(this.o.device !== undefined ? { device: this.o.device } : {}),
      });
    } catch (e) {
      return this.fail('build', `the import failed: ${(e as Error).message}`);
    }
    const errors = built.issues.filter((i) => i.severity === 'error');
    if (built.zonePolicyYaml === undefined || errors.length > 0)
      return this.fail(
        'build',
        `the configuration does not build a ZonePolicy (${errors.length} errors)`,
        errors,
      );
    const yaml = built.zonePolicyYaml;
    const v = validate(yaml);
    if (!v.zonePolicy)
      return this.fail('validate', `the built ZonePolicy is not valid: ${v.problem}`);
    const hash = contentHash(yaml);
    if (hash === this.good?.hash) {
      this.good.zonePolicy ??= v.zonePolicy;
      this.o.report({ kind: 'unchanged', hash, ...this.recovered() });
      return { ok: true, changed: false };
    }
    try {
      await this.o.handOn(yaml, hash);
    } catch (e) {
      return this.fail('hand-on', (e as Error).message);
    }
    this.good = { hash, zonePolicy: v.zonePolicy };
    this.o.report({
      kind: 'changed',
      hash,
      warnings: built.issues.filter((i) => i.severity === 'warning'),
      ...this.recovered(),
    });
    return { ok: true, changed: true };
  }

  private async tagStep(t: NonNullable<SyncOptions['tags']>): Promise<void> {
    const zp = this.good?.zonePolicy;
    if (!zp) {
      this.o.report({
        kind: 'failed',
        stage: 'tags',
        message: 'no valid ZonePolicy yet: tags not registered',
        kept: undefined,
      });
      return;
    }
    try {
      const report = await pushTags(this.o.client, await t.desired(zp), t.options);
      this.o.report({ kind: 'tags', report });
    } catch (e) {
      this.o.report({
        kind: 'failed',
        stage: 'tags',
        message: (e as Error).message,
        kept: this.good?.hash,
      });
    }
  }
}

function validate(yaml: string): { zonePolicy?: ZonePolicy; problem?: string } {
  const res = loadCluster([{ path: '<panorama>', text: yaml }]);
  const first = res.issues.find((i) => i.severity === 'error');
  if (!res.ok || !res.zonePolicy)
    return { problem: first ? `${first.path ?? ''}: ${first.message}` : 'no ZonePolicy in it' };
  return { zonePolicy: res.zonePolicy };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
