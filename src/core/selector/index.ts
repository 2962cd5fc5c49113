// Calico's selector language: tokenizer.ts -> parser.ts -> ast.ts (types, canonical printer),
// compile.ts (predicates), selector.ts (the Selector object), sha224.ts (UniqueID hashing).

export type { Span, SelectorError } from './errors.js';
export { describeTokenKind } from './errors.js';
export type { SelectorNode } from './ast.js';
export { printSelector, mapLabelKeys, normalizeNode } from './ast.js';
export type { LabelSource, Predicate } from './compile.js';
export { compileSelector } from './compile.js';
export type { Selector } from './selector.js';
export { selectorFromNode } from './selector.js';
export type { ParseResult } from './parser.js';
export { parseSelector, normalizeSelector, MAX_PAREN_DEPTH } from './parser.js';
export type { Token, TokenKind } from './tokenizer.js';
export { tokenize, isValidLabelKey, MAX_LABEL_KEY_LENGTH } from './tokenizer.js';
