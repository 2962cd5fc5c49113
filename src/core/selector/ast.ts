/** A parsed selector, shaped like Calico's AST (no flattening: grouping is kept). */
export type SelectorNode =
  | { kind: 'all' }
  | { kind: 'global' }
  | { kind: 'eq' | 'neq' | 'contains' | 'startswith' | 'endswith'; key: string; value: string }
  | { kind: 'in' | 'notin'; key: string; values: readonly string[] }
  | { kind: 'has'; key: string }
  | { kind: 'not'; operand: SelectorNode }
  | { kind: 'and' | 'or'; operands: readonly SelectorNode[] };

/** Order by Unicode code point, i.e. by UTF-8 bytes, as Go compares strings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// UTF-16 puts surrogates (U+10000 and above) below U+E000..U+FFFF; code point order does not.
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Sorted and de-duplicated, as Calico's ConvertToStringSetInPlace. */
export function sortUnique(values: readonly string[]): string[] {
  const sorted = [...values].sort(compareCodePoints);
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}

const BINARY_OPS = {
  eq: ' == ',
  neq: ' != ',
  contains: ' contains ',
  startswith: ' starts with ',
  endswith: ' ends with ',
} as const;

/** Calico never escapes: single quotes only when the value holds a double quote. */
function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

function emitJunction(
  node: { kind: 'and' | 'or'; operands: readonly SelectorNode[] },
  out: string[],
): void {
  const [first, ...rest] = node.operands;
  if (first === undefined) {
    // Calico cannot build an empty junction; print what it means (and: true, or: false).
    out.push(node.kind === 'and' ? 'all()' : '!all()');
    return;
  }
  if (rest.length === 0) return emit(first, out);
  out.push('(');
  emit(first, out);
  for (const operand of rest) {
    out.push(node.kind === 'and' ? ' && ' : ' || ');
    emit(operand, out);
  }
  out.push(')');
}

function emit(node: SelectorNode, out: string[]): void {
  switch (node.kind) {
    case 'all':
    case 'global':
      out.push(`${node.kind}()`);
      return;
    case 'has':
      out.push(`has(${node.key})`);
      return;
    case 'in':
    case 'notin':
      out.push(
        `${node.key} ${node.kind === 'in' ? 'in' : 'not in'} {`,
        sortUnique(node.values).map(quote).join(', '),
        '}',
      );
      return;
    case 'not':
      out.push('!');
      return emit(node.operand, out);
    case 'and':
    case 'or':
      return emitJunction(node, out);
    default:
      out.push(node.key, BINARY_OPS[node.kind], quote(node.value));
  }
}

/** Print a selector in Calico's canonical form (Selector.String()). */
export function printSelector(node: SelectorNode): string {
  const out: string[] = [];
  emit(node, out);
  return out.join('');
}

/** Rename every label key, like Calico's PrefixVisitor (which only ever prepends a prefix). */
export function mapLabelKeys(node: SelectorNode, f: (key: string) => string): SelectorNode {
  switch (node.kind) {
    case 'all':
    case 'global':
      return node;
    case 'not':
      return { kind: 'not', operand: mapLabelKeys(node.operand, f) };
    case 'and':
    case 'or':
      return { kind: node.kind, operands: node.operands.map((op) => mapLabelKeys(op, f)) };
    default:
      return { ...node, key: f(node.key) };
  }
}

/**
 * Bring a hand-built AST to a shape Calico can hold: sets sorted and de-duplicated (its StringSet
 * always is), one-operand junctions unwrapped and empty ones replaced by what they mean (its parser
 * never builds either). `!!x` is kept: Calico's parser builds it from `!(!x)` and prints it as is.
 */
export function normalizeNode(node: SelectorNode): SelectorNode {
  switch (node.kind) {
    case 'in':
    case 'notin':
      return { kind: node.kind, key: node.key, values: sortUnique(node.values) };
    case 'not':
      return { kind: 'not', operand: normalizeNode(node.operand) };
    case 'and':
    case 'or': {
      const operands = node.operands.map(normalizeNode);
      if (operands.length === 1) return operands[0]!;
      if (operands.length === 0) {
        return node.kind === 'and' ? { kind: 'all' } : { kind: 'not', operand: { kind: 'all' } };
      }
      return { kind: node.kind, operands };
    }
    default:
      return node;
  }
}

/** Whether `global()` occurs anywhere in the selector. */
export function usesGlobal(node: SelectorNode): boolean {
  switch (node.kind) {
    case 'global':
      return true;
    case 'not':
      return usesGlobal(node.operand);
    case 'and':
    case 'or':
      return node.operands.some(usesGlobal);
    default:
      return false;
  }
}
