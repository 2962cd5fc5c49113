// DuckDB driver: one file (default ./zonewall.duckdb), nothing to install. A record is a row of
// flow_rows whose lists (labels, policy traces) are numbers of flow_lists, which holds each
// distinct list once: labels and traces are most of a record and repeat for every record of a
// pod or path, so a row is much lighter to load and compress (a 122,880-row batch: 0.75 s
// instead of 1.1 s; the file 20 instead of 28 MB for 500,000 records). The view `flows` is the
// whole record. A batch is bulk loaded: its records, as tab-separated lines (encoded by the
// ingest workers, or by write()), go to a temporary file that DuckDB's parallel CSV reader
// loads in one INSERT ... SELECT, keeping only the rows whose id the store does not hold yet
// (so ingesting a file twice doubles nothing). A line holds a hash in place of each list and of
// each end of the record (name, aggregated name, namespace, type, labels, zone: encode.ts); the
// batch's lists the store does not hold yet are appended to flow_lists (through the appender,
// so lists are stored exactly), temporary tables map the batch's hashes to the stored numbers
// and to its ends (appended too, so ends are stored exactly), and the INSERT joins them. A batch
// is one transaction: its lists and rows, or nothing. The ingest hands a batch in parts, each an
// INSERT as above within the batch's transaction (beginEncoded).
// Batches of at least a row group (122,880 rows) are written straight to the database file
// instead of through its write-ahead log.
import { randomUUID } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { DuckDBInstance, LIST, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { FIELDS } from '../../flows/record.js';
import type { FieldType, FlowRecord } from '../../flows/record.js';
import { END_PARTS, END_SIDES, TSV_FIELDS, encode } from '../../flows/encode.js';
import type { EncodedBatch, Encoding, NumberedEnd, NumberedList } from '../../flows/encode.js';
import {
  COLUMNS,
  FLOWS_TABLE,
  LISTS_TABLE,
  MIGRATIONS,
  ROWS_TABLE,
  SCHEMA_TABLE,
  WORKLOAD_IDS,
  WORKLOADS_TABLE,
  columnDefs,
  listIdColumn,
  refuseNewer,
} from '../schema.js';
import { checkFields, selectSql } from '../sql.js';
import type { Dialect } from '../sql.js';
import { StoreError, hasRecords } from '../types.js';
import type { EncodedParts, FlowQuery, QueryRow, Store } from '../types.js';

const TYPES = { string: 'VARCHAR', int: 'BIGINT', strings: 'VARCHAR[]' } as const;

/** The list fields. */
const LIST_FIELDS: readonly string[] = FIELDS.filter(([, t]) => t === 'strings').map(([n]) => n);

/** A row's columns for the record's fields, in FIELDS order (a list field: its number). */
const ROW_COLUMNS: readonly string[] = FIELDS.map(([n, t]) =>
  t === 'strings' ? listIdColumn(n) : n,
);

/** The temporary table of a batch: each of its list hashes and the stored list's number. */
const BATCH_LISTS = 'zonewall_batch_lists';

/**
 * The temporary table of a batch's ends: each end's hash and its fields (its labels as the
 * stored list's number).
 */
const BATCH_ENDS = 'zonewall_batch_ends';
const BATCH_ENDS_COLUMNS = END_PARTS.map((p) =>
  p === 'labels' ? 'labels_id UINTEGER NOT NULL' : `${p} VARCHAR`,
).join(', ');

/**
 * The CSV reader's view of a batch file: every column as it is written (a list, an end: its
 * hash).
 */
const CSV_COLUMNS = `{${TSV_FIELDS.map(([n, t]) => `'${n}': '${t === 'strings' || t === 'end' ? 'UBIGINT' : t === 'int' ? 'BIGINT' : 'VARCHAR'}'`).join(', ')}}`;

/**
 * Rows of `source` (alias f, followed by `joins`): a row's columns in FIELDS order, each the
 * expression `column` gives for its field (a list field's: its number, named as its column), then
 * the `more` columns of f.
 */
function asRows(
  source: string,
  column: (name: string, type: FieldType, i: number) => string,
  joins: readonly string[],
  more: readonly string[] = [],
): string {
  const columns = FIELDS.map(([n, t], i) =>
    t === 'strings' ? `${column(n, t, i)} AS ${listIdColumn(n)}` : `${column(n, t, i)} AS ${n}`,
  );
  return `SELECT ${[...columns, ...more.map((c) => `f.${c}`)].join(', ')} FROM ${source} f${joins.join('')}`;
}

/** The side and part of an end's field (`source_zone`: source, zone). */
const END_FIELD: ReadonlyMap<string, readonly [string, string]> = new Map(
  END_SIDES.flatMap((side) => END_PARTS.map((p) => [`${side}_${p}`, [side, p]] as const)),
);

/**
 * A batch file's rows: each end's fields from the batch's ends (alias e_SIDE) by its hash, each
 * other list's number from the batch's lists by its hash (a hash the batch does not hold fails
 * the INSERT: no row is stored without its end or list).
 */
function csvRows(file: string): string {
  const csv = `read_csv(${DUCKDB_DIALECT.str(file)}, delim = '\t', quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n', nullstr = chr(1), columns = ${CSV_COLUMNS})`;
  const missing = (id: string, what: string, field: string): string =>
    `coalesce(${id}, error('${what} ' || ${field} || ' of a row is not in its batch'))`;
  const column = (n: string, t: FieldType, i: number): string => {
    const end = END_FIELD.get(n);
    if (end?.[1] === 'labels') return missing(`e_${end[0]}.labels_id`, 'end', `f.${end[0]}_end`);
    if (end) return `e_${end[0]}.${end[1]}`;
    return t === 'strings' ? missing(`k${i}.id`, 'list', `f.${n}`) : `f.${n}`;
  };
  const joins = [
    ...END_SIDES.map(
      (side) => ` LEFT JOIN ${BATCH_ENDS} e_${side} ON e_${side}.hash = f.${side}_end`,
    ),
    ...FIELDS.map(([n, t], i) =>
      t === 'strings' && !END_FIELD.has(n)
        ? ` LEFT JOIN ${BATCH_LISTS} k${i} ON k${i}.hash = f.${n}`
        : '',
    ),
  ];
  return asRows(csv, column, joins);
}

/** Rows (alias r) as whole records: the rows' own columns, then each list field's items. */
const ROWS_AS_RECORDS =
  `SELECT r.*, ${LIST_FIELDS.map((n, i) => `k${i}.items AS ${n}`).join(', ')} FROM ${ROWS_TABLE} r` +
  LIST_FIELDS.map(
    (n, i) => ` LEFT JOIN ${LISTS_TABLE} k${i} ON k${i}.id = r.${listIdColumn(n)}`,
  ).join('');

/** The distinct lists (column `items`) of records in `source`. */
const DISTINCT_LISTS = (source: string): string =>
  `SELECT items FROM (${LIST_FIELDS.map((n) => `SELECT ${n} AS items FROM ${source}`).join(' UNION ')}) ` +
  `WHERE items IS NOT NULL`;

/** Records in `source` as a row's columns, each list by its number in the lists table. */
const RECORDS_AS_ROWS = (source: string, more: readonly string[] = []): string =>
  asRows(
    source,
    (n, t, i) => (t === 'strings' ? `k${i}.id` : `f.${n}`),
    FIELDS.map(([n, t], i) =>
      t === 'strings' ? ` LEFT JOIN ${LISTS_TABLE} k${i} ON k${i}.items = f.${n}` : '',
    ),
    more,
  );

/** A test of a list field: is the row's number one of a stored list whose `items` pass `test`? */
const listsWhere = (col: string, test: string): string =>
  `${listIdColumn(col)} IN (SELECT id FROM ${LISTS_TABLE} WHERE ${test})`;

/** DuckDB's spellings. */
export const DUCKDB_DIALECT: Dialect = {
  str: (s) => `'${s.replace(/'/g, "''")}'`,
  listHas: (col, v) => listsWhere(col, `list_contains(items, ${DUCKDB_DIALECT.str(v)})`),
  hitHas: (col, part, v) =>
    listsWhere(
      col,
      `len(list_filter(items, x -> split_part(x, '|', ${part}) = ${DUCKDB_DIALECT.str(v)})) > 0`,
    ),
  contains: (col, v) => `contains(lower(${col}), ${DUCKDB_DIALECT.str(v.toLowerCase())})`,
  listContains: (col, v) =>
    listsWhere(
      col,
      `len(list_filter(items, x -> contains(lower(x), ${DUCKDB_DIALECT.str(v.toLowerCase())}))) > 0`,
    ),
};

const [SOURCE_ID, DEST_ID] = [...WORKLOAD_IDS.values()] as [string, string];

/** The workload numbers of rows from `source` (aliased s), for INSERT ... SELECT. */
const ROWS_WITH_IDS = (source: string): string =>
  `SELECT s.*, a.id, b.id FROM ${source} s ` +
  `LEFT JOIN ${WORKLOADS_TABLE} a ON a.name = s.source_name_aggr ` +
  `LEFT JOIN ${WORKLOADS_TABLE} b ON b.name = s.dest_name_aggr`;
const INSERT_ROWS = `INSERT INTO ${ROWS_TABLE} (${ROW_COLUMNS.join(', ')}, ${SOURCE_ID}, ${DEST_ID}) `;

/**
 * Grouping by a workload pair over millions of rows spends most of its time hashing the names;
 * by numbers whose range is small (up to 2^10 workloads a side) DuckDB takes an array instead
 * of a hash table (DuckDB's default bound is 12 bits: 2^6 a side).
 */
const PERFECT_HASH_BITS = 20;

/**
 * DuckDB's threads for a batch's INSERT: half the cores, the other half being the ingest's
 * (its workers parse the next batch meanwhile). On 2 cores, one thread instead of DuckDB's
 * default two took 500,000 Calico records into DuckDB 7% faster (the flow bench, two
 * alternations: medians 81,600 and 81,500 against 76,300 and 74,000/s; the ingest used 9.4-9.6
 * instead of 10.3-10.9 CPU-seconds): its second thread only took the core from the worker.
 * Queries keep every core.
 */
const WRITE_THREADS = Math.max(1, Math.floor(os.availableParallelism() / 2));

/**
 * The storage format of a new file (an existing file keeps the one it was made with): DuckDB
 * 1.3's compresses a batch a quarter faster than the default (1.0's); the file opens in
 * DuckDB 1.3 or later.
 */
const STORAGE_VERSION = 'v1.3.0';

const STATEMENTS: Record<number, string[]> = {
  1: [`CREATE TABLE ${FLOWS_TABLE} (${columnDefs(TYPES)})`],
  2: [
    `CREATE TABLE ${WORKLOADS_TABLE} (id UINTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE)`,
    `ALTER TABLE ${FLOWS_TABLE} ADD COLUMN ${SOURCE_ID} UINTEGER`,
    `ALTER TABLE ${FLOWS_TABLE} ADD COLUMN ${DEST_ID} UINTEGER`,
    `INSERT INTO ${WORKLOADS_TABLE} SELECT row_number() OVER (ORDER BY name), name FROM ` +
      `(SELECT source_name_aggr AS name FROM ${FLOWS_TABLE} UNION SELECT dest_name_aggr FROM ${FLOWS_TABLE})`,
    `UPDATE ${FLOWS_TABLE} SET ${SOURCE_ID} = w.id FROM ${WORKLOADS_TABLE} w WHERE w.name = ${FLOWS_TABLE}.source_name_aggr`,
    `UPDATE ${FLOWS_TABLE} SET ${DEST_ID} = w.id FROM ${WORKLOADS_TABLE} w WHERE w.name = ${FLOWS_TABLE}.dest_name_aggr`,
  ],
  3: [
    `CREATE TABLE ${LISTS_TABLE} (id UINTEGER PRIMARY KEY, items VARCHAR[] NOT NULL)`,
    `INSERT INTO ${LISTS_TABLE} SELECT row_number() OVER (ORDER BY items), items FROM (${DISTINCT_LISTS(FLOWS_TABLE)})`,
    // The rows' columns, then the workload numbers (as INSERT_ROWS names them).
    `CREATE TABLE ${ROWS_TABLE} AS ${RECORDS_AS_ROWS(FLOWS_TABLE, [SOURCE_ID, DEST_ID])}`,
    `DROP TABLE ${FLOWS_TABLE}`,
    `CREATE VIEW ${FLOWS_TABLE} AS SELECT ${COLUMNS.join(', ')} FROM (${ROWS_AS_RECORDS})`,
  ],
};

export class DuckDbStore implements Store {
  readonly kind = 'duckdb';
  readonly encoding: Encoding = 'tsv';

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** Where batch files are written: beside the database (the same disk), else the temp dir. */
    private readonly batchDir: string,
  ) {}

  /** Workload names known to be in the workloads table (this process is its only writer). */
  private readonly workloads = new Set<string>();

  /** The stored lists' numbers by their items (as JSON), and the greatest number. */
  private readonly lists = new Map<string, number>();
  private lastList = 0;

  /**
   * Writes one at a time: a batch is a transaction on the one connection, with its own
   * temporary table of lists and numbers taken from `lastList`.
   */
  private writing: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn, fn);
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** Open (creating or migrating) the store in a file, or in memory for `:memory:`. */
  static async open(path: string): Promise<DuckDbStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, {
        storage_compatibility_version: STORAGE_VERSION,
      });
    } catch (e) {
      throw new StoreError('store.unavailable', `cannot open ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const dir =
      path === ':memory:' || path === '' ? os.tmpdir() : nodePath.dirname(nodePath.resolve(path));
    const store = new DuckDbStore(instance, await instance.connect(), dir);
    try {
      await store.migrate(path);
    } catch (e) {
      await store.close(); // the file stays free for another zonewall
      throw e;
    }
    await store.conn.run(`SET perfect_ht_threshold = ${PERFECT_HASH_BITS}`);
    await store.readWorkloads();
    await store.readLists();
    await removeStaleBatches(dir);
    return store;
  }

  private async migrate(path: string): Promise<void> {
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version INTEGER NOT NULL, description VARCHAR, applied_at BIGINT NOT NULL)`,
    );
    const have = await this.schemaVersion();
    refuseNewer(have, path);
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
  }

  async schemaVersion(): Promise<number> {
    const r = await this.conn.runAndReadAll(
      `SELECT coalesce(max(version), 0) AS v FROM ${SCHEMA_TABLE}`,
    );
    return Number(r.getRowObjects()[0]?.v ?? 0);
  }

  async write(records: readonly FlowRecord[]): Promise<void> {
    await this.writeEncoded(encode(this.encoding, records));
  }

  /** Write a batch already encoded as tab-separated lines (by an ingest worker, or by write()). */
  async writeEncoded(b: EncodedBatch): Promise<void> {
    if (!hasRecords(b, this.encoding, 'DuckDB')) return;
    const w = await this.beginEncoded();
    await w.add(b);
    await w.commit();
  }

  /**
   * A batch written in parts, as the ingest makes them: one transaction from the first part to
   * the commit, holding the store's writes (retention, other batches) until then. Each part is
   * read, converted and inserted as it comes, while the next records are parsed, so a batch
   * leaves only its last part and its commit (which compresses and stores the row group) for
   * after the last record: a 122,880-row batch in 8 parts took 0.31-0.33 s from its last part,
   * against 0.57-0.64 s for the whole batch in one INSERT, and as long in all (no write-ahead
   * log: the transaction's rows still make whole row groups).
   */
  async beginEncoded(): Promise<EncodedParts> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await new Promise<void>((entered, failed) => {
      void this.exclusive(async () => {
        try {
          await this.begin();
        } catch (e) {
          failed(unavailable(e));
          return;
        }
        entered();
        await held;
      });
    });
    let open = true;
    const close = async (how: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      if (!open) return;
      open = false;
      try {
        await this.end(how);
      } finally {
        release();
      }
    };
    return {
      add: async (part) => {
        if (!open) throw new Error('the batch is already committed or dropped');
        try {
          if (hasRecords(part, this.encoding, 'DuckDB')) await this.insertPart(part);
        } catch (e) {
          await close('ROLLBACK').catch(() => undefined);
          throw unavailable(e);
        }
      },
      commit: async () => {
        if (!open) throw new Error('the batch is already committed or dropped');
        try {
          await close('COMMIT');
        } catch (e) {
          throw unavailable(e);
        }
      },
      abort: () => close('ROLLBACK'),
    };
  }

  /** Lists numbered by the open batch (the store holds them once it commits). */
  private pendingLists = new Map<string, readonly [number, readonly string[]]>();

  private async begin(): Promise<void> {
    await this.conn.run(`SET threads = ${WRITE_THREADS}`);
    try {
      await this.conn.run('BEGIN TRANSACTION');
    } catch (e) {
      await this.conn.run('RESET threads').catch(() => undefined);
      throw e;
    }
    this.pendingLists.clear();
  }

  /** Commit or roll back the open batch. */
  private async end(how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      if (how === 'COMMIT') {
        try {
          await this.conn.run('COMMIT');
        } catch (e) {
          await this.conn.run('ROLLBACK').catch(() => undefined); // when DuckDB has not
          await this.readWorkloads();
          throw e;
        }
        for (const [key, [id]] of this.pendingLists) this.lists.set(key, id);
        this.lastList += this.pendingLists.size;
      } else {
        await this.conn.run('ROLLBACK');
        // Workload names numbered in the batch went with it.
        await this.readWorkloads();
      }
    } finally {
      this.pendingLists.clear();
      await this.conn.run('RESET threads').catch(() => undefined);
    }
  }

  /** Insert one part of the open batch. */
  private async insertPart(b: EncodedBatch): Promise<void> {
    const file = nodePath.join(this.batchDir, batchFileName());
    try {
      await writeFile(file, `${b.text}\n`);
      await this.addWorkloads(b.workloads);
      const numbers = await this.addLists(b.lists);
      await this.addEnds(b.ends, numbers);
      // Only rows of the batch's time range can share an id with it (the id covers the start
      // time's line). NOT IN builds its hash table on those stored ids; DuckDB planned the
      // ANTI JOIN building it on the batch's rows, every column of them (a 122,880-row batch
      // took 12% longer with few stored ids in range, 29% with all of them stored). Without
      // `id IS NOT NULL` a stored row without an id (raw SQL only) would keep out every row.
      // The batch's earlier parts are stored rows here too.
      await this.conn.run(
        `${INSERT_ROWS}${ROWS_WITH_IDS(`(${csvRows(file)})`)} WHERE s.id NOT IN ` +
          `(SELECT id FROM ${ROWS_TABLE} WHERE start_time BETWEEN ${b.lo} AND ${b.hi} AND id IS NOT NULL)`,
      );
    } finally {
      await rm(file, { force: true });
    }
  }

  /**
   * Append the part's lists neither the store nor the open batch holds yet to the lists table,
   * numbered after the greatest (`pendingLists` until the batch commits), and map each of the
   * part's hashes to its list's number in a temporary table (replacing the last part's; a hash
   * of two lists is refused). Returns each hash's number.
   */
  private async addLists(lists: readonly NumberedList[]): Promise<Map<string, number>> {
    const pending = this.pendingLists;
    const fresh: Array<readonly [number, readonly string[]]> = [];
    const numbers = new Map<string, number>();
    for (const [hash, items] of lists) {
      const key = JSON.stringify(items);
      let id = this.lists.get(key) ?? pending.get(key)?.[0];
      if (id === undefined) {
        id = this.lastList + pending.size + 1;
        pending.set(key, [id, items]);
        fresh.push([id, items]);
      }
      if ((numbers.get(hash) ?? id) !== id)
        throw new Error(`two lists of the batch have the number ${hash}`);
      numbers.set(hash, id);
    }
    if (fresh.length > 0)
      await this.append(LISTS_TABLE, false, (a) => {
        for (const [id, items] of fresh) {
          a.appendUInteger(id);
          a.appendList(items, LIST(VARCHAR));
          a.endRow();
        }
      });
    await this.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${BATCH_LISTS} (hash UBIGINT PRIMARY KEY, id UINTEGER NOT NULL)`,
    );
    await this.append(BATCH_LISTS, true, (a) => {
      for (const [hash, id] of numbers) {
        a.appendUBigInt(BigInt(hash));
        a.appendUInteger(id);
        a.endRow();
      }
    });
    return numbers;
  }

  /**
   * The batch's ends in a temporary table (replacing the last batch's): each end's hash, its
   * fields, its labels by the stored list's number (`numbers`, by the list's hash).
   */
  private async addEnds(
    ends: readonly NumberedEnd[],
    numbers: ReadonlyMap<string, number>,
  ): Promise<void> {
    await this.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${BATCH_ENDS} (hash UBIGINT PRIMARY KEY, ${BATCH_ENDS_COLUMNS})`,
    );
    await this.append(BATCH_ENDS, true, (a) => {
      for (const [hash, end] of ends) {
        a.appendUBigInt(BigInt(hash));
        for (const p of END_PARTS) {
          if (p !== 'labels') {
            a.appendVarchar(end[p]);
            continue;
          }
          const id = numbers.get(end.labels);
          if (id === undefined) throw new Error(`list ${end.labels} of an end is not in its batch`);
          a.appendUInteger(id);
        }
        a.endRow();
      }
    });
  }

  /** Append rows to a table (`temporary`: one of the connection's temporary tables) at once. */
  private async append(
    table: string,
    temporary: boolean,
    fill: (a: DuckDBAppender) => void,
  ): Promise<void> {
    const appender = temporary
      ? await this.conn.createAppender(table, 'main', 'temp')
      : await this.conn.createAppender(table);
    try {
      fill(appender);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Read the stored workload names (at open, and after a batch is rolled back). */
  private async readWorkloads(): Promise<void> {
    this.workloads.clear();
    const rows = (await this.conn.runAndReadAll(`SELECT name FROM ${WORKLOADS_TABLE}`)).getRows();
    for (const [name] of rows) this.workloads.add(String(name));
  }

  /** Read the stored lists' numbers (at open, and after changes made in SQL). */
  private async readLists(): Promise<void> {
    this.lists.clear();
    this.lastList = 0;
    const rows = (
      await this.conn.runAndReadAll(`SELECT id, items FROM ${LISTS_TABLE}`)
    ).getRowsJS() as Array<[number, string[]]>;
    for (const [id, items] of rows) {
      this.lists.set(JSON.stringify(items), Number(id));
      this.lastList = Math.max(this.lastList, Number(id));
    }
  }

  /** Number the names the workloads table does not hold yet (each once, in name order). */
  private async addWorkloads(names: readonly string[]): Promise<void> {
    const fresh = [...new Set(names.filter((n) => !this.workloads.has(n)))];
    if (fresh.length === 0) return;
    await this.conn.run(
      `INSERT INTO ${WORKLOADS_TABLE} SELECT (SELECT coalesce(max(id), 0) FROM ${WORKLOADS_TABLE}) + ` +
        `row_number() OVER (ORDER BY name), name FROM (VALUES ${fresh.map((n) => `(${DUCKDB_DIALECT.str(n)})`).join(', ')}) v(name) ` +
        `WHERE name NOT IN (SELECT name FROM ${WORKLOADS_TABLE})`,
    );
    for (const n of fresh) this.workloads.add(n);
  }

  /**
   * Insert the rows of a SELECT whose columns are the record's fields in FIELDS order, as they
   * are (no id check): the benchmarks' generated data.
   */
  async insertRows(select: string): Promise<void> {
    await this.exclusive(() => this.insertStaged(select));
  }

  private async insertStaged(select: string): Promise<void> {
    const staged = 'zonewall_staged_rows';
    await this.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT ${COLUMNS.join(', ')} FROM ${FLOWS_TABLE} LIMIT 0`,
    );
    try {
      await this.conn.run(`INSERT INTO ${staged} ${select}`);
      const names = await this.conn.runAndReadAll(
        `SELECT source_name_aggr FROM ${staged} UNION SELECT dest_name_aggr FROM ${staged}`,
      );
      await this.addWorkloads(names.getRows().map(([n]) => String(n)));
      await this.conn.run(
        `INSERT INTO ${LISTS_TABLE} SELECT (SELECT coalesce(max(id), 0) FROM ${LISTS_TABLE}) + ` +
          `row_number() OVER (ORDER BY items), items FROM (${DISTINCT_LISTS(staged)}) x ` +
          `WHERE NOT EXISTS (SELECT 1 FROM ${LISTS_TABLE} l WHERE l.items = x.items)`,
      );
      await this.conn.run(`${INSERT_ROWS}${ROWS_WITH_IDS(`(${RECORDS_AS_ROWS(staged)})`)}`);
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${staged}`);
      await this.readLists();
    }
  }

  async query(q: FlowQuery): Promise<QueryRow[]> {
    const bad = checkFields(q);
    if (bad) throw new StoreError('store.query', bad);
    // Groups need no list's items (lists are tested by their numbers); records do.
    const from = (q.groupBy ?? []).length > 0 ? ROWS_TABLE : `(${ROWS_AS_RECORDS}) f`;
    const sql = selectSql(DUCKDB_DIALECT, q, from, COLUMNS, {
      table: WORKLOADS_TABLE,
      ids: WORKLOAD_IDS,
    });
    try {
      return (await this.conn.runAndReadAll(sql)).getRowObjectsJS().map(toRow);
    } catch (e) {
      throw new StoreError('store.query', `query failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async count(): Promise<number> {
    const r = await this.conn.runAndReadAll(`SELECT count(*) AS n FROM ${ROWS_TABLE}`);
    return Number(r.getRowObjects()[0]?.n ?? 0);
  }

  async retain(maxAgeSeconds: number, now = Date.now() / 1000): Promise<number> {
    return this.exclusive(() => this.deleteBefore(now - maxAgeSeconds));
  }

  private async deleteBefore(before: number): Promise<number> {
    const cut = Math.floor(before);
    const r = await this.conn.runAndReadAll(`DELETE FROM ${ROWS_TABLE} WHERE end_time < ${cut}`);
    // The lists no row holds any more go too.
    await this.conn.run(
      `DELETE FROM ${LISTS_TABLE} WHERE id NOT IN (` +
        LIST_FIELDS.map(
          (n) =>
            `SELECT ${listIdColumn(n)} FROM ${ROWS_TABLE} WHERE ${listIdColumn(n)} IS NOT NULL`,
        ).join(' UNION ') +
        ')',
    );
    await this.readLists();
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

/** A batch file's name: the writing process's id, then a random part. */
const BATCH_FILE = /^\.zonewall-batch-(\d+)-[0-9a-f-]+\.tsv$/;

function batchFileName(): string {
  return `.zonewall-batch-${process.pid}-${randomUUID()}.tsv`;
}

/** Is a process with this id running (on this machine)? */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the batch files a killed ingest left in a directory (only files named as ours). */
export async function removeStaleBatches(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = BATCH_FILE.exec(name);
    if (!m || running(Number(m[1]))) continue;
    await rm(nodePath.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function unavailable(e: unknown): StoreError {
  return e instanceof StoreError
    ? e
    : new StoreError('store.unavailable', `write failed: ${(e as Error).message}`, { cause: e });
}

function toRow(o: Record<string, unknown>): QueryRow {
  const out: QueryRow = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] =
      typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(String) : (v as string | number);
  }
  return out;
}
