// `zonewall preview` and `zonewall recommend`, kept beside the program so it stays a list of verbs.
import { Option } from 'commander';
import type { Command } from 'commander';
import type { RecommendFormat } from '../core/analysis/index.js';
import { DEFAULT_STORE } from '../store/index.js';
import { preview, recommendCmd } from './commands/preview.js';
import { STORE_HELP, collect, durationSeconds, withTimeRange } from './flows-command.js';
import type { ExitCode, IO } from './output.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;

const FILES_HELP =
  'the cluster as it is now: manifests (namespaces, pods, policies), a file, a directory or - (repeatable)';

function outputOption(): Option {
  return new Option('--output <format>', 'output format')
    .choices(['table', 'json', 'yaml'])
    .default('table');
}

/** The options both verbs start with: the store, the manifests, the ZonePolicy. */
function sourceOptions(command: Command, zonesHelp: string): Command {
  return command
    .option('--store <store>', STORE_HELP, DEFAULT_STORE)
    .option('-f, --file <path>', FILES_HELP, collect, [])
    .option('--zones <file>', zonesHelp);
}

/** Add `zonewall preview` and `zonewall recommend`. */
export function addPreviewCommands(program: Command, io: IO, run: Run): void {
  withTimeRange(
    sourceOptions(
      program
        .command('preview')
        .description(
          'Replay the stored flows through the engine with proposed changes applied (added or changed policies, deletions, a new ZonePolicy, staged policies promoted) and report every flow whose verdict changes, with the deciding policy before and after; flows whose outcome cannot be known are reported as uncertain. Each distinct (source, destination, protocol, port) is evaluated once. Exit 1 when any recorded flow would become denied (a CI gate), 0 otherwise, 2 bad input, 3 when the store fails.',
        ),
      'the ZonePolicy in force now',
    )
      .option(
        '--changes <path>',
        'manifests to add or replace (by kind, namespace and name); a ZonePolicy replaces the zones; staged policies are promoted (repeatable)',
        collect,
        [],
      )
      .option(
        '--delete <ref>',
        'a policy to remove: KIND/NAMESPACE/NAME or KIND/NAME (repeatable)',
        collect,
        [],
      ),
  )
    .option('--max-keys <n>', 'keys listed per group (all are counted)', (v) => Number(v), 50)
    .addOption(outputOption())
    .action(
      (o: {
        store: string;
        file: string[];
        zones?: string;
        changes: string[];
        delete: string[];
        since?: number;
        until?: number;
        maxKeys: number;
        output: 'table' | 'json' | 'yaml';
      }) =>
        run(
          preview(io, {
            store: o.store,
            files: o.file,
            ...(o.zones ? { zones: o.zones } : {}),
            changes: o.changes,
            deletes: o.delete,
            ...(o.since !== undefined ? { since: o.since } : {}),
            ...(o.until !== undefined ? { until: o.until } : {}),
            maxKeys: o.maxKeys,
            output: o.output,
          }),
        ),
    );

  withTimeRange(
    sourceOptions(
      program
        .command('recommend')
        .description(
          'Learn least-privilege policy from the stored allowed flows: per workload (its stable labels, never a pod name), peers by labels and namespace, outside peers as exact CIDRs, on the exact ports seen; as Kubernetes NetworkPolicies or staged Calico policies. Flows the zone rules deny are reported as zone violations, never learned. Prints the learning state (stable once the recommendation has not changed for --stable-after intervals) and how reachability would drop. Exit 0, 1 when zone violations were seen, 2 bad input, 3 when the store fails.',
        ),
      'the ZonePolicy in force (needed for --zone, and to find violations)',
    )
      .option('--namespace <ns>', 'learn for the workloads of this namespace')
      .option('--zone <zone>', 'learn for the workloads of this zone')
      .addOption(
        new Option('--format <format>', 'what to write')
          .choices(['networkpolicy', 'calico-staged'])
          .default('calico-staged'),
      )
      .option('-o, --out <file>', 'where to write the manifests, or - for standard output', '-'),
    'learn from flows',
  )
    .option('--interval <duration>', 'learning interval (default 1h)', durationSeconds, 3600)
    .option(
      '--stable-after <n>',
      'intervals without change before the learning is stable',
      (v) => Number(v),
      3,
    )
    .addOption(outputOption())
    .action(
      (o: {
        store: string;
        file: string[];
        zones?: string;
        namespace?: string;
        zone?: string;
        format: RecommendFormat;
        out: string;
        since?: number;
        until?: number;
        interval: number;
        stableAfter: number;
        output: 'table' | 'json' | 'yaml';
      }) =>
        run(
          recommendCmd(io, {
            store: o.store,
            files: o.file,
            ...(o.zones ? { zones: o.zones } : {}),
            ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
            ...(o.zone !== undefined ? { zone: o.zone } : {}),
            format: o.format,
            out: o.out,
            ...(o.since !== undefined ? { since: o.since } : {}),
            ...(o.until !== undefined ? { until: o.until } : {}),
            intervalSeconds: o.interval,
            stableAfter: o.stableAfter,
            output: o.output,
          }),
        ),
    );
}
