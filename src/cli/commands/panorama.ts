// `zonewall sync panorama` and `zonewall push-tags panorama`: the live link with Panorama.
// Sync polls the running configuration and hands on the device group's ZonePolicy only when it
// is valid and changed; push-tags registers pod addresses as tags with the User-ID API.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadCluster } from '../../core/zones/index.js';
import type { ZonePolicy } from '../../core/zones/index.js';
import { InputError, readManifestInputs } from '../../integrations/manifests.js';
import { PanoramaError } from '../../integrations/panorama/errors.js';
import { connectPanorama } from '../../integrations/panorama/connect.js';
import type { ConnectOptions } from '../../integrations/panorama/connect.js';
import { pushTags } from '../../integrations/panorama/push.js';
import type { PushOptions, PushReport } from '../../integrations/panorama/push.js';
import { PanoramaSync } from '../../integrations/panorama/sync.js';
import type { BuildZonePolicy, SyncEvent } from '../../integrations/panorama/sync.js';
import { desiredTags } from '../../integrations/panorama/tags.js';
import type { TagNaming } from '../../integrations/panorama/tags.js';
import { loadZonesOrExit } from '../load.js';
import { EXIT, printData, println, table } from '../output.js';
import type { ExitCode, IO } from '../output.js';

export interface TagCliOptions {
  cluster?: string;
  appLabel: string;
  /** Seconds; 0 never expires. */
  leaseS: number;
  persistent: boolean;
  batchEntries: number;
  allowEmpty: boolean;
}

export interface PushTagsCliOptions extends TagCliOptions {
  connect: ConnectOptions;
  files: string[];
  zones?: string;
  output: 'table' | 'json';
}

export interface SyncCliOptions {
  connect: ConnectOptions;
  deviceGroup: string;
  device?: string;
  intervalMs: number;
  once: boolean;
  out: string;
  /** Register tags after each poll, for the pods in these manifests. */
  tagFiles: string[];
  tags?: TagCliOptions;
  build: BuildZonePolicy;
  /** Stops the loop (the CLI's entry point wires SIGINT and SIGTERM to it). */
  signal?: AbortSignal;
}

const naming = (o: TagCliOptions): TagNaming => ({
  appLabel: o.appLabel,
  ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
});

const pushOptions = (o: TagCliOptions): PushOptions => ({
  naming: naming(o),
  timeoutS: o.leaseS,
  persistent: o.persistent,
  maxEntries: o.batchEntries,
  allowEmpty: o.allowEmpty,
});

/** Operational failures as one message and exit code 3 (bad options: 2). */
function failure(io: IO, e: unknown): ExitCode {
  if (e instanceof PanoramaError) {
    io.err(`error: ${e.message}\n`);
    return e.code === 'config' ? EXIT.BAD_INPUT : EXIT.FAILURE;
  }
  if (e instanceof InputError) {
    io.err(`error: ${e.message}\n`);
    return EXIT.BAD_INPUT;
  }
  throw e;
}

function clientLog(io: IO): ConnectOptions['log'] {
  return (e) => {
    if (e.kind === 'retry')
      io.err(
        `panorama: ${e.type} request failed (${e.error}); try ${e.attempt + 1} in ${e.delayMs} ms\n`,
      );
  };
}

/** Run `push-tags panorama`. */
export async function pushTagsPanorama(io: IO, o: PushTagsCliOptions): Promise<ExitCode> {
  const [first, ...rest] = o.zones !== undefined ? [o.zones, ...o.files] : o.files;
  if (first === undefined) {
    io.err(
      'error: no manifests given (use -f PATH with the pods and the ZonePolicy, or --zones FILE)\n',
    );
    return EXIT.BAD_INPUT;
  }
  const loaded = await loadZonesOrExit(io, first, rest);
  if (typeof loaded === 'number') return loaded;
  const { desired, issues } = desiredTags(loaded.result.set, loaded.zonePolicy, naming(o));
  let report: PushReport;
  try {
    const client = await connectPanorama({ ...o.connect, log: clientLog(io) });
    report = await pushTags(client, desired, pushOptions(o));
  } catch (e) {
    return failure(io, e);
  }
  report.issues.unshift(...issues);
  printReport(io, report, o.output);
  if (report.failures.length > 0) return EXIT.FAILURE;
  return report.rejected.length > 0 || report.issues.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

function printReport(io: IO, r: PushReport, output: 'table' | 'json'): void {
  if (output === 'json') {
    printData(io, r, 'json');
    return;
  }
  println(
    io,
    `${r.addresses} pod addresses; registered ${r.registered}, unregistered stale tags on ${r.unregistered} (${r.released} released) in ${r.batches} requests`,
  );
  if (r.rejected.length > 0)
    io.out(
      table([
        ['ADDRESS', 'ACTION', 'REJECTED'],
        ...r.rejected.map((x) => [x.ip, x.action, x.message]),
      ]),
    );
  for (const i of r.issues) io.err(`warning: ${i.message} [${i.code}]\n`);
  for (const f of r.failures) io.err(`error: ${f}\n`);
}

/** Run `sync panorama`. */
export async function syncPanorama(io: IO, o: SyncCliOptions): Promise<ExitCode> {
  let sync: PanoramaSync;
  try {
    const client = await connectPanorama({ ...o.connect, log: clientLog(io) });
    const inForce =
      o.out === '-' ? undefined : await readFile(o.out, 'utf8').catch(() => undefined);
    sync = new PanoramaSync({
      client,
      build: o.build,
      deviceGroup: o.deviceGroup,
      ...(o.device !== undefined ? { device: o.device } : {}),
      ...(inForce !== undefined ? { inForce } : {}),
      handOn: (yaml) => handOn(io, o.out, yaml),
      ...(o.tags
        ? { tags: { desired: podsOf(o.tagFiles, o.tags), options: pushOptions(o.tags) } }
        : {}),
      report: (e) => reportEvent(io, e, o.out),
    });
  } catch (e) {
    return failure(io, e);
  }
  if (o.once) {
    const r = await sync.poll();
    return r.ok ? EXIT.OK : EXIT.FAILURE;
  }
  await sync.run(o.intervalMs, o.signal ?? interruptSignal());
  return EXIT.OK;
}

/** Aborted by the first SIGINT or SIGTERM: the loop ends after the poll in progress. */
function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}

async function handOn(io: IO, out: string, yaml: string): Promise<void> {
  if (out === '-') {
    io.out(`---\n${yaml}`);
    return;
  }
  // Write beside and rename: a reader never sees half a policy.
  const tmp = `${out}.tmp-${process.pid}`;
  await writeFile(tmp, yaml);
  await rename(tmp, out);
}

/** The pods of the cluster manifests, read again at each poll (pods come and go). */
function podsOf(
  files: string[],
  t: TagCliOptions,
): (zp: ZonePolicy) => Promise<Map<string, string[]>> {
  return async (zp) => {
    const res = loadCluster(await readManifestInputs(files));
    if (!res.ok)
      throw new InputError(
        `the cluster manifests are not valid (${res.issues.length} issues): tags not changed`,
      );
    return desiredTags(res.set, zp, naming(t)).desired;
  };
}

const short = (hash: string | undefined): string => (hash ? hash.slice(0, 12) : 'none');

const back = (n: number | undefined): string =>
  n === undefined ? '' : `answering again after ${n} failed poll${n === 1 ? '' : 's'}; `;

function reportEvent(io: IO, e: SyncEvent, out: string): void {
  const now = new Date().toISOString();
  switch (e.kind) {
    case 'changed':
      io.err(
        `${now} sync: ${back(e.recoveredAfter)}policy changed (sha256 ${short(e.hash)}), handed on to ${out === '-' ? 'standard output' : out}${e.warnings.length > 0 ? `; ${e.warnings.length} warnings` : ''}\n`,
      );
      for (const w of e.warnings)
        io.err(`  warning: ${w.message}${w.code ? ` [${w.code}]` : ''}\n`);
      return;
    case 'unchanged':
      io.err(`${now} sync: ${back(e.recoveredAfter)}policy unchanged (sha256 ${short(e.hash)})\n`);
      return;
    case 'failed':
      io.err(
        `${now} sync: ${e.stage} failed${e.inARow !== undefined && e.inARow > 1 ? ` (${e.inARow} polls in a row)` : ''}: ${e.message}; the policy in force stays (sha256 ${short(e.kept)})\n`,
      );
      for (const i of (e.issues ?? []).slice(0, 20))
        io.err(`  ${i.severity}: ${i.message}${i.code ? ` [${i.code}]` : ''}\n`);
      return;
    case 'tags': {
      const r = e.report;
      io.err(
        `${now} sync: tags for ${r.addresses} addresses registered in ${r.batches} requests; ${r.released} released, ${r.rejected.length} rejected, ${r.failures.length} failed requests\n`,
      );
      for (const x of r.rejected) io.err(`  rejected: ${x.ip} (${x.action}): ${x.message}\n`);
    }
  }
}
