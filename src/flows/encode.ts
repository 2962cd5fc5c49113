// A batch of records in the form a store bulk-loads it, made wherever the records are (an
// ingest worker, or the main thread). Both forms are tab-separated lines:
// - 'tsv' for DuckDB's CSV reader: no escapes at all, so separators inside values become spaces
//   (clean). Labels and names are most of a record's characters, and the records of a pod share
//   them (and of a path, its policy trace), so a line holds numbers in their place and the batch
//   carries each distinct one once: a list (labels, policy trace) is written as its number (a
//   hash of its items, `lists`), and each end of a record (its name, aggregated name, namespace,
//   type, labels and zone) as the number of that end (`ends`); lists and ends are kept exactly.
//   The line's fields are TSV_FIELDS;
// - 'tab-separated' for ClickHouse's TabSeparated format, in FIELDS order: values escaped as it
//   reads them (backslash, tab, newline, carriage return, NUL), so every value is kept exactly,
//   and lists written as its array literals (['a','b']).
// Lines, so encoded chunks from several workers concatenate into one write.
// Pure: no database module is loaded here (the ingest workers import it); the stores take it.
import { hash64 } from './ids.js';
import { FIELDS } from './record.js';
import type { FieldType, FlowRecord } from './record.js';

export type Encoding = 'tsv' | 'tab-separated';

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
  /**
   * One line per record ('tsv': TSV_FIELDS; 'tab-separated': FIELDS order); joined by newlines,
   * no final newline.
   */
  text: string;
  /**
   * Every workload name (`source_name_aggr`, `dest_name_aggr`) of the records, each once
   * (a store that numbers workloads adds the new ones before the rows); possibly more (a
   * split keeps the whole's).
   */
  workloads: readonly string[];
  /**
   * 'tsv': each distinct list (labels, policy trace) of the records, once, with its number (the
   * decimal of a 64-bit hash of its items), which the lines hold in its place; possibly more (a
   * split keeps the whole's). Empty for 'tab-separated' (its lines hold the lists).
   */
  lists: readonly NumberedList[];
  /**
   * 'tsv': each distinct end of the records, once, with its number (the decimal of a 64-bit hash
   * of its fields), which the lines hold in its place; possibly more (a split keeps the whole's).
   * Empty for 'tab-separated'.
   */
  ends: readonly NumberedEnd[];
}

/** A list's number and its items. */
export type NumberedList = readonly [id: string, items: readonly string[]];

/** The six adjacent fields of a record's end, each named by its field's name after `source_`. */
export const END_PARTS = ['name', 'name_aggr', 'namespace', 'type', 'labels', 'zone'] as const;
export const END_SIDES = ['source', 'dest'] as const;

/** One end of a record as a 'tsv' batch carries it: its values exactly, its labels' number. */
export type End = { readonly [P in (typeof END_PARTS)[number]]: string };

/** An end's number and its fields. */
export type NumberedEnd = readonly [id: string, end: End];

/**
 * A 'tsv' line's fields: FIELDS, each end's six fields as one, `source_end` and `dest_end` (type
 * 'end': the end's number).
 */
export const TSV_FIELDS: ReadonlyArray<readonly [string, FieldType | 'end']> = (() => {
  const out: Array<readonly [string, FieldType | 'end']> = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const [name, type] = FIELDS[i] as readonly [string, FieldType];
    const side = END_SIDES.find((s) => name === `${s}_${END_PARTS[0]}`);
    if (side === undefined) {
      out.push([name, type]);
      continue;
    }
    END_PARTS.forEach((p, j) => {
      if (FIELDS[i + j]?.[0] !== `${side}_${p}`)
        throw new Error(`${side}_${p} is not in its place`);
    });
    out.push([`${side}_end`, 'end']);
    i += END_PARTS.length - 1;
  }
  return out;
})();

// eslint-disable-next-line no-control-regex -- the separators are control characters on purpose
const SEPARATORS = /[\t\n\r\u0001]/g;
// eslint-disable-next-line no-control-regex -- as above
const HAS_SEPARATOR = /[\t\n\r\u0001]/;

/**
 * A value without the separators, nor U+0001 (the store's CSV null marker, so that an empty
 * field reads as ''); they never occur in real flow data; never trust that.
 */
export function clean(v: string): string {
  return HAS_SEPARATOR.test(v) ? v.replace(SEPARATORS, ' ') : v;
}

/** The characters TabSeparated reads as syntax in a value; in an array item, the quote too. */
const TSV_SPECIAL = /[\\\t\n\r\0]/;
const TSV_SPECIALS = /[\\\t\n\r\0]/g;
const ITEM_SPECIAL = /[\\\t\n\r\0']/;
const ITEM_SPECIALS = /[\\\t\n\r\0']/g;
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
  "'": "\\'",
};
const escapeOne = (c: string): string => ESCAPES[c] as string;

/** A value as ClickHouse's TabSeparated format reads it back exactly. */
function escapeTsv(v: string): string {
  return TSV_SPECIAL.test(v) ? v.replace(TSV_SPECIALS, escapeOne) : v;
}

/** A list as a ClickHouse array literal inside a TabSeparated field. */
function arrayLiteral(items: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const v = items[i] as string;
    out += `${i === 0 ? "'" : ",'"}${ITEM_SPECIAL.test(v) ? v.replace(ITEM_SPECIALS, escapeOne) : v}'`;
  }
  return `${out}]`;
}

/** How one encoding writes a string field and a list field. */
interface Style {
  str(v: string): string;
  /** A list as its field; none: a list is written as its number (listNumbers). */
  list?: (items: readonly string[]) => string;
}

const STYLES: Record<Encoding, Style> = {
  tsv: { str: clean },
  'tab-separated': { str: escapeTsv, list: arrayLiteral },
};

/** A list's number (from its items as JSON): a 64-bit hash of them, in decimal. */
const listNumber = (content: string): string => BigInt(`0x${hash64(content)}`).toString();

function listCollision(id: string): Error {
  return new Error(`two lists have the number ${id} (a 64-bit hash collision)`);
}

const endContent = (e: End): string =>
  JSON.stringify([e.name, e.name_aggr, e.namespace, e.type, e.labels, e.zone]);

function endCollision(id: string): Error {
  return new Error(`two record ends have the number ${id} (a 64-bit hash collision)`);
}

/** Two lists with the same items (a chunk's lists are copies: compared item by item). */
function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Two ends with the same fields. */
function sameEnd(a: End, b: End): boolean {
  return (
    a === b ||
    (a.name === b.name &&
      a.name_aggr === b.name_aggr &&
      a.namespace === b.namespace &&
      a.type === b.type &&
      a.labels === b.labels &&
      a.zone === b.zone)
  );
}

const EMPTY: readonly string[] = [];

/** A list's content as written once: the records with that content share this object. */
interface ListEntry {
  /** The list's field (its number, or its array literal). */
  readonly field: string;
  readonly items: readonly string[];
  /** The last batch that holds it. */
  batch: number;
}

/** A node of the trie of lists: the lists whose items so far lead here. */
class ListNode {
  entry: ListEntry | undefined = undefined;
  next: Map<string, ListNode> | undefined = undefined;
}

/** One end of a record as written (its six fields, or its number), for a labels list, name and zone. */
interface EndSegment {
  readonly aggr: string;
  readonly namespace: string;
  readonly type: string;
  readonly text: string;
  /** 'tsv': the end its number stands for. */
  readonly end: End | undefined;
  /** The last batch that holds it (its end and workload name). */
  batch: number;
}

/**
 * Ends written, by labels list, name and zone (the addresses outside the cluster share a name
 * and an empty list, and differ in zone).
 */
type EndSegments = Map<ListEntry, Map<string, Map<string, EndSegment>>>;

/** A record's last six fields as written, for a policy trace and trace source. */
interface DecisionSegment {
  readonly pending: ListEntry;
  readonly tier: string;
  readonly name: string;
  readonly format: string;
  readonly text: string;
}

/**
 * Entries and segments an Encoder keeps at most; past this it starts again (a bound on memory
 * over a long ingest of short-lived pods).
 */
export const ENCODER_KEPT = 65_536;

/**
 * Encodes batches of records in one encoding, keeping from one batch to the next what it wrote
 * once: each list's field, each end of a record, each decision (the last six fields). The
 * records of a pod or a path come in every chunk of a file, and an ingest worker encodes a
 * chunk at a time: making these anew for every chunk cost the worker about 4% of its time.
 * Each batch still carries every list, end and workload name its lines hold.
 */
export class Encoder {
  private readonly style: Style;
  private batch = 0;
  private kept = 0;
  private root = new ListNode();
  /**
   * Each list object's entry. The records of a pod share its labels list, but an adapter makes
   * lists of its own for each line it reads, and the engine one for each connection, so a list
   * not found here is looked up by content, item by item down the trie (five times faster than
   * a key made by joining the items, and exact for any items). Weak: the lists of records gone
   * leave with them.
   */
  private byList = new WeakMap<readonly string[], ListEntry>();
  /** One per side: the two ends of a record may share a list (an empty one) and not the rest. */
  private sources: EndSegments = new Map();
  private dests: EndSegments = new Map();
  private decisions = new Map<ListEntry, Map<string, DecisionSegment>>();

  constructor(readonly encoding: Encoding) {
    this.style = STYLES[encoding];
  }

  /** The records as one batch. */
  encode(records: readonly FlowRecord[]): EncodedBatch {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of records) {
      if (r.start_time < lo) lo = r.start_time;
      if (r.start_time > hi) hi = r.start_time;
    }
    const { text, workloads, sets, ends } = this.lines(records);
    return {
      encoding: this.encoding,
      count: records.length,
      lo,
      hi,
      text,
      workloads: [...workloads],
      lists: [...sets],
      ends: [...ends],
    };
  }

  /**
   * The records as tab-separated lines (TSV_FIELDS for 'tsv', FIELDS for the other), and the
   * workload names, lists and ends they hold (spelled out, field by field: several times faster
   * than a loop over the fields here; a test holds it to them).
   * Fields whose values come from fixed sets (the id is hex; reporter, action, endpoint types and
   * trace source are checked by every adapter or set by enrichment) are written as they are.
   */
  private lines(records: readonly FlowRecord[]): {
    text: string;
    workloads: Set<string>;
    sets: Map<string, readonly string[]>;
    ends: Map<string, End>;
  } {
    if (this.kept > ENCODER_KEPT) this.forget();
    const batch = ++this.batch;
    const c = this.style.str;
    const workloads = new Set<string>();
    const sets = new Map<string, readonly string[]>();
    const ends = new Map<string, End>();
    const numbered = this.style.list === undefined;
    const { byList } = this;
    const entry = (list: readonly string[]): ListEntry => {
      // Adapters make an empty list of their own for each record without one.
      const items = list.length === 0 ? EMPTY : list;
      let e = byList.get(items);
      if (e === undefined) byList.set(items, (e = this.listEntry(items)));
      if (e.batch !== batch) {
        e.batch = batch;
        if (numbered) {
          const had = sets.get(e.field);
          if (had !== undefined && !sameItems(had, e.items)) throw listCollision(e.field);
          sets.set(e.field, e.items);
        }
      }
      return e;
    };
    const hold = (s: EndSegment): string => {
      if (s.batch !== batch) {
        s.batch = batch;
        workloads.add(s.aggr);
        if (s.end) {
          const had = ends.get(s.text);
          if (had !== undefined && !sameEnd(had, s.end)) throw endCollision(s.text);
          ends.set(s.text, s.end);
        }
      }
      return s.text;
    };
    const { sources, dests } = this;
    const out = new Array<string>(records.length);
    // The line's fields in one array, joined: a template literal's string of 50 pieces cost more
    // to flatten into the batch's text than this join.
    const f = new Array<string | number>(21);
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as FlowRecord;
      f[0] = r.id;
      f[1] = r.start_time;
      f[2] = r.end_time;
      f[3] = c(r.host);
      f[4] = r.reporter;
      f[5] = r.action;
      f[6] = c(r.source_ip);
      f[7] = r.source_port;
      f[8] = hold(
        this.end(
          sources,
          r.source_name,
          r.source_name_aggr,
          r.source_namespace,
          r.source_type,
          entry(r.source_labels),
          r.source_zone,
        ),
      );
      f[9] = c(r.dest_ip);
      f[10] = r.dest_port;
      f[11] = hold(
        this.end(
          dests,
          r.dest_name,
          r.dest_name_aggr,
          r.dest_namespace,
          r.dest_type,
          entry(r.dest_labels),
          r.dest_zone,
        ),
      );
      f[12] = c(r.proto);
      f[13] = r.bytes_in;
      f[14] = r.bytes_out;
      f[15] = r.packets_in;
      f[16] = r.packets_out;
      f[17] = r.num_flows;
      f[18] = r.num_flows_started;
      f[19] = r.num_flows_completed;
      f[20] = this.decision(
        entry(r.policies),
        entry(r.pending_policies),
        r.trace_source,
        r.policy_tier,
        r.policy_name,
        r.source_format,
      );
      out[i] = f.join('\t');
    }
    return { text: out.join('\n'), workloads, sets, ends };
  }

  /** Start again with nothing kept. */
  private forget(): void {
    this.root = new ListNode();
    this.byList = new WeakMap();
    this.sources = new Map();
    this.dests = new Map();
    this.decisions = new Map();
    this.kept = 0;
  }

  /** A list's entry, one per content; its field is written the first time it is seen. */
  private listEntry(items: readonly string[]): ListEntry {
    let node = this.root;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as string;
      node.next ??= new Map();
      let next = node.next.get(item);
      if (next === undefined) node.next.set(item, (next = new ListNode()));
      node = next;
    }
    if (node.entry === undefined) {
      const field = this.style.list ? this.style.list(items) : listNumber(JSON.stringify(items));
      node.entry = { field, items, batch: 0 };
      this.kept++;
    }
    return node.entry;
  }

  /**
   * One end's six adjacent fields (name, name_aggr, namespace, type, labels, zone) as written,
   * kept per labels list (its entry), name and zone: the records of a pod share its list and these
   * values, so most records take their end from here. 'tsv' writes an end as its number, the
   * other encoding as its six fields.
   */
  private end(
    made: EndSegments,
    name: string,
    aggr: string,
    namespace: string,
    type: string,
    labels: ListEntry,
    zone: string,
  ): EndSegment {
    let byName = made.get(labels);
    if (byName === undefined) made.set(labels, (byName = new Map()));
    let byZone = byName.get(name);
    if (byZone === undefined) byName.set(name, (byZone = new Map()));
    let s = byZone.get(zone);
    if (s === undefined || s.aggr !== aggr || s.namespace !== namespace || s.type !== type) {
      const { str } = this.style;
      let text: string;
      let end: End | undefined;
      if (this.style.list) {
        text = `${str(name)}\t${str(aggr)}\t${str(namespace)}\t${type}\t${labels.field}\t${str(zone)}`;
      } else {
        end = { name, name_aggr: aggr, namespace, type, labels: labels.field, zone };
        text = listNumber(endContent(end));
      }
      byZone.set(zone, (s = { aggr, namespace, type, text, end, batch: 0 }));
      this.kept++;
    }
    return s;
  }

  /**
   * A record's last six fields (policies, pending_policies, trace_source, policy_tier,
   * policy_name, source_format) as one written segment, kept per policy trace (its entry) and
   * trace source: they follow from the trace, and the records of a path share it, so most
   * records take them from here (one piece of the line instead of six).
   */
  private decision(
    policies: ListEntry,
    pending: ListEntry,
    source: string,
    tier: string,
    name: string,
    format: string,
  ): string {
    let bySource = this.decisions.get(policies);
    if (bySource === undefined) this.decisions.set(policies, (bySource = new Map()));
    let s = bySource.get(source);
    if (
      s === undefined ||
      s.pending !== pending ||
      s.tier !== tier ||
      s.name !== name ||
      s.format !== format
    ) {
      const { str } = this.style;
      const text = `${policies.field}\t${pending.field}\t${source}\t${str(tier)}\t${str(name)}\t${str(format)}`;
      bySource.set(source, (s = { pending, tier, name, format, text }));
      this.kept++;
    }
    return s.text;
  }
}

/** Encode records for a store (one batch; an ingest keeps an Encoder from batch to batch). */
export function encode(encoding: Encoding, records: readonly FlowRecord[]): EncodedBatch {
  return new Encoder(encoding).encode(records);
}

/** Several encoded batches of one encoding as one. */
export function concatEncoded(batches: readonly EncodedBatch[]): EncodedBatch {
  const full = batches.filter((b) => b.count > 0);
  const first = full[0];
  if (!first)
    return {
      encoding: batches[0]?.encoding ?? 'tsv',
      count: 0,
      lo: Infinity,
      hi: -Infinity,
      text: '',
      workloads: [],
      lists: [],
      ends: [],
    };
  if (full.length === 1) return first;
  let count = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const workloads = new Set<string>();
  const sets = new Map<string, readonly string[]>();
  const ends = new Map<string, End>();
  for (const b of full) {
    if (b.encoding !== first.encoding)
      throw new Error(`cannot join ${b.encoding} and ${first.encoding} batches`);
    count += b.count;
    lo = Math.min(lo, b.lo);
    hi = Math.max(hi, b.hi);
    for (const w of b.workloads) workloads.add(w);
    for (const [id, items] of b.lists) {
      const had = sets.get(id);
      if (had === undefined) sets.set(id, items);
      else if (!sameItems(had, items)) throw listCollision(id);
    }
    for (const [id, end] of b.ends) {
      const had = ends.get(id);
      if (had === undefined) ends.set(id, end);
      else if (!sameEnd(had, end)) throw endCollision(id);
    }
  }
  return {
    encoding: first.encoding,
    count,
    lo,
    hi,
    text: full.map((b) => b.text).join('\n'),
    workloads: [...workloads],
    lists: [...sets],
    ends: [...ends],
  };
}

/**
 * The first n records of a batch and the rest (n between 1 and count - 1). Both keep the
 * batch's time range, workload names and lists: a range around the records and sets
 * holding theirs, which is all a store asks of them.
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
