// The tag-filter language of PAN-OS dynamic address groups: tags (bare, or quoted with ' or "
// when they hold spaces or operators), `and`, `or` and parentheses; `and` binds tighter than
// `or`. Parsed into disjunctive normal form, the shape the zone mapping needs.
import type { TagDnf } from './types.js';

export type TagFilterParse = { ok: true; dnf: TagDnf } | { ok: false; message: string };

/** Conjunctions kept at most; a filter that expands beyond this is refused, not truncated. */
const MAX_TERMS = 4096;

type Token = { kind: 'tag'; text: string } | { kind: 'and' | 'or' | '(' | ')'; text: string };

/** Parse a filter such as `'zonewall.zone.dmz' and ('zonewall.app.web' or "zonewall.app.api")`. */
export function parseTagFilter(text: string): TagFilterParse {
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  if (tokens.length === 0) return { ok: false, message: 'the filter is empty' };
  const p = new FilterParser(tokens);
  try {
    const dnf = p.or();
    if (p.pos < tokens.length) {
      return {
        ok: false,
        message: `unexpected ${quoteTok(tokens[p.pos])} after a complete filter`,
      };
    }
    return { ok: true, dnf };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, message: e.message };
    throw e;
  }
}

class FilterError extends Error {}

function tokenize(text: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c, text: c });
      i++;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return `unterminated quoted tag starting at character ${i + 1}`;
      const tag = text.slice(i + 1, end);
      if (tag === '') return `empty quoted tag at character ${i + 1}`;
      out.push({ kind: 'tag', text: tag });
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()'"]/.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      const lower = word.toLowerCase();
      if (lower === 'and' || lower === 'or') out.push({ kind: lower, text: word });
      else if (lower === 'not') return '`not` is not part of the tag-filter language';
      else out.push({ kind: 'tag', text: word });
      i = j;
    }
  }
  return out;
}

function quoteTok(t: Token | undefined): string {
  return t === undefined ? 'the end' : t.kind === 'tag' ? `tag '${t.text}'` : `'${t.text}'`;
}

class FilterParser {
  pos = 0;
  constructor(private readonly tokens: Token[]) {}

  or(): TagDnf {
    let left = this.and();
    while (this.peek()?.kind === 'or') {
      this.pos++;
      left = dedupe([...left, ...this.and()]);
    }
    return left;
  }

  private and(): TagDnf {
    let left = this.primary();
    while (this.peek()?.kind === 'and') {
      this.pos++;
      const right = this.primary();
      const product: TagDnf = [];
      for (const a of left) for (const b of right) product.push([...new Set([...a, ...b])]);
      if (product.length > MAX_TERMS) throw new FilterError('the filter expands to too many terms');
      left = dedupe(product);
    }
    return left;
  }

  private primary(): TagDnf {
    const t = this.tokens[this.pos];
    if (t?.kind === 'tag') {
      this.pos++;
      return [[t.text]];
    }
    if (t?.kind === '(') {
      this.pos++;
      const inner = this.or();
      if (this.peek()?.kind !== ')') {
        throw new FilterError(`expected ')' but found ${quoteTok(this.peek())}`);
      }
      this.pos++;
      return inner;
    }
    throw new FilterError(`expected a tag or '(' but found ${quoteTok(t)}`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
}

function dedupe(dnf: TagDnf): TagDnf {
  const seen = new Set<string>();
  const out: TagDnf = [];
  for (const term of dnf) {
    const sorted = [...term].sort();
    const key = JSON.stringify(sorted);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(sorted);
    }
  }
  return out;
}
