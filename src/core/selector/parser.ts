import type { SelectorNode } from './ast.js';
import { sortUnique } from './ast.js';
import { column, describeFound, describeKinds, type SelectorError } from './errors.js';
import { createSelector, type Selector } from './selector.js';
import { scanToken, type Token, type TokenKind } from './tokenizer.js';

/** The outcome of parsing: a selector, or the first problem found. */
export type ParseResult = { ok: true; selector: Selector } | { ok: false; error: SelectorError };

const OPERAND_START: TokenKind[] = ['not', 'lparen', 'label', 'has', 'all', 'global'];
const OPERATORS: TokenKind[] = ['eq', 'ne', 'in', 'notin', 'contains', 'startswith', 'endswith'];
/**
 * Calico has no limit; this one keeps the recursive parser, printer and compiler well inside a
 * JavaScript stack (overflow was seen near 2000 levels). Real selectors nest a handful deep.
 */
export const MAX_PAREN_DEPTH = 256;

const COMPARISONS = {
  eq: 'eq',
  ne: 'neq',
  contains: 'contains',
  startswith: 'startswith',
  endswith: 'endswith',
} as const;

/** Thrown inside the parser only; parseSelector turns it into a result. Not an Error: no stack to capture. */
class SyntaxFailure {
  constructor(readonly error: SelectorError) {}
}

// Recursive descent over Calico's grammar:
//   or := and ('||' and)*     and := op ('&&' op)*
//   op := '!'* (has | all | global | label cmp string | label (in|not in) set | '(' or ')')
// Tokens are scanned on demand so the first error in reading order is the one reported.
class Parser {
  private pos = 0;
  private previous: TokenKind | undefined;
  private lookahead: Token | undefined;
  private depth = 0;

  constructor(private readonly text: string) {}

  peek(expected: readonly TokenKind[]): Token {
    if (this.lookahead) return this.lookahead;
    const result = scanToken(this.text, this.pos, this.previous);
    if (!result.ok) throw new SyntaxFailure({ expected: [...expected], ...result.error });
    this.lookahead = result.token;
    this.pos = result.token.span.end;
    this.previous = result.token.kind;
    return result.token;
  }

  take(expected: readonly TokenKind[]): Token {
    const tok = this.peek(expected);
    this.lookahead = undefined;
    return tok;
  }

  fail(what: string, found: Token, expected: readonly TokenKind[]): never {
    const message = `expected ${what} ${column(found.span.start)}, found ${describeFound(this.text, found.span)}`;
    throw new SyntaxFailure({ message, span: found.span, expected: [...expected] });
  }

  expect(tok: Token, expected: readonly TokenKind[], what = describeKinds(expected)): void {
    if (!expected.includes(tok.kind)) this.fail(what, tok, expected);
  }

  tooDeep(tok: Token): never {
    const message = `parentheses nest more than ${MAX_PAREN_DEPTH} deep ${column(tok.span.start)}`;
    const expected = OPERAND_START.filter((k) => k !== 'lparen');
    throw new SyntaxFailure({ message, span: tok.span, expected });
  }

  parseRoot(): SelectorNode {
    if (this.peek(['eof', ...OPERAND_START]).kind === 'eof') return { kind: 'all' };
    const node = this.parseOr();
    this.expect(this.take(['and', 'or', 'eof']), ['and', 'or', 'eof']);
    return node;
  }

  parseOr(): SelectorNode {
    return this.parseJunction('or', () => this.parseAnd());
  }

  parseAnd(): SelectorNode {
    return this.parseJunction('and', () => this.parseOperation());
  }

  parseJunction(kind: 'and' | 'or', operand: () => SelectorNode): SelectorNode {
    const operands = [operand()];
    while (this.peek(['and', 'or', this.depth > 0 ? 'rparen' : 'eof']).kind === kind) {
      this.take([kind]);
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { kind, operands };
  }

  parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek(OPERAND_START).kind === 'not') {
      this.take(['not']);
      negated = !negated;
    }
    const node = this.parseTerm();
    return negated ? { kind: 'not', operand: node } : node;
  }

  parseTerm(): SelectorNode {
    const tok = this.take(OPERAND_START);
    switch (tok.kind) {
      case 'has':
        return { kind: 'has', key: tok.value };
      case 'all':
      case 'global':
        return { kind: tok.kind };
      case 'label':
        return this.parseComparison(tok);
      case 'lparen': {
        if (this.depth === MAX_PAREN_DEPTH) this.tooDeep(tok);
        this.depth++;
        const inner = this.parseOr();
        this.depth--;
        this.expect(this.take(['and', 'or', 'rparen']), ['and', 'or', 'rparen']);
        return inner;
      }
      default:
        return this.fail(describeKinds(OPERAND_START.slice(1)), tok, OPERAND_START);
    }
  }

  parseComparison(label: Token): SelectorNode {
    const op = this.take(OPERATORS);
    const opText = this.text.slice(op.span.start, op.span.end);
    switch (op.kind) {
      case 'eq':
      case 'ne':
      case 'contains':
      case 'startswith':
      case 'endswith': {
        const value = this.take(['string']);
        this.expect(value, ['string'], `a quoted value after '${opText}'`);
        return { kind: COMPARISONS[op.kind], key: label.value, value: value.value };
      }
      case 'in':
      case 'notin': {
        this.expect(this.take(['lbrace']), ['lbrace'], `'{' after '${opText}'`);
        return { kind: op.kind, key: label.value, values: this.parseSetBody() };
      }
      default:
        return this.fail(
          `an operator (${describeKinds(OPERATORS)}) after label '${label.value}'`,
          op,
          OPERATORS,
        );
    }
  }

  // Calico accepts a trailing comma: {"a", "b",}.
  parseSetBody(): string[] {
    const values: string[] = [];
    let expected: TokenKind[] = ['string', 'rbrace'];
    for (;;) {
      const tok = this.take(expected);
      if (tok.kind === 'rbrace') return sortUnique(values);
      this.expect(tok, expected, `${describeKinds(expected)} in the set`);
      if (tok.kind === 'string') {
        values.push(tok.value);
        expected = ['comma', 'rbrace'];
      } else {
        expected = ['string', 'rbrace'];
      }
    }
  }
}

/** Parse a selector the way Calico does; on failure, say where and what was expected. */
export function parseSelector(text: string): ParseResult {
  try {
    const ast = new Parser(text).parseRoot();
    return { ok: true, selector: createSelector(text, ast) };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error };
    throw e;
  }
}

// Go's unicode.IsSpace, which strings.TrimSpace uses (JS trim() differs: it trims U+FEFF, not U+0085).
function isGoSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function trimGoSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Calico's selector.Normalise: trim, then the canonical form, or the trimmed text if it does not parse. */
export function normalizeSelector(text: string): string {
  const trimmed = trimGoSpace(text);
  const result = parseSelector(trimmed);
  return result.ok ? result.selector.canonical : trimmed;
}
