// STAND-IN, NOT PAN-OS: run the XML API stand-in (stand-in.ts) as a process on 127.0.0.1, for
// demos and benchmarks. Prints `listening URL` on standard output when ready.
//
//   node dist/src/integrations/panorama/testing/serve.js [--config EXPORT.xml] [--key KEY]
//       [--port N] [--echo]
// --echo answers every request with a fixed success and reads nothing: the transport floor.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { PanosStandIn } from './stand-in.js';

function arg(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

const ECHO =
  '<response status="success"><result><uid-response><version>2.0</version><payload/></uid-response></result></response>';

async function main(argv: readonly string[]): Promise<void> {
  const port = Number(arg(argv, '--port') ?? 0);
  if (argv.includes('--echo')) {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(ECHO));
    });
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      process.stdout.write(
        `listening http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`,
      );
    });
    return;
  }
  const config = arg(argv, '--config');
  const s = await PanosStandIn.start({
    ...(config !== undefined ? { config: readFileSync(config, 'utf8') } : {}),
    keys: [arg(argv, '--key') ?? 'stand-in-key'],
    port,
  });
  process.stdout.write(`listening ${s.url}\n`);
}

await main(process.argv.slice(2));
