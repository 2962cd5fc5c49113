// The on-disk spool: batches that could not reach ClickHouse wait here, one file each, in
// order, and are delivered when it answers again. Bounded: past `maxBytes` a write fails
// (store.spool-full) instead of filling the disk; the input can then be ingested again later,
// since ingest is idempotent.
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../types.js';

/**
 * A spooled batch's form, named by its file's extension: TabSeparated lines ('tsv'), or JSON
 * lines ('jsonl': what zonewall spooled before it sent TabSeparated; still delivered).
 */
export type SpoolFormat = 'tsv' | 'jsonl';
const FORMATS: readonly SpoolFormat[] = ['tsv', 'jsonl'];

function formatOf(name: string): SpoolFormat | undefined {
  return FORMATS.find((f) => name.endsWith(`.${f}`));
}

export const DEFAULT_SPOOL_BYTES = 256 * 1024 * 1024;

export class Spool {
  private seq = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_SPOOL_BYTES,
  ) {}

  /** Batch files waiting, oldest first. */
  async pending(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => formatOf(n) !== undefined).sort();
    } catch {
      return [];
    }
  }

  async bytes(): Promise<number> {
    let n = 0;
    for (const f of await this.pending()) n += (await stat(path.join(this.dir, f))).size;
    return n;
  }

  /** Keep a batch until it can be delivered. */
  async put(body: string, format: SpoolFormat): Promise<void> {
    const size = Buffer.byteLength(body);
    if ((await this.bytes()) + size > this.maxBytes)
      throw new StoreError(
        'store.spool-full',
        `ClickHouse is unreachable and the spool (${this.dir}) is full (${this.maxBytes} bytes)`,
      );
    await mkdir(this.dir, { recursive: true });
    const name = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${String(this.seq++).padStart(6, '0')}`;
    // Written under a temporary name and renamed: a crash never leaves half a batch to deliver.
    const tmp = path.join(this.dir, `${name}.tmp`);
    await writeFile(tmp, body);
    await rename(tmp, path.join(this.dir, `${name}.${format}`));
  }

  /** Deliver waiting batches in order with `send`; stops at the first failure (it is kept). */
  async drain(send: (body: string, format: SpoolFormat) => Promise<void>): Promise<number> {
    let sent = 0;
    for (const f of await this.pending()) {
      const p = path.join(this.dir, f);
      await send(await readFile(p, 'utf8'), formatOf(f) as SpoolFormat);
      await unlink(p);
      sent++;
    }
    return sent;
  }
}
