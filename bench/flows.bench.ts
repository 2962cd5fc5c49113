// The flow benchmark (issue 6): ingest rate (parse, enrich, evaluate, write) into DuckDB and
// into ClickHouse, each next to the database's own bulk load of the same rows in the same run
// (the ratio is what compares across machines), and the standard aggregations over ten
// million stored flows in DuckDB.
//
// Input: Calico Enterprise flow log lines between the bank example's pods and outside
// addresses, half with an observed policy trace and half without (the engine computes those).
// With --labels-in-input each line also carries its pods' labels, as Calico Enterprise's own
// flow logs do (the lines are then about twice as long, and every record has lists of its own).
// The bulk load is each database's own path for newline-delimited JSON of the final rows:
// DuckDB's read_json into the table, ClickHouse's INSERT ... FORMAT JSONEachRow over HTTP; for
// ClickHouse also INSERT ... FORMAT TabSeparated of the same rows (the form zonewall sends it),
// and the ratio is given against each. DuckDB's load of the record rows stores their lists in
// every row; zonewall stores each distinct list once and a number in the row, so DuckDB's own
// load of the rows as zonewall stores them (lists as numbers) is given too. DuckDB's figures
// (ours and its bulk loads) all include a CHECKPOINT.
//
// Every rate comes with the CPU a record cost (this process's threads, and the ClickHouse
// server's), beside two floors: V8's JSON.parse of the input lines alone, and each database
// storing the rows from a table it holds in memory (INSERT ... SELECT). C cores give a record at most
// C / R CPU-seconds at R records a second, so the floors bound the rates the machine allows.
//
//   npm run bench:flows [-- --records N] [--rows N (0: no aggregations)] [--reps N] [--batch N] [--json PATH] [--no-clickhouse] [--labels-in-input]
import {
  appendFileSync,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIP as formatIp } from '../src/core/net/index.js';
import { Enricher } from '../src/flows/enrich.js';
import { ingestFiles } from '../src/flows/ingest.js';
import type { RecordSink } from '../src/flows/ingest.js';
import { encode } from '../src/flows/encode.js';
import { FIELDS } from '../src/flows/record.js';
import type { FlowRecord } from '../src/flows/record.js';
import { loadSnapshot } from '../src/flows/snapshot.js';
import type { Snapshot } from '../src/flows/snapshot.js';
import { LocalClickHouse, findClickHouseServer } from '../src/store/clickhouse/local-server.js';
import { ClickHouseStore, DuckDbStore } from '../src/store/index.js';
import type { FlowQuery } from '../src/store/index.js';
import { gc, median, now } from './measure.js';
import { Rng } from './prng.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const RECORDS = arg('records', 500_000);
const ROWS = arg('rows', 10_000_000);
const REPS = arg('reps', 3);
/** Records per write; default: each store's own (DuckDB 122,880, ClickHouse 30,720). */
const BATCH = process.argv.includes('--batch') ? arg('batch', 0) : undefined;
const QUERY_REPS = 7;
/** Issue 6's ingest target, records a second. */
const TARGET_RATE = 300_000;
const jsonAt = process.argv.indexOf('--json');
const JSON_PATH = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
const WITH_CH = !process.argv.includes('--no-clickhouse');
const LABELS_IN_INPUT = process.argv.includes('--labels-in-input');

interface Result {
  what: string;
  samples: number[];
  unit: string;
  /** Rates only: CPU microseconds a record cost in each sample (every thread; see Run). */
  cpu?: number[];
}
const results: Result[] = [];

/**
 * One timed load: records a second, and the CPU a record cost. The CPU is this process's (its
 * main thread, the ingest's workers and DuckDB's threads) plus, for ClickHouse, the server's:
 * on a machine of C cores, R records a second can cost at most C / R CPU-seconds a record, so
 * this says which rates the machine could reach at all, whatever the load's parallelism.
 */
interface Run {
  rate: number;
  cpuUs: number;
}

/** CPU seconds this process (every thread) has used, plus `other`'s. */
function cpuSeconds(other?: () => number | undefined): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6 + (other?.() ?? 0);
}

/** Time `fn`, which loads `records()` records (asked after it ran). */
async function timed(
  fn: () => Promise<unknown>,
  records: () => number,
  other?: () => number | undefined,
): Promise<Run> {
  const c = cpuSeconds(other);
  const t = now();
  await fn();
  const s = (now() - t) / 1000;
  const n = records();
  return { rate: n / s, cpuUs: ((cpuSeconds(other) - c) / n) * 1e6 };
}

/** A run for the log. */
const runText = (r: Run): string =>
  `${Math.round(r.rate)}/s (${r.cpuUs.toFixed(1)} CPU-µs a record)`;

/** One repetition's runs, for the log. */
function logReps(db: string, r: number, runs: Record<string, readonly Run[]>): void {
  const parts = Object.entries(runs).map(([what, rs]) => `${what} ${runText(rs[r] as Run)}`);
  log(`${db} rep ${r + 1}: ${parts.join(', ')}`);
}

/** A rate figure from runs. */
function rateResult(what: string, runs: readonly Run[]): Result {
  return { what, samples: runs.map((r) => r.rate), unit: '/s', cpu: runs.map((r) => r.cpuUs) };
}
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** Calico flow log lines over the bank's pods (and some outside addresses). */
function generateInput(snap: Snapshot, file: string, n: number): void {
  const rng = new Rng(6);
  const pods = snap.load.set.pods.filter((p) => p.ips.length > 0);
  const outside = ['203.0.113.9', '198.51.100.7', '192.0.2.53', '192.0.2.200'];
  const ports = [443, 8080, 5432, 53, 6514, 9090, 8443, 5672];
  const out = createWriteStream(file);
  const lines: string[] = [];
  const t0 = 1_780_000_000;
  for (let i = 0; i < n; i++) {
    const s = pods[rng.int(pods.length)];
    const d = pods[rng.int(pods.length)];
    const srcIp =
      rng.int(10) === 0
        ? (outside[rng.int(outside.length)] as string)
        : String(s?.ips[0] && formatIp(s.ips[0]));
    const dstIp = String(d?.ips[0] && formatIp(d.ips[0]));
    const labels = (p: typeof s, ip: string): { labels: string[] } | undefined =>
      LABELS_IN_INPUT && p && p.ips[0] && formatIp(p.ips[0]) === ip
        ? { labels: [...p.labels].map(([k, v]) => `${k}=${v}`) }
        : undefined;
    const observed = i % 2 === 0;
    const rec = {
      start_time: t0 + Math.floor(i / 50),
      end_time: t0 + Math.floor(i / 50) + 15,
      source_ip: srcIp,
      source_name: '-',
      source_name_aggr: '-',
      source_namespace: '-',
      source_port: 30000 + rng.int(30000),
      source_type: 'wep',
      dest_ip: dstIp,
      dest_name: '-',
      dest_name_aggr: '-',
      dest_namespace: '-',
      dest_port: ports[rng.int(ports.length)],
      dest_type: 'wep',
      source_labels: labels(s, srcIp),
      dest_labels: labels(d, dstIp),
      proto: 'tcp',
      action: observed && rng.int(3) === 0 ? 'deny' : 'allow',
      reporter: 'src',
      policies: observed
        ? {
            all_policies: [
              '0|security|zonepolicy.bank|pass|6',
              '1|default|ns/knp.default.p|allow|0',
            ],
          }
        : null,
      bytes_in: rng.int(100_000),
      bytes_out: rng.int(100_000),
      num_flows: 1 + rng.int(5),
      num_flows_started: 1,
      num_flows_completed: 1,
      packets_in: rng.int(100),
      packets_out: rng.int(100),
      host: `node-${rng.int(3)}`,
    };
    lines.push(JSON.stringify(rec));
    if (lines.length === 10_000) out.write(`${lines.splice(0).join('\n')}\n`);
  }
  out.end(`${lines.join('\n')}\n`);
}

/**
 * Writes the final rows (the bulk loads' input), batch by batch: as newline-delimited JSON, and
 * as ClickHouse's TabSeparated.
 */
class RowsSink implements RecordSink {
  constructor(
    private readonly json: string,
    private readonly tsv: string,
  ) {
    writeFileSync(json, '');
    writeFileSync(tsv, '');
  }
  async write(rs: readonly FlowRecord[]): Promise<void> {
    appendFileSync(this.json, `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    appendFileSync(this.tsv, `${encode('tab-separated', rs).text}\n`);
  }
}

/** One ingest, `settle` (the store's checkpoint) included. */
async function ingestOnce(
  snap: Snapshot,
  input: string,
  sink: RecordSink,
  settle?: () => Promise<unknown>,
  other?: () => number | undefined,
): Promise<Run> {
  let written = 0;
  return timed(
    async () => {
      const rep = await ingestFiles({
        format: 'calico',
        files: [input],
        enricher: new Enricher(snap),
        sink,
        ...(BATCH ? { batchSize: BATCH } : {}),
      });
      await settle?.();
      if (rep.files[0]?.malformed) throw new Error('generated input has malformed lines');
      written = rep.written;
    },
    () => written,
    other,
  );
}

/** A table's columns as read_json's `columns` argument. */
async function duckColumns(store: DuckDbStore, table: string): Promise<string> {
  const cols = await store.sql(
    `SELECT column_name AS n, data_type AS t FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
  );
  return `{${cols.map((c) => `'${String(c.n)}': '${String(c.t)}'`).join(', ')}}`;
}

/**
 * What V8's JSON.parse alone costs a line of the input (the file read and split beforehand):
 * a floor under any ingest of JSON lines written in JavaScript, which must parse each line.
 */
async function jsonParseFloor(input: string): Promise<void> {
  // Line by line: the file may be longer than a string can be.
  const buf = readFileSync(input);
  const lines: string[] = [];
  for (let a = 0; a < buf.length;) {
    const e = buf.indexOf(10, a);
    const b = e < 0 ? buf.length : e;
    lines.push(buf.toString('utf8', a, b));
    a = b + 1;
  }
  const runs: Run[] = [];
  let sink = 0;
  for (let r = 0; r < REPS; r++) {
    gc();
    runs.push(
      await timed(
        async () => {
          for (const l of lines) if (l !== '') sink += (JSON.parse(l) as object) ? 1 : 0;
        },
        () => RECORDS,
      ),
    );
  }
  if (sink !== RECORDS * REPS) throw new Error('input lines and records differ');
  results.push(
    rateResult("V8's JSON.parse of the input lines alone (one thread, nothing else)", runs),
  );
}

async function duckdbIngest(
  snap: Snapshot,
  dir: string,
  input: string,
  rows: string,
): Promise<void> {
  const ours: Run[] = [];
  const bulk: Run[] = [];
  const bulkNumbered: Run[] = [];
  const copies: Run[] = [];
  const numberedRows = path.join(dir, 'rows-numbered.jsonl');
  for (let r = 0; r < REPS; r++) {
    const file = path.join(dir, `ingest-${r}.duckdb`);
    const store = await DuckDbStore.open(file);
    // Every figure includes the CHECKPOINT that leaves every row in the database file: DuckDB
    // writes whole row groups there at once and the rest through its write-ahead log, which it
    // checkpoints when the log is large (during a run) or at close (after it).
    const checkpoint = (): Promise<unknown> => store.sql('CHECKPOINT');
    ours.push(await ingestOnce(snap, input, store, checkpoint));
    // The record's columns (ours also number the workloads, which a bulk load of rows cannot).
    await store.sql(
      `CREATE TABLE bulk AS SELECT ${FIELDS.map(([n]) => n).join(', ')} FROM flows LIMIT 0`,
    );
    const load = (table: string, file: string, columns: string): Promise<Run> =>
      timed(
        async () => {
          await store.sql(
            `INSERT INTO ${table} SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${columns})`,
          );
          await checkpoint();
        },
        () => RECORDS,
      );
    bulk.push(await load('bulk', rows, await duckColumns(store, 'bulk')));
    // The same rows as zonewall stores them (each list a number of the lists table, which
    // holds each distinct list once): DuckDB's own load of what our ingest writes.
    if (r === 0)
      await store.sql(`COPY (SELECT * FROM flow_rows) TO '${numberedRows}' (FORMAT json)`);
    await store.sql('CREATE TABLE bulk_numbered AS SELECT * FROM flow_rows LIMIT 0');
    bulkNumbered.push(
      await load('bulk_numbered', numberedRows, await duckColumns(store, 'bulk_numbered')),
    );
    // The floor: DuckDB storing rows it holds in memory, nothing to read or parse.
    await store.sql('CREATE TEMP TABLE held AS SELECT * FROM flow_rows');
    await store.sql('CREATE TABLE copied AS SELECT * FROM flow_rows LIMIT 0');
    copies.push(
      await timed(
        async () => {
          await store.sql('INSERT INTO copied SELECT * FROM held');
          await checkpoint();
        },
        () => RECORDS,
      ),
    );
    await store.close();
    rmSync(file, { force: true });
    logReps('duckdb', r, {
      ours,
      bulk,
      'bulk of stored rows': bulkNumbered,
      'copy of stored rows': copies,
    });
  }
  results.push(rateResult('DuckDB: zonewall ingest (parse, enrich, evaluate, write)', ours));
  results.push(rateResult('DuckDB: its own bulk load (read_json) of the same rows', bulk));
  results.push(
    rateResult(
      'DuckDB: its own bulk load (read_json, lists as numbers) of the rows as zonewall stores them',
      bulkNumbered,
    ),
  );
  results.push(
    rateResult(
      'DuckDB: storing the rows as zonewall stores them from memory (INSERT ... SELECT from a temporary table: nothing to read or parse)',
      copies,
    ),
  );
}

async function clickhouseIngest(
  snap: Snapshot,
  input: string,
  rows: string,
  rowsTsv: string,
): Promise<void> {
  const binary = findClickHouseServer();
  if (!binary) {
    log('clickhouse-server not installed: ClickHouse figures skipped');
    return;
  }
  const server = await LocalClickHouse.start(binary);
  const serverCpu = (): number | undefined => server.cpuSeconds();
  try {
    const ours: Run[] = [];
    const bulk: Run[] = [];
    const bulkTsv: Run[] = [];
    const copies: Run[] = [];
    const body = readFileSync(rows);
    const bodyTsv = readFileSync(rowsTsv);
    const load = (db: string, format: string, data: Buffer): Promise<Run> =>
      timed(
        async () => {
          const res = await fetch(
            `http://127.0.0.1:${server.httpPort}/?database=${db}&query=${encodeURIComponent(`INSERT INTO bulk FORMAT ${format}`)}`,
            { method: 'POST', body: data },
          );
          if (!res.ok) throw new Error(await res.text());
        },
        () => RECORDS,
        serverCpu,
      );
    for (let r = 0; r < REPS; r++) {
      const store = await ClickHouseStore.open(server.url(`bench${r}`), { requireServer: true });
      ours.push(await ingestOnce(snap, input, store, undefined, serverCpu));
      await store.sql('CREATE TABLE bulk AS flows');
      bulk.push(await load(`bench${r}`, 'JSONEachRow', body));
      await store.sql('DROP TABLE bulk');
      await store.sql('CREATE TABLE bulk AS flows');
      bulkTsv.push(await load(`bench${r}`, 'TabSeparated', bodyTsv));
      // The floor: the server storing rows it holds in memory, nothing to receive or parse.
      await store.sql('CREATE TABLE held ENGINE = Memory AS SELECT * FROM flows');
      await store.sql('CREATE TABLE copied AS flows');
      copies.push(
        await timed(
          () => store.sql('INSERT INTO copied SELECT * FROM held'),
          () => RECORDS,
          serverCpu,
        ),
      );
      await store.sql(`DROP DATABASE bench${r}`);
      await store.close();
      logReps('clickhouse', r, { ours, 'bulk JSON': bulk, TabSeparated: bulkTsv, copy: copies });
    }
    results.push(rateResult('ClickHouse: zonewall ingest (parse, enrich, evaluate, write)', ours));
    results.push(
      rateResult('ClickHouse: its own bulk load (JSONEachRow over HTTP) of the same rows', bulk),
    );
    results.push(
      rateResult(
        'ClickHouse: its own bulk load (TabSeparated over HTTP) of the same rows',
        bulkTsv,
      ),
    );
    results.push(
      rateResult(
        'ClickHouse: storing the same rows from memory (INSERT ... SELECT from a Memory table: nothing to receive or parse)',
        copies,
      ),
    );
  } finally {
    await server.destroy();
  }
}

const ZONES =
  "['dmz','trusted','restricted','management','audit','unclassified','internet','partner-net']";
const NAMESPACES =
  "['payments-web','payments-api','payments-db','card-vault','monitoring','logging','kube-system','batch','messaging','online-banking']";

/** Ten million rows made by DuckDB itself (the aggregation figures are about reading them). */
async function fillRows(store: DuckDbStore, n: number): Promise<void> {
  const h = (k: number): string => `(hash(i * ${k}) % 1000003)::BIGINT`;
  await store.insertRows(`SELECT
    lpad(to_hex(i), 16, '0'), 1780000000 + i // 100, 1780000000 + i // 100 + 15, 'node-' || (i % 3), 'src',
    CASE WHEN ${h(7)} % 10 = 0 THEN 'deny' ELSE 'allow' END,
    '10.20.' || (i % 250) || '.' || (i % 200), 30000 + i % 30000, '-',
    (${NAMESPACES})[1 + ${h(3)} % 10] || '-' || (${h(5)} % 40) || '-*', (${NAMESPACES})[1 + ${h(3)} % 10], 'wep',
    ['app=a' || (${h(5)} % 40)], (${ZONES})[1 + ${h(3)} % 8],
    '10.30.' || (i % 250) || '.' || (i % 100), [443, 8080, 5432, 53, 6514][1 + ${h(11)} % 5], '-',
    (${NAMESPACES})[1 + ${h(13)} % 10] || '-' || (${h(17)} % 40) || '-*', (${NAMESPACES})[1 + ${h(13)} % 10], 'wep',
    ['app=b' || (${h(17)} % 40)], (${ZONES})[1 + ${h(13)} % 8],
    'tcp', ${h(19)} % 100000, ${h(23)} % 100000, ${h(29)} % 100, ${h(31)} % 100, 1 + ${h(37)} % 5, 1, 1,
    ['0|security|zonepolicy.bank|pass|' || (${h(41)} % 13)], [], CASE WHEN i % 2 = 0 THEN 'observed' ELSE 'computed' END,
    CASE WHEN ${h(43)} % 3 = 0 THEN 'security' ELSE 'default' END,
    CASE WHEN ${h(43)} % 3 = 0 THEN 'zonepolicy.bank' ELSE 'ns/knp.default.p' || (${h(47)} % 30) END, 'calico'
  FROM range(${n}) t(i)`);
}

const QUERIES: Array<[string, FlowQuery]> = [
  ['zone pair', { groupBy: ['source_zone', 'dest_zone'] }],
  ['namespace pair', { groupBy: ['source_namespace', 'dest_namespace'] }],
  ['workload pair', { groupBy: ['source_name_aggr', 'dest_name_aggr'], limit: 100 }],
  [
    'denied by policy',
    { groupBy: ['policy_tier', 'policy_name'], where: [{ field: 'action', value: 'deny' }] },
  ],
  ['top talkers (10)', { groupBy: ['source_name_aggr'], sort: 'bytes', limit: 10 }],
  [
    'one zone, one hour, by port',
    {
      groupBy: ['dest_port'],
      where: [{ field: 'zone', value: 'restricted' }],
      since: 1780000000,
      until: 1780003600,
    },
  ],
];

async function aggregations(dir: string): Promise<void> {
  const file = path.join(dir, 'rows.duckdb');
  const store = await DuckDbStore.open(file);
  const t = now();
  await fillRows(store, ROWS);
  log(`filled ${ROWS} rows in ${Math.round(now() - t)} ms`);
  const stored = await store.count();
  for (const [what, q] of QUERIES) {
    const samples: number[] = [];
    for (let r = 0; r < QUERY_REPS; r++) {
      const s = now();
      await store.query(q);
      samples.push(now() - s);
    }
    results.push({ what: `${stored.toLocaleString('en-US')} flows: ${what}`, samples, unit: 'ms' });
    log(`${what}: median ${median(samples).toFixed(0)} ms`);
  }
  await store.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zw-flows-bench-'));
  const load = os.loadavg()[0];
  try {
    const res = await loadSnapshot(path.join(ROOT, 'examples/bank'));
    if (!res.ok) throw new Error('bank snapshot invalid');
    const input = path.join(dir, 'flows.jsonl');
    generateInput(res.snapshot, input, RECORDS);
    await new Promise((r) => setTimeout(r, 500));
    const rows = path.join(dir, 'rows.jsonl');
    const rowsTsv = path.join(dir, 'rows.tsv');
    await ingestOnce(res.snapshot, input, new RowsSink(rows, rowsTsv));
    await jsonParseFloor(input);
    await duckdbIngest(res.snapshot, dir, input, rows);
    if (WITH_CH) await clickhouseIngest(res.snapshot, input, rows, rowsTsv);
    if (ROWS > 0) await aggregations(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (r: Result): string =>
    r.unit === '/s'
      ? `${Math.round(median(r.samples)).toLocaleString('en-US')}/s`
      : `${median(r.samples).toFixed(0)} ms`;
  const cpu = (r: Result): string => (r.cpu ? `${median(r.cpu).toFixed(1)} µs` : '');
  const cores = os.availableParallelism();
  const lines = [
    `records ingested: ${RECORDS.toLocaleString('en-US')}${LABELS_IN_INPUT ? ' (labels in the input lines)' : ''}, repetitions: ${REPS}; load average at start ${load?.toFixed(2)} on ${cores} cores`,
    '',
    '| figure | median | CPU a record (median) | samples |',
    '| --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.what} | ${fmt(r)} | ${cpu(r)} | ${r.samples.map((s) => Math.round(s)).join(', ')} |`,
    ),
    '',
    `At ${TARGET_RATE.toLocaleString('en-US')} records/s, ${cores} cores give a record at most ${((cores / TARGET_RATE) * 1e6).toFixed(1)} CPU-µs (every thread, the server's included).`,
  ];
  for (const db of ['DuckDB', 'ClickHouse']) {
    const ours = results.find((r) => r.what.startsWith(`${db}: zonewall`));
    for (const bulk of results.filter((r) => r.what.startsWith(`${db}: its own`))) {
      if (!ours) continue;
      const how = /\(([^)]*)\)/.exec(bulk.what)?.[1] ?? 'bulk load';
      lines.push(
        '',
        `${db} ratio (zonewall ingest / bulk load, ${how}): ${(median(ours.samples) / median(bulk.samples)).toFixed(2)}`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (JSON_PATH)
    writeFileSync(
      JSON_PATH,
      `${JSON.stringify({ records: RECORDS, rows: ROWS, load, results }, null, 2)}\n`,
    );
}

await main();
