import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Enricher } from './enrich.js';
import { eachLine, ingestFiles } from './ingest.js';
import type { RecordSink } from './ingest.js';
import type { FlowRecord } from './record.js';
import { loadSnapshot } from './snapshot.js';
import type { Snapshot } from './snapshot.js';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const data = (f: string): string => new URL(`testdata/${f}`, import.meta.url).pathname;

class MemorySink implements RecordSink {
  readonly records: FlowRecord[] = [];
  batches = 0;
  async write(rs: readonly FlowRecord[]): Promise<void> {
    this.batches++;
    this.records.push(...rs);
  }
}

describe('ingestFiles', () => {
  let snap: Snapshot;
  beforeAll(async () => {
    const res = await loadSnapshot('examples/bank');
    if (!res.ok) throw new Error('bank snapshot invalid');
    snap = res.snapshot;
  });

  it('reports malformed lines by number and goes on', async () => {
    const sink = new MemorySink();
    const rep = await ingestFiles({
      format: 'calico',
      files: [data('calico.jsonl')],
      enricher: new Enricher(snap),
      sink,
    });
    expect(rep.files[0]).toMatchObject({ lines: 5, parsed: 3, malformed: 2 });
    expect(rep.files[0]?.malformedLines.map((m) => m.line)).toEqual([3, 4]);
    expect(sink.records.map((r) => r.dest_zone)).toEqual(['trusted', 'restricted', 'management']);
    expect(sink.records.every((r) => r.trace_source === 'observed')).toBe(true);
  });

  it('gives the same ids on a second ingest of the same file', async () => {
    const ids = async (): Promise<string[]> => {
      const sink = new MemorySink();
      await ingestFiles({
        format: 'lab',
        files: [data('lab.jsonl')],
        enricher: new Enricher(snap),
        sink,
      });
      return sink.records.map((r) => r.id).sort();
    };
    const first = await ids();
    expect(first.length).toBeGreaterThan(0);
    expect(new Set(first).size).toBe(first.length);
    expect(await ids()).toEqual(first);
  });

  it('aggregates connection formats at level 1 in 15 s buckets and computes missing traces', async () => {
    const sink = new MemorySink();
    const rep = await ingestFiles({
      format: 'lab',
      files: [data('lab.jsonl')],
      enricher: new Enricher(snap),
      sink,
    });
    // Two DNS connections (different source ports) merge; the two denies differ in their trace.
    const dns = sink.records.find((r) => r.dest_port === 53);
    expect(dns).toMatchObject({
      num_flows: 2,
      bytes_out: 154,
      source_port: 0,
      trace_source: 'computed',
    });
    expect(dns?.source_zone).toBe('trusted');
    expect(sink.records).toHaveLength(3);
    expect(rep.computed).toBe(2);
    expect(rep.evaluated).toBe(1);
  });

  it('writes in batches and reports progress', async () => {
    const dir = tempDir('zw-ingest-');
    const file = path.join(dir, 'big.log');
    const lines = Array.from(
      { length: 2500 },
      (_, i) =>
        `2 1 eni-1 10.20.0.5 10.30.0.4 ${10000 + i} 8080 6 1 100 ${1780000000 + i} ${1780000001 + i} ACCEPT OK`,
    );
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const sink = new MemorySink();
    const seen: number[] = [];
    await ingestFiles({
      format: 'vpc',
      files: [file],
      enricher: new Enricher(snap),
      sink,
      level: 0,
      batchSize: 1000,
      onProgress: (p) => seen.push(p.records),
    });
    expect(sink.records).toHaveLength(2500);
    expect(sink.batches).toBe(3);
    expect(seen.at(-1)).toBe(2500);
  });

  it('reads lines with CRLF and without a final newline', async () => {
    const dir = tempDir('zw-lines-');
    const file = path.join(dir, 'x');
    writeFileSync(file, 'a\r\nb\n\nc');
    const got: Array<[string, number]> = [];
    await eachLine(file, (l, n) => void got.push([l, n]));
    expect(got).toEqual([
      ['a', 1],
      ['b', 2],
      ['', 3],
      ['c', 4],
    ]);
  });

  it('reads a Goldmane JSON array document', async () => {
    const dir = tempDir('zw-gm-');
    const file = path.join(dir, 'flows.json');
    const one = {
      Key: {
        source_name: 'pub',
        source_type: 'Network',
        dest_name: 'payments-web-7d9f8b6c4-',
        dest_namespace: 'payments-web',
        dest_type: 'WorkloadEndpoint',
        dest_port: 443,
        proto: 'tcp',
        reporter: 'Dst',
        action: 'Allow',
      },
      start_time: 1780000000,
      end_time: 1780000015,
    };
    writeFileSync(file, JSON.stringify([one, { bad: true }], null, 2));
    const sink = new MemorySink();
    const rep = await ingestFiles({
      format: 'goldmane',
      files: [file],
      enricher: new Enricher(snap),
      sink,
    });
    expect(rep.files[0]).toMatchObject({ parsed: 1, malformed: 1 });
    expect(sink.records[0]).toMatchObject({
      dest_zone: 'dmz',
      source_zone: '-',
      trace_source: 'none',
    });
  });
});
