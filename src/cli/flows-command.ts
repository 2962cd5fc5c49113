// `zonewall flows ingest|query`, kept beside the program so the program stays a list of verbs.
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { AggregationLevel } from '../flows/aggregate.js';
import { FORMATS } from '../flows/adapters/index.js';
import type { FlowFormat } from '../flows/adapters/index.js';
import { DEFAULT_STORE } from '../store/index.js';
import { flowsIngest, flowsQuery } from './commands/flows.js';
import type { QueryCliOptions } from './commands/flows.js';
import type { ExitCode, IO } from './output.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** A repeatable option's values. */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `15s`, `5m`, `2h`, `30d` or plain seconds. */
export function durationSeconds(v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m || Number(m[1]) === 0)
    throw new InvalidArgumentError('a duration is N, Ns, Nm, Nh or Nd (N > 0)');
  return Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
}

/** A time: RFC 3339, Unix seconds, or a duration back from now (`1h` = an hour ago). */
export function timeArg(v: string, now = Date.now() / 1000): number {
  if (/^\d{9,}$/.test(v)) return Number(v);
  if (/^\d+[smhd]$/.test(v)) return now - durationSeconds(v);
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new InvalidArgumentError(
      'a time is RFC 3339, Unix seconds, or a duration ago (15m, 2h, 7d)',
    );
  return t / 1000;
}

function whole(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

export const STORE_HELP = 'the flow store: PATH.duckdb or clickhouse://HOST:PORT/DB';

/** `--since` and `--until`: the stored flows' time range. */
export function withTimeRange(cmd: Command, what = 'flows'): Command {
  return cmd
    .option(
      '--since <time>',
      `${what} since: RFC 3339, Unix seconds, or a duration ago (1h)`,
      (v: string) => timeArg(v),
    )
    .option(
      '--until <time>',
      `${what} until: RFC 3339, Unix seconds, or a duration ago`,
      (v: string) => timeArg(v),
    );
}

/** Add `zonewall flows ingest` and `zonewall flows query`. */
export function addFlowsCommands(program: Command, io: IO, run: Run): void {
  const flows = program
    .command('flows')
    .description(
      'Flow logs with zones and deciding policies: ingest them into a store, query them.',
    );

  flows
    .command('ingest')
    .description(
      "Read flow logs, give each record its workloads and zones from a cluster snapshot (and the engine's policy trace when the log has none), and store them. Malformed lines are reported with their numbers and skipped. Exit 0, 1 when some lines were malformed, 2 bad input, 3 when the store fails.",
    )
    .addOption(
      new Option('--format <format>', 'input format').choices([...FORMATS]).makeOptionMandatory(),
    )
    .requiredOption(
      '--snapshot <dir>',
      'cluster manifests at the time (namespaces, pods, policies, optionally the ZonePolicy)',
    )
    .option('--store <store>', STORE_HELP, DEFAULT_STORE)
    .option(
      '--aggregation <level>',
      "Calico's aggregation level 0-3 (default: as logged for calico and goldmane, 1 otherwise)",
      whole(0, 3),
    )
    .option('--interval <duration>', 'aggregation interval (default 15s)', durationSeconds)
    .option(
      '--retention <duration>',
      'after ingest, delete records older than this (e.g. 30d)',
      durationSeconds,
    )
    .option('--spool <dir>', 'ClickHouse: where batches wait while the server is unreachable')
    .option(
      '--batch <n>',
      'records per write; every write but the last has exactly this many (default: 122880 for DuckDB, its row group; 30720 for ClickHouse)',
      whole(1, 10_000_000),
    )
    .option(
      '--workers <n>',
      'worker threads that parse, enrich and encode (0: none; default: one per core but one, for inputs of 16 MiB or more in formats whose lines stand alone)',
      whole(0, 64),
    )
    .option(
      '--progress',
      'print progress lines on standard error even when it is not a terminal',
      false,
    )
    .argument('<files...>', 'flow log files')
    .action(
      (
        files: string[],
        o: {
          format: FlowFormat;
          snapshot: string;
          store: string;
          aggregation?: number;
          interval?: number;
          retention?: number;
          spool?: string;
          batch?: number;
          workers?: number;
          progress: boolean;
        },
      ) =>
        run(
          flowsIngest(io, {
            format: o.format,
            snapshot: o.snapshot,
            store: o.store,
            files,
            progress: o.progress,
            ...(o.aggregation !== undefined ? { level: o.aggregation as AggregationLevel } : {}),
            ...(o.interval !== undefined ? { intervalSeconds: o.interval } : {}),
            ...(o.retention !== undefined ? { retentionSeconds: o.retention } : {}),
            ...(o.spool !== undefined ? { spoolDir: o.spool } : {}),
            ...(o.batch !== undefined ? { batchSize: o.batch } : {}),
            ...(o.workers !== undefined ? { workers: o.workers } : {}),
          }),
        ),
    );

  withTimeRange(
    flows
      .command('query')
      .description(
        "Query stored flows: filter (--where, time range, free text), group by record fields with records, flows, bytes and packets, or list the records. JSON rows use the record's own field names.",
      )
      .option('--store <store>', STORE_HELP, DEFAULT_STORE)
      .option(
        '--group-by <fields>',
        'comma-separated record fields, e.g. source_zone,dest_zone',
        (v: string) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        [],
      )
      .option(
        '--where <cond>',
        'FIELD=VALUE or FIELD!=VALUE; repeatable (same field: any; different fields: all). Also zone, namespace, workload, label, policy, tier, pending_policy',
        collect,
        [],
      ),
  )
    .option('--search <text>', 'free text in names, namespaces and labels (any case)')
    .addOption(
      new Option('--sort <measure>', 'groups: largest first by').choices([
        'records',
        'flows',
        'bytes',
        'packets',
      ]),
    )
    .option('--limit <n>', 'rows per page', whole(1, 1_000_000), 100)
    .option('--offset <n>', 'rows to skip', whole(0, Number.MAX_SAFE_INTEGER), 0)
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .action((o: QueryCliOptions) => run(flowsQuery(io, o)));
}
