// Manifests -> a validated PolicySet. Every problem in every file comes back at once; the
// caller must not evaluate a set with errors (a partial state is never evaluated).
import { parseDocuments } from './documents.js';
import type { InputFile, RawObject } from './documents.js';
import { quote, sortIssues } from './issues.js';
import type { Issue } from './issues.js';
import {
  readAdminNetworkPolicy,
  readBaselineAdminNetworkPolicy,
  readClusterNetworkPolicy,
} from './kinds/admin-network-policy.js';
import { readCalicoPolicy } from './kinds/calico-policy.js';
import { readHostEndpoint, readNetworkSet, readTier } from './kinds/calico-resources.js';
import { readNamespace, readNode, readPod } from './kinds/core.js';
import { fastNamespace, fastPod } from './kinds/core-fast.js';
import { readK8sNetworkPolicy, readStagedK8sNetworkPolicy } from './kinds/k8s-network-policy.js';
import { Ctx } from './reader.js';
import type { Reader } from './reader.js';
import { BUILTIN_TIERS, emptyPolicySet } from './types.js';
import type { PolicySet, SourceRef, Tier } from './types.js';

type Obj = Record<string, unknown>;

export type KindReader = (root: Reader, source: SourceRef, set: PolicySet) => void;

const CALICO = 'projectcalico.org/v3';
const ANP = 'policy.networking.k8s.io/v1alpha1';
const CNP = 'policy.networking.k8s.io/v1alpha2';

function push<T>(list: T[]): (v: T | undefined) => void {
  return (v) => {
    if (v !== undefined) list.push(v);
  };
}

/** Readers by `apiVersion kind`. */
export const KIND_READERS: ReadonlyMap<string, KindReader> = new Map<string, KindReader>([
  // The bulk of a snapshot: a fast path for plainly valid objects, the Reader for the rest.
  [
    'v1 Namespace',
    (r, s, set) => push(set.namespaces)(fastNamespace(r.value as Obj, s) ?? readNamespace(r, s)),
  ],
  ['v1 Pod', (r, s, set) => push(set.pods)(fastPod(r.value as Obj, s) ?? readPod(r, s))],
  ['v1 Node', (r, s, set) => push(set.nodes)(readNode(r, s))],
  [
    'networking.k8s.io/v1 NetworkPolicy',
    (r, s, set) => push(set.policies)(readK8sNetworkPolicy(r, s)),
  ],
  [`${ANP} AdminNetworkPolicy`, (r, s, set) => push(set.policies)(readAdminNetworkPolicy(r, s))],
  [
    `${ANP} BaselineAdminNetworkPolicy`,
    (r, s, set) => push(set.policies)(readBaselineAdminNetworkPolicy(r, s)),
  ],
  [
    `${CNP} ClusterNetworkPolicy`,
    (r, s, set) => push(set.policies)(readClusterNetworkPolicy(r, s)),
  ],
  [`${CALICO} Tier`, (r, s, set) => push(set.tiers)(readTier(r, s))],
  [
    `${CALICO} NetworkPolicy`,
    (r, s, set) => push(set.policies)(readCalicoPolicy(r, s, 'NetworkPolicy')),
  ],
  [
    `${CALICO} GlobalNetworkPolicy`,
    (r, s, set) => push(set.policies)(readCalicoPolicy(r, s, 'GlobalNetworkPolicy')),
  ],
  [
    `${CALICO} StagedNetworkPolicy`,
    (r, s, set) => push(set.policies)(readCalicoPolicy(r, s, 'StagedNetworkPolicy')),
  ],
  [
    `${CALICO} StagedGlobalNetworkPolicy`,
    (r, s, set) => push(set.policies)(readCalicoPolicy(r, s, 'StagedGlobalNetworkPolicy')),
  ],
  [
    `${CALICO} StagedKubernetesNetworkPolicy`,
    (r, s, set) => push(set.policies)(readStagedK8sNetworkPolicy(r, s)),
  ],
  [`${CALICO} NetworkSet`, (r, s, set) => push(set.networkSets)(readNetworkSet(r, s, false))],
  [`${CALICO} GlobalNetworkSet`, (r, s, set) => push(set.networkSets)(readNetworkSet(r, s, true))],
  [`${CALICO} HostEndpoint`, (r, s, set) => push(set.hostEndpoints)(readHostEndpoint(r, s))],
]);

export interface LoadOptions {
  /** More kinds (e.g. zonewall's own ZonePolicy), by `apiVersion kind`. */
  extraKinds?: ReadonlyMap<string, KindReader>;
}

export interface LoadResult {
  set: PolicySet;
  issues: Issue[];
  /** No issue of severity error: the set may be evaluated. */
  ok: boolean;
  /** Objects read, and objects of kinds zonewall does not evaluate (skipped). */
  objects: number;
  skipped: number;
}

/** Parse and validate manifests into a PolicySet. */
export function loadPolicySet(files: readonly InputFile[], opts: LoadOptions = {}): LoadResult {
  const { objects, issues } = parseDocuments(files);
  const set = emptyPolicySet();
  let skipped = 0;
  for (const obj of objects) {
    if (!readObject(obj, set, issues, opts)) skipped++;
  }
  crossCheck(set, issues);
  const sorted = sortIssues(issues);
  return {
    set,
    issues: sorted,
    ok: !sorted.some((i) => i.severity === 'error'),
    objects: objects.length,
    skipped,
  };
}

/** Read one object into the set; false when its kind is not one zonewall evaluates. */
function readObject(obj: RawObject, set: PolicySet, issues: Issue[], opts: LoadOptions): boolean {
  const ctx = new Ctx(obj, issues);
  const root = ctx.root();
  const apiVersion = root.at('apiVersion').string({ required: true });
  const kind = root.at('kind').string({ required: true });
  if (apiVersion === undefined || kind === undefined) return false;
  const key = `${apiVersion} ${kind}`;
  const reader = opts.extraKinds?.get(key) ?? KIND_READERS.get(key);
  if (reader) {
    reader(root, { file: obj.file, doc: obj.doc }, set);
    return true;
  }
  const known = [...KIND_READERS.keys(), ...(opts.extraKinds?.keys() ?? [])].filter((k) =>
    k.endsWith(` ${kind}`),
  );
  if (known.length > 0) {
    root
      .at('apiVersion')
      .error(
        'kind.apiVersion',
        `${kind} is not served as ${quote(apiVersion)}; zonewall reads ${known.map((k) => k.split(' ')[0]).join(' or ')}`,
      );
    return true;
  }
  root
    .at('kind')
    .warn(
      'kind.unknown',
      `kind ${quote(kind)} (${apiVersion}) does not affect network policy; skipped`,
    );
  return false;
}

/** Checks across objects: duplicates, tiers, namespaces. */
function crossCheck(set: PolicySet, issues: Issue[]): void {
  duplicates(set, issues);
  set.tiers = mergeTiers(set.tiers, issues);
  const tierNames = new Set(set.tiers.map((t) => t.name));
  for (const p of set.policies) {
    if (!tierNames.has(p.tier)) {
      issues.push({
        code: 'tier.unknown',
        severity: 'error',
        message: `${p.ref.kind} ${quote(p.ref.name)} is in tier ${quote(p.tier)}, which does not exist (add a Tier resource)`,
        file: p.source.file,
        doc: p.source.doc,
        path: 'spec.tier',
      });
    }
  }
  implicitNamespaces(set, issues);
}

function duplicates(set: PolicySet, issues: Issue[]): void {
  const seen = new Map<string, SourceRef>();
  const check = (key: string, what: string, source: SourceRef): void => {
    const prev = seen.get(key);
    if (prev) {
      issues.push({
        code: 'object.duplicate',
        severity: 'error',
        message: `${what} is defined twice (first in ${prev.file}, document ${prev.doc})`,
        file: source.file,
        doc: source.doc,
        path: 'metadata.name',
      });
    } else seen.set(key, source);
  };
  for (const n of set.namespaces)
    check(`Namespace/${n.name}`, `Namespace ${quote(n.name)}`, n.source);
  for (const p of set.pods)
    check(`Pod/${p.namespace}/${p.name}`, `Pod ${quote(`${p.namespace}/${p.name}`)}`, p.source);
  for (const n of set.nodes) check(`Node/${n.name}`, `Node ${quote(n.name)}`, n.source);
  for (const s of set.networkSets) {
    const what = s.namespace
      ? `NetworkSet ${quote(`${s.namespace}/${s.name}`)}`
      : `GlobalNetworkSet ${quote(s.name)}`;
    check(`NS/${s.namespace ?? ''}/${s.name}`, what, s.source);
  }
  for (const h of set.hostEndpoints)
    check(`HEP/${h.name}`, `HostEndpoint ${quote(h.name)}`, h.source);
  for (const p of set.policies) {
    const id = p.ref.namespace ? `${p.ref.namespace}/${p.ref.name}` : p.ref.name;
    check(`P/${p.ref.kind}/${id}`, `${p.ref.kind} ${quote(id)}`, p.source);
  }
}

/** Built-in tiers plus Tier resources; a built-in's position cannot be moved. */
function mergeTiers(declared: Tier[], issues: Issue[]): Tier[] {
  const out = new Map<string, Tier>(BUILTIN_TIERS.map((t) => [t.name, t]));
  for (const t of declared) {
    const builtIn = out.get(t.name);
    if (
      builtIn &&
      builtIn.builtIn &&
      t.name !== 'security' &&
      t.order !== undefined &&
      t.order !== builtIn.order
    ) {
      issues.push({
        code: 'tier.reserved',
        severity: 'error',
        message: `tier ${quote(t.name)} is built in at order ${builtIn.order}; it cannot be given order ${t.order}`,
        ...(t.source ? { file: t.source.file, doc: t.source.doc } : {}),
        path: 'spec.order',
      });
      continue;
    }
    out.set(
      t.name,
      builtIn && t.order === undefined && t.name !== 'security'
        ? { ...t, order: builtIn.order }
        : t,
    );
  }
  return [...out.values()];
}

/** A pod or policy in a namespace with no Namespace object: assume one, as the API would have it. */
function implicitNamespaces(set: PolicySet, issues: Issue[]): void {
  const have = new Set(set.namespaces.map((n) => n.name));
  const refs: Array<[string, SourceRef]> = [
    ...set.pods.map((p): [string, SourceRef] => [p.namespace, p.source]),
    ...set.policies
      .filter((p) => p.ref.namespace)
      .map((p): [string, SourceRef] => [p.ref.namespace as string, p.source]),
    ...set.networkSets
      .filter((s) => s.namespace)
      .map((s): [string, SourceRef] => [s.namespace as string, s.source]),
  ];
  for (const [ns, source] of refs) {
    if (have.has(ns)) continue;
    have.add(ns);
    set.namespaces.push({
      name: ns,
      labels: new Map([['kubernetes.io/metadata.name', ns]]),
      source,
    });
    issues.push({
      code: 'namespace.implicit',
      severity: 'warning',
      message: `namespace ${quote(ns)} has no Namespace object; assuming one with no labels but kubernetes.io/metadata.name`,
      file: source.file,
      doc: source.doc,
      path: 'metadata.namespace',
    });
  }
}
