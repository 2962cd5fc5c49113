// A batch of records in the form a store bulk-loads it, made wherever the records are (an
// ingest worker, or the main thread): DuckDB reads tab-separated lines with its CSV reader
// (list items joined by U+001E, split back by DuckDB), ClickHouse takes one JSON object per
// line. Both are lines, so encoded chunks from several workers concatenate into one write.
// Pure: no database module is loaded here (the ingest workers import it); the stores take it.
import type { FlowRecord } from './record.js';

export type Encoding = 'tsv' | 'json-lines';

export interface EncodedBatch {
  encoding: Encoding;
  /** Records in the batch. */
  count: number;
  /**
   * Bounds of the records' start_time (only stored rows in this range can share an id with
   * them); at least the least and greatest, possibly wider (a split keeps the whole's).
   */
  lo: number;
  hi: number;
  /** One line per record, in FIELDS order for tsv; joined by newlines, no final newline. */
  text: string;
  /**
   * Every workload name (`source_name_aggr`, `dest_name_aggr`) of the records, each once
   * (a store that numbers workloads adds the new ones before the rows); possibly more (a
   * split keeps the whole's).
   */
  workloads: readonly string[];
}

/** The list-item separator in a packed column. */
export const RS = '\u001e';
// eslint-disable-next-line no-control-regex -- the separators are control characters on purpose
const SEPARATORS = /[\t\n\r\u001e\u0001]/g;
// eslint-disable-next-line no-control-regex -- as above
const HAS_SEPARATOR = /[\t\n\r\u001e\u0001]/;

/**
 * A value without the separators, nor U+0001 (the store's CSV null marker, so that an empty
 * field reads as ''); they never occur in real flow data; never trust that.
 */
export function clean(v: string): string {
  return HAS_SEPARATOR.test(v) ? v.replace(SEPARATORS, ' ') : v;
}

function list(items: readonly string[]): string {
  return items.length === 0
    ? ''
    : items.length === 1
      ? clean(items[0] as string)
      : items.map(clean).join(RS);
}

/** A list's field, each list object packed once (the records of a pod share its labels). */
function listPacker(): (items: readonly string[]) => string {
  const packed = new Map<readonly string[], string>();
  return (items) => {
    let p = packed.get(items);
    if (p === undefined) packed.set(items, (p = list(items)));
    return p;
  };
}

/**
 * One end's six adjacent fields (name, name_aggr, namespace, type, labels, zone) as one cleaned
 * segment, kept per labels list: the records of a pod share its list and these values, so most
 * records take their segment from here (3.5 against 4.2 µs a record for the whole line). The
 * workload names of the segments made go to `workloads`; a record that reuses a segment has a
 * name already there.
 */
function endSegments(
  workloads: Set<string>,
): (
  name: string,
  aggr: string,
  namespace: string,
  type: string,
  labels: readonly string[],
  zone: string,
) => string {
  interface Segment {
    name: string;
    aggr: string;
    namespace: string;
    type: string;
    zone: string;
    text: string;
  }
  const made = new Map<readonly string[], Segment>();
  return (name, aggr, namespace, type, labels, zone) => {
    let s = made.get(labels);
    if (
      s === undefined ||
      s.name !== name ||
      s.aggr !== aggr ||
      s.namespace !== namespace ||
      s.type !== type ||
      s.zone !== zone
    ) {
      const text = `${clean(name)}\t${clean(aggr)}\t${clean(namespace)}\t${type}\t${list(labels)}\t${clean(zone)}`;
      made.set(labels, (s = { name, aggr, namespace, type, zone, text }));
      workloads.add(aggr);
    }
    return s.text;
  };
}

/**
 * The records as tab-separated lines in FIELDS order, and the workload names they hold
 * (spelled out: a template is several times faster than a loop over FIELDS here; a test holds
 * it to FIELDS). An empty string and an empty list are both an empty field.
 * Fields whose values come from fixed sets (the id is hex; reporter, action, endpoint types and
 * trace source are checked by every adapter or set by enrichment) are not cleaned.
 */
function tsv(records: readonly FlowRecord[]): { text: string; workloads: Set<string> } {
  const c = clean;
  const l = listPacker();
  const workloads = new Set<string>();
  // One per side: the two ends of a record may share a list (an empty one) and not the rest.
  const src = endSegments(workloads);
  const dst = endSegments(workloads);
  const lines = new Array<string>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as FlowRecord;
    lines[i] =
      `${r.id}\t${r.start_time}\t${r.end_time}\t${c(r.host)}\t${r.reporter}\t${r.action}\t${c(r.source_ip)}\t${r.source_port}\t${src(r.source_name, r.source_name_aggr, r.source_namespace, r.source_type, r.source_labels, r.source_zone)}\t${c(r.dest_ip)}\t${r.dest_port}\t${dst(r.dest_name, r.dest_name_aggr, r.dest_namespace, r.dest_type, r.dest_labels, r.dest_zone)}\t${c(r.proto)}\t${r.bytes_in}\t${r.bytes_out}\t${r.packets_in}\t${r.packets_out}\t${r.num_flows}\t${r.num_flows_started}\t${r.num_flows_completed}\t${l(r.policies)}\t${l(r.pending_policies)}\t${r.trace_source}\t${c(r.policy_tier)}\t${c(r.policy_name)}\t${c(r.source_format)}`;
  }
  return { text: lines.join('\n'), workloads };
}

/** Encode records for a store. */
export function encode(encoding: Encoding, records: readonly FlowRecord[]): EncodedBatch {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of records) {
    if (r.start_time < lo) lo = r.start_time;
    if (r.start_time > hi) hi = r.start_time;
  }
  if (encoding === 'tsv') {
    const { text, workloads } = tsv(records);
    return { encoding, count: records.length, lo, hi, text, workloads: [...workloads] };
  }
  const workloads = new Set<string>();
  for (const r of records) workloads.add(r.source_name_aggr).add(r.dest_name_aggr);
  const text = records.map((r) => JSON.stringify(r)).join('\n');
  return { encoding, count: records.length, lo, hi, text, workloads: [...workloads] };
}

/** Several encoded batches of one encoding as one. */
export function concatEncoded(batches: readonly EncodedBatch[]): EncodedBatch {
  const full = batches.filter((b) => b.count > 0);
  const first = full[0];
  if (!first)
    return {
      encoding: batches[0]?.encoding ?? 'json-lines',
      count: 0,
      lo: Infinity,
      hi: -Infinity,
      text: '',
      workloads: [],
    };
  if (full.length === 1) return first;
  let count = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const workloads = new Set<string>();
  for (const b of full) {
    if (b.encoding !== first.encoding)
      throw new Error(`cannot join ${b.encoding} and ${first.encoding} batches`);
    count += b.count;
    lo = Math.min(lo, b.lo);
    hi = Math.max(hi, b.hi);
    for (const w of b.workloads) workloads.add(w);
  }
  return {
    encoding: first.encoding,
    count,
    lo,
    hi,
    text: full.map((b) => b.text).join('\n'),
    workloads: [...workloads],
  };
}

/**
 * The first n records of a batch and the rest (n between 1 and count - 1). Both keep the
 * batch's time range and workload names: a range around the records and a set holding
 * theirs, which is all a store asks of them.
 */
export function splitEncoded(b: EncodedBatch, n: number): [EncodedBatch, EncodedBatch] {
  if (n <= 0 || n >= b.count) throw new Error(`cannot split ${b.count} records after ${n}`);
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = b.text.indexOf('\n', at + 1);
    if (at < 0) throw new Error(`a batch of ${b.count} records has only ${i + 1} lines`);
  }
  return [
    { ...b, count: n, text: b.text.slice(0, at) },
    { ...b, count: b.count - n, text: b.text.slice(at + 1) },
  ];
}
