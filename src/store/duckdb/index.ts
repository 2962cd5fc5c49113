// DuckDB driver: one file (default ./zonewall.duckdb), nothing to install. Writes go through
// the appender in data chunks into a staging table, then one INSERT ... SELECT moves the rows
// whose id the store does not hold yet (so ingesting a file twice doubles nothing).
//
// A batch crosses into DuckDB as one row of one string per column (the batch's values joined
// by newlines; list items by U+001E) and is split back into rows by DuckDB's own vectorised
// string functions: the node binding copies every string value with a call of its own, and 36
// calls per batch instead of 36 per record is what makes the appender fast.
import { DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FIELDS } from '../../flows/record.js';
import type { FlowRecord } from '../../flows/record.js';
import { COLUMNS, FLOWS_TABLE, MIGRATIONS, SCHEMA_TABLE, columnDefs } from '../schema.js';
import { checkFields, selectSql } from '../sql.js';
import type { Dialect } from '../sql.js';
import { StoreError } from '../types.js';
import type { FlowQuery, QueryRow, Store } from '../types.js';

const STAGING = 'flows_columns';
const TYPES = { string: 'VARCHAR', int: 'BIGINT', strings: 'VARCHAR[]' } as const;
const RS = '\u001e';
// eslint-disable-next-line no-control-regex -- the separators are control characters on purpose
const SEPARATORS = /[\n\u001e]/g;

/** The staged columns split back into rows and typed, named as the table's. */
const UNPACK = `SELECT ${FIELDS.map(([name, type]) => {
  if (type === 'int') return `CAST(${name} AS BIGINT) AS ${name}`;
  if (type === 'strings')
    return `CASE WHEN ${name} = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(${name}, chr(30)) END AS ${name}`;
  return name;
}).join(
  ', ',
)} FROM (SELECT ${FIELDS.map(([name]) => `unnest(string_split(${name}, chr(10))) AS ${name}`).join(', ')} FROM ${STAGING})`;

/** A value without the separators (they never occur in real flow data; never trust that). */
function clean(v: string): string {
  return v.indexOf('\n') < 0 && v.indexOf(RS) < 0 ? v : v.replace(SEPARATORS, ' ');
}

function list(items: readonly string[]): string {
  return items.length === 0
    ? ''
    : items.length === 1
      ? clean(items[0] as string)
      : items.map(clean).join(RS);
}

/** One column of a batch as one string: the values joined by newlines. */
export function packColumn(
  records: readonly FlowRecord[],
  name: keyof FlowRecord,
  type: string,
): string {
  const n = records.length;
  const vals = new Array<string | number>(n);
  if (type === 'int')
    for (let i = 0; i < n; i++) vals[i] = (records[i] as FlowRecord)[name] as number;
  else if (type === 'strings')
    for (let i = 0; i < n; i++) vals[i] = list((records[i] as FlowRecord)[name] as string[]);
  else for (let i = 0; i < n; i++) vals[i] = clean((records[i] as FlowRecord)[name] as string);
  return vals.join('\n');
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
    await this.conn.run(
      `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (${FIELDS.map(([n]) => `${n} VARCHAR`).join(', ')})`,
    );
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
    for (const r of records) {
      if (r.start_time < lo) lo = r.start_time;
      if (r.start_time > hi) hi = r.start_time;
    }
    const chunk = DuckDBDataChunk.create(
      FIELDS.map(() => VARCHAR),
      1,
    );
    chunk.setColumns(FIELDS.map(([name, type]) => [packColumn(records, name, type)]));
    app.appendDataChunk(chunk);
    app.flushSync();
    app.closeSync();
    await this.conn.run('BEGIN TRANSACTION');
    try {
      // Only rows of the batch's time range can share an id with it (the id covers the start time's line).
      await this.conn.run(
        `INSERT INTO ${FLOWS_TABLE} SELECT * FROM (${UNPACK}) s WHERE NOT EXISTS (` +
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
