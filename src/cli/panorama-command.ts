// The live Panorama verbs, `sync panorama` and `push-tags panorama`, kept beside the program so
// the program stays a list of verbs.
import { Option } from 'commander';
import type { Command } from 'commander';
import { panoramaImport } from '../integrations/panorama/import.js';
import { pushTagsPanorama, syncPanorama } from './commands/panorama.js';
import type { TagCliOptions } from './commands/panorama.js';
import { connectOptions, connectionOptions, duration, tagOptions } from './panorama-options.js';
import type { ConnectionFlags } from './panorama-options.js';
import type { ExitCode, IO } from './output.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];
const FILES = 'cluster manifests (pods, namespaces): a file or directory; repeatable';

interface TagFlags {
  cluster?: string;
  appLabel: string;
  lease: number;
  persistent: boolean;
  batchEntries: number;
  allowEmpty: boolean;
}

const tagCli = (o: TagFlags, leaseS = o.lease): TagCliOptions => ({
  appLabel: o.appLabel,
  leaseS,
  persistent: o.persistent,
  batchEntries: o.batchEntries,
  allowEmpty: o.allowEmpty,
  ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
});

type Run = (p: Promise<ExitCode>) => Promise<void>;

/** Add `zonewall sync panorama` and `zonewall push-tags panorama`. */
export function addPanoramaCommands(program: Command, io: IO, run: Run): void {
  addSync(program, io, run);
  addPushTags(program, io, run);
}

interface SyncFlags extends ConnectionFlags, TagFlags {
  deviceGroup: string;
  device?: string;
  interval: number;
  once: boolean;
  out: string;
  allowAction: 'Pass' | 'Allow';
  internetZone: string[];
  name?: string;
  pushTags: boolean;
  file: string[];
}

function addSync(program: Command, io: IO, run: Run): void {
  const c = program
    .command('sync')
    .description('Keep a ZonePolicy in step with a firewall manager.')
    .command('panorama')
    .description(
      "Poll Panorama's running configuration, import the device group as a ZonePolicy, and hand it on (write the file, or print it) only when it is valid and its content changed. When Panorama is unreachable or answers nonsense, the last good policy stays in force and the failure is reported. With --push-tags, also register the cluster's pod addresses as tags after each poll. Runs until interrupted; with --once, polls once (exit 0 ok, 3 failed).",
    );
  connectionOptions(c)
    .requiredOption('--device-group <name>', 'the device group whose policy the cluster enforces')
    .option('--device <serial>', 'a managed firewall: rules targeted at other devices are left out')
    .option('--interval <duration>', 'time between polls', duration, 30_000)
    .option('--once', 'poll once and exit', false)
    .option('-o, --out <file>', 'where the ZonePolicy goes, or - for standard output', '-')
    .addOption(
      new Option('--allow-action <action>', 'what a firewall allow becomes')
        .choices(['Pass', 'Allow'])
        .default('Pass'),
    )
    .option(
      '--internet-zone <zone>',
      'a firewall zone that means outside the cluster; repeatable',
      collect,
      [],
    )
    .option('--name <name>', 'metadata.name of the ZonePolicy (default: from the device group)')
    .option('--push-tags', 'register pod addresses as tags after each poll (needs -f)', false)
    .option('-f, --file <path>', FILES, collect, []);
  tagOptions(c, '15m').action((o: SyncFlags, cmd: Command) => {
    // A lease must outlast a Panorama outage of the usual kind (a restart, an upgrade), or a
    // firewall reached through it would drop the pods from its groups: four polls, at least 15 min.
    const leaseS =
      cmd.getOptionValueSource('lease') === 'default'
        ? Math.max(900, Math.ceil((4 * o.interval) / 1000))
        : o.lease;
    if (o.pushTags && o.file.length === 0) {
      io.err('error: --push-tags needs the cluster manifests (-f PATH)\n');
      return run(Promise.resolve(2));
    }
    return run(
      syncPanorama(io, {
        connect: connectOptions(o),
        deviceGroup: o.deviceGroup,
        intervalMs: o.interval,
        once: o.once,
        out: o.out,
        tagFiles: o.file,
        ...(o.device !== undefined ? { device: o.device } : {}),
        ...(o.pushTags ? { tags: tagCli(o, leaseS) } : {}),
        build: panoramaImport({
          allowAction: o.allowAction,
          appLabel: o.appLabel,
          ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.internetZone.length > 0 ? { internetZones: o.internetZone } : {}),
        }),
      }),
    );
  });
}

interface PushFlags extends ConnectionFlags, TagFlags {
  file: string[];
  zones?: string;
  output: 'table' | 'json';
}

function addPushTags(program: Command, io: IO, run: Run): void {
  const c = program
    .command('push-tags')
    .description('Register pod addresses as tags with a firewall manager (User-ID API).')
    .command('panorama')
    .description(
      "Register every pod address with Panorama (or a firewall) tagged zonewall.zone.ZONE, zonewall.ns.NAMESPACE, zonewall.app.VALUE and zonewall.cluster.NAME, for dynamic address groups. Reads back what is registered and changes only zonewall's tags. Exit 1 when some address could not be tagged as planned, 3 when the device failed.",
    );
  connectionOptions(c)
    .option('-f, --file <path>', `${FILES}; the ZonePolicy may be among them`, collect, [])
    .option('--zones <file>', 'the ZonePolicy file, if it is not among the manifests')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json'])
        .default('table'),
    );
  tagOptions(c, '1h').action((o: PushFlags) =>
    run(
      pushTagsPanorama(io, {
        ...tagCli(o),
        connect: connectOptions(o),
        files: o.file,
        output: o.output,
        ...(o.zones !== undefined ? { zones: o.zones } : {}),
      }),
    ),
  );
}
