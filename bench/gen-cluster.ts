// A generated cluster for benchmarks, as YAML manifests: by default 10,000 pods in 500
// namespaces with 2,000 policies (Kubernetes NetworkPolicies, Calico policies in the security,
// platform and default tiers, Admin and Baseline ClusterNetworkPolicies). Deterministic: the
// same options give byte-identical files.
//
//   node dist/bench/gen-cluster.js --out DIR [--seed N]   writes the files under DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { InputFile } from '../src/core/model/index.js';
import { buildModel } from './cluster-model.js';
import type { NsModel, PodModel } from './cluster-model.js';
import { clusterNetworkPolicies } from './gen-cnp.js';
import { dbGuard, kubernetesPolicies, platformEgressGuard } from './gen-netpol.js';
import { platformTier } from './gen-platform.js';
import { securityTier } from './gen-tiers.js';
import { Rng } from './prng.js';

export interface ClusterOptions {
  seed?: number;
  namespaces?: number;
  podsPerNamespace?: number;
  /** Policies in all (the Kubernetes NetworkPolicies make up what the fixed kinds leave). */
  policies?: number;
  /** Namespaces with a platform-tier and with a default-tier Calico NetworkPolicy. */
  calicoPlatform?: number;
  calicoDefault?: number;
  /** Zone labels to set instead of the model's own `zonewall.io/zone` (bench/gen-zones.ts). */
  zoneLabels?: ZoneLabels;
}

/**
 * Which zone label a namespace and a pod carry: `key` is set to the value returned, or removed
 * when undefined (a `key` other than `zonewall.io/zone` leaves the model's own label in place).
 */
export interface ZoneLabels {
  key: string;
  namespace(ns: NsModel): string | undefined;
  pod(p: PodModel): string | undefined;
}

const DEFAULTS: Required<Omit<ClusterOptions, 'zoneLabels'>> = {
  seed: 20261123,
  namespaces: 500,
  podsPerNamespace: 20,
  policies: 2000,
  calicoPlatform: 100,
  calicoDefault: 150,
};

type Obj = Record<string, unknown>;

/** Objects as one multi-document YAML text under a comment line. */
export function yamlOf(objs: readonly Obj[], comment: string): string {
  const docs = objs.map((o) => stringify(o, { lineWidth: 0 }));
  return `# ${comment}\n${docs.join('---\n')}`;
}

/** `labels` with the zone label set as `z` says (a copy; unchanged without `z`). */
function zoned(
  labels: Record<string, string>,
  z: ZoneLabels | undefined,
  value: (z: ZoneLabels) => string | undefined,
): Record<string, string> {
  if (!z) return labels;
  const out = { ...labels };
  const v = value(z);
  if (v === undefined) delete out[z.key];
  else out[z.key] = v;
  return out;
}

function namespaceObj(ns: NsModel, z?: ZoneLabels): Obj {
  const labels: Record<string, string> = {
    team: ns.team,
    env: ns.env,
    region: ns.region,
    'zonewall.io/zone': ns.zone,
    'cost-center': `cc-${1000 + (ns.index % 37) * 7}`,
  };
  if (ns.pci) labels.compliance = 'pci-dss';
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: zoned(labels, z, (l) => l.namespace(ns)) },
  };
}

function podObj(p: PodModel, z?: ZoneLabels): Obj {
  const hash = p.labels['pod-template-hash'];
  const owner = hash
    ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${p.serviceAccount}-${hash}` }
    : { apiVersion: 'apps/v1', kind: 'StatefulSet', name: p.serviceAccount };
  const hostIP = `10.0.0.${10 + Number(p.node.slice('node-'.length))}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.ns.name,
      labels: zoned(p.labels, z, (l) => l.pod(p)),
      ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      serviceAccountName: p.serviceAccount,
      nodeName: p.node,
      containers: [
        {
          name: p.tier,
          image: p.image,
          ports: p.ports.map(([name, containerPort, protocol]) => ({
            name,
            containerPort,
            protocol,
          })),
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
    status: { phase: 'Running', hostIP, podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

/** The cluster's manifests, one file per namespace's pods and per namespace's policies. */
export function generateCluster(options: ClusterOptions = {}): InputFile[] {
  const o = { ...DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  const model = buildModel(rng, o.namespaces, o.podsPerNamespace);
  const files: InputFile[] = [
    {
      path: 'cluster/namespaces.yaml',
      text: yamlOf(
        model.namespaces.map((ns) => namespaceObj(ns, o.zoneLabels)),
        'Namespaces',
      ),
    },
  ];
  const podsByNs = new Map<NsModel, PodModel[]>();
  for (const p of model.pods) {
    const list = podsByNs.get(p.ns);
    if (list) list.push(p);
    else podsByNs.set(p.ns, [p]);
  }
  for (const [ns, pods] of podsByNs)
    files.push({
      path: `cluster/pods/${ns.name}.yaml`,
      text: yamlOf(
        pods.map((p) => podObj(p, o.zoneLabels)),
        `Pods in ${ns.name}`,
      ),
    });

  const security = securityTier();
  const platform = platformTier();
  const cnps = clusterNetworkPolicies();
  const apps = rng.shuffle(model.namespaces.filter((n) => !n.platform));
  const calico = new Map<NsModel, Obj[]>();
  for (const ns of apps.slice(0, o.calicoPlatform)) calico.set(ns, [platformEgressGuard(ns)]);
  for (const ns of rng.shuffle([...apps]).slice(0, o.calicoDefault))
    calico.set(ns, [...(calico.get(ns) ?? []), dbGuard(ns)]);
  const fixed = security.length + platform.length + cnps.length - 2; // less the two Tiers
  const calicoCount = [...calico.values()].reduce((n, l) => n + l.length, 0);
  const k8s = kubernetesPolicies(rng, model.namespaces, o.policies - fixed - calicoCount);
  const byNs = new Map<unknown, Obj[]>();
  for (const p of k8s) {
    const ns = (p.metadata as Obj).namespace;
    byNs.set(ns, [...(byNs.get(ns) ?? []), p]);
  }
  for (const ns of model.namespaces) {
    const all = [...(calico.get(ns) ?? []), ...(byNs.get(ns.name) ?? [])];
    if (all.length > 0)
      files.push({ path: `policies/${ns.name}.yaml`, text: yamlOf(all, `Policies of ${ns.name}`) });
  }
  files.push(
    { path: 'tiers/security.yaml', text: yamlOf(security, 'The security tier: zone firewall') },
    { path: 'tiers/platform.yaml', text: yamlOf(platform, 'The platform tier: guard rails') },
    { path: 'cluster-network-policies.yaml', text: yamlOf(cnps, 'Admin and Baseline tiers') },
  );
  return files;
}

/** Write the generated files under `dir` (for benchmarks and tools that read directories). */
export function writeCluster(dir: string, options: ClusterOptions = {}): number {
  const files = generateCluster(options);
  for (const f of files) {
    const out = path.join(dir, f.path);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, f.text);
  }
  return files.length;
}

function main(argv: readonly string[]): void {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = at('--out');
  if (!out) {
    console.error('usage: node dist/bench/gen-cluster.js --out DIR [--seed N]');
    process.exitCode = 2;
    return;
  }
  const seed = at('--seed');
  const n = writeCluster(out, seed !== undefined ? { seed: Number(seed) } : {});
  console.log(`wrote ${n} files under ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
