// ClickHouse's HTTP interface (https://clickhouse.com/docs/en/interfaces/http): a query in
// the URL, data in the body. Works with every release from 18.x on; errors come back as
// text with a non-200 status, a refused connection as a fetch failure.
import { StoreError } from '../types.js';

export interface Endpoint {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
}

/** `clickhouse://[user[:password]@]host:port/database` (the HTTP port). */
export function parseClickHouseUrl(url: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new StoreError('store.url', `not a URL: ${url}`, { cause: e });
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'default';
  if (u.protocol !== 'clickhouse:' || u.hostname === '' || !/^[A-Za-z0-9_]+$/.test(database))
    throw new StoreError('store.url', `expected clickhouse://HOST:PORT/DB, got ${url}`);
  return {
    host: u.hostname,
    port: u.port === '' ? 8123 : Number(u.port),
    database,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** Is this failure the server being unreachable (as opposed to a bad query)? */
export function isUnavailable(e: unknown): boolean {
  return e instanceof StoreError && e.code === 'store.unavailable';
}

export class ClickHouseHttp {
  constructor(
    readonly ep: Endpoint,
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * Run a statement; `body` is sent as the data of an INSERT (or as the query when no `query`).
   * `external` is a temporary table the query can read (ClickHouse's external data: TSV sent
   * beside the query, https://clickhouse.com/docs/en/engines/table-engines/special/external-data).
   */
  async run(
    query: string,
    body?: string,
    settings: Record<string, string> = {},
    external?: { name: string; structure: string; tsv: string },
  ): Promise<string> {
    const params = new URLSearchParams({
      database: this.ep.database,
      output_format_json_quote_64bit_integers: '0',
      ...settings,
    });
    let payload: string | FormData = body ?? query;
    if (body !== undefined || external) params.set('query', query);
    if (external) {
      params.set(`${external.name}_structure`, external.structure);
      payload = new FormData();
      payload.append(external.name, new Blob([external.tsv]), external.name);
    }
    const headers: Record<string, string> = {};
    if (this.ep.user !== undefined) headers['X-ClickHouse-User'] = this.ep.user;
    if (this.ep.password !== undefined) headers['X-ClickHouse-Key'] = this.ep.password;
    let res: Response;
    try {
      res = await fetch(`http://${this.ep.host}:${this.ep.port}/?${params}`, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new StoreError(
        'store.unavailable',
        `ClickHouse at ${this.ep.host}:${this.ep.port} is unreachable: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const text = await res.text();
    if (res.status >= 500 && /Too many simultaneous|Memory limit|TIMEOUT|shutdown/i.test(text))
      throw new StoreError('store.unavailable', `ClickHouse is overloaded: ${text.trim()}`);
    if (res.status !== 200) throw new StoreError('store.query', `ClickHouse: ${text.trim()}`);
    return text;
  }

  /** Rows of a SELECT (JSONEachRow). */
  async rows(query: string, settings?: Record<string, string>): Promise<Record<string, unknown>[]> {
    const text = await this.run(`${query} FORMAT JSONEachRow`, undefined, settings);
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
