// The flows schema, shared by the drivers: the record's fields as columns, and the
// migrations each driver applies in order, recording the version it reached in
// `zonewall_schema` (so a newer zonewall upgrades an older store in place).
import { FIELDS } from '../flows/record.js';
import type { FieldType } from '../flows/record.js';
import { StoreError } from './types.js';

export const FLOWS_TABLE = 'flows';
export const SCHEMA_TABLE = 'zonewall_schema';

/** Column names in storage order. */
export const COLUMNS: readonly string[] = FIELDS.map(([n]) => n);

/** Column definitions for a dialect's types. */
export function columnDefs(types: Record<FieldType, string>): string {
  return FIELDS.map(([n, t]) => `${n} ${types[t]}`).join(', ');
}

export interface Migration {
  version: number;
  /** What it changes, recorded with the version. */
  description: string;
}

/** Every schema version so far (drivers hold the statements of each). */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'flows: Calico flow-log fields, zones, deciding policy' },
  {
    version: 2,
    description:
      'workloads: a number per workload name (source_name_aggr, dest_name_aggr) to group by (DuckDB)',
  },
  {
    version: 3,
    description:
      'lists: each distinct list (labels, policy traces) stored once in flow_lists, a row holds its numbers (flow_rows); flows is the view of whole records (DuckDB)',
  },
];

/**
 * DuckDB keeps a record as a row of `ROWS_TABLE` whose list fields (labels, policy traces) are
 * numbers of lists in `LISTS_TABLE` (each distinct list once); `FLOWS_TABLE` is then the view
 * of whole records, the record's fields in FIELDS order.
 */
export const ROWS_TABLE = 'flow_rows';
export const LISTS_TABLE = 'flow_lists';

/** The column of a row holding a list field's number (DuckDB). */
export const listIdColumn = (field: string): string => `${field}_id`;

/** DuckDB's table of workload names and their numbers (the rows hold the numbers). */
export const WORKLOADS_TABLE = 'workloads';

/** A record field numbered through WORKLOADS_TABLE, and its number's column. */
export const WORKLOAD_IDS: ReadonlyMap<string, string> = new Map([
  ['source_name_aggr', 'source_workload_id'],
  ['dest_name_aggr', 'dest_workload_id'],
]);

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Refuse a store a newer zonewall has migrated: this one would write rows it cannot read. */
export function refuseNewer(have: number, where: string): void {
  if (have > SCHEMA_VERSION)
    throw new StoreError(
      'store.schema',
      `${where} is at schema version ${have}; this zonewall knows versions up to ${SCHEMA_VERSION}: use a newer zonewall`,
    );
}
