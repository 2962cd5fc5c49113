import { describe, expect, it } from 'vitest';
import { parseSelector } from './parser.js';
import { selectorFromNode } from './selector.js';

describe('selectorFromNode', () => {
  it('builds a selector whose text is its canonical form', () => {
    const sel = selectorFromNode({
      kind: 'and',
      operands: [
        { kind: 'eq', key: 'app', value: 'web' },
        { kind: 'in', key: 'tier', values: ['b', 'a', 'b'] },
      ],
    });
    expect(sel.text).toBe('(app == "web" && tier in {"a", "b"})');
    expect(sel.canonical).toBe(sel.text);
    expect(sel.ast).toEqual({
      kind: 'and',
      operands: [
        { kind: 'eq', key: 'app', value: 'web' },
        { kind: 'in', key: 'tier', values: ['a', 'b'] },
      ],
    });
    expect(
      sel.matches(
        new Map([
          ['app', 'web'],
          ['tier', 'a'],
        ]),
      ),
    ).toBe(true);
    expect(sel.matches(new Map([['app', 'web']]))).toBe(false);
  });

  it('gives the id Calico gives the same canonical text', () => {
    const parsed = parseSelector('tier in {"a","b"} && app == "web"');
    const built = selectorFromNode({
      kind: 'and',
      operands: [
        { kind: 'in', key: 'tier', values: ['b', 'a'] },
        { kind: 'eq', key: 'app', value: 'web' },
      ],
    });
    expect(parsed.ok && parsed.selector.uniqueId).toBe(built.uniqueId);
  });

  it('turns an empty match-all requirement list into all()', () => {
    const sel = selectorFromNode({ kind: 'and', operands: [] });
    expect(sel.canonical).toBe('all()');
    expect(sel.uniqueId).toBe('s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug');
  });
});

describe('Selector', () => {
  it('says whether global() is used anywhere', () => {
    const uses = (text: string): boolean | undefined => {
      const result = parseSelector(text);
      return result.ok ? result.selector.usesGlobal : undefined;
    };
    expect(uses('global()')).toBe(true);
    expect(uses('has(a) && !(global() || has(b))')).toBe(true);
    expect(uses('has(global)')).toBe(false);
    expect(uses('')).toBe(false);
  });

  it('exposes matches as a plain function that needs no this', () => {
    const result = parseSelector('a == "x"');
    if (!result.ok) throw new Error(result.error.message);
    const { matches } = result.selector;
    expect(matches(new Map([['a', 'x']]))).toBe(true);
  });

  it('computes the same canonical form and id on every read', () => {
    const result = parseSelector('! (has( b)||! has(a ))');
    if (!result.ok) throw new Error(result.error.message);
    const { selector } = result;
    expect(selector.canonical).toBe('!(has(b) || !has(a))');
    expect(selector.uniqueId).toBe('s:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q');
    expect(selector.uniqueId).toBe(selector.uniqueId);
  });
});
