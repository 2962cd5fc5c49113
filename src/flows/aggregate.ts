// Aggregation with Calico's levels (flowLogsFileAggregationKindForAllowed/ForDenied, see
// https://docs.tigera.io/calico-enterprise/latest/observability/elastic/flow/aggregation):
//   0  no aggregation: one record per connection and interval;
//   1  AnyConnectionFromSameSourcePod: the source port is masked;
//   2  AnyConnectionFromSamePodPrefix: also the source pod's name and address (its name
//      prefix, `source_name_aggr`, stays);
//   3  AnyConnectionBetweenSamePodPrefixes: also the destination's name and address.
// Records are merged per interval bucket (default 15 s): counters add up, labels keep what
// every merged record has (as Calico keeps the labels common to all aggregated pods).
import { hash64 } from './ids.js';
import { NONE } from './record.js';
import type { FlowRecord } from './record.js';

export type AggregationLevel = 0 | 1 | 2 | 3;

export const DEFAULT_INTERVAL_SECONDS = 15;

/** Merged aggregates kept in memory before they are handed on (bounds memory). */
export const AGGREGATE_LIMIT = 200_000;

/** Mask the fields the level aggregates away (in place). */
export function mask(r: FlowRecord, level: AggregationLevel): void {
  if (level >= 1) r.source_port = 0;
  if (level >= 2) {
    r.source_ip = '';
    r.source_name = NONE;
  }
  if (level >= 3) {
    r.dest_ip = '';
    r.dest_name = NONE;
  }
}

/** The bucket an instant falls in. */
export function bucketStart(t: number, interval: number): number {
  return Math.floor(t / interval) * interval;
}

function keyOf(r: FlowRecord): string {
  return [
    r.start_time,
    r.host,
    r.reporter,
    r.action,
    r.source_ip,
    r.source_port,
    r.source_name,
    r.source_name_aggr,
    r.source_namespace,
    r.source_type,
    r.source_zone,
    r.dest_ip,
    r.dest_port,
    r.dest_name,
    r.dest_name_aggr,
    r.dest_namespace,
    r.dest_type,
    r.dest_zone,
    r.proto,
    r.policies.join(','),
    r.pending_policies.join(','),
    r.trace_source,
    r.source_format,
  ].join('\u0001');
}

function intersect(a: string[], b: string[]): string[] {
  if (a === b || a.join('\u0001') === b.join('\u0001')) return a;
  const keep = new Set(b);
  return a.filter((x) => keep.has(x));
}

export interface AggregatorOptions {
  level: AggregationLevel;
  intervalSeconds?: number;
  /** Mixed into every aggregate's id (the input file's content hash). */
  idSeed: string;
  /** Receives merged records; called when the limit is reached and on flush(). */
  emit: (records: FlowRecord[]) => void;
  limit?: number;
}

/** Adds r's counters into the group g (and keeps the labels both have). */
function combine(g: FlowRecord, r: FlowRecord): void {
  g.end_time = Math.max(g.end_time, r.end_time);
  g.bytes_in += r.bytes_in;
  g.bytes_out += r.bytes_out;
  g.packets_in += r.packets_in;
  g.packets_out += r.packets_out;
  g.num_flows += r.num_flows;
  g.num_flows_started += r.num_flows_started;
  g.num_flows_completed += r.num_flows_completed;
  g.source_labels = intersect(g.source_labels, r.source_labels);
  g.dest_labels = intersect(g.dest_labels, r.dest_labels);
}

/** Merges records into interval buckets at an aggregation level. */
export class Aggregator {
  private readonly groups = new Map<string, FlowRecord>();
  private readonly interval: number;
  private readonly limit: number;

  constructor(private readonly o: AggregatorOptions) {
    this.interval = o.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
    this.limit = o.limit ?? AGGREGATE_LIMIT;
  }

  /** Add one record (it is modified and may be kept). */
  add(r: FlowRecord): void {
    mask(r, this.o.level);
    const start = bucketStart(r.start_time, this.interval);
    r.start_time = start;
    r.end_time = Math.max(start + this.interval, r.end_time);
    const key = keyOf(r);
    const g = this.groups.get(key);
    if (!g) {
      // The first record's id makes the aggregate's id unique per file position.
      r.id = hash64(`${this.o.idSeed}:${r.id}:${key}`);
      this.start(key, r);
      return;
    }
    combine(g, r);
  }

  /**
   * Merge an aggregate made by another Aggregator of the same level and interval (a chunk's):
   * a group it starts keeps its id, so merging chunks' aggregates in file order gives the ids
   * adding their records would.
   */
  merge(r: FlowRecord): void {
    const key = keyOf(r);
    const g = this.groups.get(key);
    if (!g) this.start(key, r);
    else combine(g, r);
  }

  private start(key: string, r: FlowRecord): void {
    this.groups.set(key, r);
    if (this.groups.size >= this.limit) this.flush();
  }

  /** Hand on everything merged so far. */
  flush(): void {
    if (this.groups.size === 0) return;
    const out = [...this.groups.values()];
    this.groups.clear();
    this.o.emit(out);
  }
}
