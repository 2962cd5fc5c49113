import { normalizeNode, printSelector, usesGlobal, type SelectorNode } from './ast.js';
import { compileSelector, type LabelSource } from './compile.js';
import { makeUniqueId } from './sha224.js';

/** A parsed (or built) selector with its canonical form, Calico id and compiled matcher. */
export interface Selector {
  /** The text as given (the canonical form for selectors built from an AST). */
  readonly text: string;
  readonly ast: SelectorNode;
  /** Calico's canonical form (Selector.String()). */
  readonly canonical: string;
  /** Calico's Selector.UniqueID(), e.g. "s:5y5I3V...". */
  readonly uniqueId: string;
  /** Whether global() occurs anywhere; callers reject it where Calico does. */
  readonly usesGlobal: boolean;
  matches(labels: LabelSource): boolean;
}

class CompiledSelector implements Selector {
  readonly usesGlobal: boolean;
  readonly matches: (labels: LabelSource) => boolean;
  private canonicalCache: string | undefined;
  private uniqueIdCache: string | undefined;

  constructor(
    readonly text: string,
    readonly ast: SelectorNode,
  ) {
    this.usesGlobal = usesGlobal(ast);
    // An own property holding the closure: callers invoke it with no extra indirection.
    this.matches = compileSelector(ast);
  }

  // Printing and hashing are deferred: many selectors are parsed only to be matched.
  get canonical(): string {
    this.canonicalCache ??= printSelector(this.ast);
    return this.canonicalCache;
  }

  get uniqueId(): string {
    this.uniqueIdCache ??= makeUniqueId('s', this.canonical);
    return this.uniqueIdCache;
  }
}

/** Wrap a parser-shaped AST (internal: the parser already normalises). */
export function createSelector(text: string, ast: SelectorNode): Selector {
  return new CompiledSelector(text, ast);
}

/** Build a Selector from an AST (e.g. converted from a Kubernetes label selector). */
export function selectorFromNode(node: SelectorNode): Selector {
  const ast = normalizeNode(node);
  return new CompiledSelector(printSelector(ast), ast);
}
