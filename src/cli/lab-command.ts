// The lab verbs, `lab up|probe|traffic|down`, kept beside the program so the program stays a
// list of verbs.
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import {
  labDownCommand,
  labCaptureCommand,
  labProbeCommand,
  labTrafficCommand,
  labUpCommand,
} from './commands/lab.js';
import type { LabTrafficOptions } from './commands/lab.js';
import type { ExitCode, IO, OutputFormat } from './output.js';

type Run = (p: Promise<ExitCode>) => Promise<void>;
const collect = (v: string, prev: string[]): string[] => [...prev, v];
const NAME_HELP = 'the lab (1-12 lowercase letters and digits); its namespaces are zw-NAME-*';

function portRange(v: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(v);
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || a < 1 || a > b || b > 65535)
    throw new InvalidArgumentError('a port range is FROM-TO with 1 <= FROM <= TO <= 65535');
  return [a, b];
}

/** Add `zonewall lab up|probe|traffic|down`. */
export function addLabCommands(program: Command, io: IO, run: Run): void {
  const lab = program
    .command('lab')
    .description(
      'A network-namespace lab on this machine (root, ip and nft needed): pods as namespaces, nodes routed like Calico, each node enforcing its zonewall nftables ruleset; probe it to see the kernel agree with the engine.',
    );
  lab
    .command('up')
    .description(
      'Build the lab from a topology: manifests (pods with spec.nodeName and status.podIP, namespaces, policies, a ZonePolicy). Each pod becomes a network namespace with a responder on its declared TCP and UDP ports; each node applies its ruleset. Exit 3 when it cannot be built (everything built so far is removed).',
    )
    .option('-f, --file <path>', 'topology: manifest file or directory; repeatable', collect, [])
    .option('--example <name>', 'an example shipped with zonewall (bank)')
    .option('--name <name>', NAME_HELP, 'lab')
    .action((o: { file: string[]; example?: string; name: string }) =>
      run(
        labUpCommand(io, {
          name: o.name,
          files: o.file,
          ...(o.example !== undefined ? { example: o.example } : {}),
        }),
      ),
    );
  lab
    .command('probe')
    .description(
      "Try every ordered pair of pods on every port the destination declares (TCP, UDP), in parallel with short timeouts, and print the kernel's matrix beside the engine's. Exit 1 on any disagreement, with the engine's trace for it.",
    )
    .option('--name <name>', NAME_HELP, 'lab')
    .option('--parallel <n>', 'source pods probed at once', (v) => Number(v))
    .option('--concurrency <n>', 'attempts in flight per source pod', (v) => Number(v))
    .option('--timeout <ms>', 'how long an attempt may take before it counts as dropped', (v) =>
      Number(v),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .action(
      (o: {
        name: string;
        parallel?: number;
        concurrency?: number;
        timeout?: number;
        output: OutputFormat;
      }) =>
        run(
          labProbeCommand(io, {
            name: o.name,
            output: o.output,
            ...(o.parallel !== undefined ? { parallel: o.parallel } : {}),
            ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
            ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
          }),
        ),
    );
  lab
    .command('traffic')
    .description(
      "Run the application's traffic in the lab: every call on a declared port the engine allows, some attempts it denies, and a TCP port scan from a compromised pod (default: the first in the dmz zone) against one pod of every other namespace. Each attempt's kernel outcome is compared with the engine's; exit 1 on any disagreement.",
    )
    .option('--name <name>', NAME_HELP, 'lab')
    .option('--scan-from <pod>', 'the scanning pod, namespace/name')
    .option('--scan-ports <from-to>', 'TCP ports the scan tries (default 1-1024)', portRange)
    .option('--denied <n>', 'denied attempts to make (default 50)', (v) => Number(v))
    .option(
      '--capture <file>',
      'capture flows meanwhile into FILE (JSON lines, the flows lab format)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'yaml'])
        .default('table'),
    )
    .action((o: LabTrafficOptions) => run(labTrafficCommand(io, o)));
  lab
    .command('capture')
    .description(
      "Capture flows in the lab for a while: allowed connections from conntrack (with byte and packet counts, start and end) and denied packets from the ruleset's NFLOG group (with the policy that denied them), as JSON lines in the flows lab format (zonewall flows ingest --format lab). Needs conntrack and ulogd2 (with ulogd2-json).",
    )
    .option('--name <name>', NAME_HELP, 'lab')
    .option('--seconds <n>', 'how long to capture', (v) => Number(v), 10)
    .option('-o, --out <file>', 'where the lines go (- for standard output)', '-')
    .action((o: { name: string; seconds: number; out: string }) =>
      run(labCaptureCommand(io, { name: o.name, seconds: o.seconds, out: o.out })),
    );
  lab
    .command('down')
    .description(
      'Remove everything the lab created: every network namespace named zw-NAME-* (with its links, routes and ruleset) and the processes in them, and the lab state. Idempotent; works after a crash; touches nothing else.',
    )
    .option('--name <name>', NAME_HELP, 'lab')
    .action((o: { name: string }) => run(labDownCommand(io, { name: o.name })));
}
