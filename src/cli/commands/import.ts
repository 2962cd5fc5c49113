// `zonewall import panorama`: a Panorama export (or a firewall configuration) as a ZonePolicy,
// with a report of what was mapped, approximated and skipped, and why.
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { formatReport, importPanorama } from '../../core/firewall/index.js';
import { EXIT, printIssues } from '../output.js';
import type { ExitCode, IO } from '../output.js';

export interface ImportCliOptions {
  file: string;
  deviceGroup?: string;
  device?: string;
  allowAction: 'Pass' | 'Allow';
  out: string;
  name?: string;
  appLabel: string;
  cluster?: string;
  internetZones: string[];
  maxBytes: number;
  output: 'table' | 'json';
}

/**
 * Run `import panorama`: exit 0 with the ZonePolicy written, 2 when the input cannot be read,
 * 3 when the output cannot be written.
 */
export async function importPanoramaCli(io: IO, o: ImportCliOptions): Promise<ExitCode> {
  const bytes = await readInput(io, o);
  if (typeof bytes === 'number') return bytes;
  const res = importPanorama(bytes, {
    file: o.file,
    allowAction: o.allowAction,
    appLabel: o.appLabel,
    internetZones: o.internetZones.length > 0 ? o.internetZones : ['internet'],
    limits: { maxBytes: o.maxBytes },
    ...(o.deviceGroup !== undefined ? { deviceGroup: o.deviceGroup } : {}),
    ...(o.device !== undefined ? { device: o.device } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
  });
  if (!res.ok || !res.yaml || !res.report) {
    printIssues(io, res.issues);
    return EXIT.BAD_INPUT;
  }
  if (o.output === 'json') io.err(`${JSON.stringify(res.report, null, 2)}\n`);
  else io.err(formatReport(res.report));
  if (o.out === '-') {
    io.out(res.yaml);
    return EXIT.OK;
  }
  try {
    await writeAtomically(o.out, res.yaml);
  } catch (e) {
    io.err(`error: cannot write ${o.out}: ${(e as Error).message}\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}

async function readInput(io: IO, o: ImportCliOptions): Promise<Uint8Array | ExitCode> {
  try {
    if (o.file === '-') return new TextEncoder().encode(await io.stdin());
    // Refuse an oversized file before reading it.
    const size = (await stat(o.file)).size;
    if (size > o.maxBytes) {
      io.err(
        `error: ${o.file} is ${size} bytes, more than the limit of ${o.maxBytes} (--max-bytes)\n`,
      );
      return EXIT.BAD_INPUT;
    }
    return await readFile(o.file);
  } catch (e) {
    io.err(`error: cannot read ${o.file}: ${(e as Error).message}\n`);
    return EXIT.BAD_INPUT;
  }
}

/** Write beside the target and rename, so a reader never sees half a policy. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
