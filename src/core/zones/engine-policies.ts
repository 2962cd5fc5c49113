// The zone program as the engine's own policies, in the `security` tier. Traces name the
// ZonePolicy and the zone rule (index and name), or its intra-/inter-zone default.
import { CidrSet, protocolName } from '../net/index.js';
import type { CIDR } from '../net/index.js';
import { EP_POD } from '../model/types.js';
import type {
  EndpointSelector,
  Match,
  PeerMatch,
  Policy,
  PortMatch,
  Rule,
} from '../model/types.js';
import { selectorFromNode } from '../selector/index.js';
import type { Selector, SelectorNode } from '../selector/index.js';
import { notInternet } from './program.js';
import type { MemberPath, Party, ProgramRule, SideProgram, ZoneProgram } from './program.js';
import type { ZonePolicy, ZoneService } from './types.js';

/** Order of the compiled zone policies inside the security tier. */
export const ZONE_POLICY_ORDER = 1000;

const V4_ALL: CIDR = { ip: { version: 4, v4: 0 }, prefix: 0 };
const V6_ALL: CIDR = { ip: { version: 6, v6: 0n }, prefix: 0 };

/** Everything the compiled rules need that is computed once per policy. */
class Context {
  private readonly selectors = new Map<string, Selector>();
  private readonly paths = new WeakMap<MemberPath, Map<string, EndpointSelector>>();
  private readonly externals = new Map<string, PeerMatch[]>();
  private internet?: PeerMatch[];
  private readonly notPods: EndpointSelector;

  constructor(readonly zp: ZonePolicy) {
    this.notPods = { kinds: EP_POD, selector: this.selector({ kind: 'all' }) };
  }

  /** A compiled selector for an AST (shared by identical ASTs). */
  selector(node: SelectorNode): Selector {
    const s = selectorFromNode(node);
    const hit = this.selectors.get(s.canonical);
    if (hit) return hit;
    this.selectors.set(s.canonical, s);
    return s;
  }

  /** Pods on one membership path, optionally narrowed (built once per path and narrowing). */
  path(m: MemberPath, narrow?: Selector): EndpointSelector {
    let byNarrow = this.paths.get(m);
    if (!byNarrow) this.paths.set(m, (byNarrow = new Map()));
    const key = narrow?.canonical ?? '';
    let hit = byNarrow.get(key);
    if (hit) return hit;
    const pod = narrow ? { kind: 'and' as const, operands: [m.pod, narrow.ast] } : m.pod;
    hit = {
      kinds: EP_POD,
      selector: this.selector(pod),
      ...(m.namespace ? { namespaceSelector: this.selector(m.namespace) } : {}),
    };
    byNarrow.set(key, hit);
    return hit;
  }

  /** A named external's matches (once per external): its nets, never a pod; its domains. */
  external(name: string): PeerMatch[] {
    let hit = this.externals.get(name);
    if (hit) return hit;
    if (this.externals.size === 0)
      for (const e of this.zp.externals) {
        const out: PeerMatch[] = [];
        // A pod is in its zone, never in an external, even when its address is in the nets.
        if (e.nets.length > 0) out.push({ nets: CidrSet.of(e.nets), notSelector: this.notPods });
        if (e.domains.length > 0) out.push({ domains: e.domains });
        this.externals.set(e.name, out);
      }
    hit = this.externals.get(name) ?? [];
    return hit;
  }

  /** Outside the cluster: not a pod, not a pool, cluster range or named external (once). */
  internetMatches(): PeerMatch[] {
    if (!this.internet) {
      const excluded = CidrSet.of(notInternet(this.zp));
      this.internet = [V4_ALL, V6_ALL].map((all) => ({
        nets: CidrSet.of([all]),
        notNets: excluded,
        notSelector: this.notPods,
      }));
    }
    return this.internet;
  }
}

function peerMatches(
  ctx: Context,
  p: Party,
  memberPaths: (zone: string) => MemberPath[],
): PeerMatch[] {
  switch (p.kind) {
    case 'members':
      return memberPaths(p.zone).map((m) => ({ selector: ctx.path(m, p.selector) }));
    case 'anyone':
      return [p.selector ? { selector: { kinds: EP_POD, selector: p.selector } } : {}];
    case 'external':
      return ctx.external(p.name);
    case 'internet':
      return ctx.internetMatches();
  }
}

function serviceParts(
  services: readonly ZoneService[] | undefined,
): Array<{ protocol?: number; ports?: PortMatch[] }> {
  if (!services) return [{}];
  return services.map((s) => ({
    protocol: s.protocol,
    ...(s.ports ? { ports: s.ports } : {}),
  }));
}

function toRule(
  ctx: Context,
  r: ProgramRule,
  dir: 'ingress' | 'egress',
  paths: (zone: string) => MemberPath[],
): Rule {
  const local: PeerMatch = r.local ? { selector: { kinds: EP_POD, selector: r.local } } : {};
  const matches: Match[] = [];
  for (const peer of r.peers.flatMap((p) => peerMatches(ctx, p, paths))) {
    for (const svc of serviceParts(r.services)) {
      const remote = svc.ports ? { ...peer, ports: svc.ports } : peer;
      const localSide = !svc.ports || dir === 'egress' ? local : { ...local, ports: svc.ports };
      const m: Match =
        dir === 'egress'
          ? { source: local, destination: remote }
          : { source: peer, destination: localSide };
      matches.push(svc.protocol !== undefined ? { ...m, protocol: svc.protocol } : m);
    }
  }
  const o = r.origin;
  return o.kind === 'rule'
    ? { action: r.action, index: o.index, name: o.name, matches }
    : { action: r.action, index: 'default', name: `${o.kind} default`, matches };
}

/** The engine policies of a compiled zone program (one per zone and membership path). */
export function zoneEnginePolicies(prog: ZoneProgram): Policy[] {
  const zp = prog.policy;
  const ctx = new Context(zp);
  const byZone = new Map<string | undefined, MemberPath[]>();
  for (const s of prog.sides) if (!byZone.has(s.zone)) byZone.set(s.zone, s.members);
  const paths = (zone: string): MemberPath[] => byZone.get(zone) ?? [];
  const out: Policy[] = [];
  for (const side of prog.sides) out.push(...sidePolicies(ctx, side, paths));
  return out;
}

function sidePolicies(
  ctx: Context,
  side: SideProgram,
  paths: (zone: string) => MemberPath[],
): Policy[] {
  const ingress = side.ingress.map((r) => toRule(ctx, r, 'ingress', paths));
  const egress = side.egress.map((r) => toRule(ctx, r, 'egress', paths));
  return side.members.map((m) => ({
    ref: { kind: 'ZonePolicy', name: ctx.zp.name },
    tier: 'security',
    order: ZONE_POLICY_ORDER,
    subject: ctx.path(m),
    ingress,
    egress,
    source: ctx.zp.source,
  }));
}

/** A service as text: `TCP/443,8443-8444`, `UDP/dns`, `ICMP`. */
export function serviceText(s: ZoneService): string {
  const port = (p: PortMatch): string =>
    p.kind === 'named'
      ? p.name
      : p.range.start === p.range.end
        ? String(p.range.start)
        : `${p.range.start}-${p.range.end}`;
  const name = protocolName(s.protocol);
  return s.ports ? `${name}/${s.ports.map(port).join(',')}` : name;
}
