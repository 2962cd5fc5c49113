// The neutral form both Kubernetes targets (ClusterNetworkPolicy v1alpha2, AdminNetworkPolicy
// v1alpha1) are rendered from: policies with a pod subject, a priority and ordered rules whose
// peers are pods, networks or domain names. Selectors are kept as conjunctions until output.
import type { Direction } from '../model/types.js';
import type { RuleOrigin } from '../zones/program.js';
import type { Conj } from './k8s-selectors.js';

export type KubeAction = 'Allow' | 'Deny' | 'Pass';
export type KubeProtocol = 'TCP' | 'UDP' | 'SCTP';

export type KubePeer =
  /** Pods matching `pods` in namespaces matching `namespaces`. */
  | { kind: 'pods'; namespaces: Conj; pods: Conj }
  | { kind: 'networks'; cidrs: readonly string[] }
  | { kind: 'domains'; names: readonly string[] };

export type KubePort =
  | { kind: 'range'; protocol: KubeProtocol; start: number; end: number }
  /** A named container port, in whatever protocol the pod declares it. */
  | { kind: 'named'; name: string };

/** `all`: every protocol and port; a list: any of these (empty: nothing). */
export type KubePorts = 'all' | readonly KubePort[];

export interface KubeRule {
  name: string;
  action: KubeAction;
  /** Which members the rule applies to (alternatives; `[[]]`: all). */
  local: readonly Conj[];
  peers: readonly KubePeer[];
  ports: KubePorts;
}

export interface KubeSubject {
  namespaces: Conj;
  pods: Conj;
}

export interface KubePolicy {
  name: string;
  /** The zone, or undefined for pods in no declared zone. */
  zone: string | undefined;
  priority: number;
  subject: KubeSubject;
  ingress: readonly KubeRule[];
  egress: readonly KubeRule[];
}

/** What one target can hold. */
export interface KubeFlavor {
  kind: 'ClusterNetworkPolicy' | 'AdminNetworkPolicy';
  maxRules: number;
  maxPeers: number;
  maxPorts: number;
  /** Egress `domainNames` peers (Accept rules only). */
  domainNames: boolean;
}

/**
 * A form of something that may not be expressible: `under` selects a subset of it, `over` a
 * superset (undefined: no expressible superset); both are exact when `reasons` is empty.
 */
export interface Forms<T> {
  under: T;
  over: T | undefined;
  reasons: string[];
}

/** How a rule that could not be expressed faithfully was rendered. */
export type Outcome =
  'narrowed' | 'widened' | 'pass-narrowed' | 'pass-split' | 'outside-allow' | 'unenforced' | 'log';

export interface Problem {
  origin: RuleOrigin;
  dir: Direction;
  zone: string | undefined;
  reason: string;
  outcome: Outcome;
}

/** Every IPv4 and IPv6 address. */
export const ALL_NETWORKS: readonly string[] = ['0.0.0.0/0', '::/0'];

/** Split a list into pieces of at most `n`. */
export function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** Reasons of several forms, each once, in order. */
export function mergeReasons(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}
