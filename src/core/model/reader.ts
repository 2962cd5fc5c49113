// Typed, path-tracking access to a raw document: every read that fails becomes an issue with
// the file, document, field path and position, and the read returns undefined so checking
// goes on and all problems come back at once.
import { describe, pathString } from './documents.js';
import type { PathSeg, RawObject } from './documents.js';
import { quote } from './issues.js';
import type { Issue, Severity, Span } from './issues.js';

/** The object being read and where its issues go. */
export class Ctx {
  constructor(
    readonly obj: RawObject,
    readonly issues: Issue[],
  ) {}

  /** Record an issue at a path (relative to the document root). */
  report(
    path: readonly PathSeg[],
    code: string,
    message: string,
    opts: { severity?: Severity; span?: Span; text?: string } = {},
  ): void {
    const full = [...this.obj.prefix, ...path];
    this.issues.push({
      code,
      severity: opts.severity ?? 'error',
      message,
      file: this.obj.file,
      doc: this.obj.doc,
      path: pathString(full),
      pos: this.obj.locate(full),
      ...(opts.span ? { span: opts.span } : {}),
      ...(opts.text !== undefined ? { text: opts.text } : {}),
    });
  }

  /** A reader at the object's root. */
  root(): Reader {
    return new Reader(this, undefined, undefined, this.obj.value);
  }
}

export interface IntOpts {
  min?: number;
  max?: number;
}

export class Reader {
  // The path is kept as a parent chain and built only when needed (an issue): reading is
  // on the load's hot path and most reads find nothing wrong.
  constructor(
    readonly ctx: Ctx,
    private readonly parent: Reader | undefined,
    private readonly seg: PathSeg | undefined,
    readonly value: unknown,
  ) {}

  /** The field path from the document root. */
  get path(): PathSeg[] {
    const up = this.parent?.path ?? [];
    return this.seg === undefined ? up : [...up, this.seg];
  }

  /** A reader for a child value (a key or an index under this one). */
  child(seg: PathSeg, value: unknown): Reader {
    return new Reader(this.ctx, this, seg, value);
  }

  /** Absent or null (Kubernetes treats both as unset). */
  get missing(): boolean {
    return this.value === undefined || this.value === null;
  }

  get pathText(): string {
    return pathString(this.path);
  }

  at(key: string): Reader {
    const v =
      typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value)
        ? (this.value as Record<string, unknown>)[key]
        : undefined;
    return new Reader(this.ctx, this, key, v);
  }

  error(code: string, message: string, opts: { span?: Span; text?: string } = {}): void {
    this.ctx.report(this.path, code, message, opts);
  }

  warn(code: string, message: string): void {
    this.ctx.report(this.path, code, message, { severity: 'warning' });
  }

  /** A mapping; with `known`, fields outside it are errors (strict decoding, as kubectl does). */
  object(known?: readonly string[]): Record<string, unknown> | undefined {
    if (this.missing) return undefined;
    if (typeof this.value !== 'object' || Array.isArray(this.value)) {
      this.error('field.type', `${this.label()} must be a mapping, found ${describe(this.value)}`);
      return undefined;
    }
    const obj = this.value as Record<string, unknown>;
    if (known) {
      for (const k of Object.keys(obj)) {
        if (!known.includes(k)) {
          this.at(k).error(
            'field.unknown',
            `unknown field ${quote(k)} in ${this.label()}${suggest(k, known)}`,
          );
        }
      }
    }
    return obj;
  }

  /** Report a missing required field; returns true when present. */
  require(): boolean {
    if (!this.missing) return true;
    this.error('field.required', `${this.label()} is required`);
    return false;
  }

  string(opts: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    if (this.missing) {
      if (opts.required) this.require();
      return undefined;
    }
    if (typeof this.value !== 'string') {
      // YAML 1.1 (as Kubernetes reads it) turns unquoted yes/no/on/off/y/n and numbers into other types.
      const hint =
        typeof this.value === 'boolean' || typeof this.value === 'number'
          ? ' (quote it in YAML)'
          : '';
      this.error(
        'field.type',
        `${this.label()} must be a string, found ${describe(this.value)}${hint}`,
      );
      return undefined;
    }
    if (opts.nonEmpty && this.value === '') {
      this.error('field.empty', `${this.label()} must not be empty`);
      return undefined;
    }
    return this.value;
  }

  number(opts: { required?: boolean } = {}): number | undefined {
    if (this.missing) {
      if (opts.required) this.require();
      return undefined;
    }
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) {
      this.error('field.type', `${this.label()} must be a number, found ${describe(this.value)}`);
      return undefined;
    }
    return this.value;
  }

  int(opts: IntOpts & { required?: boolean } = {}): number | undefined {
    const n = this.number(opts);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n)) {
      this.error('field.type', `${this.label()} must be a whole number, found ${n}`);
      return undefined;
    }
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
      this.error('field.range', `${this.label()} must be ${rangeText(opts)}, found ${n}`);
      return undefined;
    }
    return n;
  }

  bool(): boolean | undefined {
    if (this.missing) return undefined;
    if (typeof this.value !== 'boolean') {
      this.error(
        'field.type',
        `${this.label()} must be true or false, found ${describe(this.value)}`,
      );
      return undefined;
    }
    return this.value;
  }

  /** One of the given strings (case-sensitive, as the APIs are). */
  oneOf<T extends string>(allowed: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const s = this.string(opts);
    if (s === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(s)) {
      this.error(
        'field.enum',
        `${this.label()} must be one of ${allowed.join(', ')}, found ${quote(s)}`,
      );
      return undefined;
    }
    return s as T;
  }

  /** The items of a list as readers; `undefined` when absent. */
  list(opts: { required?: boolean; max?: number; min?: number } = {}): Reader[] | undefined {
    if (this.missing) {
      if (opts.required) this.require();
      return undefined;
    }
    if (!Array.isArray(this.value)) {
      this.error('field.type', `${this.label()} must be a list, found ${describe(this.value)}`);
      return undefined;
    }
    const arr = this.value as unknown[];
    if (opts.max !== undefined && arr.length > opts.max) {
      this.error(
        'field.tooMany',
        `${this.label()} may have at most ${opts.max} items, found ${arr.length}`,
      );
    }
    if (opts.min !== undefined && arr.length < opts.min) {
      this.error(
        'field.tooFew',
        `${this.label()} needs at least ${opts.min} item(s), found ${arr.length}`,
      );
    }
    return arr.map((v, i) => new Reader(this.ctx, this, i, v));
  }

  /** A list of strings. */
  strings(opts: { required?: boolean; max?: number; min?: number } = {}): string[] | undefined {
    const items = this.list(opts);
    if (!items) return undefined;
    const out: string[] = [];
    for (const r of items) {
      const s = r.string();
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** The last path segment as a person would name the field. */
  label(): string {
    const p = this.pathText;
    return p === '' ? 'the document' : p;
  }
}

function rangeText(o: IntOpts): string {
  if (o.min !== undefined && o.max !== undefined) return `between ${o.min} and ${o.max}`;
  if (o.min !== undefined) return `at least ${o.min}`;
  return `at most ${o.max}`;
}

/** ", did you mean ...?" when a known field is one edit or a case change away. */
function suggest(k: string, known: readonly string[]): string {
  const lower = k.toLowerCase();
  const hit = known.find((c) => c.toLowerCase() === lower || editDistance(c, k) <= 2);
  return hit ? ` (did you mean ${quote(hit)}?)` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
