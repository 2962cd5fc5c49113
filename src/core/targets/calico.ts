// The Calico target: a `security` Tier, one GlobalNetworkPolicy per zone and membership path,
// a GlobalNetworkSet per named external, an IPPool per zone pool and, when the cluster's
// namespaces are known, the pool annotation on each zoned namespace.
import { formatCIDR } from '../net/index.js';
import type { CIDR } from '../net/index.js';
import type { Issue } from '../model/issues.js';
import type { PortMatch } from '../model/types.js';
import { printSelector } from '../selector/index.js';
import type { SelectorNode } from '../selector/index.js';
import { ZONE_POLICY_ORDER } from '../zones/engine-policies.js';
import { notInternet } from '../zones/program.js';
import type { MemberPath, Party, ProgramRule, SideProgram, ZoneProgram } from '../zones/program.js';
import { EXTERNAL_LABEL } from '../zones/types.js';
import type { ZonePolicy, ZoneService } from '../zones/types.js';
import { safeName } from './names.js';
import { GENERATED_LABELS, RULE_ANNOTATION } from './types.js';
import type { CompileOptions, CompileResult, Manifest } from './types.js';

const API = 'projectcalico.org/v3';
const POD: SelectorNode = { kind: 'eq', key: 'projectcalico.org/orchestrator', value: 'k8s' };
const PATH_SUFFIX = ['', '-by-namespace', '-default'];

type Entity = Record<string, unknown>;
type CalicoRule = Record<string, unknown>;

const and = (...nodes: Array<SelectorNode | undefined>): SelectorNode => {
  const ops = nodes.filter((n): n is SelectorNode => n !== undefined);
  return ops.length === 1 && ops[0] ? ops[0] : { kind: 'and', operands: ops };
};
const text = (n: SelectorNode): string => printSelector(n);

function memberEntity(m: MemberPath, narrow?: SelectorNode): Entity {
  return {
    selector: text(and(m.pod, narrow, POD)),
    ...(m.namespace ? { namespaceSelector: text(m.namespace) } : {}),
  };
}

function byFamily(cidrs: readonly CIDR[], version: 4 | 6): string[] {
  return cidrs.filter((c) => c.ip.version === version).map(formatCIDR);
}

function partyEntities(zp: ZonePolicy, p: Party, paths: (zone: string) => MemberPath[]): Entity[] {
  switch (p.kind) {
    case 'members':
      return paths(p.zone).map((m) => memberEntity(m, p.selector?.ast));
    case 'anyone':
      return [p.selector ? { selector: text(and(p.selector.ast, POD)) } : {}];
    case 'external': {
      // By address, pods excluded (a pod is in its zone, never in an external); a rule
      // selector cannot do that: Felix folds a notSelector into the positive one.
      const ext = zp.externals.find((e) => e.name === p.name);
      const out: Entity[] = ([4, 6] as const)
        .map((v) => byFamily(ext?.nets ?? [], v))
        .filter((nets) => nets.length > 0)
        .map((nets) => ({ nets, notSelector: text(POD) }));
      // Domain names are matched through the external's GlobalNetworkSet (Calico Enterprise).
      if (ext && ext.domains.length > 0)
        out.push({ selector: text({ kind: 'eq', key: EXTERNAL_LABEL, value: p.name }) });
      return out;
    }
    case 'internet': {
      const inside = notInternet(zp);
      return ([4, 6] as const).map((v) => {
        const notNets = byFamily(inside, v);
        return {
          nets: [v === 4 ? '0.0.0.0/0' : '::/0'],
          ...(notNets.length ? { notNets } : {}),
          notSelector: text(POD),
        };
      });
    }
  }
}

function portValue(p: PortMatch): number | string {
  if (p.kind === 'named') return p.name;
  return p.range.start === p.range.end ? p.range.start : `${p.range.start}:${p.range.end}`;
}

function protocolValue(n: number): string | number {
  const names: Record<number, string> = {
    6: 'TCP',
    17: 'UDP',
    132: 'SCTP',
    1: 'ICMP',
    58: 'ICMPv6',
    136: 'UDPLite',
  };
  return names[n] ?? n;
}

function renderRule(
  zp: ZonePolicy,
  r: ProgramRule,
  dir: 'ingress' | 'egress',
  paths: (zone: string) => MemberPath[],
): CalicoRule[] {
  const out: CalicoRule[] = [];
  const local: Entity = r.local ? { selector: r.local.canonical } : {};
  const name = r.origin.kind === 'rule' ? r.origin.name : `${r.origin.kind}-default`;
  const services: Array<ZoneService | undefined> = r.services ?? [undefined];
  for (const peer of r.peers.flatMap((p) => partyEntities(zp, p, paths))) {
    for (const svc of services) {
      const ports = svc?.ports ? { ports: svc.ports.map(portValue) } : {};
      const [source, destination] =
        dir === 'egress' ? [local, { ...peer, ...ports }] : [peer, { ...local, ...ports }];
      out.push({
        action: r.action,
        ...(svc ? { protocol: protocolValue(svc.protocol) } : {}),
        ...(Object.keys(source).length ? { source } : {}),
        ...(Object.keys(destination).length ? { destination } : {}),
        metadata: { annotations: { [RULE_ANNOTATION]: name } },
      });
    }
  }
  return out;
}

function sidePolicies(
  zp: ZonePolicy,
  side: SideProgram,
  paths: (zone: string) => MemberPath[],
): Manifest[] {
  const ingress = side.ingress.flatMap((r) => renderRule(zp, r, 'ingress', paths));
  const egress = side.egress.flatMap((r) => renderRule(zp, r, 'egress', paths));
  const base = side.zone !== undefined ? `zone-${side.zone}` : 'unzoned';
  return side.members.map((m, i) => ({
    apiVersion: API,
    kind: 'GlobalNetworkPolicy',
    metadata: {
      name: `security.${safeName(`${base}${PATH_SUFFIX[i] ?? `-${i}`}`)}`,
      labels: { ...GENERATED_LABELS, 'zonewall.io/zone-policy': zp.name },
      annotations: { 'zonewall.io/zone': side.zone ?? '(none)' },
    },
    spec: {
      tier: 'security',
      order: ZONE_POLICY_ORDER,
      selector: text(and(m.pod, POD)),
      ...(m.namespace ? { namespaceSelector: text(m.namespace) } : {}),
      types: ['Ingress', 'Egress'],
      ingress,
      egress,
    },
  }));
}

/** GlobalNetworkSets carry externals' domain names only (their nets are matched by address). */
function externals(zp: ZonePolicy): Manifest[] {
  return [...zp.externals]
    .filter((e) => e.domains.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => ({
      apiVersion: API,
      kind: 'GlobalNetworkSet',
      metadata: {
        name: safeName(`zonewall-ext-${e.name}`),
        labels: { ...GENERATED_LABELS, [EXTERNAL_LABEL]: e.name },
      },
      spec: { allowedEgressDomains: e.domains },
    }));
}

/** Pool names per zone, in pool order. */
export function poolNames(zp: ZonePolicy): Map<string, Array<{ name: string; version: 4 | 6 }>> {
  const out = new Map<string, Array<{ name: string; version: 4 | 6 }>>();
  for (const z of zp.zones) {
    out.set(
      z.name,
      z.pools.map((p, i) => ({
        name: safeName(`zonewall-${z.name}${z.pools.length > 1 ? `-${i + 1}` : ''}`),
        version: p.cidr.ip.version,
      })),
    );
  }
  return out;
}

function pools(zp: ZonePolicy): Manifest[] {
  const names = poolNames(zp);
  return zp.zones.flatMap((z) =>
    z.pools.map((p, i) => ({
      apiVersion: API,
      kind: 'IPPool',
      metadata: {
        name: names.get(z.name)?.[i]?.name ?? '',
        labels: { ...GENERATED_LABELS, 'zonewall.io/zone': z.name },
      },
      spec: { cidr: formatCIDR(p.cidr), nodeSelector: p.nodeSelector?.canonical ?? 'all()' },
    })),
  );
}

function poolAnnotations(zp: ZonePolicy, opts: CompileOptions): Manifest[] {
  const names = poolNames(zp);
  const out: Manifest[] = [];
  for (const ns of [...(opts.namespaces ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const zone = ns.labels.get(zp.zoneLabel) ?? zp.defaultZone;
    const list = names.get(zone) ?? [];
    if (list.length === 0) continue;
    const annotations: Record<string, string> = {};
    for (const v of [4, 6] as const) {
      const ofV = list.filter((p) => p.version === v).map((p) => p.name);
      if (ofV.length) annotations[`cni.projectcalico.org/ipv${v}pools`] = JSON.stringify(ofV);
    }
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, annotations } });
  }
  return out;
}

/** Render the zone program for Calico. */
export function renderCalico(prog: ZoneProgram, opts: CompileOptions): CompileResult {
  const zp = prog.policy;
  const paths = (zone: string): MemberPath[] =>
    prog.sides.find((s) => s.zone === zone)?.members ?? [];
  const tier: Manifest = {
    apiVersion: API,
    kind: 'Tier',
    metadata: { name: 'security', labels: { ...GENERATED_LABELS } },
    spec: { order: 100, defaultAction: 'Deny' },
  };
  const manifests = [
    tier,
    ...externals(zp),
    ...prog.sides.flatMap((s) => sidePolicies(zp, s, paths)),
    ...pools(zp),
    ...poolAnnotations(zp, opts),
  ];
  const issues: Issue[] = [];
  for (const e of zp.externals.filter((x) => x.domains.length > 0)) {
    issues.push({
      code: 'target.domains',
      severity: 'warning',
      message: `external ${JSON.stringify(e.name)}: domain names are enforced by Calico Enterprise (allowedEgressDomains); open-source Calico matches its nets only`,
      file: zp.source.file,
      doc: zp.source.doc,
      path: 'spec.externals',
    });
  }
  return { manifests, issues };
}
