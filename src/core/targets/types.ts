// What every target renderer takes and returns. A renderer turns a compiled zone program into
// manifests for one enforcement point, deterministically (stable order and names), and says
// what it could not express.
import type { Issue } from '../model/issues.js';
import type { Namespace } from '../model/types.js';
import type { ZoneProgram } from '../zones/program.js';

export type TargetName = 'calico' | 'cnp' | 'anp' | 'nftables';
export const TARGETS: readonly TargetName[] = ['calico', 'cnp', 'anp', 'nftables'];

/** A Kubernetes object as plain data, ready to be written as YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
}

export interface CompileOptions {
  /**
   * When a rule cannot be expressed: false (default) fails with an issue naming the rule and
   * the target; true approximates safely (a deny widened, an allow narrowed, never the other
   * way) and reports each approximation as a warning.
   */
  approximate: boolean;
  /** ClusterNetworkPolicy / AdminNetworkPolicy priority band: [first, last] (0-1000). */
  priorityBand?: [number, number];
  /** The cluster's namespaces, when known: pool annotations are emitted for zoned namespaces. */
  namespaces?: readonly Namespace[];
}

export interface CompileResult {
  manifests: Manifest[];
  /** Errors (nothing faithful could be emitted) and warnings (approximations, notes). */
  issues: Issue[];
}

/** Labels zonewall sets on everything it generates, so it can find (and prune) its own objects. */
export const GENERATED_LABELS = { 'app.kubernetes.io/managed-by': 'zonewall' } as const;

/** Annotation naming the ZonePolicy rule a generated rule or object comes from. */
export const RULE_ANNOTATION = 'zonewall.io/rule';

/** A target renderer. */
export type Renderer = (prog: ZoneProgram, opts: CompileOptions) => CompileResult;
