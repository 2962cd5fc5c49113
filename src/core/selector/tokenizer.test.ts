import { describe, expect, it } from 'vitest';
import { isValidLabelKey, tokenize, type Token } from './tokenizer.js';

const HAS_VALUE = new Set(['label', 'string', 'has']);

// Tokens written compactly: `kind` or `kind:value`.
const show = (tokens: Token[]): string =>
  tokens.map((t) => (HAS_VALUE.has(t.kind) ? `${t.kind}:${t.value}` : t.kind)).join(' ');

function tokens(text: string): string {
  const result = tokenize(text);
  if (!result.ok) throw new Error(result.error.message);
  return show(result.tokens);
}

describe('tokenize', () => {
  // The cases of Calico's tokenizer_test.go, plus the edges its tokenizer.go implies.
  it.each([
    ['a=="b"', 'label:a eq string:b eof'],
    ['label == "value"', 'label:label eq string:value eof'],
    ['label contains "value"', 'label:label contains string:value eof'],
    ['contains contains "contains"', 'label:contains contains string:contains eof'],
    ["contains contains 'contains'", 'label:contains contains string:contains eof'],
    ['label contains"value"', 'label:label contains string:value eof'],
    ['label startswith "value"', 'label:label startswith string:value eof'],
    ['label endswith "value"', 'label:label endswith string:value eof'],
    ['label starts with "value"', 'label:label startswith string:value eof'],
    ['startswith starts with "value"', 'label:startswith startswith string:value eof'],
    ['label ends with "value"', 'label:label endswith string:value eof'],
    ['endswith ends with "value"', 'label:endswith endswith string:value eof'],
    ['label starts  with "value"', 'label:label startswith string:value eof'],
    ['label ends \t with "value"', 'label:label endswith string:value eof'],
    [
      'a not in "bar" && !has(foo) || b in c',
      'label:a notin string:bar and not has:foo or label:b in label:c eof',
    ],
    [
      'a  not  in  "bar"  &&  ! has( foo )  ||  b  in  c ',
      'label:a notin string:bar and not has:foo or label:b in label:c eof',
    ],
    [
      'a notin"bar"&&!has(foo)||b in"c"',
      'label:a notin string:bar and not has:foo or label:b in string:c eof',
    ],
    ['has(calico/k8s_ns)', 'has:calico/k8s_ns eof'],
    ['has(calico/k8s_NS-.1/role)', 'has:calico/k8s_NS-.1/role eof'],
    [
      'calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"',
      'label:calico/k8s_ns eq string:kube-system and label:k8s-app eq string:kube-dns eof',
    ],
    ['a not in {}', 'label:a notin lbrace rbrace eof'],
    ['a not in {"a","B"}', 'label:a notin lbrace string:a comma string:B rbrace eof'],
    ['global()', 'global eof'],
    ['all()', 'all eof'],
    ['all( \t)', 'all eof'],
    ['', 'eof'],
    [' \t ', 'eof'],
    ['a != "b"', 'label:a ne string:b eof'],
    ['!!a', 'not not label:a eof'],
    // Strings have no escapes: the other quote is ordinary text.
    [`a == "it's" || b == '"'`, `label:a eq string:it's or label:b eq string:" eof`],
    ['a == ""', 'label:a eq string: eof'],
    // Keywords are only keywords right after a label; elsewhere they are label names.
    ['in in {"x"}', 'label:in in lbrace string:x rbrace eof'],
    ['has == "x"', 'label:has eq string:x eof'],
    ['all == "x"', 'label:all eq string:x eof'],
    ['x'.repeat(512) + ' == "a"', `label:${'x'.repeat(512)} eq string:a eof`],
  ])('%j', (input, expected) => {
    expect(tokens(input)).toBe(expected);
  });

  it('records spans, covering multi-word operators and has( ... )', () => {
    const result = tokenize('a starts  with "v" || has( b )');
    expect(result.ok && result.tokens.map((t) => [t.kind, t.span.start, t.span.end])).toEqual([
      ['label', 0, 1],
      ['startswith', 2, 14],
      ['string', 15, 18],
      ['or', 19, 21],
      ['has', 22, 30],
      ['eof', 30, 30],
    ]);
  });

  it.each([
    ['label starts foo "value"', 6],
    ['label ends foo "value"', 6],
    ['label squiggles "value"', 6],
    ['a containsx "v"', 2],
    ['a inx {}', 2],
    ['a not inx {}', 2],
    ['a starts with b', 14],
    ['a == "b', 5],
    ["a == 'b", 5],
    ['a = "b"', 2],
    ['a == "b" & c', 9],
    ['a == "b" | c', 9],
    ['%', 0],
    ['a == "b"\n', 8],
    ['has()', 4],
    ['has(a', 5],
    ['has(a b)', 6],
    ['all(x)', 4],
    ['global(', 7],
    ['x'.repeat(513) + ' == "a"', 0],
  ])('rejects %j, pointing at offset %i', (input, start) => {
    const result = tokenize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.span.start).toBe(start);
  });
});

describe('isValidLabelKey', () => {
  it.each([
    ['app', true],
    ['calico/k8s_NS-.1/role', true],
    ['x'.repeat(512), true],
    ['x'.repeat(513), false],
    ['', false],
    ['a b', false],
    ['a:b', false],
    ['ä', false],
  ])('%j -> %s', (key, valid) => {
    expect(isValidLabelKey(key)).toBe(valid);
  });
});
