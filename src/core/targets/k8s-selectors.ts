// Calico selector ASTs as Kubernetes label selectors. A Kubernetes selector is a conjunction of
// `In`, `NotIn`, `Exists` and `DoesNotExist` terms, so a Calico selector becomes a disjunction
// of such conjunctions (DNF: one peer or subject per term). What has no Kubernetes form
// (`contains`, `starts with`, `ends with`, `global()`, Calico's own `projectcalico.org/` labels,
// too many alternatives) is reported, with the nearest expressible narrower and wider forms.
//
// Semantics are kept exactly: Calico `k == v` and `k in {...}` need the key, like `In`; Calico
// `k != v` and `k not in {...}` also match a pod without the key, like `NotIn`.
import { labelKeyProblem, labelValueProblem } from '../model/k8s-meta.js';
import { printSelector } from '../selector/index.js';
import type { SelectorNode } from '../selector/index.js';

/** The most alternatives (DNF terms) one selector may expand to. */
export const MAX_DNF_TERMS = 16;

/** One expressible condition on a label key. */
export type Literal =
  | { op: 'In' | 'NotIn'; key: string; values: readonly string[] }
  | { op: 'Exists' | 'DoesNotExist'; key: string };

/** A conjunction of literals; `[]` selects everything. */
export type Conj = readonly Literal[];

export interface LabelSelectorRequirement {
  key: string;
  operator: Literal['op'];
  values?: string[];
}

/** A Kubernetes `metav1.LabelSelector`; `{}` selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * A selector as alternatives of conjunctions. `under` selects a subset of what the selector
 * selects, `over` a superset; both are the selector itself when `reasons` is empty (exact).
 * `[]` selects nothing, `[[]]` everything.
 */
export interface SelectorForms {
  under: Conj[];
  over: Conj[];
  reasons: string[];
}

/** A literal Kubernetes cannot state, kept with its polarity until it is approximated. */
type Raw = { op: 'Raw'; node: SelectorNode; negated: boolean };
type Lit = Literal | Raw;

class TooComplex extends Error {}

const CALICO_PREFIX = 'projectcalico.org/';

const TRUE: Lit[][] = [[]];
const FALSE: Lit[][] = [];

function literal(node: SelectorNode, negated: boolean): Lit[][] {
  if ('key' in node && node.key.startsWith(CALICO_PREFIX)) return [[{ op: 'Raw', node, negated }]];
  switch (node.kind) {
    case 'all':
      return negated ? FALSE : TRUE;
    case 'eq':
    case 'neq': {
      const positive = (node.kind === 'eq') !== negated;
      return [[{ op: positive ? 'In' : 'NotIn', key: node.key, values: [node.value] }]];
    }
    case 'in':
    case 'notin': {
      const positive = (node.kind === 'in') !== negated;
      return [[{ op: positive ? 'In' : 'NotIn', key: node.key, values: node.values }]];
    }
    case 'has':
      return [[{ op: negated ? 'DoesNotExist' : 'Exists', key: node.key }]];
    default:
      return [[{ op: 'Raw', node, negated }]];
  }
}

function product(a: Lit[][], b: Lit[][]): Lit[][] {
  if (a.length * b.length > MAX_DNF_TERMS) throw new TooComplex();
  return a.flatMap((x) => b.map((y) => [...x, ...y]));
}

/** Negation normal form, then distribution of `&&` over `||`. */
function dnf(node: SelectorNode, negated: boolean): Lit[][] {
  if (node.kind === 'not') return dnf(node.operand, !negated);
  if (node.kind !== 'and' && node.kind !== 'or') return literal(node, negated);
  const parts = node.operands.map((op) => dnf(op, negated));
  if ((node.kind === 'or') !== negated) {
    const out = parts.flat();
    if (out.length > MAX_DNF_TERMS) throw new TooComplex();
    return out;
  }
  return parts.reduce(product, TRUE);
}

/** A literal on a key Kubernetes cannot hold, or with values it cannot hold, decided exactly. */
function settle(l: Literal): Literal | boolean {
  // A pod's labels are valid Kubernetes labels: an invalid key or value is never present.
  if (labelKeyProblem(l.key) !== undefined) return l.op === 'NotIn' || l.op === 'DoesNotExist';
  if (l.op !== 'In' && l.op !== 'NotIn') return l;
  const values = [...new Set(l.values)].filter((v) => labelValueProblem(v) === undefined).sort();
  if (values.length === 0) return l.op === 'NotIn';
  return { op: l.op, key: l.key, values };
}

interface LitForms {
  under: Literal | boolean;
  over: Literal | boolean;
  reason?: string;
}

function rawForms(r: Raw): LitForms {
  const text = printSelector(r.negated ? { kind: 'not', operand: r.node } : r.node);
  const n = r.node;
  if ('key' in n && n.key.startsWith(CALICO_PREFIX)) {
    const reason = `${JSON.stringify(n.key)} is a label Calico adds, not a Kubernetes label`;
    return { under: false, over: true, reason: `${text}: ${reason}` };
  }
  if (n.kind !== 'contains' && n.kind !== 'startswith' && n.kind !== 'endswith') {
    const why = n.kind === 'global' ? 'global() has no Kubernetes form' : 'no Kubernetes form';
    return { under: false, over: true, reason: `${text}: ${why}` };
  }
  // A key Kubernetes cannot hold is never on a pod: the literal is decided exactly.
  if (labelKeyProblem(n.key) !== undefined) return { under: r.negated, over: r.negated };
  if (n.value === '') {
    // Every value contains, starts and ends with "": only the key's presence is tested.
    return exactForms({ op: r.negated ? 'DoesNotExist' : 'Exists', key: n.key });
  }
  const reason = `${text}: Kubernetes label selectors cannot match part of a value`;
  const eq = settle({ op: r.negated ? 'NotIn' : 'In', key: n.key, values: [n.value] });
  const presence = settle({ op: r.negated ? 'DoesNotExist' : 'Exists', key: n.key });
  // `k contains v` holds for k == v and needs k; `!(k contains v)` holds without k, needs k != v.
  return r.negated ? { under: presence, over: eq, reason } : { under: eq, over: presence, reason };
}

function exactForms(l: Literal): LitForms {
  const s = settle(l);
  return { under: s, over: s };
}

function litForms(l: Lit): LitForms {
  return l.op === 'Raw' ? rawForms(l) : exactForms(l);
}

/** A conjunction of settled literals, or undefined when it is false. */
function conjOf(items: Array<Literal | boolean>): Conj | undefined {
  if (items.includes(false)) return undefined;
  const lits = items.filter((x): x is Literal => typeof x !== 'boolean');
  return satisfiable(lits) ? sortConj(lits) : undefined;
}

function dedupe(terms: Array<Conj | undefined>): Conj[] {
  const seen = new Map<string, Conj>();
  for (const t of terms) if (t) seen.set(JSON.stringify(t), t);
  const out = [...seen.values()];
  // An empty conjunction selects everything: the other terms add nothing.
  return out.some((t) => t.length === 0) ? [[]] : out;
}

/** Convert a Calico selector AST into Kubernetes label-selector alternatives. */
export function convertSelector(node: SelectorNode): SelectorForms {
  let terms: Lit[][];
  try {
    terms = dnf(node, false);
  } catch (e) {
    if (!(e instanceof TooComplex)) throw e;
    const reason = `${printSelector(node)}: more than ${MAX_DNF_TERMS} alternatives`;
    return { under: [], over: [[]], reasons: [reason] };
  }
  const reasons: string[] = [];
  const under: Array<Conj | undefined> = [];
  const over: Array<Conj | undefined> = [];
  for (const term of terms) {
    const forms = term.map(litForms);
    for (const f of forms) if (f.reason && !reasons.includes(f.reason)) reasons.push(f.reason);
    under.push(conjOf(forms.map((f) => f.under)));
    over.push(conjOf(forms.map((f) => f.over)));
  }
  return { under: dedupe(under), over: dedupe(over), reasons };
}

/** Both conjunctions, or undefined when no pod can satisfy both. */
export function conjoin(a: Conj, b: Conj): Conj | undefined {
  const all = [...a, ...b];
  return satisfiable(all) ? sortConj(all) : undefined;
}

interface KeyState {
  in?: Set<string>;
  notIn: Set<string>;
  exists: boolean;
  absent: boolean;
}

/** False when the literals contradict each other on some key. */
function satisfiable(lits: Conj): boolean {
  const keys = new Map<string, KeyState>();
  for (const l of lits) {
    const s = keys.get(l.key) ?? { notIn: new Set<string>(), exists: false, absent: false };
    keys.set(l.key, s);
    if (l.op === 'Exists') s.exists = true;
    else if (l.op === 'DoesNotExist') s.absent = true;
    else if (!('values' in l)) continue;
    else if (l.op === 'NotIn') for (const v of l.values) s.notIn.add(v);
    else {
      const before = s.in;
      s.in = new Set(l.values.filter((v) => !before || before.has(v)));
    }
  }
  for (const s of keys.values()) {
    if (s.absent && (s.exists || s.in)) return false;
    if (s.in && [...s.in].every((v) => s.notIn.has(v))) return false;
  }
  return true;
}

function sortConj(lits: Conj): Conj {
  const key = (l: Literal): string => JSON.stringify([l.key, l.op, 'values' in l ? l.values : []]);
  const unique = new Map(lits.map((l) => [key(l), l]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}

/** A conjunction as a `metav1.LabelSelector`: single-value `In` as matchLabels where it can. */
export function labelSelector(c: Conj): LabelSelector {
  const labels = new Map<string, string>();
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const l of c) {
    const one = l.op === 'In' && l.values.length === 1 ? l.values[0] : undefined;
    if (one !== undefined && !labels.has(l.key)) labels.set(l.key, one);
    else if (l.op === 'In' || l.op === 'NotIn')
      matchExpressions.push({ key: l.key, operator: l.op, values: [...l.values] });
    else matchExpressions.push({ key: l.key, operator: l.op });
  }
  return {
    ...(labels.size > 0 ? { matchLabels: Object.fromEntries(labels) } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}
