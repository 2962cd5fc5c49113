// ClickHouse driver (`--store clickhouse://HOST:PORT/DB`, the HTTP port): batched inserts in
// TabSeparated (encoded by the ingest workers, or by write()), never a statement per record.
// Idempotent: before a batch is inserted, the ids it shares with the table (in its time range)
// are dropped from it; the table is a ReplacingMergeTree on the id as a second guard. When the
// server is unreachable, batches go to a bounded on-disk spool and are delivered, in order, at
// the next write or close.
import os from 'node:os';
import path from 'node:path';
import type { FlowRecord } from '../../flows/record.js';
import { encode } from '../../flows/encode.js';
import type { EncodedBatch, Encoding } from '../../flows/encode.js';
import {
  COLUMNS,
  FLOWS_TABLE,
  MIGRATIONS,
  SCHEMA_TABLE,
  columnDefs,
  refuseNewer,
} from '../schema.js';
import { checkFields, selectSql } from '../sql.js';
import type { Dialect } from '../sql.js';
import { StoreError, hasRecords } from '../types.js';
import type { FlowQuery, QueryRow, Store } from '../types.js';
import { ClickHouseHttp, isUnavailable, parseClickHouseUrl } from './http.js';
import { Spool } from './spool.js';
import type { SpoolFormat } from './spool.js';

const TYPES = { string: 'String', int: 'Int64', strings: 'Array(String)' } as const;

/**
 * Records per insert when ingesting. ClickHouse parses and stores an insert once its body has
 * come, so it works while the next batch is parsed only if batches are short, and the last
 * insert, made after the last record, is short too: 500,000 Calico records went in 8% faster in
 * inserts of 30,720 records than of 122,880 (DuckDB's row group), medians of 6 alternated
 * rounds (55,877 against 51,851/s); 61,440 was no faster than 122,880. Each insert also costs a
 * query for the ids it shares with the table and a part for ClickHouse to merge.
 */
export const CLICKHOUSE_BATCH = 30_720;

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** ClickHouse's spellings (18.16 and later). */
export const CLICKHOUSE_DIALECT: Dialect = {
  str: quote,
  listHas: (col, v) => `has(${col}, ${quote(v)})`,
  hitHas: (col, part, v) => `arrayExists(x -> splitByChar('|', x)[${part}] = ${quote(v)}, ${col})`,
  contains: (col, v) => `positionCaseInsensitive(${col}, ${quote(v)}) > 0`,
  listContains: (col, v) => `arrayExists(x -> positionCaseInsensitive(x, ${quote(v)}) > 0, ${col})`,
};

const STATEMENTS: Record<number, string[]> = {
  1: [
    `CREATE TABLE IF NOT EXISTS ${FLOWS_TABLE} (${columnDefs(TYPES)}) ` +
      `ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(toDateTime(start_time)) ORDER BY (start_time, id)`,
  ],
};

/** A line's id and start time: TabSeparated's first two fields; JSON lines spooled before. */
const HEADS: Record<SpoolFormat, RegExp> = {
  tsv: /^([^\t]*)\t(-?\d+)\t/,
  jsonl: /^\{"id":"([^"]*)","start_time":(-?\d+)/,
};
const INSERTS: Record<SpoolFormat, string> = {
  tsv: `INSERT INTO ${FLOWS_TABLE} (${COLUMNS.join(', ')}) FORMAT TabSeparated`,
  jsonl: `INSERT INTO ${FLOWS_TABLE} FORMAT JSONEachRow`,
};

export interface ClickHouseOptions {
  spoolDir?: string;
  spoolBytes?: number;
  timeoutMs?: number;
}

export class ClickHouseStore implements Store {
  readonly kind = 'clickhouse';
  readonly encoding: Encoding = 'tab-separated';
  readonly batchSize = CLICKHOUSE_BATCH;
  private readonly http: ClickHouseHttp;
  readonly spool: Spool;

  private constructor(url: string, o: ClickHouseOptions) {
    const ep = parseClickHouseUrl(url);
    this.http = new ClickHouseHttp(ep, o.timeoutMs);
    const dir =
      o.spoolDir ??
      path.join(os.tmpdir(), 'zonewall-spool', `${ep.host}_${ep.port}_${ep.database}`);
    this.spool = new Spool(dir, o.spoolBytes);
  }

  /**
   * Connect and create or migrate the schema. An unreachable server is not an error here
   * (writes then go to the spool) unless `requireServer`; queries need the server.
   */
  static async open(
    url: string,
    o: ClickHouseOptions & { requireServer?: boolean } = {},
  ): Promise<ClickHouseStore> {
    const s = new ClickHouseStore(url, o);
    try {
      await s.migrate();
    } catch (e) {
      if (o.requireServer || !isUnavailable(e)) throw e;
    }
    return s;
  }

  private migrated = false;

  private async migrate(): Promise<void> {
    if (this.migrated) return;
    const db = this.http.ep.database;
    await this.http.run(`CREATE DATABASE IF NOT EXISTS ${db}`, undefined, { database: 'default' });
    await this.http.run(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version UInt32, description String, applied_at Int64) ENGINE = MergeTree() ORDER BY version`,
    );
    const have = await this.schemaVersion();
    refuseNewer(have, `ClickHouse database ${db}`);
    for (const m of MIGRATIONS) {
      if (m.version <= have) continue;
      // ClickHouse has no transactions: each statement is idempotent (IF NOT EXISTS) instead.
      for (const s of STATEMENTS[m.version] ?? []) await this.http.run(s);
      await this.http.run(
        `INSERT INTO ${SCHEMA_TABLE} VALUES (${m.version}, ${quote(m.description)}, ${Math.floor(Date.now() / 1000)})`,
      );
    }
    this.migrated = true;
  }

  async schemaVersion(): Promise<number> {
    const r = await this.http.rows(`SELECT max(version) AS v FROM ${SCHEMA_TABLE}`);
    return Number(r[0]?.v ?? 0);
  }

  async write(records: readonly FlowRecord[]): Promise<void> {
    await this.writeEncoded(encode(this.encoding, records));
  }

  /** Write a batch already encoded as TabSeparated lines (by an ingest worker, or by write()). */
  async writeEncoded(b: EncodedBatch): Promise<void> {
    if (!hasRecords(b, this.encoding, 'ClickHouse')) return;
    const body = b.text;
    // Earlier batches first: while any wait in the spool, this one waits behind them.
    if (!(await this.deliverSpool())) await this.spool.put(body, 'tsv');
    else await this.sendOrSpool(body);
  }

  /** Send a batch; on an unreachable server keep it in the spool. */
  private async sendOrSpool(body: string): Promise<void> {
    try {
      await this.deliver(body, 'tsv');
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      await this.spool.put(body, 'tsv');
    }
  }

  /** Deliver spooled batches; false when some remain (the server is still unreachable). */
  async deliverSpool(): Promise<boolean> {
    try {
      await this.spool.drain((b, format) => this.deliver(b, format));
      return true;
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      return false;
    }
  }

  /** Insert the lines of a batch whose ids the table does not hold. */
  private async deliver(body: string, format: SpoolFormat): Promise<void> {
    await this.migrate();
    const lines = body.split('\n').filter((l) => l !== '');
    const ids: string[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    const head = HEADS[format];
    for (const l of lines) {
      const m = head.exec(l);
      if (!m) throw new StoreError('store.query', 'a spooled line does not start with its id');
      ids.push(m[1] as string);
      const t = Number(m[2]);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    // The batch's ids travel as external data: a hash set on the server, not a huge IN list.
    const known = new Set<string>();
    const text = await this.http.run(
      `SELECT id FROM ${FLOWS_TABLE} WHERE start_time >= ${lo} AND start_time <= ${hi} AND id IN (SELECT id FROM batch_ids) FORMAT TSV`,
      undefined,
      {},
      { name: 'batch_ids', structure: 'id String', tsv: `${ids.join('\n')}\n` },
    );
    for (const id of text.split('\n')) if (id !== '') known.add(id);
    // Usually none is known: the batch goes as it came.
    const fresh =
      known.size === 0 ? body : lines.filter((_, i) => !known.has(ids[i] as string)).join('\n');
    if (fresh === '') return;
    await this.http.run(
      INSERTS[format],
      fresh,
      format === 'jsonl' ? { input_format_skip_unknown_fields: '1' } : {},
    );
  }

  async query(q: FlowQuery): Promise<QueryRow[]> {
    const bad = checkFields(q);
    if (bad) throw new StoreError('store.query', bad);
    await this.migrate();
    return (await this.http.rows(selectSql(CLICKHOUSE_DIALECT, q, FLOWS_TABLE, COLUMNS))).map(
      toRow,
    );
  }

  async count(): Promise<number> {
    const r = await this.http.rows(`SELECT count() AS n FROM ${FLOWS_TABLE}`);
    return Number(r[0]?.n ?? 0);
  }

  async retain(maxAgeSeconds: number, now = Date.now() / 1000): Promise<number> {
    const cut = Math.floor(now - maxAgeSeconds);
    const where = `end_time < ${cut}`;
    const before = Number(
      (await this.http.rows(`SELECT count() AS n FROM ${FLOWS_TABLE} WHERE ${where}`))[0]?.n ?? 0,
    );
    if (before === 0) return 0;
    await this.http.run(`ALTER TABLE ${FLOWS_TABLE} DELETE WHERE ${where}`);
    // A mutation runs in the background: wait (bounded) until it is done.
    for (let i = 0; i < 300; i++) {
      const left = await this.http.rows(`SELECT count() AS n FROM ${FLOWS_TABLE} WHERE ${where}`);
      if (Number(left[0]?.n ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return before;
  }

  /** Run SQL as is (the benchmark's own bulk load, tests). */
  async sql(text: string, body?: string): Promise<string> {
    return this.http.run(text, body);
  }

  async close(): Promise<void> {
    await this.deliverSpool();
  }
}

function toRow(o: Record<string, unknown>): QueryRow {
  const out: QueryRow = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = Array.isArray(v)
      ? v.map(String)
      : typeof v === 'number' || typeof v === 'string'
        ? v
        : String(v);
  }
  return out;
}
