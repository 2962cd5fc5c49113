// The rules of a generated ZonePolicy: a few platform rules first (cluster DNS, upstream DNS, a
// logged deny into the PCI zones, Prometheus, the ingress controller), then rules drawn from
// weighted templates of what security teams write between team zones: web to API, team to
// team, application to its data, batch port ranges, to and from named outside networks, denies
// (often logged), ICMP for operations, `any` on either side. Selectors use every Calico
// operator; services use numbers, `a:b` ranges and port names; some rules are disabled.
import { APPS, TEAMS } from './cluster-model.js';
import type { Rng } from './prng.js';

/** The zones the rules may name (bench/gen-zones.ts makes them). */
export interface ZoneNames {
  zones: ReadonlyArray<{ name: string; kind: string }>;
  names: ReadonlySet<string>;
}

/** A team's zone of a kind, when declared. */
export function teamZone(zs: ZoneNames, team: string, kind: string): string | undefined {
  const name = `${team}-${kind}`;
  return zs.names.has(name) ? name : undefined;
}

type Rule = Record<string, unknown>;
type Service = { protocol: string; ports?: Array<number | string> };

const tcp = (...ports: Array<number | string>): Service => ({ protocol: 'TCP', ports });
const DNS: Service[] = [
  { protocol: 'UDP', ports: [53] },
  { protocol: 'TCP', ports: [53] },
];

/**
 * Workload selectors, every Calico operator among them, on the keys security teams narrow by
 * (application, tier, component, data class, the legacy marker); `a`, `b` are application names.
 */
const SELECTORS: ReadonlyArray<(a: string, b: string) => string> = [
  () => "tier == 'api'",
  (a) => `app == '${a}-api'`,
  (a, b) => `app in {'${a}-api', '${b}-api'}`,
  () => "tier != 'db'",
  () => "data-class not in {'pci', 'pii'}",
  () => 'has(legacy)',
  () => "!has(legacy) && tier == 'api'",
  (a) => `app contains '${a}'`,
  (a) => `app starts with '${a}-'`,
  () => "app ends with '-api'",
  () => "app.kubernetes.io/component in {'api', 'worker'}",
  () => "(tier == 'api' || tier == 'web') && env in {'prod', 'staging'}",
  () => "!(tier in {'db', 'cache'})",
  (a) => `app.kubernetes.io/part-of == '${a}'`,
];

interface Ctx {
  rng: Rng;
  zs: ZoneNames;
  /** Names of the policy's externals. */
  externals: readonly string[];
}

/** A template: the rule's fields, or undefined when the zones it needs are not declared. */
type Template = (c: Ctx, team: string, other: string) => Rule | undefined;

const some = (xs: Array<string | undefined>): string[] | undefined => {
  const out = [...new Set(xs.filter((x): x is string => x !== undefined))];
  return out.length > 0 ? out : undefined;
};

function selector(c: Ctx): string {
  return c.rng.pick(SELECTORS)(c.rng.pick(APPS), c.rng.pick(APPS));
}

const TEMPLATES: ReadonlyArray<[name: string, weight: number, make: Template]> = [
  ['web-to-api', 20, (c, t) => {
    const from = some([teamZone(c.zs, t, 'web'), teamZone(c.zs, t, 'edge')]);
    const to = some([teamZone(c.zs, t, 'app')]);
    const dst = c.rng.chance(0.5) ? "tier == 'api'" : selector(c);
    const svc = c.rng.chance(0.5) ? [tcp('http', 'grpc')] : [tcp(8080), tcp(9090)];
    return from && to && { from, to, destination: { selector: dst }, services: svc, action: 'Pass' };
  }],
  ['team-to-team', 25, (c, t, o) => {
    const from = some([teamZone(c.zs, t, 'app'), c.rng.chance(0.3) ? teamZone(c.zs, t, 'batch') : undefined]);
    const to = some([teamZone(c.zs, o, 'app')]);
    const svc = c.rng.pick([[tcp(8080)], [tcp('grpc')], [tcp(8080, 9090)], [tcp('8000:8099')]]);
    return from && to && { from, to, destination: { selector: selector(c) }, services: svc, action: 'Pass' };
  }],
  ['app-to-data', 15, (c, t) => {
    const from = some([teamZone(c.zs, t, 'app'), teamZone(c.zs, t, 'batch')]);
    const to = some([teamZone(c.zs, t, c.rng.chance(0.3) ? 'pci' : 'data')]);
    const svc = c.rng.chance(0.5) ? [tcp('postgres', 'redis')] : [tcp(5432, 6379)];
    return from && to && {
      from, to, services: svc, action: 'Pass',
      source: { selector: "tier in {'api', 'worker'}" },
      destination: { selector: "tier in {'db', 'cache'}" },
    };
  }],
  ['batch-ranges', 5, (c, t) => {
    const from = some([teamZone(c.zs, t, 'batch'), teamZone(c.zs, t, 'analytics')]);
    const to = some([teamZone(c.zs, t, 'data'), teamZone(c.zs, t, 'app')]);
    const svc = [tcp('30000:32767'), { protocol: 'UDP', ports: ['5000:5100'] }];
    return from && to && { from, to, services: svc, action: 'Pass' };
  }],
  ['to-external', 8, (c, t) => {
    const from = some([teamZone(c.zs, t, 'app')]);
    const ext = c.rng.pick(c.externals.filter((e) => e !== 'upstream-dns'));
    return from && { from, to: [ext], source: { selector: selector(c) }, services: [tcp(443)], action: 'Pass' };
  }],
  ['from-external', 4, (c, t) => {
    const to = some([teamZone(c.zs, t, 'edge'), teamZone(c.zs, t, 'web')]);
    const from = c.rng.pick([['partner-clearing'], ['corp-network'], ['partner-clearing', 'corp-network']]);
    return to && { from, to, destination: { selector: `app starts with '${c.rng.pick(APPS)}'` }, services: [tcp(8443)], action: 'Pass' };
  }],
  ['deny', 12, (c, t, o) => {
    const from = some([teamZone(c.zs, t, 'sandbox'), teamZone(c.zs, t, 'analytics'), teamZone(c.zs, t, 'web')]);
    const to = some([teamZone(c.zs, o, c.rng.pick(['data', 'pci', 'app']))]);
    const svc = c.rng.chance(0.6) ? {} : { services: [tcp(22, 3389), tcp('5432:5439')] };
    return from && to && { from, to, ...svc, action: 'Deny', log: c.rng.chance(0.5) };
  }],
  ['ops-icmp', 3, (c, t, o) => {
    const from = some([teamZone(c.zs, t, 'ops'), 'monitoring']);
    const to = some([teamZone(c.zs, o, 'app'), teamZone(c.zs, o, 'data')]);
    return from && to && { from, to, services: [{ protocol: 'ICMP' }], action: 'Allow' };
  }],
  ['any', 3, (c, t) => {
    const edge = some([teamZone(c.zs, t, 'edge'), teamZone(c.zs, t, 'web')]);
    if (c.rng.chance(0.5))
      return edge && { from: ['any'], to: edge, destination: { selector: "app ends with '-web'" }, services: [tcp(443)], action: 'Pass' };
    const from = some([teamZone(c.zs, t, 'ops'), teamZone(c.zs, t, 'app')]);
    return from && { from, to: ['any'], services: [tcp(22)], action: 'Deny', log: true };
  }],
  ['to-monitoring', 5, (c, t) => {
    const from = some([teamZone(c.zs, t, 'app'), teamZone(c.zs, t, 'web')]);
    return from && { from, to: ['monitoring'], destination: { selector: "app == 'prometheus'" }, services: [tcp('web')], action: 'Allow' };
  }],
]; // prettier-ignore

/** The platform rules every cluster has, first. */
function platformRules(zs: ZoneNames): Rule[] {
  const all = zs.zones.map((z) => z.name);
  const pci = zs.zones.filter((z) => z.kind === 'pci').map((z) => z.name);
  const web = zs.zones.filter((z) => z.kind === 'web' || z.kind === 'edge').map((z) => z.name);
  const rules: Rule[] = [
    { name: 'cluster-dns', from: all, to: ['platform'], destination: { selector: "k8s-app == 'kube-dns'" }, services: DNS, action: 'Allow' },
    { name: 'upstream-dns', from: ['platform'], to: ['upstream-dns'], source: { selector: "k8s-app == 'kube-dns'" }, services: DNS, action: 'Allow' },
    { name: 'metrics', from: ['monitoring'], to: ['any'], source: { selector: "app.kubernetes.io/name == 'prometheus'" }, services: [tcp('metrics')], action: 'Pass' },
    { name: 'ingress-to-web', from: ['ingress'], to: web.length ? web : ['ingress'], destination: { selector: "tier == 'web'" }, services: [tcp('http', 'https')], action: 'Pass' },
    { name: 'internet-to-ingress', from: ['internet', 'corp-network'], to: ['ingress'], services: [tcp(80, 443)], action: 'Pass' },
  ]; // prettier-ignore
  if (pci.length > 0) {
    const from = ['internet', 'partner-clearing', 'corp-network', ...web];
    rules.splice(2, 0, { name: 'deny-to-pci', from, to: pci, action: 'Deny', log: true });
  }
  return rules;
}

/** `count` rules: the platform's, then templates drawn by weight for random team pairs. */
export function zoneRules(
  rng: Rng,
  o: { zones: ZoneNames; externals: readonly string[]; count: number },
): Rule[] {
  const { zones: zs, count } = o;
  const c: Ctx = { rng, zs, externals: o.externals };
  const out = platformRules(zs).slice(0, count);
  const total = TEMPLATES.reduce((n, [, w]) => n + w, 0);
  const pick = (): (typeof TEMPLATES)[number] => {
    let x = rng.float() * total;
    for (const t of TEMPLATES) if ((x -= t[1]) < 0) return t;
    return TEMPLATES[0] as (typeof TEMPLATES)[number];
  };
  while (out.length < count) {
    const [name, , make] = pick();
    const rule = make(c, rng.pick(TEAMS), rng.pick(TEAMS));
    if (!rule) continue;
    const extra = {
      ...(rule.log === undefined && rng.chance(0.1) ? { log: true } : {}),
      ...(rng.chance(0.03) ? { enabled: false } : {}),
    };
    out.push({ name: `${name}-${String(out.length).padStart(4, '0')}`, ...rule, ...extra });
  }
  return out;
}
