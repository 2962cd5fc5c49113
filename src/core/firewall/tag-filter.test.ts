// The dynamic-group tag-filter language: precedence, parentheses, quoting, and what it refuses.
import { describe, expect, it } from 'vitest';
import { parseTagFilter } from './tag-filter.js';

const dnf = (text: string): string[][] => {
  const r = parseTagFilter(text);
  if (!r.ok) throw new Error(r.message);
  return r.dnf;
};

describe('parseTagFilter', () => {
  it.each([
    [`'a'`, [['a']]],
    [`a`, [['a']]],
    [`'a' and 'b'`, [['a', 'b']]],
    [`'a' or 'b'`, [['a'], ['b']]],
    // and binds tighter than or
    [`'a' or 'b' and 'c'`, [['a'], ['b', 'c']]],
    [
      `('a' or 'b') and 'c'`,
      [
        ['a', 'c'],
        ['b', 'c'],
      ],
    ],
    [
      `'a' AND ('b' OR "c d")`,
      [
        ['a', 'b'],
        ['a', 'c d'],
      ],
    ],
    [`(('a'))`, [['a']]],
    [
      `('a' or 'b') and ('c' or 'd')`,
      [
        ['a', 'c'],
        ['a', 'd'],
        ['b', 'c'],
        ['b', 'd'],
      ],
    ],
    // quoted tags may hold spaces, parentheses and the operator words
    [`'web (prod)' or 'and'`, [['web (prod)'], ['and']]],
    [`'a' and 'a'`, [['a']]],
    [`'a' or 'a'`, [['a']]],
  ])('%s', (text, expected) => {
    expect(dnf(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    [`'a`, 'unterminated'],
    [`''`, 'empty quoted tag'],
    [`'a' and`, "expected a tag or '(' but found the end"],
    [`('a' or 'b'`, "expected ')'"],
    [`'a' 'b'`, "unexpected tag 'b'"],
    [`not 'a'`, '`not` is not part of'],
    [`'a' or )`, "found ')'"],
  ])('refuses %j', (text, message) => {
    const r = parseTagFilter(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('refuses a filter that expands to too many terms instead of truncating it', () => {
    const group = (i: number): string => `('a${i}' or 'b${i}')`;
    const text = Array.from({ length: 13 }, (_, i) => group(i)).join(' and ');
    const r = parseTagFilter(text);
    expect(r.ok).toBe(false);
  });
});
