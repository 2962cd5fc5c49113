// Ingest: files of one format -> chunks of whole lines -> parsed, given ids, enriched and
// (when a level is set, or for formats that record single connections) aggregated, by worker
// threads when the input is large (chunks.ts does the same work in the main thread otherwise)
// -> taken in file order, aggregates merged across chunks -> written in batches to a sink (a
// Store), encoded for it by the workers when the sink has an encoding. A malformed line is
// counted and reported with its number; it never stops ingest. Record ids come from the file's
// content hash and the line, so the same file ingested twice gives the same ids (whatever the
// number of workers) and a store that drops known ids does not double anything.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { Aggregator } from './aggregate.js';
import type { AggregationLevel } from './aggregate.js';
import { PRE_AGGREGATED, goldmaneDocument } from './adapters/index.js';
import type { FlowFormat } from './adapters/index.js';
import { ChunkWorker, MALFORMED_LISTED, STATELESS } from './chunks.js';
import type { ChunkJob, ChunkResult, ChunkSettings, Malformed } from './chunks.js';
import type { Enricher } from './enrich.js';
import { hash64 } from './ids.js';
import { IngestPool } from './pool.js';
import type { FlowRecord } from './record.js';
import { Encoder, concatEncoded, splitEncoded } from './encode.js';
import type { EncodedBatch, Encoding } from './encode.js';

export { MALFORMED_LISTED } from './chunks.js';
export type { Malformed } from './chunks.js';

/** Where records go (a Store). */
export interface RecordSink {
  write(records: readonly FlowRecord[]): Promise<void>;
  /** The sink's own form of a batch: when given, workers encode and writeEncoded takes it. */
  readonly encoding?: Encoding;
  writeEncoded?(batch: EncodedBatch): Promise<void>;
  /**
   * A batch in that form taken in parts as they are made (the sink stores it at the commit, all
   * or nothing); when given, the ingest writes its encoded batches so.
   */
  beginEncoded?(): Promise<EncodedParts>;
  /** Records per write the sink takes best (IngestOptions.batchSize overrides it). */
  readonly batchSize?: number;
}

/** One batch being written in parts; the sink takes no other write until it is closed. */
export interface EncodedParts {
  /** Add records to the batch (stored only when it commits). */
  add(part: EncodedBatch): Promise<void>;
  /** Store the batch's records (but those the sink already holds). */
  commit(): Promise<void>;
  /** Drop the batch: none of its records is stored. */
  abort(): Promise<void>;
}

export interface FileReport {
  path: string;
  /** SHA-256 of the content. */
  hash: string;
  lines: number;
  /** Records parsed (before aggregation). */
  parsed: number;
  malformed: number;
  /** The first malformed lines (at most MALFORMED_LISTED). */
  malformedLines: Malformed[];
}

export interface IngestReport {
  files: FileReport[];
  /** Records handed to the sink (after aggregation). */
  written: number;
  /** Distinct keys the engine evaluated (per worker), and records given a computed trace. */
  evaluated: number;
  computed: number;
  /** Worker threads used (0: the main thread did the work). */
  workers: number;
}

export interface Progress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

export interface IngestOptions {
  format: FlowFormat;
  files: readonly string[];
  /** Enriches in the main thread; the workers build their own from its snapshot's manifests. */
  enricher: Enricher;
  sink: RecordSink;
  /** Aggregation level; default: none for Calico and Goldmane (already aggregated), 1 otherwise. */
  level?: AggregationLevel;
  intervalSeconds?: number;
  /** Records per write (default: the sink's batchSize, else DEFAULT_BATCH). */
  batchSize?: number;
  /** At most this many characters of encoded records per write (default MAX_BATCH_CHARS). */
  batchChars?: number;
  /**
   * Worker threads; 0 does the work in the main thread. Default: one per core but one (1 to 4) when
   * the input is at least PARALLEL_MIN_BYTES and the format's lines parse independently.
   */
  workers?: number;
  onProgress?: (p: Progress) => void;
}

/**
 * Records per write (every write but a file's last has exactly this many): DuckDB's row group.
 * DuckDB writes whole row groups of an insert straight to the database file and the rest
 * through its write-ahead log, to be stored again at the next checkpoint; a batch of exactly a
 * row group costs it 30% less than one of 131,072 records (measured, bench/RESULTS.md).
 */
export const DEFAULT_BATCH = 122_880;
/**
 * Characters of encoded records per write at most, whatever the record count: well under the
 * longest string JavaScript allows (2^29 - 24), for records with many labels.
 */
export const MAX_BATCH_CHARS = 192 << 20;
/**
 * Parts of a batch, for a sink that takes a batch in parts (beginEncoded): each is handed to it as
 * soon as the workers made it, so that the sink stores most of a batch while the next records are
 * parsed. DuckDB then has only the last part and its commit left after a file's last record:
 * 500,000 Calico records went into DuckDB 5% faster than in whole batches (8 alternated pairs,
 * median ratio 1.05; 4 parts about the same, 16 parts 10% slower than 8: each part costs DuckDB
 * a statement and its temporary tables; bench/RESULTS.md).
 */
export const PARTS_PER_BATCH = 8;
/** Records merged in the main thread are encoded this many at a time. */
const ENCODE_SLICE = 8192;
/** Bytes of whole lines per chunk. */
export const CHUNK_BYTES = 1 << 20;
/** Inputs smaller than this are ingested in the main thread by default (workers cost a start). */
export const PARALLEL_MIN_BYTES = 16 << 20;
const MAX_WORKERS = 4;

/**
 * Chunks (1 MiB of input each) handed to the workers ahead of the one the main thread takes.
 * With two per worker, the worker stopped while the main thread waited for a write; with 64,
 * 500,000 Calico records went into DuckDB 7% faster (medians of 8 alternated runs, 44,100/s
 * against 41,400/s), for about 0.5 GB more at the peak.
 */
const CHUNKS_IN_FLIGHT = 64;

/**
 * Bytes read at a time to hash a file: 272 MB of Calico lines hashed in 176 ms by 4 MiB reads,
 * 223 ms by 1 MiB reads (the hash alone: 165 ms).
 */
const HASH_READ_BYTES = 4 << 20;

/** SHA-256 of a file's content (streamed). */
export async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_READ_BYTES }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

/** How many workers to use for these files. */
export async function workerCount(o: IngestOptions): Promise<number> {
  if (!STATELESS.has(o.format)) return 0;
  if (o.workers !== undefined) return Math.max(0, Math.floor(o.workers));
  let bytes = 0;
  for (const f of o.files) bytes += (await stat(f)).size;
  if (bytes < PARALLEL_MIN_BYTES) return 0;
  // The main thread and the database need a core of their own.
  return Math.max(1, Math.min(MAX_WORKERS, os.availableParallelism() - 1));
}

/** Ingest files into a sink; resolves to what happened in each file. */
export async function ingestFiles(o: IngestOptions): Promise<IngestReport> {
  const level = o.level ?? (PRE_AGGREGATED.has(o.format) ? undefined : 1);
  const settings: ChunkSettings = {
    format: o.format,
    ...(level !== undefined ? { level } : {}),
    ...(o.intervalSeconds ? { intervalSeconds: o.intervalSeconds } : {}),
    ...(o.sink.encoding && o.sink.writeEncoded ? { encoding: o.sink.encoding } : {}),
  };
  const workers = await workerCount(o);
  const local = new ChunkWorker(settings, o.enricher);
  const pool = workers > 0 ? new IngestPool(workers, o.enricher.snap.files, settings) : undefined;
  const report: IngestReport = { files: [], written: 0, evaluated: 0, computed: 0, workers };
  // A file's content hash seeds its ids, so it is read once before its records: the first
  // file's while the workers start, each next file's while the one before it is ingested.
  const hashOf = (path: string | undefined): Promise<string> | undefined => {
    const h = path === undefined ? undefined : fileHash(path);
    h?.catch(() => undefined); // awaited when its file's turn comes
    return h;
  };
  let nextHash = hashOf(o.files[0]);
  try {
    await pool?.ready();
    for (const [i, path] of o.files.entries()) {
      const run = pool ? (job: ChunkJob) => pool.run(job) : async (job: ChunkJob) => local.run(job);
      const hash = nextHash as Promise<string>;
      nextHash = hashOf(o.files[i + 1]);
      report.files.push(await ingestFile(i, path, hash, level, local, run, o, report));
    }
  } finally {
    await pool?.close();
  }
  return report;
}

/** Takes chunk results in file order: merges aggregates, batches, writes (one write in flight). */
class Writer {
  private records: FlowRecord[] = [];
  private encoded: EncodedBatch[] = [];
  private encodedCount = 0;
  private encodedChars = 0;
  private inflight: Promise<void> = Promise.resolve();
  /** Records of the batch being handed in parts, so far. */
  private inBatch = 0;
  /** The batch being written in parts (set and cleared by the writes, one at a time). */
  private parts: EncodedParts | undefined;
  private readonly agg: Aggregator | undefined;
  private readonly encoder: Encoder | undefined;

  constructor(
    private readonly o: IngestOptions,
    level: AggregationLevel | undefined,
    hash: string,
    private readonly report: IngestReport,
  ) {
    this.encoder =
      o.sink.writeEncoded && o.sink.encoding ? new Encoder(o.sink.encoding) : undefined;
    this.agg =
      level !== undefined
        ? new Aggregator({
            level,
            idSeed: hash,
            emit: (rs) => {
              for (const r of rs) this.records.push(r);
            },
            ...(o.intervalSeconds ? { intervalSeconds: o.intervalSeconds } : {}),
          })
        : undefined;
  }

  private get batchSize(): number {
    return this.o.batchSize ?? this.o.sink.batchSize ?? DEFAULT_BATCH;
  }

  /** Take one chunk's records; resolves once any batch it completed is handed to the sink. */
  async take(r: ChunkResult): Promise<void> {
    if (r.encoded) this.push(r.encoded);
    for (const rec of r.records ?? []) {
      if (this.agg) this.agg.merge(rec);
      else this.records.push(rec);
    }
    await this.send(false);
  }

  async finish(): Promise<void> {
    this.agg?.flush();
    await this.send(true);
    await this.inflight;
  }

  /** After a failure: drop a batch left open in the sink (none of it is stored). */
  async abort(): Promise<void> {
    await this.inflight.catch(() => undefined);
    const open = this.parts;
    this.parts = undefined;
    await open?.abort();
  }

  private push(b: EncodedBatch): void {
    if (b.count === 0) return;
    this.encoded.push(b);
    this.encodedCount += b.count;
    this.encodedChars += b.text.length;
  }

  private async send(all: boolean): Promise<void> {
    const size = this.batchSize;
    const chars = this.o.batchChars ?? MAX_BATCH_CHARS;
    // Records merged here (aggregates) are encoded here, in slices, to the same bounds.
    if (this.encoder)
      while (this.records.length >= ENCODE_SLICE || (all && this.records.length > 0))
        this.push(this.encoder.encode(this.records.splice(0, ENCODE_SLICE)));
    const inParts = this.o.sink.beginEncoded !== undefined;
    const partSize = Math.ceil(size / PARTS_PER_BATCH);
    for (;;) {
      // A batch, or the next part of one: exactly `step` records (a chunk split at a line when
      // needed), or fewer when the characters run out first (whole chunks, at least one) or at
      // the end.
      const step = inParts ? Math.min(partSize, size - this.inBatch) : size;
      if (!(
        this.encodedCount >= step ||
        this.encodedChars >= chars ||
        (all && this.encodedCount > 0)
      ))
        break;
      const pieces: EncodedBatch[] = [];
      let count = 0;
      let length = 0;
      while (this.encoded.length > 0 && count < step) {
        const e = this.encoded[0] as EncodedBatch;
        if (pieces.length > 0 && length + e.text.length > chars) break;
        const [head, rest] = count + e.count > step ? splitEncoded(e, step - count) : [e];
        if (rest) this.encoded[0] = rest;
        else this.encoded.shift();
        pieces.push(head);
        count += head.count;
        length += head.text.length;
      }
      const b = concatEncoded(pieces);
      this.encodedCount -= count;
      this.encodedChars -= length;
      if (!inParts) {
        await this.hand(b.count, () => this.writeEncoded(b));
        continue;
      }
      this.inBatch += b.count;
      const last = this.inBatch >= size || (all && this.encodedCount === 0);
      const stored = last ? this.inBatch : 0;
      if (last) this.inBatch = 0;
      await this.hand(stored, () => this.writePart(b, last));
    }
    if (all && this.inBatch > 0) {
      // The records ran out just after a part: the batch has no part left to commit it with.
      const stored = this.inBatch;
      this.inBatch = 0;
      await this.hand(stored, () => this.commitParts());
    }
    while (this.records.length >= size || (all && this.records.length > 0)) {
      const b = this.records.splice(0, size);
      await this.hand(b.length, () => this.o.sink.write(b));
    }
  }

  private writeEncoded(b: EncodedBatch): Promise<void> {
    const sink = this.o.sink;
    if (!sink.writeEncoded) throw new Error('the sink takes no encoded batches');
    return sink.writeEncoded(b);
  }

  /** Add a part to the open batch (opening one first), committing it after its last part. */
  private async writePart(b: EncodedBatch, last: boolean): Promise<void> {
    const sink = this.o.sink;
    if (!sink.beginEncoded) throw new Error('the sink takes no batches in parts');
    const open = this.parts ?? (await sink.beginEncoded());
    this.parts = open;
    try {
      await open.add(b);
      if (last) {
        this.parts = undefined;
        await open.commit();
      }
    } catch (e) {
      this.parts = undefined;
      await open.abort().catch(() => undefined);
      throw e;
    }
  }

  /** Commit the open batch. */
  private async commitParts(): Promise<void> {
    const open = this.parts;
    this.parts = undefined;
    await open?.commit();
  }

  /** Start a write after the one in flight (the database works while the next chunks parse). */
  private async hand(n: number, write: () => Promise<void>): Promise<void> {
    await this.inflight;
    this.inflight = write().then(() => {
      this.report.written += n;
    });
    // Handled here so that a failure while the next chunks are parsed is not "unhandled"; the
    // next await of `inflight` still throws it.
    this.inflight.catch(() => undefined);
  }
}

async function ingestFile(
  index: number,
  path: string,
  contentHash: Promise<string>,
  level: AggregationLevel | undefined,
  local: ChunkWorker,
  run: (job: ChunkJob) => Promise<ChunkResult>,
  o: IngestOptions,
  report: IngestReport,
): Promise<FileReport> {
  const hash = await contentHash;
  // Ids hash a short digest of the content hash with the line: the same ids, fewer bytes per line.
  const seed = hash64(hash);
  const fr: FileReport = { path, hash, lines: 0, parsed: 0, malformed: 0, malformedLines: [] };
  const writer = new Writer(o, level, hash, report);
  const total = (await stat(path)).size;
  try {
    const takeResult = async (r: ChunkResult): Promise<void> => {
      fr.lines += r.lines;
      fr.parsed += r.parsed;
      fr.malformed += r.malformed;
      for (const m of r.malformedLines)
        if (fr.malformedLines.length < MALFORMED_LISTED) fr.malformedLines.push(m);
      report.evaluated += r.evaluated;
      report.computed += r.computed;
      await writer.take(r);
    };
    const job = { file: index, hash, seed };
    if (o.format === 'goldmane' && (await startsWithBracket(path))) {
      const doc = goldmaneDocument(await readFile(path, 'utf8'));
      await takeResult(local.results({ ...job, firstLine: 1 }, 'error' in doc ? [doc] : doc));
    } else {
      // Chunks in flight: enough for the workers to go on while the main thread waits for the
      // database (a write of a row group takes about as long as parsing one).
      const window = report.workers === 0 ? 1 : Math.max(2 * report.workers, CHUNKS_IN_FLIGHT);
      const queue: Array<{ result: Promise<ChunkResult>; bytes: number }> = [];
      const takeFirst = async (): Promise<void> => {
        const next = queue.shift();
        if (!next) return;
        await takeResult(await next.result);
        o.onProgress?.({
          file: path,
          bytesRead: next.bytes,
          bytesTotal: total,
          records: fr.parsed,
        });
      };
      await eachChunk(path, async (text, firstLine, bytes) => {
        const result = run({ ...job, firstLine, text });
        result.catch(() => undefined);
        queue.push({ result, bytes });
        while (queue.length >= window) await takeFirst();
      });
      while (queue.length > 0) await takeFirst();
    }
    await writer.finish();
  } catch (e) {
    await writer.abort(); // a batch left open in the sink is dropped, not half stored
    throw e;
  }
  o.onProgress?.({ file: path, bytesRead: total, bytesTotal: total, records: fr.parsed });
  return fr;
}

async function startsWithBracket(path: string): Promise<boolean> {
  for await (const chunk of createReadStream(path, { start: 0, end: 4095 })) {
    const t = (chunk as Buffer).toString('utf8').trimStart();
    if (t !== '') return t.startsWith('[') || /^\{\s*"(flows|items)"/.test(t);
  }
  return false;
}

/**
 * Call `fn` for runs of whole lines of about CHUNK_BYTES (each line with its newline; the
 * last line may lack it), with the number of the first line and the bytes read so far.
 */
export async function eachChunk(
  path: string,
  fn: (text: string, firstLine: number, bytesRead: number) => Promise<void>,
): Promise<void> {
  let rest = '';
  let line = 1;
  let bytes = 0;
  for await (const chunk of createReadStream(path, {
    encoding: 'utf8',
    highWaterMark: CHUNK_BYTES,
  })) {
    bytes += Buffer.byteLength(chunk as string);
    const text = rest + (chunk as string);
    const cut = text.lastIndexOf('\n') + 1;
    if (cut === 0) {
      rest = text;
      continue;
    }
    const whole = cut === text.length ? text : text.slice(0, cut);
    rest = cut === text.length ? '' : text.slice(cut);
    await fn(whole, line, bytes);
    for (let i = whole.indexOf('\n'); i >= 0; i = whole.indexOf('\n', i + 1)) line++;
  }
  if (rest !== '') await fn(rest, line, bytes);
}
