import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  mapLabelKeys,
  normalizeNode,
  printSelector,
  sortUnique,
  usesGlobal,
  type SelectorNode,
} from './ast.js';

const has = (key: string): SelectorNode => ({ kind: 'has', key });
const eq = (key: string, value: string): SelectorNode => ({ kind: 'eq', key, value });

describe('printSelector', () => {
  it.each<[SelectorNode, string]>([
    [{ kind: 'all' }, 'all()'],
    [{ kind: 'global' }, 'global()'],
    [has('a/b'), 'has(a/b)'],
    [eq('a', 'x'), 'a == "x"'],
    [{ kind: 'neq', key: 'a', value: 'x' }, 'a != "x"'],
    [{ kind: 'contains', key: 'a', value: 'x' }, 'a contains "x"'],
    [{ kind: 'startswith', key: 'a', value: 'x' }, 'a starts with "x"'],
    [{ kind: 'endswith', key: 'a', value: 'x' }, 'a ends with "x"'],
    // Double quotes, unless the value holds one; nothing is ever escaped.
    [eq('a', `it's`), `a == "it's"`],
    [eq('a', `say "hi"`), `a == 'say "hi"'`],
    [eq('a', ''), 'a == ""'],
    [{ kind: 'in', key: 'a', values: ['b', '"', 'a', 'b'] }, `a in {'"', "a", "b"}`],
    [{ kind: 'notin', key: 'a', values: [] }, 'a not in {}'],
    // Junctions always print inside parentheses, even at the top; ! prints bare.
    [{ kind: 'and', operands: [has('a'), has('b')] }, '(has(a) && has(b))'],
    [{ kind: 'or', operands: [has('a'), has('b'), has('c')] }, '(has(a) || has(b) || has(c))'],
    [{ kind: 'not', operand: eq('a', 'x') }, '!a == "x"'],
    [{ kind: 'not', operand: { kind: 'not', operand: has('a') } }, '!!has(a)'],
    [
      {
        kind: 'not',
        operand: {
          kind: 'or',
          operands: [has('a'), { kind: 'and', operands: [has('b'), has('c')] }],
        },
      },
      '!(has(a) || (has(b) && has(c)))',
    ],
    // Shapes Calico never builds print as what they mean.
    [{ kind: 'and', operands: [] }, 'all()'],
    [{ kind: 'or', operands: [] }, '!all()'],
    [{ kind: 'and', operands: [has('a')] }, 'has(a)'],
  ])('%j -> %s', (node, text) => {
    expect(printSelector(node)).toBe(text);
  });
});

describe('mapLabelKeys', () => {
  it('renames every key and leaves values, all() and global() alone', () => {
    const node: SelectorNode = {
      kind: 'or',
      operands: [
        { kind: 'not', operand: { kind: 'in', key: 'a', values: ['a'] } },
        { kind: 'and', operands: [eq('b', 'b'), { kind: 'global' }, { kind: 'all' }] },
        { kind: 'startswith', key: 'c', value: 'c' },
      ],
    };
    expect(printSelector(mapLabelKeys(node, (k) => `p/${k}`))).toBe(
      '(!p/a in {"a"} || (p/b == "b" && global() && all()) || p/c starts with "c")',
    );
  });

  it('does not modify its input', () => {
    const node = eq('a', 'x');
    mapLabelKeys(node, (k) => k.toUpperCase());
    expect(node).toEqual(eq('a', 'x'));
  });
});

describe('normalizeNode', () => {
  it.each<[SelectorNode, SelectorNode]>([
    [
      { kind: 'in', key: 'a', values: ['y', 'x', 'y'] },
      { kind: 'in', key: 'a', values: ['x', 'y'] },
    ],
    [{ kind: 'and', operands: [has('a')] }, has('a')],
    [{ kind: 'and', operands: [] }, { kind: 'all' }],
    [
      { kind: 'or', operands: [] },
      { kind: 'not', operand: { kind: 'all' } },
    ],
    [
      { kind: 'not', operand: { kind: 'not', operand: has('a') } },
      { kind: 'not', operand: { kind: 'not', operand: has('a') } },
    ],
  ])('%j', (input, output) => {
    expect(normalizeNode(input)).toEqual(output);
  });
});

describe('usesGlobal', () => {
  it('finds global() at any depth', () => {
    expect(usesGlobal({ kind: 'global' })).toBe(true);
    expect(
      usesGlobal({
        kind: 'not',
        operand: { kind: 'and', operands: [has('a'), { kind: 'global' }] },
      }),
    ).toBe(true);
    expect(usesGlobal({ kind: 'or', operands: [has('a'), { kind: 'all' }] })).toBe(false);
  });
});

describe('code point order', () => {
  it('orders as UTF-8 bytes do', () => {
    const values = ['😀', '\uff01', 'b', 'a', 'ab', '', 'é'];
    const bytes = (s: string): string =>
      Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('');
    const byUtf8 = [...values].sort((x, y) =>
      bytes(x) < bytes(y) ? -1 : bytes(x) > bytes(y) ? 1 : 0,
    );
    expect([...values].sort(compareCodePoints)).toEqual(byUtf8);
  });

  it('de-duplicates', () => {
    expect(sortUnique(['z', 'z', 'x', 'y', 'x', 'a'])).toEqual(['a', 'x', 'y', 'z']);
  });
});
