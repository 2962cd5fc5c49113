// The reachability matrix: every source against every destination on one protocol and port.
import type { Engine } from './engine.js';
import type { Endpoint, Peer } from './endpoints.js';
import type { Packet } from './match.js';
import { endpointName } from './endpoints.js';
import type { Verdict, VerdictValue } from './trace.js';

export interface MatrixOptions {
  sources: readonly Endpoint[];
  destinations: readonly Endpoint[];
  protocol: number;
  port?: number;
  /** Keep each cell's full verdict (for traces); otherwise only allow/deny. */
  keepVerdicts?: boolean;
}

export interface Matrix {
  rows: string[];
  cols: string[];
  cells: VerdictValue[][];
  verdicts?: Verdict[][];
  allowed: number;
  total: number;
}

/** Evaluate every ordered pair; a pod's connection to itself is shown as allowed (loopback). */
export function reachabilityMatrix(engine: Engine, o: MatrixOptions): Matrix {
  const cells: VerdictValue[][] = [];
  const verdicts: Verdict[][] = [];
  let allowed = 0;
  // One sweep per address family: rule lists filtered once for this protocol and port.
  const sweeps = new Map<4 | 6 | undefined, (s: Peer, d: Peer) => VerdictValue>();
  const sweep = (version: 4 | 6 | undefined): ((s: Peer, d: Peer) => VerdictValue) => {
    let f = sweeps.get(version);
    if (!f) sweeps.set(version, (f = engine.sweep(packet(o, version))));
    return f;
  };
  for (const s of o.sources) {
    const row: VerdictValue[] = [];
    const vrow: Verdict[] = [];
    for (const d of o.destinations) {
      const version = commonFamily(engine, s, d);
      const src = engine.eps.peerOf(s, version);
      const dst = engine.eps.peerOf(d, version);
      let value: VerdictValue;
      if (o.keepVerdicts) {
        const v = engine.evaluate(src, dst, packet(o, version));
        vrow.push(v);
        value = v.verdict;
      } else value = sweep(version)(src, dst);
      if (s === d) value = 'allow';
      if (value === 'allow') allowed++;
      row.push(value);
    }
    cells.push(row);
    if (o.keepVerdicts) verdicts.push(vrow);
  }
  return {
    rows: o.sources.map(endpointName),
    cols: o.destinations.map(endpointName),
    cells,
    ...(o.keepVerdicts ? { verdicts } : {}),
    allowed,
    total: o.sources.length * o.destinations.length,
  };
}

function packet(o: MatrixOptions, version: 4 | 6 | undefined): Packet {
  return {
    protocol: o.protocol,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(version ? { ipVersion: version } : {}),
  };
}

function commonFamily(engine: Engine, a: Endpoint, b: Endpoint): 4 | 6 | undefined {
  if (engine.eps.primaryIP(a, 4) && engine.eps.primaryIP(b, 4)) return 4;
  if (engine.eps.primaryIP(a, 6) && engine.eps.primaryIP(b, 6)) return 6;
  return undefined;
}
