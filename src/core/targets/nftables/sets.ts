// The named sets of the zonewall table. Rules never list addresses of pods: a rule selector
// becomes an interval set of the addresses it stands for (pods, host endpoints and nodes by
// address, network sets by their nets), a rule's nets an interval set, and a named port a
// set of (address . protocol . port) for every endpoint declaring it. So the rule count
// depends on the policies alone; pods only add set elements.
import { CidrSet, formatCIDR, formatIP } from '../../net/index.js';
import type { CIDR, IP, IPRange } from '../../net/index.js';
import type { EndpointSelector, PortMatch } from '../../model/types.js';
import type { Engine } from '../../engine/index.js';
import type { Endpoint } from '../../engine/index.js';
import { selects } from '../../engine/match.js';
import { NameTable } from './ids.js';

export type Family = 4 | 6;

interface NftSet {
  name: string;
  /** nft type line. */
  type: string;
  interval: boolean;
  comment: string;
  elements: string[];
}

const PROTO_NAMES: Record<number, string> = {
  1: 'icmp',
  6: 'tcp',
  17: 'udp',
  58: 'ipv6-icmp',
  132: 'sctp',
  136: 'udplite',
};

/** A protocol as nft writes it (`tcp`, or the number). */
export function nftProto(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

function element(c: CIDR): string {
  const host = c.prefix === (c.ip.version === 4 ? 32 : 128);
  return host ? formatIP(c.ip) : formatCIDR(c);
}

function selectorKey(s: EndpointSelector): string {
  return [
    `kinds=${s.kinds}`,
    s.namespace !== undefined ? `ns=${s.namespace}` : '',
    s.namespaceSelector ? `nsSel=${s.namespaceSelector.canonical}` : '',
    s.selector ? `sel=${s.selector.canonical}` : '',
    s.serviceAccountNames ? `sa=${[...s.serviceAccountNames].sort().join(',')}` : '',
    s.serviceAccountSelector ? `saSel=${s.serviceAccountSelector.canonical}` : '',
  ]
    .filter((x) => x !== '')
    .join(' ');
}

/** The sets a ruleset refers to, created on first use and printed sorted by name. */
export class SetRegistry {
  readonly families: ReadonlySet<Family>;
  private readonly sets = new Map<string, NftSet>();
  private readonly selNames = new NameTable('sel-');
  private readonly netNames = new NameTable('net-');
  private readonly portNames = new NameTable('np-');
  private namedPortIndex: Map<string, Array<{ ip: IP; protocol: number; port: number }>> | null =
    null;
  private readonly keys = new WeakMap<EndpointSelector, string>();
  private byNamespace: Map<string | undefined, Endpoint[]> | null = null;
  private others: Endpoint[] | null = null;
  private readonly selected = new Map<string, CIDR[]>();

  constructor(private readonly engine: Engine) {
    const fams = new Set<Family>();
    for (const ep of engine.eps.all) {
      for (const ip of ep.ips) fams.add(ip.version);
      for (const r of ep.netset?.nets.toRanges() ?? []) fams.add(r.start.version);
    }
    this.families = fams;
  }

  /** The set of addresses a rule selector stands for, in one family. */
  selector(sel: EndpointSelector, fam: Family): string {
    let key = this.keys.get(sel);
    if (key === undefined) this.keys.set(sel, (key = selectorKey(sel)));
    const base = this.selNames.name(key);
    const name = `${base}-${fam}`;
    if (!this.sets.has(name)) {
      let all = this.selected.get(key);
      if (!all) this.selected.set(key, (all = this.selectedCidrs(sel)));
      const cidrs = all.filter((c) => c.ip.version === fam);
      this.add({
        name,
        type: fam === 4 ? 'ipv4_addr' : 'ipv6_addr',
        interval: true,
        comment: key,
        elements: cidrs.map(element),
      });
    }
    return name;
  }

  /** The set of a rule's nets in one family, or undefined when it has none in that family. */
  nets(nets: CidrSet, fam: Family): string | undefined {
    const cidrs = nets.toCIDRs().filter((c) => c.ip.version === fam);
    if (cidrs.length === 0) return undefined;
    const all = nets.toCIDRs().map(formatCIDR).join(',');
    const name = `${this.netNames.name(all)}-${fam}`;
    if (!this.sets.has(name)) {
      this.add({
        name,
        type: fam === 4 ? 'ipv4_addr' : 'ipv6_addr',
        interval: true,
        comment: `nets ${all}`,
        elements: cidrs.map(element),
      });
    }
    return name;
  }

  /** The (address . protocol . port) set of a named port, in one family. */
  namedPort(p: Extract<PortMatch, { kind: 'named' }>, fam: Family): string {
    const key = `${p.name}/${p.protocol !== undefined ? nftProto(p.protocol) : 'any'}`;
    const name = `${this.portNames.name(key)}-${fam}`;
    if (!this.sets.has(name)) {
      const elements = (this.portIndex().get(p.name) ?? [])
        .filter((e) => e.ip.version === fam)
        .filter((e) => p.protocol === undefined || e.protocol === p.protocol)
        .map((e) => `${formatIP(e.ip)} . ${nftProto(e.protocol)} . ${e.port}`);
      this.add({
        name,
        type: `${fam === 4 ? 'ipv4_addr' : 'ipv6_addr'} . inet_proto . inet_service`,
        interval: false,
        comment: `named port ${key}`,
        elements: [...new Set(elements)].sort(),
      });
    }
    return name;
  }

  /** Every set, sorted by name, as nft text (indented for the table body). */
  render(): string[] {
    const out: string[] = [];
    for (const s of [...this.sets.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      out.push(`  # ${s.comment}`);
      out.push(`  set ${s.name} {`);
      out.push(`    type ${s.type}`);
      if (s.interval) out.push('    flags interval');
      if (s.elements.length > 0) out.push(...elementLines(s.elements));
      out.push('  }');
    }
    return out;
  }

  /** Number of sets and of elements over all sets. */
  counts(): { sets: number; elements: number } {
    let elements = 0;
    for (const s of this.sets.values()) elements += s.elements.length;
    return { sets: this.sets.size, elements };
  }

  private add(s: NftSet): void {
    this.sets.set(s.name, s);
  }

  private selectedCidrs(sel: EndpointSelector): CIDR[] {
    const ranges: IPRange[] = [];
    for (const ep of this.candidates(sel)) {
      if (!selects(sel, ep, this.engine)) continue;
      if (ep.netset) ranges.push(...ep.netset.nets.toRanges());
      else for (const ip of ep.ips) ranges.push({ start: ip, end: ip });
    }
    return CidrSet.fromRanges(ranges).toCIDRs();
  }

  /** Endpoints that can be in the selector's set: those of its namespace(s), else all. */
  private candidates(sel: EndpointSelector): readonly Endpoint[] {
    if (!this.byNamespace) {
      const m = new Map<string | undefined, Endpoint[]>();
      for (const ep of this.engine.eps.all) {
        const list = m.get(ep.namespace);
        if (list) list.push(ep);
        else m.set(ep.namespace, [ep]);
      }
      this.byNamespace = m;
    }
    if (sel.namespace !== undefined) return this.byNamespace.get(sel.namespace) ?? [];
    const nsSel = sel.namespaceSelector;
    if (!nsSel) return this.byLabels(sel);
    const out: Endpoint[] = [];
    for (const [ns, eps] of this.byNamespace)
      if (this.engine.nsSelects(nsSel, ns)) for (const ep of eps) out.push(ep);
    return out;
  }

  /** A global selector's candidates from a label index (Calico's approach), else every endpoint. */
  private byLabels(sel: EndpointSelector): readonly Endpoint[] {
    const all = this.engine.eps.all;
    if (!sel.selector) return all;
    // The engine's index holds the policy subjects; network sets and nodes are few: add them all.
    const ids = this.engine.subjectCandidates(sel.selector.ast);
    if (!ids) return all;
    this.others ??= all.filter((ep) => ep.kind === 'netset' || ep.kind === 'node');
    const out = [...ids].sort((a, b) => a - b).flatMap((id) => all[id] ?? []);
    return out.length === 0 ? this.others : [...out, ...this.others];
  }

  /** Named ports by name, resolved on the endpoint that owns each address (as the engine does). */
  private portIndex(): Map<string, Array<{ ip: IP; protocol: number; port: number }>> {
    if (this.namedPortIndex) return this.namedPortIndex;
    const index = new Map<string, Array<{ ip: IP; protocol: number; port: number }>>();
    const seen = new Set<string>();
    for (const ep of this.engine.eps.all) {
      for (const ip of ep.ips) {
        const key = formatIP(ip);
        if (seen.has(key)) continue;
        seen.add(key);
        const owner: Endpoint | undefined = this.engine.eps.peerOfIP(ip).endpoint;
        for (const [name, ports] of owner?.namedPorts ?? []) {
          let list = index.get(name);
          if (!list) index.set(name, (list = []));
          for (const p of ports) list.push({ ip, protocol: p.protocol, port: p.port });
        }
      }
    }
    this.namedPortIndex = index;
    return index;
  }
}

function elementLines(elements: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < elements.length; i += 8) {
    const chunk = elements.slice(i, i + 8).join(', ');
    const last = i + 8 >= elements.length;
    out.push(`${i === 0 ? '    elements = { ' : '      '}${chunk}${last ? ' }' : ','}`);
  }
  return out;
}
