// `zonewall flows ingest` and `zonewall flows query`: flow logs in, enriched with the cluster
// snapshot's zones and policies, into a store; and the store's contents out, filtered and
// grouped, as a table, JSON or CSV (the JSON is a contract other tools script against).
import { existsSync } from 'node:fs';
import type { AggregationLevel } from '../../flows/aggregate.js';
import type { FlowFormat } from '../../flows/adapters/index.js';
import { Enricher } from '../../flows/enrich.js';
import { ingestFiles } from '../../flows/ingest.js';
import type { IngestReport, Progress } from '../../flows/ingest.js';
import { loadSnapshot } from '../../flows/snapshot.js';
import { ClickHouseStore, MEASURES, StoreError, openStore } from '../../store/index.js';
import type { Condition, FlowQuery, QueryRow, SortKey, Store } from '../../store/index.js';
import { EXIT, plural, printIssues, table } from '../output.js';
import type { ExitCode, IO } from '../output.js';

export interface IngestCliOptions {
  format: FlowFormat;
  snapshot: string;
  store: string;
  files: string[];
  level?: AggregationLevel;
  intervalSeconds?: number;
  retentionSeconds?: number;
  spoolDir?: string;
  batchSize?: number;
  workers?: number;
  progress?: boolean;
}

export type FlowsOutput = 'table' | 'json' | 'csv';

export interface QueryCliOptions {
  store: string;
  groupBy: string[];
  where: string[];
  since?: number;
  until?: number;
  search?: string;
  sort?: SortKey;
  limit: number;
  offset: number;
  output: FlowsOutput;
}

/** Map a store failure to its exit code, printing it once. */
function storeFailure(io: IO, e: unknown): ExitCode {
  if (!(e instanceof StoreError)) throw e;
  io.err(`error: ${e.message}\n`);
  return e.code === 'store.query' || e.code === 'store.url' ? EXIT.BAD_INPUT : EXIT.FAILURE;
}

function progressPrinter(io: IO, force: boolean): (p: Progress) => void {
  let last = 0;
  const start = Date.now();
  return (p) => {
    const now = Date.now();
    const done = p.bytesRead >= p.bytesTotal;
    if (!done && now - last < 500) return;
    last = now;
    const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesRead) / p.bytesTotal) : 100;
    const rate = now > start ? Math.round((1000 * p.records) / (now - start)) : 0;
    const line = `${p.file}: ${pct}% (${p.records.toLocaleString('en-US')} records, ${rate.toLocaleString('en-US')}/s)`;
    if (io.isTTY) io.err(`\r${line}${done ? '\n' : ''}`);
    else if (force) io.err(`${line}\n`);
  };
}

/** Run `flows ingest`; exit 0, 1 when some lines were malformed, 2 bad input, 3 store failure. */
export async function flowsIngest(io: IO, o: IngestCliOptions): Promise<ExitCode> {
  const missing = o.files.filter((f) => !existsSync(f));
  if (o.files.length === 0 || missing.length > 0) {
    io.err(
      `error: ${o.files.length === 0 ? 'no input files given' : `cannot read ${missing.join(', ')}`}\n`,
    );
    return EXIT.BAD_INPUT;
  }
  if (!existsSync(o.snapshot)) {
    io.err(`error: --snapshot ${o.snapshot}: no such file or directory\n`);
    return EXIT.BAD_INPUT;
  }
  const snap = await loadSnapshot(o.snapshot);
  if (!snap.ok) {
    printIssues(io, snap.issues);
    return EXIT.BAD_INPUT;
  }
  let store: Store | undefined;
  let report: IngestReport;
  try {
    store = await openStore(o.store, o.spoolDir ? { spoolDir: o.spoolDir } : {});
    report = await ingestFiles({
      format: o.format,
      files: o.files,
      enricher: new Enricher(snap.snapshot),
      sink: store,
      ...(o.level !== undefined ? { level: o.level } : {}),
      ...(o.intervalSeconds !== undefined ? { intervalSeconds: o.intervalSeconds } : {}),
      ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      onProgress: progressPrinter(io, o.progress === true),
    });
    if (o.retentionSeconds !== undefined) {
      const n = await store.retain(o.retentionSeconds);
      if (n > 0)
        io.out(`retention: deleted ${plural(n, 'record')} older than the retention period\n`);
    }
    await store.close();
    if (store instanceof ClickHouseStore) {
      const waiting = (await store.spool.pending()).length;
      if (waiting > 0)
        io.err(
          `warning: ClickHouse is unreachable; ${waiting} batch${waiting === 1 ? '' : 'es'} wait in ${store.spool.dir} and will be delivered by the next ingest into this store\n`,
        );
    }
  } catch (e) {
    await store?.close().catch(() => undefined);
    return storeFailure(io, e);
  }
  return printIngest(io, report);
}

function printIngest(io: IO, r: IngestReport): ExitCode {
  let malformed = 0;
  for (const f of r.files) {
    malformed += f.malformed;
    io.out(
      `${f.path}: ${plural(f.lines, 'line')}, ${plural(f.parsed, 'record')}, ${f.malformed} malformed\n`,
    );
    for (const m of f.malformedLines) io.err(`${f.path}:${m.line}: ${m.error}\n`);
    if (f.malformed > f.malformedLines.length)
      io.err(
        `${f.path}: ${f.malformed - f.malformedLines.length} more malformed lines not listed\n`,
      );
  }
  io.out(
    `written: ${plural(r.written, 'record')} (already stored ones are not written twice); ` +
      `policy traces computed for ${plural(r.computed, 'record')} from ${plural(r.evaluated, 'distinct connection')}${r.workers > 1 ? ` (counted per worker, ${r.workers} workers)` : ''}\n`,
  );
  return malformed > 0 ? EXIT.FINDINGS : EXIT.OK;
}

/** `FIELD=VALUE` or `FIELD!=VALUE`. */
export function parseCondition(text: string): Condition | undefined {
  const m = /^([a-z_]+)(!?=)(.*)$/.exec(text);
  if (!m) return undefined;
  return {
    field: m[1] as string,
    value: m[3] as string,
    ...(m[2] === '!=' ? { negate: true } : {}),
  };
}

/** Run `flows query`; exit 0, 2 on bad fields, 3 when the store fails. */
export async function flowsQuery(io: IO, o: QueryCliOptions): Promise<ExitCode> {
  const where: Condition[] = [];
  for (const w of o.where) {
    const c = parseCondition(w);
    if (!c) {
      io.err(`error: --where ${JSON.stringify(w)}: expected FIELD=VALUE or FIELD!=VALUE\n`);
      return EXIT.BAD_INPUT;
    }
    where.push(c);
  }
  if (!o.store.startsWith('clickhouse://') && !existsSync(o.store)) {
    io.err(`error: no flow store at ${o.store} (run flows ingest first, or give --store)\n`);
    return EXIT.BAD_INPUT;
  }
  const q: FlowQuery = {
    groupBy: o.groupBy,
    where,
    limit: o.limit,
    offset: o.offset,
    ...(o.since !== undefined ? { since: o.since } : {}),
    ...(o.until !== undefined ? { until: o.until } : {}),
    ...(o.search !== undefined ? { search: o.search } : {}),
    ...(o.sort !== undefined ? { sort: o.sort } : {}),
  };
  let rows: QueryRow[];
  let store: Store | undefined;
  try {
    store = await openStore(o.store, { requireServer: true });
    rows = await store.query(q);
    await store.close();
  } catch (e) {
    await store?.close().catch(() => undefined);
    return storeFailure(io, e);
  }
  printRows(io, rows, o);
  return EXIT.OK;
}

const RECORD_COLUMNS = [
  'start_time',
  'action',
  'source',
  'source_zone',
  'dest',
  'dest_zone',
  'service',
  'policy',
  'bytes',
];

function endText(r: QueryRow, side: 'source' | 'dest'): string {
  const ns = r[`${side}_namespace`];
  const name = r[`${side}_name`] !== '-' ? r[`${side}_name`] : r[`${side}_name_aggr`];
  const ip = r[`${side}_ip`];
  const who = ns !== '-' ? `${String(ns)}/${String(name)}` : name !== '-' ? String(name) : '';
  return who !== '' ? who : String(ip);
}

function recordCells(r: QueryRow): string[] {
  return [
    new Date(Number(r.start_time) * 1000).toISOString().replace('.000Z', 'Z'),
    String(r.action),
    endText(r, 'source'),
    String(r.source_zone),
    endText(r, 'dest'),
    String(r.dest_zone),
    `${String(r.proto)}/${String(r.dest_port)}`,
    r.policy_name !== '-'
      ? `${String(r.policy_tier)}: ${String(r.policy_name)}${r.trace_source === 'computed' ? ' (computed)' : ''}`
      : '-',
    String(Number(r.bytes_in) + Number(r.bytes_out)),
  ];
}

function csvCell(v: unknown): string {
  const s = Array.isArray(v) ? v.join(';') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function printRows(io: IO, rows: QueryRow[], o: QueryCliOptions): void {
  if (o.output === 'json') {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const grouped = o.groupBy.length > 0;
  const cols = grouped ? [...o.groupBy, ...MEASURES] : rows[0] ? Object.keys(rows[0]) : [];
  if (o.output === 'csv') {
    io.out(
      [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n') +
        '\n',
    );
    return;
  }
  if (rows.length === 0) {
    io.out('no flows match\n');
    return;
  }
  const body = grouped ? rows.map((r) => cols.map((c) => String(r[c]))) : rows.map(recordCells);
  io.out(table([grouped ? cols : RECORD_COLUMNS, ...body]));
  if (rows.length === o.limit)
    io.out(
      `(first ${rows.length} from offset ${o.offset}; --offset ${o.offset + o.limit} for more)\n`,
    );
}
