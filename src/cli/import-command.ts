// The `import` verb and its `panorama` source, kept beside the program so the program stays a
// list of verbs.
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_MAX_BYTES } from '../core/firewall/index.js';
import { importPanoramaCli } from './commands/import.js';
import type { ExitCode, IO } from './output.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function byteCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError('a size is a number of bytes');
  return n;
}

interface Flags {
  file: string;
  deviceGroup?: string;
  device?: string;
  allowAction: 'Pass' | 'Allow';
  out: string;
  name?: string;
  appLabel: string;
  cluster?: string;
  internetZone: string[];
  maxBytes: number;
  output: 'table' | 'json';
}

/** Add `zonewall import panorama`. */
export function addImportCommand(
  program: Command,
  io: IO,
  run: (p: Promise<ExitCode>) => Promise<void>,
): void {
  program
    .command('import')
    .description('Import zones and rules from a firewall manager as a ZonePolicy.')
    .command('panorama')
    .description(
      'Read a Panorama export (a device group, with its ancestors and shared) or a PAN-OS firewall configuration (a vsys) and write its security rules as a ZonePolicy. What cannot be enforced exactly fails closed (a deny widened, an allow narrowed or skipped); the report on standard error lists every rule as mapped, approximated or skipped, with the reasons. Exit 0 when written, 2 when the input cannot be read.',
    )
    .requiredOption('--file <path>', 'the configuration XML (- reads stdin)')
    .option(
      '--device-group <name>',
      'the device group (Panorama) or vsys (firewall; default vsys1)',
    )
    .option(
      '--device <serial>',
      'a managed firewall: rules targeted at other devices are left out, and the device group is found from it when not given',
    )
    .addOption(
      new Option(
        '--allow-action <action>',
        "what a firewall allow becomes: Pass (the developers' policies also decide) or Allow (final)",
      )
        .choices(['Pass', 'Allow'])
        .default('Pass'),
    )
    .option('-o, --out <file>', 'where to write the ZonePolicy, or - for standard output', '-')
    .option('--name <name>', 'metadata.name of the ZonePolicy (default: from the device group)')
    .option(
      '--app-label <key>',
      'the label that zonewall.app.VALUE tags and custom applications name',
      'app',
    )
    .option(
      '--cluster <name>',
      'this cluster, for zonewall.cluster.NAME tags (default: every such tag matches)',
    )
    .option(
      '--internet-zone <zone>',
      'a firewall zone that means outside the cluster (default: internet); repeatable',
      collect,
      [],
    )
    .option('--max-bytes <n>', 'largest configuration accepted', byteCount, DEFAULT_MAX_BYTES)
    .addOption(
      new Option('--output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .action((o: Flags) =>
      run(
        importPanoramaCli(io, {
          file: o.file,
          allowAction: o.allowAction,
          out: o.out,
          appLabel: o.appLabel,
          internetZones: o.internetZone,
          maxBytes: o.maxBytes,
          output: o.output,
          ...(o.deviceGroup !== undefined ? { deviceGroup: o.deviceGroup } : {}),
          ...(o.device !== undefined ? { device: o.device } : {}),
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
        }),
      ),
    );
}
