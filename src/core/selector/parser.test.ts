import { describe, expect, it } from 'vitest';
import type { SelectorNode } from './ast.js';
import { MAX_PAREN_DEPTH, normalizeSelector, parseSelector } from './parser.js';

function ast(text: string): SelectorNode {
  const result = parseSelector(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.selector.ast;
}

const eq = (key: string, value: string): SelectorNode => ({ kind: 'eq', key, value });
const has = (key: string): SelectorNode => ({ kind: 'has', key });
const not = (operand: SelectorNode): SelectorNode => ({ kind: 'not', operand });
const and = (...operands: SelectorNode[]): SelectorNode => ({ kind: 'and', operands });
const or = (...operands: SelectorNode[]): SelectorNode => ({ kind: 'or', operands });

describe('parseSelector: structure', () => {
  it.each<[string, SelectorNode]>([
    ['', { kind: 'all' }],
    [' \t', { kind: 'all' }],
    ['global()', { kind: 'global' }],
    ["a == 'x'", eq('a', 'x')],
    ['a != "x"', { kind: 'neq', key: 'a', value: 'x' }],
    ['a contains "x"', { kind: 'contains', key: 'a', value: 'x' }],
    ['a startswith "x"', { kind: 'startswith', key: 'a', value: 'x' }],
    ['a ends with "x"', { kind: 'endswith', key: 'a', value: 'x' }],
    // && binds tighter than ||.
    ['has(a) || has(b) && has(c)', or(has('a'), and(has('b'), has('c')))],
    ['has(a) && has(b) || has(c)', or(and(has('a'), has('b')), has('c'))],
    // Chains are n-ary; parentheses nest and are never flattened.
    ['has(a) && has(b) && has(c)', and(has('a'), has('b'), has('c'))],
    ['(has(a) && has(b)) && has(c)', and(and(has('a'), has('b')), has('c'))],
    ['((has(a)))', has('a')],
    // ! applies to the one operation after it, and runs of ! collapse by parity...
    ['!has(a) && has(b)', and(not(has('a')), has('b'))],
    ["!a == 'x'", not(eq('a', 'x'))],
    ['!!has(a)', has('a')],
    ['! ! !has(a)', not(has('a'))],
    // ...but only runs: a ! inside parentheses is a node of its own.
    ['!(!has(a))', not(not(has('a')))],
    ['!(has(a) || has(b))', not(or(has('a'), has('b')))],
    // Sets: sorted, de-duplicated, may be empty, may end with a comma; "notin" is "not in".
    ['a in {"b", "a", "b"}', { kind: 'in', key: 'a', values: ['a', 'b'] }],
    ['a in {}', { kind: 'in', key: 'a', values: [] }],
    ['a notin {"x",}', { kind: 'notin', key: 'a', values: ['x'] }],
  ])('%j', (text, expected) => {
    expect(ast(text)).toEqual(expected);
  });

  it('sorts set values by code point, as Go compares strings', () => {
    // UTF-16 order would put the emoji (a surrogate pair) before U+FF01.
    expect(ast('a in {"😀", "！", "z"}')).toEqual({
      kind: 'in',
      key: 'a',
      values: ['z', '！', '😀'],
    });
  });

  it('keeps the text as given', () => {
    const result = parseSelector(' has(a) ');
    expect(result.ok && result.selector.text).toBe(' has(a) ');
  });
});

describe('parseSelector: errors', () => {
  it.each<[string, string, [number, number], string[]]>([
    ['a == b', "expected a quoted value after '==' at column 6, found 'b'", [5, 6], ['string']],
    [
      'a starts with b',
      "expected a quoted value after 'starts with' at column 15, found 'b'",
      [14, 15],
      ['string'],
    ],
    ['a not in x', "expected '{' after 'not in' at column 10, found 'x'", [9, 10], ['lbrace']],
    ['a in "x"', `expected '{' after 'in' at column 6, found '"x"'`, [5, 8], ['lbrace']],
    [
      'a b',
      "expected an operator ('==', '!=', 'in', 'not in', 'contains', 'starts with' or 'ends with') after label 'a' at column 3, found 'b'",
      [2, 3],
      ['eq', 'ne', 'in', 'notin', 'contains', 'startswith', 'endswith'],
    ],
    [
      'app',
      "expected an operator ('==', '!=', 'in', 'not in', 'contains', 'starts with' or 'ends with') after label 'app' at column 4, found end of input",
      [3, 3],
      ['eq', 'ne', 'in', 'notin', 'contains', 'startswith', 'endswith'],
    ],
    [
      "'b1' == b",
      `expected '(', a label name, 'has(...)', 'all()' or 'global()' at column 1, found "'b1'"`,
      [0, 4],
      ['not', 'lparen', 'label', 'has', 'all', 'global'],
    ],
    [
      'has(a) &&',
      "expected '(', a label name, 'has(...)', 'all()' or 'global()' at column 10, found end of input",
      [9, 9],
      ['not', 'lparen', 'label', 'has', 'all', 'global'],
    ],
    [
      'has(a) & has(b)',
      "expected '&&', '||' or end of input at column 8, found '&'",
      [7, 8],
      ['and', 'or', 'eof'],
    ],
    [
      '(has(a) has(b))',
      "expected '&&', '||' or ')' at column 9, found 'has(b)'",
      [8, 14],
      ['and', 'or', 'rparen'],
    ],
    [
      'has(a))',
      "expected '&&', '||' or end of input at column 7, found ')'",
      [6, 7],
      ['and', 'or', 'eof'],
    ],
    [
      'a in {"x" "y"}',
      `expected ',' or '}' in the set at column 11, found '"y"'`,
      [10, 13],
      ['comma', 'rbrace'],
    ],
    [
      'a in {,}',
      "expected a quoted value or '}' in the set at column 7, found ','",
      [6, 7],
      ['string', 'rbrace'],
    ],
    ['a == "x', 'unterminated string at column 6: add a closing "', [5, 7], ['string']],
    ['has( )', "expected a label name after 'has(' at column 6, found ')'", [5, 6], ['label']],
    ['has(a', "expected ')' to close 'has(' at column 6, found end of input", [5, 5], ['rparen']],
    ['all(x)', "expected ')' after 'all(' at column 5, found 'x'", [4, 5], ['rparen']],
    [
      'has(a)\n',
      "expected '&&', '||' or end of input at column 7, found a line break (only spaces and tabs may separate tokens)",
      [6, 7],
      ['and', 'or', 'eof'],
    ],
    [
      'a == "x" || %',
      "expected '(', a label name, 'has(...)', 'all()' or 'global()' at column 13, found '%'",
      [12, 13],
      ['not', 'lparen', 'label', 'has', 'all', 'global'],
    ],
  ])('%j', (text, message, [start, end], expected) => {
    const result = parseSelector(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ message, span: { start, end }, expected });
  });

  it('reports the first problem in reading order', () => {
    const result = parseSelector('a == b && %');
    expect(!result.ok && result.error.span).toEqual({ start: 5, end: 6 });
  });

  it('limits nesting to MAX_PAREN_DEPTH parentheses, where Calico has no limit', () => {
    const nested = (depth: number): string => `${'!('.repeat(depth)}has(a)${')'.repeat(depth)}`;
    const deepest = parseSelector(nested(MAX_PAREN_DEPTH));
    expect(deepest.ok && deepest.selector.matches(new Map([['a', '']]))).toBe(true);
    expect(deepest.ok && deepest.selector.uniqueId).toMatch(/^s:/);
    const result = parseSelector(nested(MAX_PAREN_DEPTH + 1));
    expect(!result.ok && result.error).toEqual({
      message: `parentheses nest more than ${MAX_PAREN_DEPTH} deep at column ${2 * MAX_PAREN_DEPTH + 2}`,
      span: { start: 2 * MAX_PAREN_DEPTH + 1, end: 2 * MAX_PAREN_DEPTH + 2 },
      expected: ['not', 'label', 'has', 'all', 'global'],
    });
  });

  it('rejects label names longer than 512 characters', () => {
    const result = parseSelector(`has(${'k'.repeat(513)})`);
    expect(!result.ok && result.error.message).toMatch(/513 characters long; at most 512/);
    expect(parseSelector(`has(${'k'.repeat(512)})`).ok).toBe(true);
  });
});

describe('normalizeSelector', () => {
  it.each([
    ['', 'all()'],
    ['\n  has(a)&&b=="c"\n', '(has(a) && b == "c")'],
    ['\u00a0a in {"y","x"}\u0085', 'a in {"x", "y"}'],
    // Unparseable: returned trimmed, otherwise unaltered.
    ['  a ==  ', 'a =='],
    ['\ufeffhas(a)', '\ufeffhas(a)'],
  ])('%j -> %j', (input, output) => {
    expect(normalizeSelector(input)).toBe(output);
  });
});
