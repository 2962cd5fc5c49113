import { column, describeFound, type SelectorError, type Span } from './errors.js';

/** Token kinds, as in Calico's tokenizer, plus `invalid` for text that starts no token. */
export type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'ne'
  | 'in'
  | 'notin'
  | 'not'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'all'
  | 'has'
  | 'global'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'eof'
  | 'invalid';

/** A token: `value` is the label name (label, has) or the unquoted text (string), else ''. */
export interface Token {
  kind: TokenKind;
  value: string;
  span: Span;
}

/** Calico's tokenizer.MaxLabelLength. */
export const MAX_LABEL_KEY_LENGTH = 512;

/** A scan either yields a token or fails; `expected` is left to the parser when the scanner cannot know. */
export type ScanResult =
  | { ok: true; token: Token }
  | { ok: false; error: Omit<SelectorError, 'expected'> & { expected?: string[] } };

type Fail = Extract<ScanResult, { ok: false }>;

const PUNCTUATION: Record<string, TokenKind> = {
  '(': 'lparen',
  ')': 'rparen',
  '{': 'lbrace',
  '}': 'rbrace',
  ',': 'comma',
};

// Calico's operator words after a label; `trim` is whether whitespace is skipped before the
// word-boundary check (true only for its multi-word helper, which also accepts "notin").
const OPERATORS: ReadonlyArray<{ kind: TokenKind; words: readonly string[]; trim: boolean }> = [
  { kind: 'contains', words: ['contains'], trim: false },
  { kind: 'startswith', words: ['starts', 'with'], trim: true },
  { kind: 'endswith', words: ['ends', 'with'], trim: true },
  { kind: 'notin', words: ['not', 'in'], trim: true },
  { kind: 'in', words: ['in'], trim: false },
];

/** Calico's identifierChar: the characters a label key may contain. */
export function isLabelKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 46 || // .
    code === 47 || // /
    code === 45 // -
  );
}

/** Whether `key` can be written unquoted in a selector (Calico's tokenizer.ValidLabel). */
export function isValidLabelKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_LABEL_KEY_LENGTH && keyLength(key, 0) === key.length;
}

/** Only space and tab: Calico rejects newlines and other whitespace. */
export function skipWhitespace(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

function keyLength(text: string, pos: number): number {
  let i = pos;
  while (i < text.length && isLabelKeyChar(text.charCodeAt(i))) i++;
  return i - pos;
}

function isWordBoundary(text: string, pos: number): boolean {
  return pos >= text.length || !isLabelKeyChar(text.charCodeAt(pos));
}

const span = (start: number, end: number): Span => ({ start, end });

const token = (kind: TokenKind, at: Span, value = ''): ScanResult => ({
  ok: true,
  token: { kind, value, span: at },
});

const fail = (message: string, at: Span, expected?: string[]): Fail => ({
  ok: false,
  error: { message, span: at, ...(expected ? { expected } : {}) },
});

/** The span of the one character at pos (zero-width at the end), for error reports. */
function charSpan(text: string, pos: number): Span {
  return span(pos, pos < text.length ? charEnd(text, pos) : pos);
}

/** One character (a whole surrogate pair if need be), for reporting text that starts no token. */
function charEnd(text: string, pos: number): number {
  const code = text.charCodeAt(pos);
  return code >= 0xd800 && code <= 0xdbff && pos + 1 < text.length ? pos + 2 : pos + 1;
}

function scanString(text: string, start: number): ScanResult {
  const quote = text[start]!;
  const close = text.indexOf(quote, start + 1);
  if (close === -1) {
    return fail(
      `unterminated string ${column(start)}: add a closing ${quote}`,
      span(start, text.length),
    );
  }
  return token('string', span(start, close + 1), text.slice(start + 1, close));
}

function scanDouble(text: string, pos: number, pair: string, kind: TokenKind): ScanResult {
  return text.startsWith(pair, pos)
    ? token(kind, span(pos, pos + 2))
    : token('invalid', span(pos, pos + 1));
}

/** Where `words` (separated by optional whitespace) end and what follows, or undefined. */
function matchWords(text: string, pos: number, op: (typeof OPERATORS)[number]) {
  let next = pos;
  let end = pos;
  for (const word of op.words) {
    if (!text.startsWith(word, next)) return undefined;
    end = next + word.length;
    next = op.trim ? skipWhitespace(text, end) : end;
  }
  return { end, next };
}

function scanOperator(text: string, pos: number): ScanResult {
  for (const op of OPERATORS) {
    const match = matchWords(text, pos, op);
    if (!match) continue;
    if (isWordBoundary(text, match.next)) return token(op.kind, span(pos, match.end));
    // Calico rejects "a not in x" here, in its tokenizer; what it wanted was a value or a set.
    if (match.next > match.end) return valueExpected(text, span(pos, match.end), match.next);
  }
  // Not an operator: report the whole word so the message quotes what the user wrote.
  const len = keyLength(text, pos);
  return token('invalid', span(pos, len > 0 ? pos + len : charEnd(text, pos)));
}

function valueExpected(text: string, operator: Span, at: number): Fail {
  const found = span(at, at + keyLength(text, at));
  const words = text.slice(operator.start, operator.end);
  const [what, kind] = words.startsWith('not') ? ["'{'", 'lbrace'] : ['a quoted value', 'string'];
  const message = `expected ${what} after '${words}' ${column(at)}, found ${describeFound(text, found)}`;
  return fail(message, found, [kind]);
}

function scanLabel(text: string, pos: number): ScanResult {
  const len = keyLength(text, pos);
  if (len === 0) return token('invalid', span(pos, charEnd(text, pos)));
  if (len > MAX_LABEL_KEY_LENGTH) {
    const message = `label name ${column(pos)} is ${len} characters long; at most ${MAX_LABEL_KEY_LENGTH} are allowed`;
    return fail(message, span(pos, pos + len));
  }
  return token('label', span(pos, pos + len), text.slice(pos, pos + len));
}

function closeParenExpected(text: string, pos: number, what: string): Fail {
  const at = charSpan(text, pos);
  return fail(`expected ')' ${what} ${column(pos)}, found ${describeFound(text, at)}`, at, [
    'rparen',
  ]);
}

function scanHas(text: string, start: number): ScanResult {
  const keyStart = skipWhitespace(text, start + 'has('.length);
  const label = scanLabel(text, keyStart);
  if (!label.ok) return label;
  if (label.token.kind !== 'label') {
    const at = charSpan(text, keyStart);
    const found = describeFound(text, at);
    return fail(`expected a label name after 'has(' ${column(keyStart)}, found ${found}`, at, [
      'label',
    ]);
  }
  const close = skipWhitespace(text, label.token.span.end);
  if (text[close] !== ')') return closeParenExpected(text, close, "to close 'has('");
  return token('has', span(start, close + 1), label.token.value);
}

function scanEmptyCall(text: string, start: number, name: 'all' | 'global'): ScanResult {
  const close = skipWhitespace(text, start + name.length + 1);
  if (text[close] !== ')') return closeParenExpected(text, close, `after '${name}('`);
  return token(name, span(start, close + 1));
}

function scanWord(text: string, pos: number, previous: TokenKind | undefined): ScanResult {
  // As in Calico, a label must be followed by an operator word, never by another label.
  if (previous === 'label') return scanOperator(text, pos);
  if (text.startsWith('has(', pos)) return scanHas(text, pos);
  if (text.startsWith('all(', pos)) return scanEmptyCall(text, pos, 'all');
  if (text.startsWith('global(', pos)) return scanEmptyCall(text, pos, 'global');
  return scanLabel(text, pos);
}

/** Scan the token at `pos` (after whitespace); `previous` is the kind of the token before it. */
export function scanToken(text: string, pos: number, previous: TokenKind | undefined): ScanResult {
  const i = skipWhitespace(text, pos);
  if (i >= text.length) return token('eof', span(i, i));
  const c = text[i]!;
  const simple = PUNCTUATION[c];
  if (simple) return token(simple, span(i, i + 1));
  switch (c) {
    case '"':
    case "'":
      return scanString(text, i);
    case '=':
      return scanDouble(text, i, '==', 'eq');
    case '!':
      return text[i + 1] === '=' ? token('ne', span(i, i + 2)) : token('not', span(i, i + 1));
    case '&':
      return scanDouble(text, i, '&&', 'and');
    case '|':
      return scanDouble(text, i, '||', 'or');
    default:
      return scanWord(text, i, previous);
  }
}

/** Tokenize a whole selector, as Calico's tokenizer.Tokenize does (ending with an eof token). */
export function tokenize(
  text: string,
): { ok: true; tokens: Token[] } | { ok: false; error: SelectorError } {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    const result = scanToken(text, pos, tokens[tokens.length - 1]?.kind);
    if (!result.ok) return { ok: false, error: { expected: [], ...result.error } };
    const { token: tok } = result;
    if (tok.kind === 'invalid') {
      const message = `unexpected ${describeFound(text, tok.span)} ${column(tok.span.start)}`;
      return { ok: false, error: { message, span: tok.span, expected: [] } };
    }
    tokens.push(tok);
    if (tok.kind === 'eof') return { ok: true, tokens };
    pos = tok.span.end;
  }
}
