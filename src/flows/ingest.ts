// Ingest: files of one format -> parsed records -> enriched from the snapshot -> aggregated
// (when asked, or for formats that record single connections) -> written in batches to a sink
// (a Store). A malformed line is counted and reported with its number; it never stops ingest.
// Record ids come from the file's content hash and the line, so the same file ingested twice
// gives the same ids and a store that drops known ids does not double anything.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Aggregator } from './aggregate.js';
import type { AggregationLevel } from './aggregate.js';
import { PRE_AGGREGATED, goldmaneDocument, parserFor } from './adapters/index.js';
import type { FlowFormat, LineResult } from './adapters/index.js';
import type { Enricher } from './enrich.js';
import { hash64, lineId } from './ids.js';
import type { FlowRecord } from './record.js';

/** Where records go (a Store). */
export interface RecordSink {
  write(records: readonly FlowRecord[]): Promise<void>;
}

export interface Malformed {
  line: number;
  error: string;
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
  /** Distinct keys the engine evaluated, and records given a computed trace. */
  evaluated: number;
  computed: number;
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
  enricher: Enricher;
  sink: RecordSink;
  /** Aggregation level; default: none for Calico and Goldmane (already aggregated), 1 otherwise. */
  level?: AggregationLevel;
  intervalSeconds?: number;
  /** Records per write (default 50,000). */
  batchSize?: number;
  onProgress?: (p: Progress) => void;
}

export const MALFORMED_LISTED = 100;
const DEFAULT_BATCH = 50_000;

/** SHA-256 of a file's content (streamed). */
export async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Ingest files into a sink; resolves to what happened in each file. */
export async function ingestFiles(o: IngestOptions): Promise<IngestReport> {
  const report: IngestReport = { files: [], written: 0, evaluated: 0, computed: 0 };
  const level = o.level ?? (PRE_AGGREGATED.has(o.format) ? undefined : 1);
  for (const path of o.files) report.files.push(await ingestFile(path, level, o, report));
  report.evaluated = o.enricher.stats.evaluated;
  report.computed = o.enricher.stats.computed;
  return report;
}

async function ingestFile(
  path: string,
  level: AggregationLevel | undefined,
  o: IngestOptions,
  report: IngestReport,
): Promise<FileReport> {
  const hash = await fileHash(path);
  // Ids hash a short digest of the content hash with the line: the same ids, fewer bytes per line.
  const seed = hash64(hash);
  const fr: FileReport = { path, hash, lines: 0, parsed: 0, malformed: 0, malformedLines: [] };
  const batchSize = o.batchSize ?? DEFAULT_BATCH;
  let batch: FlowRecord[] = [];
  const pending: FlowRecord[][] = [];
  const out = (rs: FlowRecord[]): void => {
    for (const r of rs) {
      batch.push(r);
      if (batch.length >= batchSize) {
        pending.push(batch);
        batch = [];
      }
    }
  };
  const agg =
    level !== undefined
      ? new Aggregator({
          level,
          idSeed: hash,
          emit: out,
          ...(o.intervalSeconds ? { intervalSeconds: o.intervalSeconds } : {}),
        })
      : undefined;
  const take = (res: LineResult, lineNo: number): void => {
    if ('error' in res) {
      fr.malformed++;
      if (fr.malformedLines.length < MALFORMED_LISTED)
        fr.malformedLines.push({ line: lineNo, error: res.error });
      return;
    }
    res.forEach((r, i) => {
      r.id = lineId(seed, lineNo, i);
      o.enricher.enrich(r);
      fr.parsed++;
      if (agg) agg.add(r);
      else out([r]);
    });
  };
  // One write in flight while the next batch is parsed: the database works on its own threads
  // (DuckDB) or process (ClickHouse) meanwhile. Writes stay in order, one at a time.
  let inflight: Promise<void> = Promise.resolve();
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const b = pending.shift() as FlowRecord[];
      await inflight;
      inflight = o.sink.write(b).then(() => {
        report.written += b.length;
      });
      // Handled here so that a failure while the next batch is parsed is not "unhandled";
      // the next await of `inflight` still throws it.
      inflight.catch(() => undefined);
    }
  };
  const total = (await stat(path)).size;
  if (o.format === 'goldmane' && (await startsWithBracket(path))) {
    const doc = goldmaneDocument(await readFile(path, 'utf8'));
    if ('error' in doc) take(doc, 1);
    else doc.forEach((res, i) => take(res, i + 1));
    fr.lines = 'error' in doc ? 1 : doc.length;
  } else {
    const parse = parserFor(o.format);
    const handOn = async (bytesRead: number): Promise<void> => {
      await drain();
      o.onProgress?.({ file: path, bytesRead, bytesTotal: total, records: fr.parsed });
    };
    await eachLine(path, (line, lineNo, bytesRead) => {
      fr.lines = lineNo;
      if (line.trim() === '') return undefined;
      take(parse(line, lineNo), lineNo);
      return pending.length > 0 ? handOn(bytesRead) : undefined;
    });
  }
  agg?.flush();
  if (batch.length > 0) pending.push(batch);
  await drain();
  await inflight;
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

/** Call `fn` for each line (without its end, CR stripped), numbered from 1. */
export async function eachLine(
  path: string,
  fn: (line: string, lineNo: number, bytesRead: number) => void | Promise<void>,
): Promise<void> {
  let rest = '';
  let n = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    bytes += Buffer.byteLength(chunk as string);
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
      const r = fn(text.slice(start, end), ++n, bytes);
      if (r) await r;
      start = i + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') {
    const r = fn(rest.endsWith('\r') ? rest.slice(0, -1) : rest, n + 1, bytes);
    if (r) await r;
  }
}
