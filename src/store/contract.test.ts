// One contract, two drivers: every test here runs against DuckDB and against a real
// ClickHouse server (Debian's clickhouse-server, started on loopback for this suite). When the
// server binary is missing the ClickHouse run is skipped and says why.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { encode } from '../flows/encode.js';
import { Enricher } from '../flows/enrich.js';
import { ingestFiles } from '../flows/ingest.js';
import type { RecordSink } from '../flows/ingest.js';
import { loadSnapshot } from '../flows/snapshot.js';
import type { EncodedBatch } from '../flows/encode.js';
import { FIELDS, blankRecord } from '../flows/record.js';
import type { FlowRecord } from '../flows/record.js';
import { LocalClickHouse, findClickHouseServer } from './clickhouse/local-server.js';
import { ClickHouseStore, DuckDbStore, SCHEMA_VERSION } from './index.js';
import type { Store } from './index.js';

const T = 1_780_000_000;

function rec(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    ...blankRecord(),
    id: `r${String(i).padStart(6, '0')}`,
    start_time: T + i,
    end_time: T + i + 15,
    action: i % 4 === 0 ? 'deny' : 'allow',
    source_ip: `10.20.0.${i % 3}`,
    source_name_aggr: `web-${i % 3}-*`,
    source_namespace: 'payments-web',
    source_zone: 'dmz',
    source_labels: ['app=web', `replica=${i % 3}`],
    dest_ip: '10.30.0.4',
    dest_port: i % 2 === 0 ? 8080 : 443,
    dest_name_aggr: i % 7 === 0 ? 'db-*' : 'api-*',
    dest_namespace: i % 5 === 0 ? 'payments-db' : 'payments-api',
    dest_zone: i % 5 === 0 ? 'restricted' : 'trusted',
    proto: 'tcp',
    bytes_in: 100,
    bytes_out: 10 * i,
    packets_in: 1,
    packets_out: 2,
    num_flows: 2,
    policies:
      i % 4 === 0
        ? ['0|security|zonepolicy.bank|deny|-1']
        : ['0|security|zonepolicy.bank|pass|3', '1|default|payments-api/knp.default.api|allow|0'],
    policy_tier: i % 4 === 0 ? 'security' : 'default',
    policy_name: i % 4 === 0 ? 'zonepolicy.bank' : 'payments-api/knp.default.api',
    source_format: 'lab',
    ...over,
  };
}

const RECORDS = Array.from({ length: 200 }, (_, i) => rec(i));

/** Temporary directories of this file, removed at the end. */
const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function contract(open: () => Promise<Store>): void {
  let store: Store;
  beforeAll(async () => {
    store = await open();
    await store.write(RECORDS.slice(0, 120));
    await store.write(RECORDS.slice(120));
  });
  afterAll(async () => store.close());

  it('creates the schema at the current version', async () => {
    expect(await store.schemaVersion()).toBe(SCHEMA_VERSION);
  });

  it('stores every record once; writing them again adds nothing', async () => {
    expect(await store.count()).toBe(200);
    await store.write(RECORDS.slice(50, 150));
    expect(await store.count()).toBe(200);
  });

  it('groups by zone pair with records, flows, bytes and packets', async () => {
    const rows = await store.query({ groupBy: ['source_zone', 'dest_zone'] });
    const total = (f: (r: FlowRecord) => boolean): number => RECORDS.filter(f).length;
    expect(rows).toEqual([
      {
        source_zone: 'dmz',
        dest_zone: 'trusted',
        records: total((r) => r.dest_zone === 'trusted'),
        flows: 2 * total((r) => r.dest_zone === 'trusted'),
        bytes: RECORDS.filter((r) => r.dest_zone === 'trusted').reduce(
          (n, r) => n + r.bytes_in + r.bytes_out,
          0,
        ),
        packets: 3 * total((r) => r.dest_zone === 'trusted'),
      },
      {
        source_zone: 'dmz',
        dest_zone: 'restricted',
        records: 40,
        flows: 80,
        bytes: RECORDS.filter((r) => r.dest_zone === 'restricted').reduce(
          (n, r) => n + r.bytes_in + r.bytes_out,
          0,
        ),
        packets: 120,
      },
    ]);
  });

  it.each<[string, Parameters<Store['query']>[0], number]>([
    ['action', { where: [{ field: 'action', value: 'deny' }] }, 50],
    [
      'two values of one field (or)',
      {
        where: [
          { field: 'dest_port', value: '8080' },
          { field: 'dest_port', value: '443' },
        ],
      },
      200,
    ],
    [
      'and across fields',
      {
        where: [
          { field: 'action', value: 'deny' },
          { field: 'dest_zone', value: 'restricted' },
        ],
      },
      10,
    ],
    ['negation', { where: [{ field: 'action', value: 'deny', negate: true }] }, 150],
    ['zone on either side', { where: [{ field: 'zone', value: 'dmz' }] }, 200],
    ['namespace on either side', { where: [{ field: 'namespace', value: 'payments-db' }] }, 40],
    ['label', { where: [{ field: 'label', value: 'replica=1' }] }, 67],
    [
      'policy in the enforced trace',
      { where: [{ field: 'policy', value: 'payments-api/knp.default.api' }] },
      150,
    ],
    ['tier in the trace', { where: [{ field: 'tier', value: 'security' }] }, 200],
    ['time range', { since: T + 10, until: T + 20 }, 20],
    ['free text, any case', { search: 'WEB-1' }, 67],
    [
      'a value with quotes is only a value',
      { where: [{ field: 'source_zone', value: "x' OR '1'='1" }] },
      0,
    ],
  ])('filters: %s', async (_, q, n) => {
    const rows = await store.query({ ...q, groupBy: ['action'], limit: 10 });
    expect(rows.reduce((s, r) => s + (r.records as number), 0)).toBe(n);
  });

  it('denied by policy, top talkers, pages', async () => {
    const denied = await store.query({
      groupBy: ['policy_tier', 'policy_name'],
      where: [{ field: 'action', value: 'deny' }],
    });
    expect(denied).toEqual([
      expect.objectContaining({
        policy_tier: 'security',
        policy_name: 'zonepolicy.bank',
        records: 50,
      }),
    ]);
    const top = await store.query({ groupBy: ['source_name_aggr'], sort: 'bytes', limit: 2 });
    expect(top.map((r) => r.source_name_aggr)).toEqual(['web-1-*', 'web-0-*']);
    const page2 = await store.query({
      groupBy: ['source_name_aggr'],
      sort: 'bytes',
      limit: 2,
      offset: 2,
    });
    expect(page2.map((r) => r.source_name_aggr)).toEqual(['web-2-*']);
  });

  it.each([
    [['source_name_aggr', 'dest_name_aggr']],
    [['dest_name_aggr', 'source_namespace', 'source_name_aggr']],
    [['dest_port', 'source_name_aggr']],
  ])('groups by %j as the records add up', async (keys) => {
    const want = new Map<string, Record<string, string | number>>();
    for (const r of RECORDS) {
      const k = keys.map((f) => String(r[f as keyof FlowRecord])).join('\t');
      const g = want.get(k) ?? {
        ...Object.fromEntries(keys.map((f) => [f, r[f as keyof FlowRecord] as string | number])),
        records: 0,
        flows: 0,
        bytes: 0,
        packets: 0,
      };
      (g.records as number) += 1;
      (g.flows as number) += r.num_flows;
      (g.bytes as number) += r.bytes_in + r.bytes_out;
      (g.packets as number) += r.packets_in + r.packets_out;
      want.set(k, g);
    }
    // Largest bytes first, then the keys ascending (numbers as numbers, text as text).
    const order = (x: string | number, y: string | number): number =>
      typeof x === 'number' && typeof y === 'number' ? x - y : x < y ? -1 : x > y ? 1 : 0;
    const sorted = [...want.values()].sort(
      (a, b) =>
        (b.bytes as number) - (a.bytes as number) ||
        keys.reduce((c, f) => c || order(a[f] as string | number, b[f] as string | number), 0),
    );
    expect(await store.query({ groupBy: keys, limit: 1000 })).toEqual(sorted);
    expect(await store.query({ groupBy: keys, limit: 2, offset: 1 })).toEqual(sorted.slice(1, 3));
  });

  it('lists records newest first with every field', async () => {
    const rows = await store.query({ limit: 2 });
    expect(rows[0]).toMatchObject({
      id: 'r000199',
      dest_port: 443,
      source_labels: ['app=web', 'replica=1'],
    });
    expect(rows[0]?.policies).toEqual(RECORDS[199]?.policies);
    expect(rows[1]?.id).toBe('r000198');
  });

  it('rejects unknown fields', async () => {
    await expect(store.query({ groupBy: ['nope'] })).rejects.toThrow(/cannot group by "nope"/);
    await expect(store.query({ where: [{ field: 'dest_port', value: 'x' }] })).rejects.toThrow(
      /number/,
    );
  });

  it('takes a fixed-set value in any case and a protocol by name or number', async () => {
    const count = async (field: string, value: string, negate = false): Promise<unknown> =>
      (await store.query({ where: [{ field, value, negate }], groupBy: ['proto'] }))[0]?.records;
    expect(await count('action', 'Deny')).toBe(50);
    expect(await count('action', 'DENY', true)).toBe(150);
    expect(await count('proto', '6')).toBe(200);
    expect(await count('proto', 'TCP')).toBe(200);
    expect(await count('proto', '17')).toBeUndefined();
    expect(await count('proto', 'tcp', true)).toBeUndefined();
    expect(await count('source_format', 'Lab')).toBe(200);
  });

  it('refuses a value no record can hold, naming the ones it can', async () => {
    const where = (field: string, value: string): Promise<unknown> =>
      store.query({ where: [{ field, value }] });
    await expect(where('action', 'maybe')).rejects.toThrow(
      'action is one of allow, deny; "maybe" is not',
    );
    await expect(where('reporter', 'source')).rejects.toThrow(/reporter is one of src, dst, -/);
    await expect(where('dest_type', 'pod')).rejects.toThrow(/wep, hep, ns, net/);
    await expect(where('trace_source', 'guessed')).rejects.toThrow(/observed, computed, none/);
    await expect(where('source_format', 'netflow')).rejects.toThrow(/lab, calico, goldmane/);
    await expect(where('proto', 'tcpx')).rejects.toThrow(
      /proto is a protocol name \(icmp, tcp, udp/,
    );
    await expect(where('proto', '256')).rejects.toThrow(/"256" is not/);
  });

  it('retention deletes by age', async () => {
    const deleted = await store.retain(100, T + 15 + 150); // end_time < T + 65
    expect(deleted).toBe(50);
    expect(await store.count()).toBe(150);
  });

  it('reads back empty strings and empty lists as they were written, every field equal', async () => {
    const empty = rec(1000, {
      id: 'empty',
      host: '',
      source_ip: '',
      dest_ip: '',
      source_labels: [],
      dest_labels: [],
      policies: [],
      pending_policies: [],
    });
    await store.write([empty]);
    const rows = await store.query({ where: [{ field: 'id', value: 'empty' }] });
    expect(rows).toEqual([{ ...empty }]);
  });

  it('keeps backslashes, quotes and other characters of values and list items exactly', async () => {
    const odd = rec(1001, {
      id: 'odd',
      host: 'a\\b\'c"d ü \\t',
      source_name_aggr: "w\\x'-*",
      source_labels: ["it's=a\\b", 'k="v"', ''],
      dest_labels: ['\\'],
      policies: ["0|t\\|p'q|allow|0"],
    });
    await store.write([odd]);
    expect(await store.query({ where: [{ field: 'id', value: 'odd' }] })).toEqual([{ ...odd }]);
    const g = await store.query({
      groupBy: ['source_name_aggr'],
      where: [{ field: 'id', value: 'odd' }],
    });
    expect(g).toEqual([expect.objectContaining({ source_name_aggr: "w\\x'-*", records: 1 })]);
  });

  it('keeps every character of list items, separators and control characters too', async () => {
    const lists = rec(1002, {
      id: 'lists',
      source_labels: ['a=1\tb', 'c=2\nd\re', 'f=\u001e\u0001\u0000'],
      dest_labels: [''],
      policies: ['0|t|p\tq|allow|0'],
      pending_policies: ['\n'],
    });
    await store.write([lists]);
    expect(await store.query({ where: [{ field: 'id', value: 'lists' }] })).toEqual([{ ...lists }]);
  });
  it('matches every spelling a record may hold for a protocol', async () => {
    // Calico's and Goldmane's logs keep the protocol's name as written (lower-cased).
    const spellings = ['icmp6', 'icmpv6', '58', 'unknown', 'tcp'];
    const ids = spellings.map((_, i) => ({ field: 'id', value: `proto-${i}` }));
    await store.write(spellings.map((proto, i) => rec(1010 + i, { id: `proto-${i}`, proto })));
    const ofThem = async (value: string): Promise<string[]> =>
      (await store.query({ where: [...ids, { field: 'proto', value }] })).map(
        (r) => r.id as string,
      );
    for (const v of ['58', 'icmp6', 'ICMPv6', 'icmpv6'])
      expect((await ofThem(v)).sort()).toEqual(['proto-0', 'proto-1', 'proto-2']);
    expect(await ofThem('Unknown')).toEqual(['proto-3']);
    expect(await ofThem('6')).toEqual(['proto-4']);
  });
}

/** A store a newer zonewall migrated is refused on open, not written to. */
async function refusesNewer(
  open: () => Promise<Store & { sql(text: string): Promise<unknown> }>,
): Promise<void> {
  const a = await open();
  await a.sql(`INSERT INTO zonewall_schema VALUES (${SCHEMA_VERSION + 1}, 'from the future', 0)`);
  await a.close();
  await expect(open()).rejects.toMatchObject({
    code: 'store.schema',
    message: expect.stringContaining(
      `schema version ${SCHEMA_VERSION + 1}; this zonewall knows versions up to ${SCHEMA_VERSION}`,
    ),
  });
}

/** DuckDB's thread setting on the store's connection. */
async function threadsOf(store: DuckDbStore): Promise<unknown> {
  return (await store.sql("SELECT current_setting('threads') AS t"))[0]?.t;
}

describe('DuckDB store', () => {
  const dir = tempDir('zw-duckdb-');
  contract(() => DuckDbStore.open(path.join(dir, 'flows.duckdb')));

  it('removes the batch files a killed ingest left, and nothing else', async () => {
    const d = tempDir('zw-duckdb-stale-');
    const stale = '.zonewall-batch-99999999-0a1b2c3d.tsv'; // no such process
    const live = `.zonewall-batch-${process.pid}-0a1b2c3d.tsv`;
    const other = 'zonewall-batch-99999999-0a1b2c3d.tsv.keep';
    for (const f of [stale, live, other]) writeFileSync(path.join(d, f), 'x');
    const store = await DuckDbStore.open(path.join(d, 'flows.duckdb'));
    await store.close();
    const left = readdirSync(d);
    expect(left).not.toContain(stale);
    expect(left).toEqual(expect.arrayContaining([live, other]));
  });

  it('a value holding a separator is stored with a space instead (lists and record ends exactly)', async () => {
    const store = await DuckDbStore.open(':memory:');
    const ends = {
      source_name: 'p\tq',
      source_namespace: 'n\ns',
      source_zone: 'z\u0001',
      dest_name_aggr: 'd\r*',
    };
    await store.write([
      rec(1, { host: 'a\nb\tc\u0001d\u001ee', source_labels: ['x\ty', 'z'], ...ends }),
    ]);
    expect(await store.query({ limit: 1 })).toEqual([
      expect.objectContaining({
        host: 'a b c d\u001ee',
        source_labels: ['x\ty', 'z'],
        dest_port: 443,
        ...ends,
      }),
    ]);
    await store.close();
  });

  it('refuses a batch whose line names a list or end the batch does not hold, or whose number names two lists, storing none of it', async () => {
    const store = await DuckDbStore.open(':memory:');
    const b = encode('tsv', [
      rec(1),
      rec(2, { source_labels: ['app=other'], policies: ['0|t|p|allow|0'] }),
    ]);
    const without = (items: string): EncodedBatch => ({
      ...b,
      lists: b.lists.filter(([, l]) => !l.includes(items)),
    });
    const otherEnd = b.ends.find(
      ([, e]) => e.labels === b.lists.find(([, l]) => l[0] === 'app=other')?.[0],
    );
    for (const [broken, error] of [
      [without('app=other'), /list \d+ of an end is not in its batch/],
      [without('0|t|p|allow|0'), /list \d+ of a row is not in its batch/],
      [
        { ...b, ends: b.ends.filter((e) => e !== otherEnd) },
        /end \d+ of a row is not in its batch/,
      ],
      [
        { ...b, lists: [...b.lists, [b.lists[0]?.[0] as string, ['app=forged']] as const] },
        /two lists of the batch have the number/,
      ],
    ] as const) {
      await expect(store.writeEncoded(broken)).rejects.toThrow(error);
      expect(await store.count()).toBe(0);
      // Its lists were not kept either, and the store does not believe they were.
      expect(await store.sql('SELECT count(*) AS n FROM flow_lists')).toEqual([{ n: 0 }]);
    }
    await store.writeEncoded(b);
    expect(await store.count()).toBe(2);
    expect((await store.query({ limit: 10 })).map((r) => r.source_labels)).toEqual([
      ['app=other'],
      ['app=web', 'replica=1'],
    ]);
    await store.close();
  });

  describe('a batch in parts', () => {
    /** Records in three parts; a list and a workload new in the second part recur in the third. */
    const parts = (): FlowRecord[][] => [
      RECORDS.slice(0, 70),
      RECORDS.slice(70, 140).map((r, i) =>
        i % 2 ? r : { ...r, source_labels: ['part=two'], source_name_aggr: 'two-*' },
      ),
      RECORDS.slice(140).map((r, i) =>
        i % 3 ? r : { ...r, source_labels: ['part=two'], source_name_aggr: 'two-*' },
      ),
    ];

    it('stores what the whole batch stores, each list and workload numbered once', async () => {
      const whole = await DuckDbStore.open(':memory:');
      await whole.writeEncoded(encode('tsv', parts().flat()));
      const inParts = await DuckDbStore.open(':memory:');
      const w = await inParts.beginEncoded();
      for (const p of parts()) await w.add(encode('tsv', p));
      await w.commit();
      expect(await inParts.count()).toBe(200);
      expect(await inParts.query({ limit: 300 })).toEqual(await whole.query({ limit: 300 }));
      const numbered =
        'SELECT (SELECT count(*) FROM flow_lists) AS lists, (SELECT count(*) FROM workloads) AS workloads';
      expect(await inParts.sql(numbered)).toEqual(await whole.sql(numbered));
      expect(
        await inParts.query({
          groupBy: ['source_name_aggr'],
          where: [{ field: 'label', value: 'part=two' }],
        }),
      ).toEqual(
        await whole.query({
          groupBy: ['source_name_aggr'],
          where: [{ field: 'label', value: 'part=two' }],
        }),
      );
      // A part with records the batch's earlier parts hold adds none of them.
      const again = await inParts.beginEncoded();
      await again.add(encode('tsv', RECORDS.slice(0, 10)));
      await again.add(encode('tsv', RECORDS.slice(5, 20)));
      await again.commit();
      expect(await inParts.count()).toBe(200);
      await whole.close();
      await inParts.close();
    });

    it('a batch dropped, or one of whose parts fails, stores none of its parts; the next numbers lists and workloads as if it never was', async () => {
      const store = await DuckDbStore.open(':memory:');
      const threads = (): Promise<unknown> => threadsOf(store);
      const all = await threads();
      const [first = [], second = []] = parts();
      const dropped = await store.beginEncoded();
      await dropped.add(encode('tsv', first));
      await dropped.add(encode('tsv', second));
      await dropped.abort();
      await expect(dropped.add(encode('tsv', first))).rejects.toThrow(
        /already committed or dropped/,
      );
      const failed = await store.beginEncoded();
      await failed.add(encode('tsv', second));
      const broken = encode('tsv', [rec(900, { source_labels: ['x'] })]);
      await expect(failed.add({ ...broken, lists: [] })).rejects.toThrow(/not in its batch/);
      await expect(failed.commit()).rejects.toThrow(/already committed or dropped/);
      expect(await threads()).toBe(all);
      expect(await store.count()).toBe(0);
      expect(await store.sql('SELECT count(*) AS n FROM flow_lists')).toEqual([{ n: 0 }]);
      expect(await store.sql('SELECT count(*) AS n FROM workloads')).toEqual([{ n: 0 }]);
      // The store knows none of them: the next batch adds and numbers them.
      await store.writeEncoded(encode('tsv', second));
      expect(
        await store.query({
          groupBy: ['source_name_aggr'],
          where: [{ field: 'label', value: 'part=two' }],
        }),
      ).toEqual([expect.objectContaining({ source_name_aggr: 'two-*', records: 35 })]);
      expect(await store.sql('SELECT max(id) = count(*) AS dense FROM flow_lists')).toEqual([
        { dense: true },
      ]);
      await store.close();
    });

    it('an ingest of batches in parts stores what it stores in whole batches', async () => {
      const snap = await loadSnapshot('examples/bank');
      if (!snap.ok) throw new Error('bank snapshot invalid');
      const file = path.join(tempDir('zw-duckdb-ingest-parts-'), 'calico.jsonl');
      const lines = Array.from({ length: 6000 }, (_, i) => {
        const r = rec(i);
        const { source_labels, policies, id: _id, ...rest } = r;
        return JSON.stringify({
          ...rest,
          source_port: 30000 + i,
          source_type: 'wep',
          dest_type: 'wep',
          source_labels: { labels: source_labels },
          policies: i % 2 ? null : { all_policies: policies },
        });
      });
      writeFileSync(file, `${lines.join('\n')}\n{"broken"\n`);
      const dir = tempDir('zw-duckdb-ingest-parts-db-');
      const stored = async (inParts: boolean): Promise<unknown[]> => {
        const db = path.join(dir, `${inParts ? 'parts' : 'whole'}.duckdb`);
        const store = await DuckDbStore.open(db);
        // Whole batches: the store without its beginEncoded.
        const sink: RecordSink = inParts
          ? store
          : {
              encoding: store.encoding,
              write: (rs) => store.write(rs),
              writeEncoded: (b) => store.writeEncoded(b),
            };
        const rep = await ingestFiles({
          format: 'calico',
          files: [file],
          enricher: new Enricher(snap.snapshot),
          sink,
          workers: 2,
          batchSize: 1000,
        });
        expect([rep.written, rep.files[0]?.malformed]).toEqual([6000, 1]);
        await store.close();
        // Read back by another store from the file: only what was committed.
        const back = await DuckDbStore.open(db);
        const rows = await back.query({ limit: 10_000 });
        await back.close();
        return rows;
      };
      const parts = await stored(true);
      expect(parts).toHaveLength(6000);
      expect(parts).toEqual(await stored(false));
    });

    it("holds the store's other writes until the batch is closed", async () => {
      const store = await DuckDbStore.open(':memory:');
      const w = await store.beginEncoded();
      await w.add(encode('tsv', RECORDS.slice(0, 10)));
      let written = false;
      const other = store.write([rec(500)]).then(() => (written = true));
      let retained = false;
      const retain = store.retain(1e9, T).then(() => (retained = true));
      await new Promise((r) => setTimeout(r, 50));
      expect([written, retained]).toEqual([false, false]);
      await w.add(encode('tsv', RECORDS.slice(10, 20)));
      await w.commit();
      await Promise.all([other, retain]);
      expect(await store.count()).toBe(21);
      await store.close();
    });
  });

  it('migrates a version 1 file: every stored workload numbered, new ones after them', async () => {
    const file = path.join(tempDir('zw-duckdb-v1-'), 'flows.duckdb');
    const v1 = await DuckDBInstance.create(file);
    const c = await v1.connect();
    const type = { string: 'VARCHAR', int: 'BIGINT', strings: 'VARCHAR[]' } as const;
    await c.run(
      'CREATE TABLE zonewall_schema (version INTEGER NOT NULL, description VARCHAR, applied_at BIGINT NOT NULL)',
    );
    await c.run("INSERT INTO zonewall_schema VALUES (1, 'flows', 0)");
    await c.run(`CREATE TABLE flows (${FIELDS.map(([n, t]) => `${n} ${type[t]}`).join(', ')})`);
    const literal = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(literal).join(', ')}]::VARCHAR[]`
        : typeof v === 'number'
          ? String(v)
          : `'${String(v).replace(/'/g, "''")}'`;
    for (const r of RECORDS.slice(0, 100))
      await c.run(`INSERT INTO flows VALUES (${FIELDS.map(([n]) => literal(r[n])).join(', ')})`);
    c.closeSync();
    v1.closeSync();

    const store = await DuckDbStore.open(file);
    expect(await store.schemaVersion()).toBe(SCHEMA_VERSION);
    await store.write([...RECORDS.slice(100), rec(900, { source_name_aggr: 'new-*' })]);
    const pairs = await store.query({ groupBy: ['source_name_aggr', 'dest_name_aggr'] });
    expect(pairs.reduce((n, r) => n + (r.records as number), 0)).toBe(201);
    expect(pairs.find((r) => r.source_name_aggr === 'new-*')).toMatchObject({ records: 1 });
    expect(
      await store.sql(
        'SELECT count(*) AS n, count(DISTINCT name) AS names, max(id) AS top FROM workloads',
      ),
    ).toEqual([{ n: 6, names: 6, top: 6 }]);
    expect(
      await store.sql(
        'SELECT count(*) AS n FROM flow_rows f JOIN workloads s ON s.id = f.source_workload_id ' +
          'JOIN workloads d ON d.id = f.dest_workload_id ' +
          'WHERE s.name = f.source_name_aggr AND d.name = f.dest_name_aggr',
      ),
    ).toEqual([{ n: 201 }]);
    // Every record reads back as written, its lists from the lists table (each list once).
    const back = await store.query({ limit: 1000 });
    expect(back.sort((x, y) => String(x.id).localeCompare(String(y.id)))).toEqual(
      [...RECORDS, rec(900, { source_name_aggr: 'new-*' })].map((r) => ({ ...r })),
    );
    expect(
      await store.sql('SELECT count(*) AS n, count(DISTINCT items) AS distinct FROM flow_lists'),
    ).toEqual([{ n: 6, distinct: 6 }]);
    await store.close();
  });

  it('a stored row without an id does not stop a batch of its time range', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.write([rec(1)]);
    // Only raw SQL can store one; the id check must not take it for every id.
    await store.sql(
      `INSERT INTO flow_rows SELECT * REPLACE (NULL AS id, start_time + 1 AS start_time) FROM flow_rows`,
    );
    await store.write([rec(2), rec(3)]);
    expect(await store.count()).toBe(4);
    await store.close();
  });

  it('numbers a workload name holding a separator as it is stored', async () => {
    const store = await DuckDbStore.open(':memory:');
    // Stored exactly (a record's end is not in the batch file); numbered under that name, or
    // the row would find no number and its group no name.
    await store.write([rec(1, { source_name_aggr: 'a\tb' })]);
    expect(await store.query({ groupBy: ['source_name_aggr'] })).toEqual([
      expect.objectContaining({ source_name_aggr: 'a\tb', records: 1 }),
    ]);
    await store.close();
  });

  it('inserts generated rows with their workloads numbered', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.write(RECORDS.slice(0, 10));
    await store.insertRows(
      `SELECT * REPLACE ('gen-' || (start_time % 2) || '-*' AS source_name_aggr, 'x' || id AS id, ` +
        `list_append(source_labels, 'gen') AS source_labels) FROM flows`,
    );
    const rows = await store.query({ groupBy: ['source_name_aggr', 'dest_name_aggr'], limit: 20 });
    expect(rows.map((r) => [r.source_name_aggr, r.dest_name_aggr, r.records])).toEqual(
      expect.arrayContaining([
        ['gen-0-*', 'api-*', 4],
        ['gen-1-*', 'api-*', 4],
        ['gen-0-*', 'db-*', 1],
        ['gen-1-*', 'db-*', 1],
      ]),
    );
    expect(await store.count()).toBe(20);
    // Their lists joined the stored ones: a label filter finds them, a later batch reuses them.
    expect(
      await store.query({ groupBy: ['source_format'], where: [{ field: 'label', value: 'gen' }] }),
    ).toEqual([expect.objectContaining({ records: 10 })]);
    const lists = await store.sql('SELECT count(*) AS n FROM flow_lists');
    expect(lists).toEqual([{ n: 9 }]);
    await store.write([rec(1000, { source_labels: ['app=web', 'replica=1', 'gen'] })]);
    expect(await store.sql('SELECT count(*) AS n FROM flow_lists')).toEqual(lists);
    await store.close();
  });

  it('gives queries every thread back after a write, and after a failed one', async () => {
    const store = await DuckDbStore.open(':memory:');
    const threads = (): Promise<unknown> => threadsOf(store);
    const all = await threads();
    await store.write(RECORDS.slice(0, 5));
    expect(await threads()).toBe(all);
    const b = encode('tsv', [rec(1, { source_labels: ['x'] })]);
    await expect(store.writeEncoded({ ...b, lists: [] })).rejects.toThrow(/not in its batch/);
    expect(await threads()).toBe(all);
    await store.close();
  });

  it('takes writes made at once one after another, each with its own lists', async () => {
    const store = await DuckDbStore.open(':memory:');
    const batches = [0, 1, 2, 3].map((k) =>
      [0, 1, 2].map((j) => rec(k * 10 + j, { source_labels: [`batch=${k}`, `j=${j}`] })),
    );
    await Promise.all(batches.map((b) => store.write(b)));
    const back = await store.query({ limit: 100 });
    expect(back).toHaveLength(12);
    for (const r of back) {
      const i = Number(String(r.id).slice(1));
      expect(r.source_labels).toEqual([`batch=${Math.floor(i / 10)}`, `j=${i % 10}`]);
    }
    // Twelve labels lists, the empty list, two traces.
    expect(await store.sql('SELECT count(*) AS n FROM flow_lists')).toEqual([{ n: 15 }]);
    await store.close();
  });

  it('keeps each distinct list once, across batches and after reopening', async () => {
    const file = path.join(tempDir('zw-duckdb-lists-'), 'flows.duckdb');
    const distinct = new Set(
      RECORDS.flatMap((r) => [r.source_labels, r.dest_labels, r.policies, r.pending_policies]).map(
        (l) => JSON.stringify(l),
      ),
    );
    const a = await DuckDbStore.open(file);
    await a.write(RECORDS.slice(0, 50));
    await a.write(RECORDS.slice(50, 100));
    await a.close();
    const b = await DuckDbStore.open(file);
    await b.write(RECORDS.slice(100));
    await b.write([rec(500, { dest_labels: ['app=new'] })]);
    expect(await b.sql('SELECT count(*) AS n, max(id) AS top FROM flow_lists')).toEqual([
      { n: distinct.size + 1, top: distinct.size + 1 },
    ]);
    // The rows hold numbers; the view gives whole records.
    expect(await b.sql('SELECT count(DISTINCT source_labels_id) AS n FROM flow_rows')).toEqual([
      { n: 3 },
    ]);
    expect(await b.sql("SELECT dest_labels FROM flows WHERE id = 'r000500'")).toEqual([
      { dest_labels: ['app=new'] },
    ]);
    await b.close();
  });

  it('retention removes the lists no row holds any more, and a later batch brings one back', async () => {
    const store = await DuckDbStore.open(':memory:');
    await store.write([
      rec(1, { source_labels: ['old'] }),
      rec(1000, { source_labels: ['kept'], start_time: T + 1000, end_time: T + 1015 }),
    ]);
    const items = async (): Promise<unknown[]> =>
      (await store.sql('SELECT items FROM flow_lists ORDER BY id')).map((r) => r.items);
    expect(await items()).toContainEqual(['old']);
    expect(await store.retain(100, T + 500)).toBe(1);
    expect(await items()).not.toContainEqual(['old']);
    expect(await items()).toContainEqual(['kept']);
    await store.write([rec(2000, { source_labels: ['old'] })]);
    expect(
      (await store.query({ where: [{ field: 'label', value: 'old' }] })).map((r) => r.id),
    ).toEqual(['r002000']);
    await store.close();
  });

  it('refuses a file a newer zonewall migrated', async () => {
    const file = path.join(tempDir('zw-duckdb-newer-'), 'flows.duckdb');
    await refusesNewer(() => DuckDbStore.open(file));
  });

  it('makes a new file in the 1.3 storage format; a file of the older format keeps its own', async () => {
    const d = tempDir('zw-duckdb-format-');
    const version = async (s: DuckDbStore, file: string): Promise<unknown> =>
      (
        await s.sql(
          `SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE path = '${file}'`,
        )
      )[0]?.v;
    const fresh = path.join(d, 'new.duckdb');
    const a = await DuckDbStore.open(fresh);
    expect(await version(a, fresh)).toBe('v1.3.0+');
    await a.close();
    const old = path.join(d, 'old.duckdb');
    const made = await DuckDBInstance.create(old);
    made.closeSync();
    const b = await DuckDbStore.open(old);
    expect(await version(b, old)).toBe('v1.0.0+');
    await b.write(RECORDS.slice(0, 3));
    expect(await b.count()).toBe(3);
    await b.close();
  });

  it('reopens an existing file without migrating again', async () => {
    const file = path.join(dir, 'again.duckdb');
    const a = await DuckDbStore.open(file);
    await a.write(RECORDS.slice(0, 5));
    await a.close();
    const b = await DuckDbStore.open(file);
    expect(await b.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await b.count()).toBe(5);
    await b.close();
  });
});

const binary = findClickHouseServer();
const why = binary
  ? ''
  : ' (skipped: clickhouse-server is not installed; apt-get install clickhouse-server)';

describe.skipIf(!binary)(`ClickHouse store${why}`, () => {
  let server: LocalClickHouse;
  beforeAll(async () => {
    server = await LocalClickHouse.start(binary as string);
  });
  afterAll(async () => server?.destroy());

  describe('contract', () => {
    contract(() => ClickHouseStore.open(server.url('contract'), { requireServer: true }));
  });

  it('refuses a database a newer zonewall migrated', async () => {
    await refusesNewer(() => ClickHouseStore.open(server.url('newer'), { requireServer: true }));
  });

  it('server stopped and restarted mid-ingest: nothing lost, nothing doubled', async () => {
    const spoolDir = tempDir('zw-spool-');
    const store = await ClickHouseStore.open(server.url('restart'), {
      spoolDir,
      requireServer: true,
    });
    const batches = Array.from({ length: 8 }, (_, b) => RECORDS.slice(b * 25, b * 25 + 25));
    await store.write(batches[0] as FlowRecord[]);
    await store.write(batches[1] as FlowRecord[]);
    await server.stop();
    await store.write(batches[2] as FlowRecord[]);
    await store.write(batches[3] as FlowRecord[]);
    // The same batch again while down: spooled twice, delivered once.
    await store.write(batches[3] as FlowRecord[]);
    expect((await store.spool.pending()).length).toBe(3);
    await server.resume();
    for (const b of batches.slice(4)) await store.write(b);
    expect((await store.spool.pending()).length).toBe(0);
    expect(await store.count()).toBe(200);
    const ids = await store.sql('SELECT uniqExact(id) FROM flows');
    expect(Number(ids.trim())).toBe(200);
    await store.close();
  });

  it('keeps tabs, newlines and the other separators of values exactly', async () => {
    const store = await ClickHouseStore.open(server.url('separators'), { requireServer: true });
    const r = rec(1, {
      host: 'a\tb\nc\rd\u0000e\u001ef\u0001g',
      source_labels: ['x\ty', 'n\nl'],
    });
    await store.write([r]);
    expect(await store.query({ limit: 1 })).toEqual([{ ...r }]);
    await store.close();
  });

  it('delivers a batch an earlier zonewall spooled as JSON lines', async () => {
    const spoolDir = tempDir('zw-spool-');
    writeFileSync(
      path.join(spoolDir, '000000000000001-1-000000.jsonl'),
      `${RECORDS.slice(0, 3)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const store = await ClickHouseStore.open(server.url('old_spool'), {
      spoolDir,
      requireServer: true,
    });
    await store.write(RECORDS.slice(3, 5));
    expect(await store.spool.pending()).toEqual([]);
    expect(await store.count()).toBe(5);
    expect(await store.query({ where: [{ field: 'id', value: 'r000001' }] })).toEqual([
      { ...RECORDS[1] },
    ]);
    await store.close();
  });

  it('a full spool refuses more instead of filling the disk', async () => {
    const spoolDir = tempDir('zw-spool-');
    const store = await ClickHouseStore.open('clickhouse://127.0.0.1:1/none', {
      spoolDir,
      spoolBytes: 20_000,
    });
    await store.write(RECORDS.slice(0, 10));
    await expect(store.write(RECORDS.slice(10, 100))).rejects.toThrow(/spool .* is full/);
    expect((await store.spool.pending()).length).toBe(1);
  });
});
