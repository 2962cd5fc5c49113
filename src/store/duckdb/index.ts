// DuckDB driver: one file (default ./zonewall.duckdb), nothing to install. Writes go through
// the appender in data chunks into a staging table, then one INSERT ... SELECT moves the rows
// whose id the store does not hold yet (so ingesting a file twice doubles nothing).
//
// A batch crosses into DuckDB packed as one string (rows joined by newlines, fields by U+001F,
// list items by U+001E) and is split into rows and columns by DuckDB's own vectorised string
// functions: the node binding copies every string value with a call of its own, and one call
// per batch instead of one per field is what makes the appender fast (15x here).
import { DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FIELDS } from '../../flows/record.js';
import type { FlowRecord } from '../../flows/record.js';
import { COLUMNS, FLOWS_TABLE, MIGRATIONS, SCHEMA_TABLE, columnDefs } from '../schema.js';
import { checkFields, selectSql } from '../sql.js';
import type { Dialect } from '../sql.js';
import { StoreError } from '../types.js';
import type { FlowQuery, QueryRow, Store } from '../types.js';

const STAGING = 'flows_packed';
const TYPES = { string: 'VARCHAR', int: 'BIGINT', strings: 'VARCHAR[]' } as const;
const FS = '\u001f';
const RS = '\u001e';
// eslint-disable-next-line no-control-regex -- the separators are control characters on purpose
const SEPARATORS = /[\u001e\u001f]/g;

/** The packed row split back into typed columns, named as the table's. */
const UNPACK = FIELDS.map(([name, type], i) => {
  const p = `p[${i + 1}]`;
  if (type === 'int') return `CAST(${p} AS BIGINT) AS ${name}`;
  if (type === 'strings')
    return `CASE WHEN ${p} = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(${p}, chr(30)) END AS ${name}`;
  return `${p} AS ${name}`;
}).join(', ');

/** A value without the separators (they never occur in real flow data; never trust that). */
function clean(v: string): string {
  return v.indexOf(FS) < 0 && v.indexOf(RS) < 0 ? v : v.replace(SEPARATORS, ' ');
}

function list(items: readonly string[]): string {
  return items.length === 0
    ? ''
    : items.length === 1
      ? clean(items[0] as string)
      : items.map(clean).join(RS);
}

/**
 * One record as one string, fields in FIELDS order (written out: a template is several times
 * faster than a loop over FIELDS; the contract tests check every field survives the trip).
 */
export function pack(r: FlowRecord): string {
  return `${clean(r.id)}\u001f${r.start_time}\u001f${r.end_time}\u001f${clean(r.host)}\u001f${clean(r.reporter)}\u001f${clean(r.action)}\u001f${clean(r.source_ip)}\u001f${r.source_port}\u001f${clean(r.source_name)}\u001f${clean(r.source_name_aggr)}\u001f${clean(r.source_namespace)}\u001f${clean(r.source_type)}\u001f${list(r.source_labels)}\u001f${clean(r.source_zone)}\u001f${clean(r.dest_ip)}\u001f${r.dest_port}\u001f${clean(r.dest_name)}\u001f${clean(r.dest_name_aggr)}\u001f${clean(r.dest_namespace)}\u001f${clean(r.dest_type)}\u001f${list(r.dest_labels)}\u001f${clean(r.dest_zone)}\u001f${clean(r.proto)}\u001f${r.bytes_in}\u001f${r.bytes_out}\u001f${r.packets_in}\u001f${r.packets_out}\u001f${r.num_flows}\u001f${r.num_flows_started}\u001f${r.num_flows_completed}\u001f${list(r.policies)}\u001f${list(r.pending_policies)}\u001f${clean(r.trace_source)}\u001f${clean(r.policy_tier)}\u001f${clean(r.policy_name)}\u001f${clean(r.source_format)}`;
}

/** DuckDB's spellings. */
export const DUCKDB_DIALECT: Dialect = {
  str: (s) => `'${s.replace(/'/g, "''")}'`,
  listHas: (col, v) => `list_contains(${col}, ${DUCKDB_DIALECT.str(v)})`,
  hitHas: (col, part, v) =>
    `len(list_filter(${col}, x -> split_part(x, '|', ${part}) = ${DUCKDB_DIALECT.str(v)})) > 0`,
  contains: (col, v) => `contains(lower(${col}), ${DUCKDB_DIALECT.str(v.toLowerCase())})`,
  listContains: (col, v) =>
    `len(list_filter(${col}, x -> contains(lower(x), ${DUCKDB_DIALECT.str(v.toLowerCase())}))) > 0`,
};

const STATEMENTS: Record<number, string[]> = {
  1: [`CREATE TABLE ${FLOWS_TABLE} (${columnDefs(TYPES)})`],
};

export class DuckDbStore implements Store {
  readonly kind = 'duckdb';

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** Open (creating or migrating) the store in a file, or in memory for `:memory:`. */
  static async open(path: string): Promise<DuckDbStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      throw new StoreError('store.unavailable', `cannot open ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const store = new DuckDbStore(instance, await instance.connect());
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version INTEGER NOT NULL, description VARCHAR, applied_at BIGINT NOT NULL)`,
    );
    const have = await this.schemaVersion();
    for (const m of MIGRATIONS) {
      if (m.version <= have) continue;
      await this.conn.run('BEGIN TRANSACTION');
      try {
        for (const s of STATEMENTS[m.version] ?? []) await this.conn.run(s);
        await this.conn.run(
          `INSERT INTO ${SCHEMA_TABLE} VALUES (${m.version}, ${DUCKDB_DIALECT.str(m.description)}, ${Math.floor(Date.now() / 1000)})`,
        );
        await this.conn.run('COMMIT');
      } catch (e) {
        await this.conn.run('ROLLBACK');
        throw new StoreError(
          'store.schema',
          `migration ${m.version} failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }
    await this.conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (line VARCHAR)`);
  }

  async schemaVersion(): Promise<number> {
    const r = await this.conn.runAndReadAll(
      `SELECT coalesce(max(version), 0) AS v FROM ${SCHEMA_TABLE}`,
    );
    return Number(r.getRowObjects()[0]?.v ?? 0);
  }

  async write(records: readonly FlowRecord[]): Promise<void> {
    if (records.length === 0) return;
    const app = await this.conn.createAppender(STAGING, 'main', 'temp');
    let lo = Infinity;
    let hi = -Infinity;
    // The whole batch as one value: one copy into DuckDB, split there into rows and columns.
    const lines = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as FlowRecord;
      lines[i] = pack(r);
      if (r.start_time < lo) lo = r.start_time;
      if (r.start_time > hi) hi = r.start_time;
    }
    const chunk = DuckDBDataChunk.create([VARCHAR], 1);
    chunk.setColumns([[lines.join('\n')]]);
    app.appendDataChunk(chunk);
    app.flushSync();
    app.closeSync();
    await this.conn.run('BEGIN TRANSACTION');
    try {
      // Only rows of the batch's time range can share an id with it (the id covers the start time's line).
      await this.conn.run(
        `INSERT INTO ${FLOWS_TABLE} SELECT * FROM (SELECT ${UNPACK} FROM ` +
          `(SELECT string_split(l, chr(31)) AS p FROM (SELECT unnest(string_split(line, chr(10))) AS l FROM ${STAGING}))) s WHERE NOT EXISTS (` +
          `SELECT 1 FROM ${FLOWS_TABLE} f WHERE f.start_time BETWEEN ${lo} AND ${hi} AND f.id = s.id)`,
      );
      await this.conn.run(`DELETE FROM ${STAGING}`);
      await this.conn.run('COMMIT');
    } catch (e) {
      await this.conn.run('ROLLBACK');
      await this.conn.run(`DELETE FROM ${STAGING}`);
      throw new StoreError('store.unavailable', `write failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  async query(q: FlowQuery): Promise<QueryRow[]> {
    const bad = checkFields(q);
    if (bad) throw new StoreError('store.query', bad);
    const sql = selectSql(DUCKDB_DIALECT, q, FLOWS_TABLE, COLUMNS);
    try {
      return (await this.conn.runAndReadAll(sql)).getRowObjectsJS().map(toRow);
    } catch (e) {
      throw new StoreError('store.query', `query failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async count(): Promise<number> {
    const r = await this.conn.runAndReadAll(`SELECT count(*) AS n FROM ${FLOWS_TABLE}`);
    return Number(r.getRowObjects()[0]?.n ?? 0);
  }

  async retain(maxAgeSeconds: number, now = Date.now() / 1000): Promise<number> {
    const cut = Math.floor(now - maxAgeSeconds);
    const r = await this.conn.runAndReadAll(`DELETE FROM ${FLOWS_TABLE} WHERE end_time < ${cut}`);
    return Number(r.getRowObjects()[0]?.Count ?? r.getRows()[0]?.[0] ?? 0);
  }

  /** Run SQL as is (the benchmark's own bulk load, tests). */
  async sql(text: string): Promise<Record<string, unknown>[]> {
    return (await this.conn.runAndReadAll(text)).getRowObjectsJS().map(toRow);
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function toRow(o: Record<string, unknown>): QueryRow {
  const out: QueryRow = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] =
      typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(String) : (v as string | number);
  }
  return out;
}
