// `zonewall flows ingest|query`, in-process, against a DuckDB file: the JSON contract of
// issue 6 (rows keyed by the record's own field names plus records, flows, bytes, packets),
// idempotent ingest, malformed lines, exit codes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ingestArgs } from './support/cli.js';
import { REPO_ROOT } from './support/shared.js';

const DATA = path.join(REPO_ROOT, 'src/flows/testdata');

const dirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('flows ingest and query', () => {
  let store: string;
  beforeAll(async () => {
    store = path.join(await tempDir('zw-flows-cli-'), 'flows.duckdb');
  });

  it('ingests, reports malformed lines with their numbers, exits 1 for them', async () => {
    const r = await cli(ingestArgs('calico', store, path.join(DATA, 'calico.jsonl')));
    expect(r.code).toBe(1);
    expect(r.out).toContain('calico.jsonl: 5 lines, 3 records, 2 malformed');
    expect(r.err).toMatch(/calico\.jsonl:3: start_time and end_time must be times/);
    expect(r.err).toMatch(/calico\.jsonl:4: not JSON/);
  });

  it('stores the same records with worker threads as without (--workers)', async () => {
    const dir = await tempDir('zw-flows-workers-');
    for (const format of ['calico', 'hubble']) {
      const stored = async (workers: number): Promise<unknown> => {
        const db = path.join(dir, `${format}-${workers}.duckdb`);
        const r = await cli(
          ingestArgs(format, db, '--workers', String(workers), path.join(DATA, `${format}.jsonl`)),
        );
        expect(r.err).not.toMatch(/ingest worker/);
        const q = await cli(['flows', 'query', '--store', db, '--limit', '1000', '-o', 'json']);
        expect(q.code).toBe(0);
        return JSON.parse(q.out);
      };
      const alone = await stored(0);
      expect((alone as unknown[]).length).toBeGreaterThan(0);
      expect(await stored(2)).toEqual(alone);
    }
  });

  it('shows progress with the rate on request (--progress)', async () => {
    const db = path.join(await tempDir('zw-flows-progress-'), 'p.duckdb');
    const r = await cli(ingestArgs('hubble', db, '--progress', path.join(DATA, 'hubble.jsonl')));
    expect(r.err).toMatch(/hubble\.jsonl: 100% \(\d+ records, [\d,]+\/s\)\n/);
  });

  it('ingests the lab capture a second time without doubling', async () => {
    const args = ingestArgs('lab', store, path.join(DATA, 'lab.jsonl'));
    const first = await cli(args);
    const again = await cli(args);
    expect(first.code).toBe(1); // lab.jsonl has two malformed lines on purpose
    expect(again.out).toBe(first.out);
    const q = await cli([
      'flows',
      'query',
      '--store',
      store,
      '--group-by',
      'source_format',
      '-o',
      'json',
    ]);
    expect(JSON.parse(q.out)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source_format: 'lab', records: 3, flows: 4 }),
      ]),
    );
  });

  it("groups by zone pair: the record's field names plus records, flows, bytes, packets", async () => {
    const r = await cli([
      'flows',
      'query',
      '--store',
      store,
      '--group-by',
      'source_zone,dest_zone',
      '--where',
      'source_format=calico',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows).toContainEqual({
      source_zone: 'dmz',
      dest_zone: 'trusted',
      records: 1,
      flows: 47,
      bytes: 18236 + 52519,
      packets: 282 + 239,
    });
    for (const row of rows)
      expect(Object.keys(row).sort()).toEqual([
        'bytes',
        'dest_zone',
        'flows',
        'packets',
        'records',
        'source_zone',
      ]);
  });

  it('denied by policy, as a table and as CSV', async () => {
    const args = [
      'flows',
      'query',
      '--store',
      store,
      '--group-by',
      'policy_tier,policy_name',
      '--where',
      'action=deny',
    ];
    const t = await cli(args);
    expect(t.out.split('\n')[0]).toMatch(
      /^policy_tier\s+policy_name\s+records\s+flows\s+bytes\s+packets$/,
    );
    expect(t.out).toContain('zonepolicy.bank');
    const c = await cli([...args, '-o', 'csv']);
    expect(c.out.split('\n')[0]).toBe('policy_tier,policy_name,records,flows,bytes,packets');
  });

  it('lists records with pages', async () => {
    const r = await cli(['flows', 'query', '--store', store, '--limit', '2', '-o', 'json']);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveProperty('source_zone');
    const t = await cli(['flows', 'query', '--store', store, '--limit', '2']);
    expect(t.out).toContain('--offset 2 for more');
  });

  it.each([
    [['flows', 'query', '--group-by', 'nope'], /cannot group by "nope"/],
    [['flows', 'query', '--where', 'garbage'], /expected FIELD=VALUE/],
    [['flows', 'query', '--where', 'dest_port=http'], /dest_port is a number/],
  ])('bad input exits 2: %j', async (args, msg) => {
    const r = await cli([...args, '--store', store]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
  });

  it('ClickHouse unreachable: the records wait in the spool, and ingest says so', async () => {
    const dir = await tempDir('zw-flows-spool-');
    const input = path.join(dir, 'v2.log');
    await writeFile(
      input,
      '2 1 eni-1 10.20.0.5 10.30.0.4 51234 8080 6 20 4249 1780000000 1780000060 ACCEPT OK\n',
    );
    const r = await cli(
      ingestArgs('vpc', 'clickhouse://127.0.0.1:1/x', '--spool', path.join(dir, 'spool'), input),
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/ClickHouse is unreachable; 1 batch wait in .*spool/);
  });

  it('--aggregation and --interval: Calico levels over longer buckets', async () => {
    const dir = await tempDir('zw-flows-agg-');
    const db = path.join(dir, 'agg.duckdb');
    const input = path.join(dir, 'v2.log');
    const line = (sport: number, t: number): string =>
      `2 1 eni-1 10.20.0.5 10.30.0.4 ${sport} 8080 6 2 100 ${t} ${t + 1} ACCEPT OK`;
    await writeFile(
      input,
      [line(40000, 1780000000), line(40001, 1780000030), line(40002, 1780000070)].join('\n'),
    );
    const ingest = (level: string, interval: string): Promise<unknown> =>
      cli(ingestArgs('vpc', db, '--aggregation', level, '--interval', interval, input));
    await ingest('2', '1m');
    const rows = JSON.parse(
      (await cli(['flows', 'query', '--store', db, '-o', 'json'])).out,
    ) as Record<string, unknown>[];
    // Two one-minute buckets; the source pod's name, address and port are masked at level 2.
    expect(
      rows.map((r) => [
        r.start_time,
        r.num_flows,
        r.source_ip,
        r.source_name,
        r.source_name_aggr,
        r.source_port,
      ]),
    ).toEqual([
      [1780000020, 2, '', '-', 'payments-web-7d9f8b6c4-*', 0],
      [1779999960, 1, '', '-', 'payments-web-7d9f8b6c4-*', 0],
    ]);
    expect((await cli(ingestArgs('vpc', db, '--aggregation', '4', input))).code).toBe(2);
  });

  it('a missing store or snapshot is bad input', async () => {
    expect((await cli(['flows', 'query', '--store', '/nonexistent/x.duckdb'])).code).toBe(2);
    const r = await cli([
      'flows',
      'ingest',
      '--format',
      'vpc',
      '--snapshot',
      '/nonexistent',
      '--store',
      store,
      path.join(DATA, 'vpc-v2.log'),
    ]);
    expect(r.code).toBe(2);
  });
});
