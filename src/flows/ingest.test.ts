import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Enricher } from './enrich.js';
import { eachChunk, ingestFiles } from './ingest.js';
import type { EncodedParts, IngestOptions, IngestReport, RecordSink } from './ingest.js';
import type { FlowFormat } from './adapters/index.js';
import type { EncodedBatch } from './encode.js';
import { calicoParser } from './adapters/calico.js';
import { formatIP } from '../core/net/index.js';
import type { IP } from '../core/net/index.js';
import { FIELDS, blankRecord } from './record.js';
import type { FlowRecord } from './record.js';
import { outOfRange } from './chunks.js';
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
  /** Ingest one file into a sink (a MemorySink unless given) with the bank snapshot. */
  async function ingest<S extends RecordSink = MemorySink>(
    format: FlowFormat,
    file: string,
    more: Partial<IngestOptions> & { sink?: S } = {},
  ): Promise<{ rep: IngestReport; sink: S }> {
    const sink = (more.sink ?? new MemorySink()) as S;
    const rep = await ingestFiles({
      format,
      files: [file],
      enricher: new Enricher(snap),
      ...more,
      sink,
    });
    return { rep, sink };
  }
  beforeAll(async () => {
    const res = await loadSnapshot('examples/bank');
    if (!res.ok) throw new Error('bank snapshot invalid');
    snap = res.snapshot;
  });

  it('reports malformed lines by number and goes on', async () => {
    const { rep, sink } = await ingest('calico', data('calico.jsonl'));
    expect(rep.files[0]).toMatchObject({ lines: 5, parsed: 3, malformed: 2 });
    expect(rep.files[0]?.malformedLines.map((m) => m.line)).toEqual([3, 4]);
    expect(sink.records.map((r) => r.dest_zone)).toEqual(['trusted', 'restricted', 'management']);
    expect(sink.records.every((r) => r.trace_source === 'observed')).toBe(true);
  });

  it('counts a line whose numbers no store column holds as malformed, stores the rest', async () => {
    const [first = ''] = readFileSync(data('calico.jsonl'), 'utf8').split('\n');
    const file = path.join(tempDir('zw-range-'), 'big.jsonl');
    const line = (over: Record<string, unknown>): string =>
      JSON.stringify({ ...(JSON.parse(first) as object), ...over });
    writeFileSync(
      file,
      [
        line({}),
        line({ start_time: 1e300 }),
        line({ bytes_in: 2 ** 53 }),
        line({ bytes_in: 2 ** 53 - 1 }),
      ].join('\n'),
    );
    const { rep, sink } = await ingest('calico', file);
    expect(rep.files[0]).toMatchObject({ lines: 4, parsed: 2, malformed: 2 });
    expect(rep.files[0]?.malformedLines).toEqual([
      { line: 2, error: 'start_time 1e+297 is out of range' },
      { line: 3, error: 'bytes_in 9007199254740992 is out of range' },
    ]);
    expect(sink.records.map((r) => r.bytes_in)).toEqual([18236, 2 ** 53 - 1]);
  });

  it('gives the same ids on a second ingest of the same file', async () => {
    const ids = async (): Promise<string[]> => {
      const { sink } = await ingest('lab', data('lab.jsonl'));
      return sink.records.map((r) => r.id).sort();
    };
    const first = await ids();
    expect(first.length).toBeGreaterThan(0);
    expect(new Set(first).size).toBe(first.length);
    expect(await ids()).toEqual(first);
  });

  it('gives each of several files its own content hash and the ids it has alone', async () => {
    const dir = tempDir('zw-ingest-files-');
    const [one = '', two = ''] = readFileSync(data('calico.jsonl'), 'utf8').split('\n');
    const files = [one, two, one].map((line, i) => {
      const f = path.join(dir, `f${i}.jsonl`);
      writeFileSync(f, `${line}\n${'\n'.repeat(i)}`); // three different contents
      return f;
    });
    const ids = (rs: readonly FlowRecord[]): string[] => rs.map((r) => r.id);
    const alone = await Promise.all(files.map((f) => ingest('calico', f)));
    const sink = new MemorySink();
    const rep = await ingestFiles({ format: 'calico', files, enricher: new Enricher(snap), sink });
    expect(rep.files.map((f) => f.hash)).toEqual(
      files.map((f) => createHash('sha256').update(readFileSync(f)).digest('hex')),
    );
    expect(ids(sink.records)).toEqual(alone.flatMap((a) => ids(a.sink.records)));
    expect(new Set(ids(sink.records)).size).toBe(3);
  });

  it('aggregates connection formats at level 1 in 15 s buckets and computes missing traces', async () => {
    const { rep, sink } = await ingest('lab', data('lab.jsonl'));
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
    const seen: number[] = [];
    const { sink } = await ingest('vpc', file, {
      level: 0,
      batchSize: 1000,
      onProgress: (p) => seen.push(p.records),
    });
    expect(sink.records).toHaveLength(2500);
    expect(sink.batches).toBe(3);
    expect(seen.at(-1)).toBe(2500);
  });

  it('reads lines with CRLF, blank lines and no final newline', async () => {
    const dir = tempDir('zw-lines-');
    const file = path.join(dir, 'x.jsonl');
    const [one, two] = readFileSync(data('calico.jsonl'), 'utf8').split('\n');
    writeFileSync(file, `${one}\r\n{oops\r\n\r\n${two}`);
    const { rep, sink } = await ingest('calico', file);
    expect(rep.files[0]).toMatchObject({ lines: 4, parsed: 2, malformed: 1 });
    expect(rep.files[0]?.malformedLines.map((m) => m.line)).toEqual([2]);
    expect(sink.records).toHaveLength(2);
  });

  it('cuts files into chunks of whole lines, numbered across chunks', async () => {
    const dir = tempDir('zw-chunks-');
    const file = path.join(dir, 'x');
    const lines = Array.from({ length: 3000 }, (_, i) => `${i + 1}:${'x'.repeat(i % 997)}`);
    writeFileSync(file, lines.join('\n'));
    const seen: string[] = [];
    let chunks = 0;
    await eachChunk(file, async (text, firstLine) => {
      chunks++;
      const got = text.split('\n');
      if (got.at(-1) === '') got.pop();
      expect(got[0]?.startsWith(`${firstLine}:`)).toBe(true);
      seen.push(...got);
    });
    expect(chunks).toBeGreaterThan(1);
    expect(seen).toEqual(lines);
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
    const { rep, sink } = await ingest('goldmane', file);
    expect(rep.files[0]).toMatchObject({ parsed: 1, malformed: 1 });
    expect(sink.records[0]).toMatchObject({
      dest_zone: 'dmz',
      source_zone: '-',
      trace_source: 'none',
    });
  });

  describe('with worker threads', () => {
    /** Enough Calico lines for several chunks, with malformed lines at known places. */
    function calicoInput(dir: string, n: number, bad: readonly number[]): string {
      const parse = calicoParser();
      const base = readFileSync(data('calico.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !('error' in parse(l, 1)));
      const pods = snap.load.set.pods.filter((p) => p.ips.length > 0);
      const out: string[] = [];
      for (let i = 1; i <= n; i++) {
        if (bad.includes(i)) {
          out.push('{"start_time": broken');
          continue;
        }
        const o = JSON.parse(base[i % base.length] as string) as Record<string, unknown>;
        const pod = pods[i % pods.length];
        o.start_time = 1780000000 + Math.floor(i / 40);
        o.end_time = (o.start_time as number) + 15;
        o.dest_port = [443, 8080, 5432, 53][i % 4];
        o.bytes_in = i;
        o.source_ip = pod ? formatIP(pod.ips[0] as IP) : null;
        if (i % 2 === 0) o.policies = null;
        out.push(JSON.stringify(o));
      }
      const file = path.join(dir, 'calico.jsonl');
      writeFileSync(file, `${out.join('\n')}\n`);
      return file;
    }

    class EncodedSink extends MemorySink {
      readonly encoding = 'tsv' as const;
      readonly texts: string[] = [];
      written = 0;
      async writeEncoded(b: EncodedBatch): Promise<void> {
        this.texts.push(b.text);
        this.written += b.count;
      }
    }

    it('stores exactly what the main thread alone stores, malformed lines included', async () => {
      const dir = tempDir('zw-par-');
      const file = calicoInput(dir, 6000, [1, 2345, 4999, 6000]);
      const run = async (workers: number) => {
        const { rep, sink } = await ingest('calico', file, {
          sink: new EncodedSink(),
          workers,
          batchSize: 1000,
        });
        return { rep, text: sink.texts.join('\n'), sink };
      };
      const alone = await run(0);
      const two = await run(2);
      expect(two.rep.workers).toBe(2);
      expect(alone.rep.files[0]).toMatchObject({ lines: 6000, parsed: 5996, malformed: 4 });
      expect(two.rep.files).toEqual(alone.rep.files);
      expect(two.rep.files[0]?.malformedLines.map((m) => m.line)).toEqual([1, 2345, 4999, 6000]);
      expect(two.rep.computed).toBe(alone.rep.computed);
      expect(two.rep.computed).toBeGreaterThan(0);
      expect(two.rep.written).toBe(5996);
      expect(two.sink.written).toBe(5996);
      expect(two.text).toBe(alone.text);
      // Every write but the last holds exactly the batch size (chunks split at a line).
      const sizes = two.sink.texts.map((t) => t.split('\n').length);
      expect(sizes.slice(0, -1).every((n) => n === 1000)).toBe(true);
      expect(sizes.at(-1)).toBe(996);
    });

    it("writes the sink's batch size unless the ingest sets one", async () => {
      const dir = tempDir('zw-par-sink-batch-');
      const file = calicoInput(dir, 2500, []);
      class SmallBatches extends EncodedSink {
        readonly batchSize = 1000;
      }
      const sizes = async (batchSize?: number): Promise<number[]> => {
        const { sink } = await ingest('calico', file, {
          sink: new SmallBatches(),
          ...(batchSize ? { batchSize } : {}),
        });
        return sink.texts.map((t) => t.split('\n').length);
      };
      expect(await sizes()).toEqual([1000, 1000, 500]);
      expect(await sizes(2000)).toEqual([2000, 500]);
    });

    it('bounds the characters of a write as well as its records', async () => {
      const dir = tempDir('zw-par-chars-');
      const file = calicoInput(dir, 5000, []);
      const writes = async (batchChars?: number): Promise<string[]> => {
        const { rep, sink } = await ingest('calico', file, {
          sink: new EncodedSink(),
          workers: 0,
          ...(batchChars ? { batchChars } : {}),
        });
        expect(rep.written).toBe(5000);
        return sink.texts;
      };
      const one = await writes();
      expect(one).toHaveLength(1);
      // Whole chunks (about 1 MiB of input each) go to a write; a bound below a chunk's
      // encoding makes a write of every chunk.
      const bounded = await writes(100_000);
      expect(bounded.length).toBeGreaterThan(1);
      expect(bounded.join('\n')).toBe(one[0]);
    });

    /** Takes batches in parts: keeps each committed batch's part sizes, writes it at the commit. */
    class PartsSink extends EncodedSink {
      readonly committed: number[][] = [];
      aborted = 0;
      private added = 0;
      constructor(private readonly failAt?: number) {
        super();
      }
      async beginEncoded(): Promise<EncodedParts> {
        const parts: EncodedBatch[] = [];
        return {
          add: async (b) => {
            if (++this.added === this.failAt) throw new Error('part refused');
            parts.push(b);
          },
          commit: async () => {
            this.committed.push(parts.map((p) => p.count));
            for (const p of parts) await this.writeEncoded(p);
          },
          abort: async () => {
            this.aborted++;
          },
        };
      }
    }

    it('hands a sink that takes batches in parts each batch as parts, the same records', async () => {
      const dir = tempDir('zw-par-parts-');
      const file = calicoInput(dir, 6000, [1, 2345]);
      const whole = await ingest('calico', file, { sink: new EncodedSink(), batchSize: 1000 });
      const { rep, sink } = await ingest('calico', file, {
        sink: new PartsSink(),
        workers: 2,
        batchSize: 1000,
      });
      expect(rep.written).toBe(5998);
      expect(sink.texts.join('\n')).toBe(whole.sink.texts.join('\n'));
      // Batches as before (every one but the last of exactly the batch size), in parts of at
      // most an eighth of it.
      expect(sink.committed.map((b) => b.reduce((n, c) => n + c, 0))).toEqual([
        1000, 1000, 1000, 1000, 1000, 998,
      ]);
      expect(sink.committed.flat().every((n) => n > 0 && n <= 125)).toBe(true);
      expect(sink.aborted).toBe(0);
      // Records that end with a whole part: the batch is committed all the same.
      const exact = calicoInput(tempDir('zw-par-parts-exact-'), 5875, []);
      const last = await ingest('calico', exact, { sink: new PartsSink(), batchSize: 1000 });
      expect(last.rep.written).toBe(5875);
      expect(last.sink.committed.map((b) => b.reduce((n, c) => n + c, 0))).toEqual([
        1000, 1000, 1000, 1000, 1000, 875,
      ]);
      expect(last.sink.written).toBe(5875);
    });

    it('drops the open batch when a part is refused or the ingest fails, storing none of it', async () => {
      const dir = tempDir('zw-par-parts-fail-');
      const file = calicoInput(dir, 6000, []);
      const refused = new PartsSink(3);
      await expect(
        ingest('calico', file, { sink: refused, workers: 0, batchSize: 1000 }),
      ).rejects.toThrow('part refused');
      expect([refused.committed, refused.aborted, refused.written]).toEqual([[], 1, 0]);
      // A failure outside the sink (here the progress callback) while a batch is open.
      const open = new PartsSink();
      let calls = 0;
      const failing = ingest('calico', file, {
        sink: open,
        workers: 0,
        batchSize: 5000,
        onProgress: () => {
          if (++calls === 2) throw new Error('progress failed');
        },
      });
      await expect(failing).rejects.toThrow('progress failed');
      expect([open.committed, open.aborted, open.written]).toEqual([[], 1, 0]);
    });

    it('merges aggregates across chunks as the main thread alone does', async () => {
      const dir = tempDir('zw-par-agg-');
      const line = readFileSync(data('lab.jsonl'), 'utf8').split('\n')[0] as string;
      const o = JSON.parse(line) as Record<string, unknown>;
      const lines: string[] = [];
      // Connections of a few pairs over a minute: many per aggregate, aggregates across chunks.
      for (let i = 0; i < 12000; i++) {
        const t = new Date((1780000000 + (i % 60)) * 1000).toISOString();
        lines.push(JSON.stringify({ ...o, sport: 30000 + i, start: t, end: t }));
      }
      const file = path.join(dir, 'lab.jsonl');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const run = async (workers: number): Promise<FlowRecord[]> => {
        const { sink } = await ingest('lab', file, { workers });
        return sink.records;
      };
      const alone = await run(0);
      expect(alone.length).toBeGreaterThan(1);
      expect(alone.length).toBeLessThan(100);
      expect(await run(2)).toEqual(alone);
    });
  });
});

describe('outOfRange', () => {
  const ints = FIELDS.filter(([, t]) => t === 'int').map(([n]) => n);
  it.each(ints)('names %s when it is past 2^53 or not a whole number', (f) => {
    const ok = { ...blankRecord(), start_time: 1_780_000_000, end_time: 1_780_000_015 };
    expect(outOfRange([ok])).toBeUndefined();
    expect(outOfRange([ok, { ...ok, [f]: 2 ** 53 }])).toBe(`${f} ${2 ** 53} is out of range`);
    expect(outOfRange([{ ...ok, [f]: 1.5 }])).toBe(`${f} 1.5 is out of range`);
  });
});
