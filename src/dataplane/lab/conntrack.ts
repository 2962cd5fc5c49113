// Allowed connections from conntrack, as the flows' lab records: `conntrack -E -o
// extended,timestamp` events (and a final `conntrack -L -o extended` listing) parsed and
// followed per connection.

/** RFC 3339 text of Unix seconds. */
export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export interface CtEvent {
  time: number;
  event: 'NEW' | 'UPDATE' | 'DESTROY' | 'LIST';
  proto: string;
  state: string | undefined;
  replied: boolean;
  key: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  counters: [number, number, number, number] | undefined;
  delta: number | undefined;
}

/** One line of `conntrack -E -o extended,timestamp` (or of `conntrack -L -o extended`). */
export function parseConntrack(line: string, now: number): CtEvent | undefined {
  const m =
    /^(?:\[(\d+(?:\.\d+)?)\]\s+\[(NEW|UPDATE|DESTROY)\]\s+)?ipv[46]\s+\d+\s+(\S+)\s+\d+\s+(.*)$/.exec(
      line.trim(),
    );
  if (!m) return undefined;
  const rest = m[4] as string;
  const tokens = rest.split(/\s+/);
  const state = tokens.find((t) => /^[A-Z_]+$/.test(t));
  const fields = [...rest.matchAll(/(\S+?)=(\S+)/g)].map((x) => [x[1], x[2]] as const);
  const get = (k: string, nth = 0): string | undefined => fields.filter(([f]) => f === k)[nth]?.[1];
  const src = get('src');
  const dst = get('dst');
  if (src === undefined || dst === undefined) return undefined;
  const sport = Number(get('sport') ?? 0);
  const dport = Number(get('dport') ?? 0);
  const bytes = get('bytes');
  return {
    time: m[1] !== undefined ? Number(m[1]) : now,
    event: (m[2] as CtEvent['event'] | undefined) ?? 'LIST',
    proto: m[3] as string,
    state,
    replied: !rest.includes('[UNREPLIED]'),
    key: `${m[3]} ${src}:${sport} ${dst}:${dport}`,
    src,
    sport,
    dst,
    dport,
    counters:
      bytes !== undefined
        ? [
            Number(get('packets') ?? 0),
            Number(bytes),
            Number(get('packets', 1) ?? 0),
            Number(get('bytes', 1) ?? 0),
          ]
        : undefined,
    delta: get('delta-time') !== undefined ? Number(get('delta-time')) : undefined,
  };
}

const CLOSING = new Set(['FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE']);

interface Tracked {
  first: CtEvent;
  start: number;
  end: number | undefined;
  replied: boolean;
}

/**
 * Connections of one node from conntrack events (those that start while capturing): started
 * at NEW, answered at the first update
 * without [UNREPLIED], ended at the first closing state; reported at DESTROY (with the
 * accounting counters) or, for those still in the table when capture stops, from a listing.
 */
export class ConntrackTracker {
  private readonly open = new Map<string, Tracked>();

  constructor(
    private readonly node: string,
    private readonly local: ReadonlySet<string>,
    private readonly emit: (record: object) => void,
  ) {}

  event(e: CtEvent): void {
    let t = this.open.get(e.key);
    // Only connections that start while capturing: older ones may have no counters.
    if (!t && e.event === 'NEW')
      this.open.set(e.key, (t = { first: e, start: e.time, end: undefined, replied: false }));
    if (!t) return;
    if (e.replied) t.replied = true;
    if (e.state !== undefined && CLOSING.has(e.state) && t.end === undefined) t.end = e.time;
    if (e.event === 'DESTROY' || e.event === 'LIST') {
      this.open.delete(e.key);
      // Never answered: denied further on, where NFLOG reports it.
      if (t.replied) this.report(t, e, e.event === 'DESTROY' || t.end !== undefined);
    }
  }

  /** Report what a final listing shows (or, for connections gone from it, what is known). */
  finish(listing: readonly CtEvent[], now: number): void {
    for (const e of listing) if (this.open.has(e.key)) this.event({ ...e, event: 'LIST' });
    for (const t of this.open.values())
      if (t.replied) this.report(t, { ...t.first, time: now }, t.end !== undefined);
    this.open.clear();
  }

  private report(t: Tracked, e: CtEvent, closed: boolean): void {
    const [po, bo, pr, br] = e.counters ?? [0, 0, 0, 0];
    const end = t.end ?? e.time;
    this.emit({
      v: 1,
      kind: 'conntrack',
      node: this.node,
      proto: e.proto,
      src: e.src,
      sport: e.sport,
      dst: e.dst,
      dport: e.dport,
      start: iso(t.start),
      end: iso(Math.max(end, t.start)),
      bytes_orig: bo,
      bytes_reply: br,
      packets_orig: po,
      packets_reply: pr,
      state: closed ? 'closed' : 'established',
      reporter: this.local.has(e.src) ? 'src' : 'dst',
    });
  }
}
