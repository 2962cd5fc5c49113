import type { SelectorNode } from './ast.js';

/** Where label values come from; a Map<string, string> satisfies it. */
export interface LabelSource {
  get(key: string): string | undefined;
}

/** A compiled selector: true when the labels match. */
export type Predicate = (labels: LabelSource) => boolean;

const always: Predicate = () => true;
const never: Predicate = () => false;

// Absent labels follow Calico's ast.go: `!=` and `not in` match them, every other test does not.
function compileComparison(node: Extract<SelectorNode, { value: string }>): Predicate {
  const { key, value } = node;
  switch (node.kind) {
    case 'eq':
      return (labels) => labels.get(key) === value;
    case 'neq':
      return (labels) => labels.get(key) !== value;
    case 'contains':
      return (labels) => labels.get(key)?.includes(value) === true;
    case 'startswith':
      return (labels) => labels.get(key)?.startsWith(value) === true;
    case 'endswith':
      return (labels) => labels.get(key)?.endsWith(value) === true;
  }
}

function compileSet(node: Extract<SelectorNode, { values: readonly string[] }>): Predicate {
  const { key, values } = node;
  const negate = node.kind === 'notin';
  if (values.length === 0) return negate ? always : never;
  if (values.length === 1) {
    const only = values[0];
    return negate ? (labels) => labels.get(key) !== only : (labels) => labels.get(key) === only;
  }
  const set: ReadonlySet<string | undefined> = new Set(values);
  return negate ? (labels) => !set.has(labels.get(key)) : (labels) => set.has(labels.get(key));
}

function compileAnd(all: Predicate[]): Predicate {
  if (all.includes(never)) return never;
  const parts = all.filter((p) => p !== always);
  const [a, b, c] = parts;
  if (a === undefined) return always;
  if (b === undefined) return a;
  if (parts.length === 2) return (labels) => a(labels) && b(labels);
  if (parts.length === 3 && c) return (labels) => a(labels) && b(labels) && c(labels);
  return (labels) => {
    for (const part of parts) if (!part(labels)) return false;
    return true;
  };
}

function compileOr(all: Predicate[]): Predicate {
  if (all.includes(always)) return always;
  const parts = all.filter((p) => p !== never);
  const [a, b, c] = parts;
  if (a === undefined) return never;
  if (b === undefined) return a;
  if (parts.length === 2) return (labels) => a(labels) || b(labels);
  if (parts.length === 3 && c) return (labels) => a(labels) || b(labels) || c(labels);
  return (labels) => {
    for (const part of parts) if (part(labels)) return true;
    return false;
  };
}

function compileNot(operand: SelectorNode): Predicate {
  // `!!x` is x; `!all()` is Calico's NoMatch.
  if (operand.kind === 'not') return compileSelector(operand.operand);
  const inner = compileSelector(operand);
  if (inner === always) return never;
  if (inner === never) return always;
  return (labels) => !inner(labels);
}

/** Compile a selector AST to a predicate once, so matching walks no AST. */
export function compileSelector(node: SelectorNode): Predicate {
  switch (node.kind) {
    case 'all':
    case 'global':
      return always;
    case 'has': {
      const { key } = node;
      return (labels) => labels.get(key) !== undefined;
    }
    case 'in':
    case 'notin':
      return compileSet(node);
    case 'not':
      return compileNot(node.operand);
    case 'and':
      return compileAnd(node.operands.map(compileSelector));
    case 'or':
      return compileOr(node.operands.map(compileSelector));
    default:
      return compileComparison(node);
  }
}
