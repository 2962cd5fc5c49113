// A cluster snapshot on disk: the manifests at the time (namespaces, pods with addresses,
// policies) and, when present, the ZonePolicy. Loaded with the same validation as every other
// verb; pod times (creationTimestamp, deletionTimestamp) are read beside it so that an address
// reused by a later pod resolves to the pod that had it at the time of a flow.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from '../core/engine/index.js';
import type { InputFile, Issue } from '../core/model/index.js';
import { parseDocuments } from '../core/model/documents.js';
import { loadCluster } from '../core/zones/index.js';
import type { ClusterLoad } from '../core/zones/index.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** What a snapshot says about one pod beyond the model: its lifetime and name prefix. */
export interface PodMeta {
  /** Unix seconds; -Infinity when not given. */
  created: number;
  /** Unix seconds; Infinity when not given (still running at snapshot time). */
  deleted: number;
  generateName?: string;
}

export interface Snapshot {
  load: ClusterLoad;
  engine: Engine;
  /** By `namespace/name`. */
  podMeta: ReadonlyMap<string, PodMeta>;
  /** The manifests it was built from (ingest workers build their own from them). */
  files: readonly InputFile[];
}

export type SnapshotResult = { ok: true; snapshot: Snapshot } | { ok: false; issues: Issue[] };

/** Read every manifest under a directory (sorted, recursively) or one file. */
export async function readSnapshotFiles(p: string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const walk = async (q: string, explicit: boolean): Promise<void> => {
    if ((await stat(q)).isDirectory()) {
      const names = (await readdir(q)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await walk(path.join(q, n), false);
    } else if (explicit || EXTENSIONS.has(path.extname(q).toLowerCase())) {
      out.push({ path: q, text: await readFile(q, 'utf8') });
    }
  };
  await walk(p, true);
  return out;
}

/** Build a snapshot from manifests; invalid manifests give their issues (nothing is evaluated). */
export function snapshotOf(files: readonly InputFile[]): SnapshotResult {
  const load = loadCluster(files);
  if (!load.ok) return { ok: false, issues: load.issues };
  return {
    ok: true,
    snapshot: { load, engine: Engine.build(load.set), podMeta: podTimes(files), files },
  };
}

/** Load a snapshot directory. */
export async function loadSnapshot(dir: string): Promise<SnapshotResult> {
  return snapshotOf(await readSnapshotFiles(dir));
}

function seconds(v: unknown, absent: number): number {
  if (typeof v !== 'string') return absent;
  const t = Date.parse(v);
  return Number.isNaN(t) ? absent : t / 1000;
}

function podTimes(files: readonly InputFile[]): Map<string, PodMeta> {
  const out = new Map<string, PodMeta>();
  for (const o of parseDocuments(files).objects) {
    if (o.value.kind !== 'Pod') continue;
    const meta = o.value.metadata as Record<string, unknown> | undefined;
    if (!meta || typeof meta.name !== 'string') continue;
    const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
    out.set(`${ns}/${meta.name}`, {
      created: seconds(meta.creationTimestamp, -Infinity),
      deleted: seconds(meta.deletionTimestamp, Infinity),
      ...(typeof meta.generateName === 'string' ? { generateName: meta.generateName } : {}),
    });
  }
  return out;
}
