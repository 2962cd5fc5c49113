// The `zonewall` command: verbs, their options and help. Each verb returns an exit code:
// 0 ok, 1 findings (a denied connection, a mismatch), 2 bad input, 3 runtime failure.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { check } from './commands/check.js';
import { demo } from './commands/demo.js';
import { explain } from './commands/explain.js';
import { matrix } from './commands/matrix.js';
import { validate } from './commands/validate.js';
import { EXIT } from './output.js';
import type { ExitCode, IO, OutputFormat } from './output.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

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

/** Build the program; `done` receives each verb's exit code. */
export function buildProgram(io: IO, done: (code: ExitCode) => void): Command {
  const program = new Command('zonewall')
    .description(
      'Zone-based firewall security for Kubernetes: exact, explainable verdicts for zones and network policies.',
    )
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
