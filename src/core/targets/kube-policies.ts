// A side's Kubernetes rules as policies. These rules have no "local" narrowing of their own, so
// a run of rules narrowed alike becomes a policy whose subject is the membership path AND the
// narrowing; the runs follow each other at increasing priorities, so a pod meets exactly the
// rules that apply to it, in order. A narrowing with alternatives (`||`) gives one policy per
// alternative, each at its own priority: a pod matching two meets the same rules twice, and the
// second copy can only decide what the first left undecided, which is nothing. Policies of
// different zones (and membership paths) select disjoint pods, so they share priorities: the
// band holds as many priorities as the longest sequence of runs, not one per policy.
import type { MemberPath, SideProgram } from '../zones/program.js';
import { conjoin, convertSelector } from './k8s-selectors.js';
import type { Conj } from './k8s-selectors.js';
import type { KubeFlavor, KubePolicy, KubeRule, KubeSubject } from './kube-ir.js';
import { safeName } from './names.js';

const PATH_NAMES = ['pod-label', 'namespace-label', 'default'];

interface Run {
  key: string;
  local: readonly Conj[];
  rules: KubeRule[];
}

/** One priority step: the ingress and egress runs there (merged when narrowed alike). */
interface Step {
  runs: Array<{ dir?: 'ingress' | 'egress'; run: Run; ingress: KubeRule[]; egress: KubeRule[] }>;
}

/** Consecutive rules narrowed alike, at most `max` per run. */
function runs(rules: readonly KubeRule[], max: number): Run[] {
  const out: Run[] = [];
  for (const r of rules) {
    const key = JSON.stringify(r.local);
    const last = out[out.length - 1];
    if (last && last.key === key && last.rules.length < max) last.rules.push(r);
    else out.push({ key, local: r.local, rules: [r] });
  }
  return out;
}

function steps(ingress: Run[], egress: Run[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < Math.max(ingress.length, egress.length); i++) {
    const a = ingress[i];
    const b = egress[i];
    if (a && b && a.key === b.key) {
      out.push({ runs: [{ run: a, ingress: a.rules, egress: b.rules }] });
      continue;
    }
    const step: Step = { runs: [] };
    if (a) step.runs.push({ dir: 'ingress', run: a, ingress: a.rules, egress: [] });
    if (b) step.runs.push({ dir: 'egress', run: b, ingress: [], egress: b.rules });
    out.push(step);
  }
  return out;
}

/** A membership path as a subject: always one conjunction on each side. */
export function pathSubject(m: MemberPath): KubeSubject {
  const one = (f: { under: Conj[]; reasons: string[] }): Conj => {
    const [c, ...rest] = f.under;
    if (!c || rest.length > 0 || f.reasons.length > 0) {
      throw new Error('zone program: a membership path must be one label-selector conjunction');
    }
    return c;
  };
  return {
    namespaces: m.namespace ? one(convertSelector(m.namespace)) : [],
    pods: one(convertSelector(m.pod)),
  };
}

export interface SideInput {
  side: SideProgram;
  ingress: readonly KubeRule[];
  egress: readonly KubeRule[];
  flavor: KubeFlavor;
  firstPriority: number;
}

/** How many priorities a step takes: one per alternative of its narrowing. */
function width(step: Step): number {
  return Math.max(1, ...step.runs.map((r) => r.run.local.length));
}

/** How many priorities a side needs. */
export function prioritiesNeeded(s: SideInput): number {
  const max = s.flavor.maxRules;
  return steps(runs(s.ingress, max), runs(s.egress, max)).reduce((n, st) => n + width(st), 0);
}

interface PathContext {
  input: SideInput;
  /** `zonewall.zone-dmz.pod-label`: the name of the side and membership path. */
  prefix: string;
  subject: KubeSubject;
}

/** The policies of one step for one membership path: a policy per run and narrowing term. */
function stepPolicies(
  c: PathContext,
  step: Step,
  at: { index: number; priority: number },
): KubePolicy[] {
  const out: KubePolicy[] = [];
  for (const { dir, run, ingress, egress } of step.runs) {
    run.local.forEach((term, j) => {
      const pods = conjoin(c.subject.pods, term);
      if (!pods) return; // the narrowing excludes every pod of this path
      const parts = [c.prefix, String(at.index), ...(dir ? [dir] : [])];
      if (run.local.length > 1) parts.push(`t${j}`);
      out.push({
        // A DNS subdomain: up to 253 characters, so a zone name is never cut.
        name: safeName(parts.join('.'), 253),
        zone: c.input.side.zone,
        priority: at.priority + j,
        subject: { namespaces: c.subject.namespaces, pods },
        ingress,
        egress,
      });
    });
  }
  return out;
}

/** The policies of one side: per membership path, per priority step, per narrowing term. */
export function sidePolicies(s: SideInput): KubePolicy[] {
  const max = s.flavor.maxRules;
  const all = steps(runs(s.ingress, max), runs(s.egress, max));
  const base = s.side.zone !== undefined ? `zone-${s.side.zone}` : 'unzoned';
  return s.side.members.flatMap((m, p) => {
    const prefix = `zonewall.${base}.${PATH_NAMES[p] ?? `path-${p}`}`;
    const c: PathContext = { input: s, prefix, subject: pathSubject(m) };
    let priority = s.firstPriority;
    return all.flatMap((step, index) => {
      const out = stepPolicies(c, step, { index, priority });
      priority += width(step);
      return out;
    });
  });
}
