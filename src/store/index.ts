// Public surface of the store: the contract, and opening a store from what `--store` says.
import { ClickHouseStore } from './clickhouse/index.js';
import type { ClickHouseOptions } from './clickhouse/index.js';
import { DuckDbStore } from './duckdb/index.js';
import type { Store } from './types.js';

export * from './types.js';
export { ClickHouseStore, CLICKHOUSE_DIALECT } from './clickhouse/index.js';
export { DuckDbStore, DUCKDB_DIALECT } from './duckdb/index.js';
export { SCHEMA_VERSION } from './schema.js';

/** Where flows are kept unless `--store` says otherwise. */
export const DEFAULT_STORE = './zonewall.duckdb';

/** Open `PATH.duckdb` (or any path) or `clickhouse://HOST:PORT/DB`. */
export async function openStore(
  spec: string = DEFAULT_STORE,
  o: ClickHouseOptions & { requireServer?: boolean } = {},
): Promise<Store> {
  if (spec.startsWith('clickhouse://')) return ClickHouseStore.open(spec, o);
  return DuckDbStore.open(spec);
}
