// A sweep: many verdicts for one packet shape (protocol, port), as a matrix needs. Each
// policy's compiled rules are filtered once to the alternatives that can match this packet
// at all (protocol, ports, ICMP, address family); policy entries themselves are all kept, so
// tier selection and end-of-tier defaults are exactly as in a full evaluation.
import type { CMatch, CRule } from './compiled.js';
import type { PolicyEntry } from './evaluate.js';
import type { Packet } from './match.js';

function rangesAdmit(items: CMatch['dst']['ports'], port: number | undefined): boolean {
  if (items === null) return true;
  if (port === undefined) return false;
  // A named port resolves per destination: keep it for the walk to decide.
  return items.some((p) => p.kind === 'named' || (port >= p.range.start && port <= p.range.end));
}

/** Could this alternative match the packet for some peers? (false only when it surely cannot) */
function admits(m: CMatch, pkt: Packet): boolean {
  if (m.protocol >= 0 && pkt.protocol !== m.protocol) return false;
  if (m.notProtocol >= 0 && pkt.protocol === m.notProtocol) return false;
  if (m.ipVersion !== 0 && pkt.ipVersion !== undefined && pkt.ipVersion !== m.ipVersion)
    return false;
  if (m.hasIcmp && m.icmpType >= 0 && pkt.icmpType !== m.icmpType) return false;
  if (!rangesAdmit(m.dst.ports, pkt.port)) return false;
  return m.src.ports === null || pkt.srcPort !== undefined;
}

/** The entry with only the rule alternatives this packet can match (rules left empty are dropped). */
export function filterEntry(e: PolicyEntry, pkt: Packet): PolicyEntry {
  const compiled: CRule[] = [];
  for (const r of e.compiled) {
    const matches = r.matches.filter((m) => admits(m, pkt));
    if (matches.length === r.matches.length) compiled.push(r);
    else if (matches.length > 0)
      compiled.push({ action: r.action, index: r.index, name: r.name, matches });
  }
  return { ref: e.ref, tier: e.tier, rank: e.rank, rules: e.rules, compiled };
}

/** Filtered entries, shared by every endpoint a policy applies to. */
export class PacketFilter {
  private readonly byEntry = new Map<PolicyEntry, PolicyEntry>();

  constructor(readonly pkt: Packet) {}

  /** A list with every entry filtered for this packet. */
  list(entries: readonly PolicyEntry[]): PolicyEntry[] {
    return entries.map((e) => {
      let f = this.byEntry.get(e);
      if (!f) this.byEntry.set(e, (f = filterEntry(e, this.pkt)));
      return f;
    });
  }
}
