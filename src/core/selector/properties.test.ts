import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printSelector, sortUnique, type SelectorNode } from './ast.js';
import { compileSelector, type LabelSource } from './compile.js';
import { parseSelector } from './parser.js';
import { selectorFromNode } from './selector.js';
import { tokenize, type Token } from './tokenizer.js';

// Few keys and values, so random selectors and label maps actually meet.
const key = fc.oneof(
  fc.constantFrom('a', 'b', 'app.kubernetes.io/name'),
  fc.stringMatching(/^[a-zA-Z0-9_./-]{1,12}$/),
);
const value = fc
  .oneof(
    fc.constantFrom('', 'x', 'y', 'xy', "it's", 'say "hi"', '😀', 'a b\nc'),
    fc.string({ unit: 'binary', maxLength: 6 }),
  )
  .filter((v) => !(v.includes('"') && v.includes("'"))); // Calico cannot write such a value.
const values = fc.array(value, { maxLength: 4 });
const comparison = fc.constantFrom('eq', 'neq', 'contains', 'startswith', 'endswith');

const leaf: fc.Arbitrary<SelectorNode> = fc.oneof(
  fc.constant<SelectorNode>({ kind: 'all' }),
  fc.constant<SelectorNode>({ kind: 'global' }),
  key.map((k): SelectorNode => ({ kind: 'has', key: k })),
  fc.record({ kind: comparison, key, value }),
  fc.record({ kind: fc.constantFrom('in', 'notin'), key, values: values.map(sortUnique) }),
);

/** ASTs the parser can produce and print back exactly (`!!x` it would read as `x`). */
const parserShaped = fc.letrec<{ node: SelectorNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('node')
      .filter((n) => n.kind !== 'not')
      .map((operand): SelectorNode => ({ kind: 'not', operand })),
    fc.record({
      kind: fc.constantFrom('and', 'or'),
      operands: fc.array(tie('node'), { minLength: 2, maxLength: 4 }),
    }),
  ),
})).node;

/** Any AST, including shapes only hand-built ones have. */
const anyShape = fc.letrec<{ node: SelectorNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constantFrom('in', 'notin'), key, values }),
    tie('node').map((operand): SelectorNode => ({ kind: 'not', operand })),
    fc.record({
      kind: fc.constantFrom('and', 'or'),
      operands: fc.array(tie('node'), { maxLength: 4 }),
    }),
  ),
})).node;

const labelMap = fc
  .dictionary(key, value, { maxKeys: 4 })
  .map((d): LabelSource => new Map(Object.entries(d)));

// Calico's semantics written as plainly as possible, to check the compiled closures against.
function evaluate(node: SelectorNode, labels: LabelSource): boolean {
  switch (node.kind) {
    case 'all':
    case 'global':
      return true;
    case 'not':
      return !evaluate(node.operand, labels);
    case 'and':
      return node.operands.every((op) => evaluate(op, labels));
    case 'or':
      return node.operands.some((op) => evaluate(op, labels));
    case 'has':
      return labels.get(node.key) !== undefined;
  }
  const v = labels.get(node.key);
  if (v === undefined) return node.kind === 'neq' || node.kind === 'notin';
  switch (node.kind) {
    case 'eq':
      return v === node.value;
    case 'neq':
      return v !== node.value;
    case 'contains':
      return v.includes(node.value);
    case 'startswith':
      return v.startsWith(node.value);
    case 'endswith':
      return v.endsWith(node.value);
    case 'in':
      return node.values.includes(v);
    case 'notin':
      return !node.values.includes(v);
  }
}

function parse(text: string) {
  const result = parseSelector(text);
  if (!result.ok) throw new Error(`${JSON.stringify(text)}: ${result.error.message}`);
  return result.selector;
}

const ws = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 3 }).map((a) => a.join(''));
const wsPool = fc.array(ws, { minLength: 16, maxLength: 16 });

/** The same tokens with extra spaces and tabs wherever Calico skips them. */
function respace(text: string, pool: string[]): string {
  const result = tokenize(text);
  if (!result.ok) throw new Error(result.error.message);
  let n = 0;
  const next = (): string => pool[n++ % pool.length]!;
  const render = (t: Token): string => {
    switch (t.kind) {
      case 'has':
        return `has(${next()}${t.value}${next()})`;
      case 'all':
      case 'global':
        return `${t.kind}(${next()})`;
      case 'startswith':
        return `starts${next()}with`;
      case 'endswith':
        return `ends${next()}with`;
      case 'notin':
        return `not${next()}in`;
      default:
        return text.slice(t.span.start, t.span.end);
    }
  };
  let out = next();
  let last = 0;
  for (const t of result.tokens) {
    out += text.slice(last, t.span.start) + next() + render(t);
    last = t.span.end;
  }
  return out;
}

describe('properties', () => {
  it('canonical text parses back to the same AST and canonical text', () => {
    fc.assert(
      fc.property(parserShaped, (ast) => {
        const canonical = printSelector(ast);
        const sel = parse(canonical);
        expect(sel.ast).toEqual(ast);
        expect(sel.canonical).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it('compiled predicates agree with a plain evaluator, before and after a round trip', () => {
    fc.assert(
      fc.property(anyShape, fc.array(labelMap, { maxLength: 8 }), (ast, maps) => {
        const direct = compileSelector(ast);
        const again = parse(selectorFromNode(ast).canonical);
        for (const labels of maps) {
          const expected = evaluate(ast, labels);
          expect(direct(labels)).toBe(expected);
          expect(again.matches(labels)).toBe(expected);
        }
      }),
    );
  });

  it('one parse reaches the fixpoint, even from shapes like !!x', () => {
    fc.assert(
      fc.property(anyShape, (ast) => {
        const once = parse(selectorFromNode(ast).canonical).canonical;
        expect(parse(once).canonical).toBe(once);
      }),
    );
  });

  it('extra spaces and tabs between tokens do not change the meaning', () => {
    fc.assert(
      fc.property(parserShaped, wsPool, fc.array(labelMap, { maxLength: 4 }), (ast, pool, maps) => {
        const canonical = printSelector(ast);
        const spaced = parse(respace(canonical, pool));
        expect(spaced.canonical).toBe(canonical);
        const original = parse(canonical);
        for (const labels of maps) expect(spaced.matches(labels)).toBe(original.matches(labels));
      }),
    );
  });

  it('never throws, whatever the input', () => {
    const alphabet = fc.constantFrom(...'ab ()!=&|{},"\'\t\nhasl()inotcwrg'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 30 }), (text) => {
        const result = parseSelector(text);
        if (result.ok) return;
        const { span } = result.error;
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeGreaterThanOrEqual(span.start);
        expect(span.end).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});
