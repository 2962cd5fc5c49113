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
  readonly internetExcluded: CidrSet;

  constructor(readonly zp: ZonePolicy) {
    this.internetExcluded = CidrSet.of(notInternet(zp));
  }

  /** A compiled selector for an AST (shared by identical ASTs). */
  selector(node: SelectorNode): Selector {
    const s = selectorFromNode(node);
    const hit = this.selectors.get(s.canonical);
    if (hit) return hit;
    this.selectors.set(s.canonical, s);
    return s;
  }

  /** Pods on one membership path, optionally narrowed. */
  path(m: MemberPath, narrow?: Selector): EndpointSelector {
    const pod = narrow ? { kind: 'and' as const, operands: [m.pod, narrow.ast] } : m.pod;
    return {
      kinds: EP_POD,
      selector: this.selector(pod),
      ...(m.namespace ? { namespaceSelector: this.selector(m.namespace) } : {}),
    };
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
    case 'external': {
      // A pod is in its zone, never in an external, even when its address is in the nets.
      const ext = ctx.zp.externals.find((e) => e.name === p.name);
      const out: PeerMatch[] = [];
      const notPods: EndpointSelector = { kinds: EP_POD, selector: ctx.selector({ kind: 'all' }) };
      if (ext && ext.nets.length > 0)
        out.push({ nets: CidrSet.of(ext.nets), notSelector: notPods });
      if (ext && ext.domains.length > 0) out.push({ domains: ext.domains });
      return out;
    }
    case 'internet': {
      // Outside the cluster: not a pod, not a pool, cluster range or named external.
      const notPods: EndpointSelector = { kinds: EP_POD, selector: ctx.selector({ kind: 'all' }) };
      return [V4_ALL, V6_ALL].map((all) => ({
        nets: CidrSet.of([all]),
        notNets: ctx.internetExcluded,
        notSelector: notPods,
      }));
    }
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
  const paths = (zone: string): MemberPath[] =>
    prog.sides.find((s) => s.zone === zone)?.members ?? [];
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
