// The one query layer: a FlowQuery as SQL, with the few spellings that differ per database
// behind a Dialect. Field names are checked against the record's own (never interpolated
// from input unchecked); values are quoted by the dialect.
import {
  FIELD_TYPES,
  FIELD_VALUES,
  GROUPABLE,
  PROTO_NAMED,
  protoNumber,
  protoSpellings,
  UNKNOWN_PROTO,
} from '../flows/record.js';
import { StoreError } from './types.js';
import type { Condition, FlowQuery } from './types.js';

export interface Dialect {
  /** A string literal. */
  str(s: string): string;
  /** Does the list column hold this value? */
  listHas(col: string, value: string): string;
  /** Does some hit in a trace column have this part (1-based `index|tier|name|action|rule`)? */
  hitHas(col: string, part: number, value: string): string;
  /** Case-insensitive substring test on a string column / any element of a list column. */
  contains(col: string, value: string): string;
  listContains(col: string, value: string): string;
}

/** `--where` keys beyond the record's fields, each a test over several columns. */
export const PSEUDO_FIELDS = [
  'zone',
  'namespace',
  'workload',
  'label',
  'policy',
  'tier',
  'pending_policy',
] as const;

/** A fixed-set field's value as stored (lower case); a value no record can hold is refused. */
function storedValue(field: string, v: string): string {
  const values = FIELD_VALUES.get(field);
  if (values === undefined) return v;
  const lower = v.toLowerCase();
  if (!values.includes(lower))
    throw new StoreError('store.query', `${field} is one of ${values.join(', ')}; "${v}" is not`);
  return lower;
}

/**
 * A protocol by name or number, matching each spelling a record may hold (`6`, `TCP` and `tcp`
 * are one protocol); `unknown` is what a record holds when its source named none.
 */
function protoCondition(d: Dialect, v: string): string {
  if (v.toLowerCase() === UNKNOWN_PROTO) return `proto = ${d.str(UNKNOWN_PROTO)}`;
  const n = protoNumber(v);
  if (n === undefined)
    throw new StoreError(
      'store.query',
      `proto is a protocol name (${PROTO_NAMED.join(', ')}), a number from 0 to 255 or ${UNKNOWN_PROTO}; "${v}" is not`,
    );
  return `proto IN (${protoSpellings(n)
    .map((s) => d.str(s))
    .join(', ')})`;
}

function condition(d: Dialect, c: Condition): string {
  if (c.field === 'proto') return protoCondition(d, c.value);
  const v = storedValue(c.field, c.value);
  switch (c.field) {
    case 'zone':
      return `(source_zone = ${d.str(v)} OR dest_zone = ${d.str(v)})`;
    case 'namespace':
      return `(source_namespace = ${d.str(v)} OR dest_namespace = ${d.str(v)})`;
    case 'workload':
      return `(source_name_aggr = ${d.str(v)} OR dest_name_aggr = ${d.str(v)} OR source_name = ${d.str(v)} OR dest_name = ${d.str(v)})`;
    case 'label':
      return `(${d.listHas('source_labels', v)} OR ${d.listHas('dest_labels', v)})`;
    case 'policy':
      return d.hitHas('policies', 3, v);
    case 'tier':
      return d.hitHas('policies', 2, v);
    case 'pending_policy':
      return d.hitHas('pending_policies', 3, v);
  }
  const type = FIELD_TYPES.get(c.field);
  if (type === 'strings') return d.listHas(c.field, v);
  if (type === 'int') {
    if (!/^-?\d+$/.test(v))
      throw new StoreError('store.query', `${c.field} is a number; "${v}" is not`);
    return `${c.field} = ${v}`;
  }
  return `${c.field} = ${d.str(v)}`;
}

/** Check field names; a message for the first unknown one. */
export function checkFields(q: FlowQuery): string | undefined {
  for (const f of q.groupBy ?? []) {
    if (!GROUPABLE.has(f)) return `cannot group by "${f}" (fields: ${[...GROUPABLE].join(', ')})`;
  }
  for (const c of q.where ?? []) {
    if (!FIELD_TYPES.has(c.field) && !(PSEUDO_FIELDS as readonly string[]).includes(c.field))
      return `unknown field "${c.field}" in --where (fields: ${[...FIELD_TYPES.keys()].join(', ')}, or ${PSEUDO_FIELDS.join(', ')})`;
  }
  return undefined;
}

/** The WHERE clause (without the keyword), or '' when there is no condition. */
export function whereSql(d: Dialect, q: FlowQuery): string {
  const parts: string[] = [];
  const byField = new Map<string, Condition[]>();
  for (const c of q.where ?? []) byField.set(c.field, [...(byField.get(c.field) ?? []), c]);
  for (const cs of byField.values()) {
    const pos = cs.filter((c) => !c.negate).map((c) => condition(d, c));
    const neg = cs.filter((c) => c.negate).map((c) => `NOT ${condition(d, c)}`);
    if (pos.length > 0) parts.push(pos.length === 1 ? (pos[0] as string) : `(${pos.join(' OR ')})`);
    parts.push(...neg);
  }
  if (q.since !== undefined) parts.push(`end_time >= ${Math.floor(q.since)}`);
  if (q.until !== undefined) parts.push(`start_time < ${Math.ceil(q.until)}`);
  if (q.search !== undefined && q.search !== '') {
    const s = q.search;
    const cols = [
      'source_name',
      'dest_name',
      'source_name_aggr',
      'dest_name_aggr',
      'source_namespace',
      'dest_namespace',
    ];
    parts.push(
      `(${[...cols.map((c) => d.contains(c, s)), d.listContains('source_labels', s), d.listContains('dest_labels', s)].join(' OR ')})`,
    );
  }
  return parts.join(' AND ');
}

/**
 * Fields a store also keeps as numbers (a column per field, and a table of the numbers'
 * names): grouping by a small number is several times faster than by its text.
 */
export interface Numbered {
  /** The table of names: columns `id` and `name`. */
  table: string;
  /** Field -> the column holding its number. */
  ids: ReadonlyMap<string, string>;
}

/** The measures of a group. */
const MEASURE_SQL =
  // One sum of in + out, not two sums added: one aggregate state less per group (workload pair
  // over 10M rows in DuckDB 1.5: 319 against 476 ms). Ingest refuses counts past 2^53
  // (chunks.ts, outOfRange), so in + out cannot overflow 64 bits.
  `count(*) AS records, sum(num_flows) AS flows, ` +
  `sum(bytes_in + bytes_out) AS bytes, sum(packets_in + packets_out) AS packets`;

/** The whole SELECT for a query (grouped, or the records themselves). */
export function selectSql(
  d: Dialect,
  q: FlowQuery,
  table: string,
  columns: readonly string[],
  numbered?: Numbered,
): string {
  const where = whereSql(d, q);
  const w = where ? ` WHERE ${where}` : '';
  const page = ` LIMIT ${Math.max(0, Math.floor(q.limit ?? 100))} OFFSET ${Math.max(0, Math.floor(q.offset ?? 0))}`;
  const groups = q.groupBy ?? [];
  if (groups.length === 0) {
    return `SELECT ${columns.join(', ')} FROM ${table}${w} ORDER BY start_time DESC, id${page}`;
  }
  const keys = groups.join(', ');
  const sort = q.sort ?? 'bytes';
  const ids = numbered ? groups.map((g) => numbered.ids.get(g)) : [];
  if (!numbered || ids.every((i) => i === undefined)) {
    return `SELECT ${keys}, ${MEASURE_SQL} FROM ${table}${w} GROUP BY ${keys} ORDER BY ${sort} DESC, ${keys}${page}`;
  }
  // Grouped by the numbers, then the (few) groups given their names back.
  const inner = groups.map((g, i) => ids[i] ?? g).join(', ');
  const outer = groups.map((g, i) => (ids[i] ? `n${i}.name AS ${g}` : `g.${g}`));
  const joins = ids.map((c, i) =>
    c ? ` LEFT JOIN ${numbered.table} n${i} ON n${i}.id = g.${c}` : '',
  );
  return (
    `SELECT ${outer.join(', ')}, g.records, g.flows, g.bytes, g.packets FROM ` +
    `(SELECT ${inner}, ${MEASURE_SQL} FROM ${table}${w} GROUP BY ${inner}) g${joins.join('')} ` +
    `ORDER BY ${sort} DESC, ${keys}${page}`
  );
}
