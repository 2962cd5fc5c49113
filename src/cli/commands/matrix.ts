// `zonewall matrix`: the reachability grid, rows sources and columns destinations, as the
// Kubernetes e2e truth tables print it (`.` allowed, `X` denied).
import { reachabilityMatrix } from '../../core/engine/index.js';
import type { Endpoint, Engine } from '../../core/engine/index.js';
import { PROTO, protocolName } from '../../core/net/index.js';
import { loadOrExit } from '../load.js';
import { EXIT, printData, println } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';

export interface MatrixCliOptions {
  files: string[];
  /** `80`, `80/TCP`, `53/UDP`; absent: every port the destination declares. */
  port?: string;
  namespaces: string[];
  output: OutputFormat;
}

export type Cell = 'allow' | 'deny' | 'some' | 'no-ports';
const SYMBOL: Record<Cell, string> = { allow: '.', deny: 'X', some: '~', 'no-ports': ' ' };

/** Parse `80`, `80/TCP`, `UDP/53`-style port arguments. */
export function parsePortArg(text: string): { protocol: number; port: number } | string {
  const m = /^(\d+)(?:\/(TCP|UDP|SCTP))?$/i.exec(text.trim());
  if (!m) return `"${text}" is not a port: use PORT or PORT/PROTOCOL, e.g. 443/TCP or 53/UDP`;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  const name = (m[2] ?? 'TCP').toUpperCase() as 'TCP' | 'UDP' | 'SCTP';
  return { protocol: PROTO[name], port };
}

/** Run `matrix`. */
export async function matrix(io: IO, o: MatrixCliOptions): Promise<ExitCode> {
  const port = o.port !== undefined ? parsePortArg(o.port) : undefined;
  if (typeof port === 'string') {
    io.err(`error: --port: ${port}\n`);
    return EXIT.BAD_INPUT;
  }
  const loaded = await loadOrExit(io, o.files);
  if (typeof loaded === 'number') return loaded;
  const pods = selectPods(loaded.engine, o.namespaces);
  if (typeof pods === 'string') {
    io.err(`error: ${pods}\n`);
    return EXIT.BAD_INPUT;
  }
  const grid = port ? onePort(loaded.engine, pods, port) : declaredPorts(loaded.engine, pods);
  if (o.output === 'table') printGrid(io, grid);
  else printData(io, grid, o.output);
  return EXIT.OK;
}

/** Pods of the chosen namespaces (all pods when none is given). */
export function selectPods(engine: Engine, namespaces: readonly string[]): Endpoint[] | string {
  const all = engine.eps.allPods().filter((p) => !p.hostNetwork);
  if (namespaces.length === 0) return all;
  const known = new Set(engine.eps.namespaceNames());
  const unknown = namespaces.filter((n) => !known.has(n));
  if (unknown.length > 0) return `unknown namespace(s): ${unknown.join(', ')}`;
  return all.filter((p) => p.namespace !== undefined && namespaces.includes(p.namespace));
}

export interface Grid {
  title: string;
  protocol: string | null;
  port: number | null;
  rows: string[];
  cols: string[];
  cells: Cell[][];
  /** Per cell, per declared port: the verdict (declared-ports mode only). */
  detail?: Array<Array<Record<string, 'allow' | 'deny'>>>;
  allowed: number;
  total: number;
}

function onePort(engine: Engine, pods: Endpoint[], p: { protocol: number; port: number }): Grid {
  const m = reachabilityMatrix(engine, {
    sources: pods,
    destinations: pods,
    protocol: p.protocol,
    port: p.port,
  });
  return {
    title: `${protocolName(p.protocol)}/${p.port}`,
    protocol: protocolName(p.protocol),
    port: p.port,
    rows: m.rows,
    cols: m.cols,
    cells: m.cells,
    allowed: m.allowed,
    total: m.total,
  };
}

/** Each destination on every port it declares: all allowed, some, or none. */
export function declaredPorts(engine: Engine, pods: Endpoint[]): Grid {
  const cells: Cell[][] = [];
  const detail: Array<Array<Record<string, 'allow' | 'deny'>>> = [];
  let allowed = 0;
  for (const s of pods) {
    const row: Cell[] = [];
    const drow: Array<Record<string, 'allow' | 'deny'>> = [];
    for (const d of pods) {
      const ports = d.pod?.ports ?? [];
      const rec: Record<string, 'allow' | 'deny'> = {};
      for (const cp of ports) {
        const m = reachabilityMatrix(engine, {
          sources: [s],
          destinations: [d],
          protocol: cp.protocol,
          port: cp.port,
        });
        rec[`${protocolName(cp.protocol)}/${cp.port}`] = m.cells[0]?.[0] ?? 'deny';
      }
      const values = Object.values(rec);
      const cell: Cell =
        values.length === 0
          ? 'no-ports'
          : values.every((v) => v === 'allow')
            ? 'allow'
            : values.some((v) => v === 'allow')
              ? 'some'
              : 'deny';
      if (cell === 'allow' || cell === 'some') allowed++;
      row.push(cell);
      drow.push(rec);
    }
    cells.push(row);
    detail.push(drow);
  }
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  return {
    title: 'each destination on the ports it declares',
    protocol: null,
    port: null,
    rows: names,
    cols: names,
    cells,
    detail,
    allowed,
    total: pods.length * pods.length,
  };
}

/** The grid as text: numbered columns (two header lines of digits) and a legend. */
export function printGrid(io: IO, g: Grid): void {
  const legend =
    g.port === null
      ? '. all allowed, ~ some allowed, X all denied, blank: no declared ports'
      : '. allowed, X denied';
  println(io, `Reachability, ${g.title} (${legend}): ${g.allowed} of ${g.total} pairs reachable`);
  const width = String(g.rows.length).length;
  const nameWidth = Math.max(...g.rows.map((r) => r.length), 4);
  const indent = ' '.repeat(width + 1 + nameWidth + 1);
  const digits = String(g.cols.length).length;
  for (let d = digits - 1; d >= 0; d--) {
    const line = g.cols
      .map((_, i) => String(Math.floor((i + 1) / 10 ** d) % 10))
      .map((c, i) => (i + 1 >= 10 ** d ? c : ' '));
    println(io, `${indent}${line.join('')}`);
  }
  g.rows.forEach((r, i) => {
    const cells = (g.cells[i] ?? []).map((c) => SYMBOL[c]).join('');
    println(io, `${String(i + 1).padStart(width)} ${r.padEnd(nameWidth)} ${cells}`);
  });
}
