import type { TokenKind } from './tokenizer.js';

/** 0-based char offsets into the selector text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** Why a selector failed to parse: a message for people, a span for carets, expected kinds for tools. */
export interface SelectorError {
  message: string;
  span: Span;
  expected: string[];
}

const DESCRIPTIONS: Record<TokenKind, string> = {
  label: 'a label name',
  string: 'a quoted value',
  lbrace: "'{'",
  rbrace: "'}'",
  comma: "','",
  eq: "'=='",
  ne: "'!='",
  in: "'in'",
  notin: "'not in'",
  not: "'!'",
  contains: "'contains'",
  startswith: "'starts with'",
  endswith: "'ends with'",
  all: "'all()'",
  has: "'has(...)'",
  global: "'global()'",
  lparen: "'('",
  rparen: "')'",
  and: "'&&'",
  or: "'||'",
  eof: 'end of input',
  invalid: 'an unrecognised character',
};

/** How a token kind reads in an error message, e.g. `'&&'` or `a quoted value`. */
export function describeTokenKind(kind: TokenKind): string {
  return DESCRIPTIONS[kind];
}

/** "a, b or c" */
export function describeKinds(kinds: readonly TokenKind[]): string {
  const words = kinds.map(describeTokenKind);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const MAX_QUOTED = 40;

/** The source text at a span as it appears after "found" in a message. */
export function describeFound(text: string, span: Span): string {
  if (span.start >= text.length) return 'end of input';
  const raw = text.slice(span.start, span.end);
  // Calico only skips spaces and tabs: a line break (e.g. from a YAML block scalar) is an error.
  if (raw.startsWith('\n') || raw.startsWith('\r'))
    return 'a line break (only spaces and tabs may separate tokens)';
  const shown = raw.length > MAX_QUOTED ? `${raw.slice(0, MAX_QUOTED)}...` : raw;
  const escaped = Array.from(shown, escapeControl).join('');
  return escaped.includes("'") ? `"${escaped}"` : `'${escaped}'`;
}

function escapeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
}

/** "at column N" for a 0-based offset. */
export function column(offset: number): string {
  return `at column ${offset + 1}`;
}
