// `zonewall compile --target nftables --host NODE`: the whole enforced policy (every tier and
// the compiled zones) for the pods of one node, as an nftables ruleset for `nft -f`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from '../../core/engine/index.js';
import { HOST_RENDERERS } from '../targets.js';
import { loadZonesOrExit } from '../load.js';
import { EXIT, printIssues, println } from '../output.js';
import type { ExitCode, IO } from '../output.js';

export interface CompileHostOptions {
  zones: string;
  files: string[];
  host?: string;
  out: string;
  logGroup?: number;
}

/** Run `compile --target nftables`; exit 2 without a known --host. */
export async function compileHost(io: IO, o: CompileHostOptions): Promise<ExitCode> {
  const loaded = await loadZonesOrExit(io, o.zones, o.files);
  if (typeof loaded === 'number') return loaded;
  const set = loaded.result.set;
  const hosts = [...new Set(set.pods.flatMap((p) => (p.nodeName ? [p.nodeName] : [])))].sort();
  if (o.host === undefined || !hosts.includes(o.host)) {
    const known = hosts.length > 0 ? hosts.join(', ') : 'none: give the cluster with -f';
    io.err(
      `error: the nftables target renders one node's pods: ${o.host === undefined ? 'give --host NODE' : `no pod runs on ${JSON.stringify(o.host)}`} (nodes: ${known})\n`,
    );
    return EXIT.BAD_INPUT;
  }
  const render = HOST_RENDERERS.nftables;
  const res = render(set, {
    host: o.host,
    engine: Engine.build(set),
    ...(o.logGroup !== undefined ? { logGroup: o.logGroup } : {}),
  });
  printIssues(io, res.issues);
  if (o.out === '-') {
    io.out(res.text);
    return EXIT.OK;
  }
  await mkdir(o.out, { recursive: true });
  const file = path.join(o.out, `${o.host}.nft`);
  await writeFile(file, res.text);
  const s = res.stats;
  println(
    io,
    `wrote ${file}: ${s.endpoints} pods, ${s.rules} rules in ${s.chains} chains, ${s.sets} sets (${s.elements} elements)`,
  );
  return EXIT.OK;
}
