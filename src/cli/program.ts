// The `zonewall` command: verbs, their options and help. Each verb returns an exit code:
// 0 ok, 1 findings (a denied connection, a mismatch), 2 bad input, 3 runtime failure.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { check } from './commands/check.js';
import { compile } from './commands/compile.js';
import { compileHost } from './commands/compile-host.js';
import { verify } from './commands/verify.js';
import { zones } from './commands/zones.js';
import { addFlowsCommands } from './flows-command.js';
import { addPanoramaCommands } from './panorama-command.js';
import type { TargetName } from '../core/targets/index.js';
import { demo } from './commands/demo.js';
import { addImportCommand } from './import-command.js';
import { addLabCommands } from './lab-command.js';
import { addPreviewCommands } from './preview-command.js';
import { explain } from './commands/explain.js';
import { matrix } from './commands/matrix.js';
import { validate } from './commands/validate.js';
import { EXIT } from './output.js';
import type { ExitCode, IO, OutputFormat } from './output.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function priorityBand(v: string): [number, number] {
  const m = /^(\d+):(\d+)$/.exec(v);
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || a > b || b > 1000)
    throw new InvalidArgumentError('a band is FROM:TO with 0 <= FROM <= TO <= 1000');
  return [a, b];
}

function portNumber(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535)
    throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return n;
}

function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format')
    .choices(['table', 'json', 'yaml'])
    .default('table');
}

const FILES_HELP = 'manifest file or directory (walked recursively; - reads stdin); repeatable';

/** The package's version, from the nearest package.json named zonewall above this file. */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'zonewall' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/** Build the program; `done` receives each verb's exit code. */
export function buildProgram(io: IO, done: (code: ExitCode) => void): Command {
  const program = new Command('zonewall')
    .description(
      'Zone-based firewall security for Kubernetes: exact, explainable verdicts for zones and network policies.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  const run = (p: Promise<ExitCode>): Promise<void> => p.then(done);

  program
    .command('validate')
    .description(
      'Check manifests (Kubernetes, Calico, AdminNetworkPolicy, ClusterNetworkPolicy) and print every issue at once. Exit 0 when valid, 2 otherwise.',
    )
    .option('-f, --file <path>', FILES_HELP, collect, [])
    .argument('[paths...]', 'more manifest files or directories')
    .addOption(outputOption())
    .action((paths: string[], o: { file: string[]; output: OutputFormat }) =>
      run(validate(io, { files: [...o.file, ...paths], output: o.output })),
    );

  program
    .command('explain')
    .description(
      'Explain one connection: the verdict, and every tier, policy and rule that was evaluated in each direction. Exit 0 when allowed, 1 when denied.',
    )
    .option('-f, --file <path>', FILES_HELP, collect, [])
    .requiredOption(
      '--from <endpoint>',
      'source: namespace/pod, host:HOSTENDPOINT, or an IP address',
    )
    .requiredOption(
      '--to <endpoint>',
      'destination: namespace/pod, host:HOSTENDPOINT, or an IP address',
    )
    .option('--port <port>', 'destination port (needed for TCP, UDP, SCTP)', portNumber)
    .option(
      '--protocol <protocol>',
      'TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a protocol number',
      'TCP',
    )
    .addOption(outputOption())
    .action(
      (o: {
        file: string[];
        from: string;
        to: string;
        port?: number;
        protocol: string;
        output: OutputFormat;
      }) =>
        run(
          explain(io, {
            files: o.file,
            from: o.from,
            to: o.to,
            protocol: o.protocol,
            output: o.output,
            ...(o.port !== undefined ? { port: o.port } : {}),
          }),
        ),
    );

  program
    .command('matrix')
    .description(
      'Print the pod reachability matrix (rows sources, columns destinations). Without --port each destination is tried on every port it declares.',
    )
    .option('-f, --file <path>', FILES_HELP, collect, [])
    .option('--port <port>', 'one port, e.g. 80, 443/TCP or 53/UDP')
    .option('-n, --namespace <ns>', 'only pods in this namespace; repeatable', collect, [])
    .addOption(outputOption())
    .action((o: { file: string[]; port?: string; namespace: string[]; output: OutputFormat }) =>
      run(
        matrix(io, {
          files: o.file,
          namespaces: o.namespace,
          output: o.output,
          ...(o.port !== undefined ? { port: o.port } : {}),
        }),
      ),
    );

  program
    .command('check')
    .description(
      'Check expected verdicts: reads queries in the conformance format (one JSON per line), prints one JSON result line per query and a summary line. Exit 1 on any mismatch.',
    )
    .requiredOption('--manifests <path>', 'manifest file or directory; repeatable', collect, [])
    .requiredOption('--queries <file>', 'queries, JSON lines (- for stdin)')
    .action((o: { manifests: string[]; queries: string }) =>
      run(check(io, { manifests: o.manifests, queries: o.queries })),
    );

  program
    .command('zones')
    .description(
      'List every pod with its zone and where it came from (pod label, namespace label, default), flag pods in the default zone, and warn about the zone policy (unreachable rules, empty zones, overlapping pools, label conflicts).',
    )
    .option('-f, --file <path>', `${FILES_HELP}; the ZonePolicy may be among them`, collect, [])
    .option('--zones <file>', 'the ZonePolicy file, if it is not among the manifests')
    .addOption(outputOption())
    .action((o: { file: string[]; zones?: string; output: OutputFormat }) =>
      run(
        zones(io, {
          files: o.file,
          output: o.output,
          ...(o.zones !== undefined ? { zones: o.zones } : {}),
        }),
      ),
    );

  program
    .command('compile')
    .description(
      'Compile a ZonePolicy for a target: calico (Tier, GlobalNetworkPolicies, GlobalNetworkSets, IPPools), cnp (ClusterNetworkPolicy v1alpha2), anp (AdminNetworkPolicy v1alpha1), or nftables (the whole enforced policy for the pods of one --host, as one `inet zonewall` table for `nft -f`). Output is deterministic. Exit 2 when the target cannot express a rule (use --approximate to approximate safely).',
    )
    .requiredOption('--zones <file>', 'the ZonePolicy file')
    .addOption(
      new Option('--target <target>', 'where it is enforced')
        .choices(['calico', 'cnp', 'anp', 'nftables'])
        .default('calico'),
    )
    .option(
      '-o, --out <dir>',
      'output directory (one file per object), or - for standard output',
      '-',
    )
    .option(
      '-f, --file <path>',
      'cluster manifests: namespaces get their zone pool annotation (calico); the pods and policies to render (nftables); repeatable',
      collect,
      [],
    )
    .option(
      '--approximate',
      'approximate what the target cannot express: a deny widened, an allow narrowed (each reported)',
      false,
    )
    .option(
      '--priority-band <from:to>',
      'ClusterNetworkPolicy/AdminNetworkPolicy priority band, e.g. 100:199',
      priorityBand,
    )
    .option('--host <node>', 'nftables: the node whose pods are rendered (spec.nodeName)')
    .option('--log-group <n>', 'nftables: the NFLOG group for denies (default 100)', (v) =>
      Number(v),
    )
    .action(
      (o: {
        zones: string;
        target: TargetName;
        out: string;
        file: string[];
        approximate: boolean;
        priorityBand?: [number, number];
        host?: string;
        logGroup?: number;
      }) =>
        run(
          o.target === 'nftables'
            ? compileHost(io, {
                zones: o.zones,
                files: o.file,
                out: o.out,
                ...(o.host !== undefined ? { host: o.host } : {}),
                ...(o.logGroup !== undefined ? { logGroup: o.logGroup } : {}),
              })
            : compile(io, {
                zones: o.zones,
                target: o.target,
                out: o.out,
                files: o.file,
                approximate: o.approximate,
                ...(o.priorityBand ? { priorityBand: o.priorityBand } : {}),
              }),
        ),
    );

  program
    .command('verify')
    .description(
      "Prove that the compiled zones, with the cluster's own policies, enforce exactly what the ZonePolicy means: every pair of endpoint classes, every protocol and port interval the rules distinguish (nothing sampled); and that developers allowing everything cannot open what the zones deny. Exit 1 on any difference, with a witness.",
    )
    .requiredOption('--zones <file>', 'the ZonePolicy file')
    .option('-f, --file <path>', FILES_HELP, collect, [])
    .addOption(
      new Option(
        '--target <target>',
        "the enforcement to check (native: zonewall's own evaluation)",
      )
        .choices(['calico', 'cnp', 'anp', 'native'])
        .default('calico'),
    )
    .option(
      '--approximate',
      'verify the approximated output of a target that cannot express every rule',
      false,
    )
    .option('--max-differences <n>', 'witnesses to print per check', (v) => Number(v), 20)
    .option(
      '--exhaustive',
      "check every class pair with the cluster's policies in full, even where the zone tiers alone decide (slower; the same answer)",
      false,
    )
    .addOption(outputOption())
    .action(
      (o: {
        zones: string;
        file: string[];
        target: TargetName | 'native';
        approximate: boolean;
        maxDifferences: number;
        exhaustive: boolean;
        output: OutputFormat;
      }) =>
        run(
          verify(io, {
            zones: o.zones,
            files: o.file,
            target: o.target,
            approximate: o.approximate,
            maxDifferences: o.maxDifferences,
            exhaustive: o.exhaustive,
            output: o.output,
          }),
        ),
    );

  addImportCommand(program, io, run);

  addPanoramaCommands(program, io, run);

  addFlowsCommands(program, io, run);

  addLabCommands(program, io, run);

  addPreviewCommands(program, io, run);

  program
    .command('demo')
    .description(
      'Run the bank example: validate it and print its zone summary and reachability matrix.',
    )
    .option('--dir <path>', 'another example directory')
    .action((o: { dir?: string }) => run(demo(io, o.dir !== undefined ? { dir: o.dir } : {})));

  return program;
}

/** Run the CLI with arguments (without `node zonewall`); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: IO): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are bad input.
      return e.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT;
    }
    io.err(`zonewall: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.FAILURE;
  }
  return code;
}
