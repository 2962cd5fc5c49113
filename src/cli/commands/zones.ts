// `zonewall zones`: every pod with its zone and where the zone came from, pods that fell into
// the default zone flagged, and the warnings about the zone policy and its members.
import { lintZoneMembers, lintZonePolicy } from '../../core/analysis/index.js';
import { zoneOf } from '../../core/zones/index.js';
import type { ZoneOrigin } from '../../core/zones/index.js';
import { loadZonesOrExit } from '../load.js';
import { EXIT, printData, printIssues, println, table } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';

export interface ZonesCliOptions {
  zones?: string;
  files: string[];
  output: OutputFormat;
}

interface Row {
  pod: string;
  zone: string | null;
  from: ZoneOrigin;
}

/** Run `zones`. The ZonePolicy may be among the manifests or given with --zones. */
export async function zones(io: IO, o: ZonesCliOptions): Promise<ExitCode> {
  const [first, ...rest] = o.zones !== undefined ? [o.zones, ...o.files] : o.files;
  if (first === undefined) {
    io.err(
      'error: no manifests given (use -f PATH and the ZonePolicy among them, or --zones FILE)\n',
    );
    return EXIT.BAD_INPUT;
  }
  const loaded = await loadZonesOrExit(io, first, rest);
  if (typeof loaded === 'number') return loaded;
  const { zonePolicy: zp, result } = loaded;
  const ns = new Map(result.set.namespaces.map((n) => [n.name, n.labels]));
  const rows: Row[] = [...result.set.pods]
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
    .map((p) => {
      const m = zoneOf(zp, p.labels, ns.get(p.namespace));
      return { pod: `${p.namespace}/${p.name}`, zone: m.zone ?? null, from: m.from };
    });
  const warnings = [...lintZonePolicy(zp), ...lintZoneMembers(zp, result.set)];
  if (o.output !== 'table') {
    printData(
      io,
      { zoneLabel: zp.zoneLabel, defaultZone: zp.defaultZone, pods: rows, warnings },
      o.output,
    );
    return EXIT.OK;
  }
  println(io, `ZonePolicy ${zp.name}: zone label ${zp.zoneLabel}, default zone ${zp.defaultZone}`);
  const body = rows.map((r) => [
    r.pod,
    r.zone ?? '(none: undeclared zone)',
    r.from === 'default' ? 'default  <- no zone label on pod or namespace' : r.from,
  ]);
  io.out(table([['POD', 'ZONE', 'FROM'], ...body]));
  const fell = rows.filter((r) => r.from === 'default').length;
  println(
    io,
    `${rows.length} pods; ${fell} in the default zone ${zp.defaultZone} because neither pod nor namespace has a zone label`,
  );
  printIssues(io, warnings);
  return EXIT.OK;
}
