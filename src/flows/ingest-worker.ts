// An ingest worker thread: builds the snapshot (the same manifests the main thread loaded)
// and its own Enricher once, then turns each chunk of lines it is sent into records, encoded
// for the store when it has an encoding. Started by IngestPool (pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { InputFile } from '../core/model/index.js';
import { ChunkWorker } from './chunks.js';
import type { ChunkJob, ChunkResult, ChunkSettings } from './chunks.js';
import { Enricher } from './enrich.js';
import { snapshotOf } from './snapshot.js';

export interface WorkerInit {
  files: InputFile[];
  settings: ChunkSettings;
}

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; result: ChunkResult }
  | { kind: 'failed'; id: number; error: string };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  const snap = snapshotOf(init.files);
  if (!snap.ok)
    throw new Error(
      `the snapshot does not load in an ingest worker (${snap.issues.length} issues)`,
    );
  const worker = new ChunkWorker(init.settings, new Enricher(snap.snapshot));
  port.on('message', (m: { id: number; job: ChunkJob }) => {
    let reply: WorkerMessage;
    try {
      reply = { kind: 'done', id: m.id, result: worker.run(m.job) };
    } catch (e) {
      reply = { kind: 'failed', id: m.id, error: (e as Error).stack ?? String(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
}
