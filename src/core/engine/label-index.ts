// Inverted label index (Calico's approach): label key/value -> endpoint ids, so finding the
// endpoints a selector selects starts from a small candidate set instead of every endpoint.
import type { SelectorNode } from '../selector/index.js';

const EMPTY: ReadonlySet<number> = new Set();

export class LabelIndex {
  private readonly byValue = new Map<string, Map<string, Set<number>>>();
  private readonly byKey = new Map<string, Set<number>>();

  /** Index an endpoint's labels. */
  add(id: number, labels: ReadonlyMap<string, string>): void {
    for (const [k, v] of labels) {
      let values = this.byValue.get(k);
      if (!values) this.byValue.set(k, (values = new Map()));
      let ids = values.get(v);
      if (!ids) values.set(v, (ids = new Set()));
      ids.add(id);
      let keyIds = this.byKey.get(k);
      if (!keyIds) this.byKey.set(k, (keyIds = new Set()));
      keyIds.add(id);
    }
  }

  /** Remove an endpoint's labels (pass the labels it was indexed with). */
  remove(id: number, labels: ReadonlyMap<string, string>): void {
    for (const [k, v] of labels) {
      this.byValue.get(k)?.get(v)?.delete(id);
      this.byKey.get(k)?.delete(id);
    }
  }

  /**
   * A superset of the ids the selector can match, or undefined when the index cannot narrow
   * it (negations, substring operators, `all()`): then every endpoint is a candidate.
   */
  candidates(node: SelectorNode): ReadonlySet<number> | undefined {
    switch (node.kind) {
      case 'eq':
        return this.byValue.get(node.key)?.get(node.value) ?? EMPTY;
      case 'has':
      case 'contains':
      case 'startswith':
      case 'endswith':
        return this.byKey.get(node.key) ?? EMPTY;
      case 'in':
        return this.union(node.values.map((v) => this.byValue.get(node.key)?.get(v) ?? EMPTY));
      case 'and':
        return this.smallest(node.operands);
      case 'or': {
        const parts = node.operands.map((o) => this.candidates(o));
        if (parts.some((p) => p === undefined)) return undefined;
        return this.union(parts as ReadonlySet<number>[]);
      }
      default:
        return undefined;
    }
  }

  private smallest(operands: readonly SelectorNode[]): ReadonlySet<number> | undefined {
    let best: ReadonlySet<number> | undefined;
    for (const o of operands) {
      const c = this.candidates(o);
      if (c && (!best || c.size < best.size)) best = c;
    }
    return best;
  }

  private union(parts: readonly ReadonlySet<number>[]): ReadonlySet<number> {
    if (parts.length === 1 && parts[0]) return parts[0];
    const out = new Set<number>();
    for (const p of parts) for (const id of p) out.add(id);
    return out;
  }
}
