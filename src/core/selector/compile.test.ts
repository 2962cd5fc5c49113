import { describe, expect, it } from 'vitest';
import { compileSelector, type LabelSource } from './compile.js';
import { parseSelector } from './parser.js';

function compiled(text: string): (labels: LabelSource) => boolean {
  const result = parseSelector(text);
  if (!result.ok) throw new Error(result.error.message);
  return compileSelector(result.selector.ast);
}

const NONE = {};
const A_X = { a: 'x' };
const A_Y = { a: 'y' };
const A_EMPTY = { a: '' };
const B_X = { b: 'x' };

// Absent labels, per Calico's ast.go: only != and not in match them.
describe('compileSelector', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['a == "x"', A_X, true],
    ['a == "x"', A_Y, false],
    ['a == "x"', NONE, false],
    ['a == ""', A_EMPTY, true],
    ['a == ""', NONE, false],
    ['a != "x"', A_Y, true],
    ['a != "x"', A_X, false],
    ['a != "x"', NONE, true],
    ['a contains "x"', { a: 'axb' }, true],
    ['a contains ""', A_EMPTY, true],
    ['a contains ""', NONE, false],
    ['a starts with "x"', { a: 'xa' }, true],
    ['a starts with "x"', { a: 'ax' }, false],
    ['a starts with ""', B_X, false],
    ['a ends with "x"', { a: 'ax' }, true],
    ['a ends with "x"', { a: 'xa' }, false],
    ['a ends with "x"', NONE, false],
    ['a in {"x", "y"}', A_Y, true],
    ['a in {"x", "y"}', { a: 'z' }, false],
    ['a in {"x", "y"}', NONE, false],
    ['a in {"x"}', A_X, true],
    ['a in {}', A_X, false],
    ['a not in {"x", "y"}', A_X, false],
    ['a not in {"x", "y"}', { a: 'z' }, true],
    ['a not in {"x", "y"}', NONE, true],
    ['a not in {"x"}', NONE, true],
    ['a not in {}', NONE, true],
    ['has(a)', A_EMPTY, true],
    ['has(a)', B_X, false],
    ['!has(a)', B_X, true],
    ['!a == "x"', NONE, true],
    ['all()', NONE, true],
    ['global()', NONE, true],
    ['!all()', A_X, false],
    ['!!all()', A_X, true],
    ['!(!has(a))', A_X, true],
    ['has(a) && has(b)', { a: '', b: '' }, true],
    ['has(a) && has(b)', A_X, false],
    ['has(a) && has(b) && has(c)', { a: '', b: '', c: '' }, true],
    ['has(a) && has(b) && has(c) && has(d)', { a: '', b: '', c: '' }, false],
    ['has(a) || has(b)', B_X, true],
    ['has(a) || has(b) || has(c) || has(d)', { d: '' }, true],
    ['has(a) || has(b) || has(c) || has(d)', { e: '' }, false],
    ['has(z) || all()', NONE, true],
    ['has(z) && all()', NONE, false],
    ['has(a) && !all()', A_X, false],
    ['has(a) || !all()', NONE, false],
  ])('%s on %j -> %s', (text, labels, expected) => {
    expect(compiled(text)(new Map(Object.entries(labels)))).toBe(expected);
  });

  it('takes any LabelSource, not only a Map', () => {
    const source: LabelSource = { get: (key) => (key === 'a' ? 'x' : undefined) };
    expect(compiled('a == "x" && b != "y"')(source)).toBe(true);
  });
});
