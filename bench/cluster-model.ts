// The shape of the generated cluster before it becomes YAML: namespaces (one application per
// namespace, owned by a team, in an environment, region and zone) and their pods (web, api,
// worker, db and cache tiers), plus three platform namespaces every cluster has.
import type { Rng } from './prng.js';

export const ZONES = ['dmz', 'trusted', 'restricted', 'management'] as const;
export const ENVS = ['prod', 'staging', 'dev', 'qa'] as const;
export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-south-1'] as const;
export const TEAMS = [
  'payments', 'cards', 'lending', 'ledger', 'identity', 'fraud', 'search', 'catalog', 'checkout',
  'shipping', 'notify', 'analytics', 'reporting', 'risk', 'treasury', 'onboarding', 'support',
  'marketing', 'billing', 'loyalty',
] as const; // prettier-ignore
export const APPS = [
  'gateway', 'portal', 'orders', 'accounts', 'quotes', 'profile', 'inventory', 'pricing',
  'events', 'auth', 'reports', 'settlement', 'transfers', 'statements', 'alerts',
] as const; // prettier-ignore

export type Zone = (typeof ZONES)[number];
export type PortSpec = readonly [name: string, port: number, protocol: 'TCP' | 'UDP'];

/** Tiers of an application: how many replicas and which named ports each serves. */
export const APP_TIERS: ReadonlyArray<{ tier: string; replicas: number; ports: PortSpec[] }> = [
  { tier: 'web', replicas: 6, ports: [['http', 8080, 'TCP'], ['https', 8443, 'TCP'], ['metrics', 9100, 'TCP']] },
  { tier: 'api', replicas: 6, ports: [['http', 8080, 'TCP'], ['grpc', 9090, 'TCP'], ['metrics', 9100, 'TCP']] },
  { tier: 'worker', replicas: 3, ports: [['health', 8081, 'TCP'], ['metrics', 9100, 'TCP']] },
  { tier: 'db', replicas: 3, ports: [['postgres', 5432, 'TCP'], ['metrics', 9187, 'TCP']] },
  { tier: 'cache', replicas: 2, ports: [['redis', 6379, 'TCP'], ['metrics', 9121, 'TCP']] },
]; // prettier-ignore

/** Platform namespaces: name, zone, the labels of their pods, the ports those serve. */
export const PLATFORM: ReadonlyArray<{ name: string; workload: string; zone: Zone; labels: Record<string, string>; ports: PortSpec[] }> = [
  { name: 'kube-system', workload: 'coredns', zone: 'management', labels: { 'k8s-app': 'kube-dns' }, ports: [['dns', 53, 'UDP'], ['dns-tcp', 53, 'TCP'], ['metrics', 9153, 'TCP']] },
  { name: 'monitoring', workload: 'prometheus', zone: 'management', labels: { app: 'prometheus', 'app.kubernetes.io/name': 'prometheus' }, ports: [['web', 9090, 'TCP']] },
  { name: 'ingress-nginx', workload: 'ingress-nginx-controller', zone: 'dmz', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [['http', 80, 'TCP'], ['https', 443, 'TCP'], ['metrics', 10254, 'TCP']] },
]; // prettier-ignore

export interface NsModel {
  index: number;
  name: string;
  team: string;
  app: string;
  env: string;
  region: string;
  zone: Zone;
  /** Zone of the web tier (front ends of trusted apps often sit in the DMZ). */
  webZone: Zone;
  pci: boolean;
  /** Platform namespaces have no app tiers. */
  platform: boolean;
  defaultDeny: boolean;
  denyEgress: boolean;
  /** Teams whose APIs this namespace may call. */
  partners: string[];
}

export interface PodModel {
  ns: NsModel;
  name: string;
  tier: string;
  labels: Record<string, string>;
  ip: string;
  ports: readonly PortSpec[];
  serviceAccount: string;
  node: string;
  image: string;
}

export interface ClusterModel {
  namespaces: NsModel[];
  pods: PodModel[];
}

const ZONE_WEIGHTS: ReadonlyArray<[Zone, number]> = [
  ['dmz', 0.2],
  ['trusted', 0.55],
  ['restricted', 0.2],
  ['management', 0.05],
];

function weightedZone(rng: Rng): Zone {
  let x = rng.float();
  for (const [z, w] of ZONE_WEIGHTS) if ((x -= w) < 0) return z;
  return 'trusted';
}

function appNamespace(rng: Rng, index: number, taken: Set<string>): NsModel {
  const team = TEAMS[index % TEAMS.length] as string;
  const app = rng.pick(APPS);
  const env = rng.pick([...ENVS, 'prod', 'staging']);
  let name = `${team}-${app}-${env}`;
  for (let n = 2; taken.has(name); n++) name = `${team}-${app}-${env}-${n}`;
  taken.add(name);
  const zone = weightedZone(rng);
  return {
    index,
    name,
    team,
    app,
    env,
    region: rng.pick(REGIONS),
    zone,
    webZone: zone === 'trusted' && rng.chance(0.4) ? 'dmz' : zone,
    pci: rng.chance(0.15),
    platform: false,
    defaultDeny: rng.chance(0.9),
    denyEgress: rng.chance(0.35),
    partners: rng.sample(TEAMS, 1 + rng.int(3)),
  };
}

function ipOf(n: number): string {
  // 10.64.0.0/10, one address per pod, in pod order.
  const v = (64 << 16) + n + 1;
  return `10.${v >> 16}.${(v >> 8) & 255}.${v & 255}`;
}

function appPodLabels(rng: Rng, ns: NsModel, tier: string): Record<string, string> {
  const name = `${ns.app}-${tier}`;
  const labels: Record<string, string> = {
    app: name,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': ns.app,
    'app.kubernetes.io/component': tier,
    tier,
    team: ns.team,
    env: ns.env,
    region: ns.region,
    'zonewall.io/zone': tier === 'web' ? ns.webZone : ns.zone,
    version: `v${rng.int(4)}.${rng.int(12)}.${rng.int(20)}`,
    track: rng.chance(0.1) ? 'canary' : 'stable',
    'data-class': tier === 'db' && ns.pci ? 'pci' : rng.pick(['internal', 'public', 'pii']),
  };
  if (rng.chance(0.05)) labels.legacy = 'true';
  return labels;
}

/** Pods of one namespace; `first` is the global index of its first pod (for addresses). */
function podsOf(rng: Rng, ns: NsModel, count: number, first: number): PodModel[] {
  const out: PodModel[] = [];
  const platform = PLATFORM.find((p) => p.name === ns.name);
  const tiers = platform
    ? [{ tier: 'platform', replicas: count, ports: platform.ports }]
    : APP_TIERS.map((t) => ({ ...t, replicas: Math.round((t.replicas * count) / 20) }));
  for (const t of tiers) {
    const base = platform ? platform.workload : `${ns.app}-${t.tier}`;
    const hash = rng.suffix(9);
    for (let r = 0; r < t.replicas && out.length < count; r++) {
      const stateful = t.tier === 'db';
      const name = stateful ? `${base}-${r}` : `${base}-${hash}-${rng.suffix(5)}`;
      const labels = platform
        ? { ...platform.labels, 'zonewall.io/zone': ns.zone }
        : appPodLabels(rng, ns, t.tier);
      if (!stateful) labels['pod-template-hash'] = hash;
      out.push({
        ns,
        name,
        tier: t.tier,
        labels,
        ip: ipOf(first + out.length),
        ports: t.ports,
        serviceAccount: base,
        node: `node-${String(rng.int(200)).padStart(3, '0')}`,
        image: `registry.corp.example/${ns.team}/${base}:${labels.version ?? '1.11.1'}`,
      });
    }
  }
  return out;
}

/** Namespaces (the platform ones first) and pods, deterministically from the generator. */
export function buildModel(rng: Rng, namespaces: number, podsPerNamespace: number): ClusterModel {
  const taken = new Set<string>(PLATFORM.map((p) => p.name));
  const nss: NsModel[] = PLATFORM.map((p, index) => ({
    index,
    name: p.name,
    team: 'platform',
    app: p.name,
    env: 'prod',
    region: 'eu-west-1',
    zone: p.zone,
    webZone: p.zone,
    pci: false,
    platform: true,
    defaultDeny: p.name === 'monitoring',
    denyEgress: false,
    partners: [],
  }));
  for (let i = nss.length; i < namespaces; i++) nss.push(appNamespace(rng, i, taken));
  const pods: PodModel[] = [];
  for (const ns of nss) pods.push(...podsOf(rng, ns, podsPerNamespace, pods.length));
  return { namespaces: nss, pods };
}
