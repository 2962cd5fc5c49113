// The Store contract: one interface, a driver per database (duckdb/, clickhouse/), one
// contract test suite run against both (contract.test.ts).
import type { FlowRecord } from '../flows/record.js';
import type { RecordSink } from '../flows/ingest.js';
export type { EncodedParts } from '../flows/ingest.js';
import type { EncodedBatch, Encoding } from '../flows/encode.js';

/** One condition of `--where`: `field=value` or `field!=value`. */
export interface Condition {
  field: string;
  value: string;
  negate?: boolean;
}

export type SortKey = 'records' | 'flows' | 'bytes' | 'packets';

export interface FlowQuery {
  /** Record fields to group by; none: the records themselves. */
  groupBy?: readonly string[];
  /** Conditions on the same field are alternatives (OR); different fields all hold (AND). */
  where?: readonly Condition[];
  /** Unix seconds: records that end at or after `since` and start before `until`. */
  since?: number;
  until?: number;
  /** Free text, case-insensitive, in names, name prefixes, namespaces and labels. */
  search?: string;
  /** Groups: by this measure, largest first (default bytes). Records: newest first. */
  sort?: SortKey;
  limit?: number;
  offset?: number;
}

/** A group's keys (the record's own field names) plus its measures, or a whole record. */
export type QueryRow = Record<string, string | number | string[]>;

export const MEASURES = ['records', 'flows', 'bytes', 'packets'] as const;

/** What went wrong, for the entry point to map to an exit code and message. */
export class StoreError extends Error {
  constructor(
    readonly code:
      'store.unavailable' | 'store.query' | 'store.schema' | 'store.spool-full' | 'store.url',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface Store extends RecordSink {
  readonly kind: 'duckdb' | 'clickhouse';
  /** Write records; records whose id the store already holds are dropped (idempotent). */
  write(records: readonly FlowRecord[]): Promise<void>;
  /** The form of a batch the store takes from ingest workers. */
  readonly encoding: Encoding;
  /** Write a batch in that form (the same idempotence). */
  writeEncoded(batch: EncodedBatch): Promise<void>;
  query(q: FlowQuery): Promise<QueryRow[]>;
  /** Records stored. */
  count(): Promise<number>;
  /** Delete records that ended before `now - maxAgeSeconds`; resolves to how many. */
  retain(maxAgeSeconds: number, now?: number): Promise<number>;
  /** The applied schema version. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

/** Whether an encoded batch has records to write; a batch in another encoding is refused. */
export function hasRecords(b: EncodedBatch, encoding: Encoding, database: string): boolean {
  if (b.count === 0) return false;
  if (b.encoding !== encoding)
    throw new StoreError('store.query', `a ${b.encoding} batch cannot be written to ${database}`);
  return true;
}
