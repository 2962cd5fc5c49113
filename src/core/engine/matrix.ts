// The reachability matrix: every source against every destination on one protocol and port.
import type { Engine } from './engine.js';
import type { Endpoint } from './endpoints.js';
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
  for (const s of o.sources) {
    const row: VerdictValue[] = [];
    const vrow: Verdict[] = [];
    for (const d of o.destinations) {
      const version = commonFamily(engine, s, d);
      const src = engine.eps.peerOf(s, version);
      const dst = engine.eps.peerOf(d, version);
      const pkt = {
        protocol: o.protocol,
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(version ? { ipVersion: version } : {}),
      };
      // A sweep touches each pair once: caching a million traced verdicts would only cost memory.
      const v = o.keepVerdicts
        ? engine.evaluate(src, dst, pkt)
        : engine.evaluateUncached(src, dst, pkt);
      const value: VerdictValue = s === d ? 'allow' : v.verdict;
      if (value === 'allow') allowed++;
      row.push(value);
      if (o.keepVerdicts) vrow.push(v);
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

function commonFamily(engine: Engine, a: Endpoint, b: Endpoint): 4 | 6 | undefined {
  if (engine.eps.primaryIP(a, 4) && engine.eps.primaryIP(b, 4)) return 4;
  if (engine.eps.primaryIP(a, 6) && engine.eps.primaryIP(b, 6)) return 6;
  return undefined;
}
