// A pool of ingest worker threads (ingest-worker.ts). Each builds its own snapshot and
// Enricher from the manifests once; chunks go to the worker with the fewest waiting, and
// results come back as promises (the ingest takes them in file order).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputFile } from '../core/model/index.js';
import type { ChunkJob, ChunkResult, ChunkSettings } from './chunks.js';
import type { WorkerInit, WorkerMessage } from './ingest-worker.js';

interface Waiting {
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
}

interface Member {
  worker: Worker;
  waiting: Map<number, Waiting>;
  ready: Promise<void>;
}

/**
 * The compiled worker beside this module; when this module runs from the TypeScript sources
 * (the test runner), the compiled one in dist/ (`npm test` builds it first).
 */
export function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return new URL('./ingest-worker.js', import.meta.url);
  const root = path.resolve(path.dirname(here), '../..');
  const built = path.join(root, 'dist/src/flows/ingest-worker.js');
  if (!existsSync(built))
    throw new Error(`ingest workers need the build (${built} is missing): run npm run build`);
  return pathToFileURL(built);
}

/**
 * Each worker's young generation, in MiB (Node's default here is 48). A 1 MiB chunk's parsed
 * lines and records, alive until the chunk is encoded, outgrow the default and are copied and
 * promoted to the old generation, which the collector's threads then mark. With 96, 500,000
 * Calico records went into DuckDB 10% faster (three alternations, medians 61,200 against
 * 55,500/s; the worker 5.4 instead of 5.8 CPU-seconds, V8's helper threads 0.9 instead of 1.6);
 * 192 gave the same as 96, 64 half the gain. It costs at most 48 MiB more per worker.
 */
const YOUNG_GENERATION_MB = 96;

export class IngestPool {
  private readonly members: Member[] = [];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(size: number, files: readonly InputFile[], settings: ChunkSettings) {
    const script = workerScript();
    for (let i = 0; i < size; i++) {
      const init: WorkerInit = { files: [...files], settings };
      const worker = new Worker(script, {
        workerData: init,
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      const waiting = new Map<number, Waiting>();
      let ready!: () => void;
      let broken!: (e: Error) => void;
      const m: Member = {
        worker,
        waiting,
        ready: new Promise<void>((res, rej) => {
          ready = res;
          broken = rej;
        }),
      };
      m.ready.catch(() => undefined);
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.kind === 'ready') return ready();
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.kind === 'done') w?.resolve(msg.result);
        else w?.reject(new Error(`ingest worker failed: ${msg.error}`));
      });
      const fail = (e: Error): void => {
        this.failure ??= e;
        broken(e);
        for (const w of waiting.values()) w.reject(e);
        waiting.clear();
      };
      worker.on('error', (e) => fail(new Error(`ingest worker failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`ingest worker stopped (exit code ${code})`));
      });
      this.members.push(m);
    }
  }

  get size(): number {
    return this.members.length;
  }

  /** Every worker has built its snapshot (or the first failure). */
  async ready(): Promise<void> {
    await Promise.all(this.members.map((m) => m.ready));
  }

  run(job: ChunkJob): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    let m = this.members[0] as Member;
    for (const c of this.members) if (c.waiting.size < m.waiting.size) m = c;
    const id = this.nextId++;
    return new Promise<ChunkResult>((resolve, reject) => {
      m.waiting.set(id, { resolve, reject });
      m.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        m.worker.removeAllListeners('exit');
        await m.worker.terminate();
      }),
    );
  }
}
