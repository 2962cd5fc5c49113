// What every adapter shares: the result of one input line, and forgiving readers for the
// values vendors write (numbers as strings, times as Unix seconds or RFC 3339 text).
import type { FlowRecord } from '../record.js';

/** One line: records (possibly none: a header, a NODATA line), or why it is malformed. */
export type LineResult = FlowRecord[] | { error: string };

/** A parser for one file (some formats, such as VPC flow logs, have a header line). */
export type LineParser = (line: string, lineNo: number) => LineResult;

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object from a line, or an error result. */
export function jsonObject(line: string): { value: Obj } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  return isObj(v) ? { value: v } : { error: 'not a JSON object' };
}

/** A field by its snake_case name or the camelCase name protobuf's JSON mapping uses. */
export function field(o: Obj, snake: string): unknown {
  const v = o[snake];
  if (v !== undefined) return v;
  return o[snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
}

/** A non-negative whole number (protobuf JSON writes int64 as a string); undefined otherwise. */
export function count(v: unknown): number | undefined {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** A string or undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Unix seconds from a number (seconds, or milliseconds when it is that large) or RFC 3339. */
export function seconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return Math.floor(v > 1e11 ? v / 1000 : v);
  }
  if (typeof v === 'string' && v !== '') {
    if (/^\d+$/.test(v)) return seconds(Number(v));
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
  }
  return undefined;
}

/** A list of strings (labels, hits); anything else is empty. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** How one repeated field is read: its name and what its value becomes. */
export type RepeatedField<T> = readonly [name: string, read: (v: unknown) => T];

/** Distinct values kept per field before its cache starts again (a bound on memory). */
export const REPEATED_VALUES = 65_536;
/**
 * A field missing from this many lines in a row is looked for again only every LOOK_AGAIN
 * lines (a format that never has it then costs no search).
 */
const MISSING = 16;
const LOOK_AGAIN = 64;

/**
 * A reader of JSON lines whose few object or array fields repeat from line to line (a pod's
 * labels, a path's policy trace: most of a Calico Enterprise flow log line, the same on every
 * line of that pod or path). Each such field's text is cut out of the line before JSON.parse
 * and read once per distinct text, so parsing the line skips it and the records share what it
 * became (which nobody may change).
 *
 * Where a field is looked for only decides the speed; the result is exactly JSON.parse's:
 * - only a line without a backslash is cut, so every key and string reads as it is written, a
 *   string ends at the next quote, and no string in it can hold a control character;
 * - the text cut for field i is an object or array after `"name":`, and is replaced by the
 *   string `"\u000i"`, which no value of the line can equal. The field counts as cut only when
 *   the parsed line's own field (the last of that name, as JSON.parse takes it) is that string;
 *   otherwise (a nested key of that name, a later duplicate) the line is parsed as it is;
 * - a field's text is found by a text read before (the cache, looked up up to the last two
 *   characters that ended the field's last new text) or else scanned: a text that balances ends
 *   where the same characters end it, so both find the same end;
 * - the cut line and the field's text must both parse, which holds exactly when the line does
 *   (a whole string token replaced by a whole value); a line that does not is parsed again as
 *   it is, for JSON.parse's own error.
 *
 * In the `value` given back a cut field holds its mark: take the fields from `fields`.
 */
export function repeatedFieldsReader<T extends readonly unknown[]>(fields: {
  readonly [K in keyof T]: RepeatedField<T[K]>;
}): (line: string) => { value: Obj; fields: T } | { error: string } {
  const specs = fields as ReadonlyArray<RepeatedField<unknown>>;
  // One control character each for a mark.
  if (specs.length > 32) throw new Error('at most 32 repeated fields');
  const n = specs.length;
  const keys = specs.map(([name]) => `${JSON.stringify(name)}:`);
  const marks = specs.map((_, i) => String.fromCharCode(i));
  // JSON writes a control character as \u000i: a string no value of a line without a
  // backslash can hold.
  const markTexts = marks.map((m) => JSON.stringify(m));
  const caches = specs.map(() => new TextCache<unknown>());
  /** Where each field's key was in the last line that had it, and the lines without it since. */
  const lastAt = specs.map(() => 0);
  const missing = specs.map(() => 0);
  let lineCount = 0;
  const starts = new Array<number>(n);
  const ends = new Array<number>(n);
  /**
   * The last two characters of each field's last text read (`]}` for `{"labels": [...]}`), and
   * what the field of this line became when its text was found by them (else undefined).
   */
  const closers = specs.map(() => '');
  const found = new Array<unknown>(n);
  const whole = (line: string): { value: Obj; fields: T } | { error: string } => {
    const o = jsonObject(line);
    if ('error' in o) return o;
    return { value: o.value, fields: specs.map(([name, read]) => read(o.value[name])) as never };
  };
  return (line) => {
    lineCount++;
    if (line.includes('\\')) return whole(line);
    let cut = 0;
    for (let f = 0; f < n; f++) {
      starts[f] = -1;
      if ((missing[f] as number) >= MISSING && lineCount % LOOK_AGAIN !== 0) continue;
      const key = keys[f] as string;
      // Fields keep their order and nearly their place from line to line.
      const was = lastAt[f] as number;
      let at = was > 64 ? line.indexOf(key, was - 64) : -1;
      if (at < 0) at = line.indexOf(key);
      if (at < 0) {
        missing[f] = (missing[f] as number) + 1;
        continue;
      }
      lastAt[f] = at;
      missing[f] = 0;
      const p = skipSpace(line, at + key.length);
      // A text read before that starts at p is the whole value there (a value ends where its
      // text balances, so the same characters end it at the same place): looked up up to the
      // first closer, it saves scanning the value. Otherwise the value is scanned.
      let end = -1;
      found[f] = undefined;
      const closer = closers[f] as string;
      const close = closer === '' ? -1 : line.indexOf(closer, p);
      if (close >= 0) {
        const r = (caches[f] as TextCache<unknown>).get(line.slice(p, close + closer.length));
        if (r !== undefined) {
          end = close + closer.length;
          found[f] = r;
        }
      }
      if (end < 0) end = valueEnd(line, p);
      if (end < 0) continue;
      starts[f] = p;
      ends[f] = end;
      cut++;
    }
    if (cut === 0) return whole(line);
    // The cut line: the fields' texts, in the line's order, each replaced by its mark.
    let text = '';
    let from = 0;
    for (;;) {
      let f = -1;
      for (let g = 0; g < n; g++) {
        const s = starts[g] as number;
        if (s >= from && (f < 0 || s < (starts[f] as number))) f = g;
      }
      if (f < 0) break;
      text += line.slice(from, starts[f]) + (markTexts[f] as string);
      from = ends[f] as number;
    }
    text += line.slice(from);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return whole(line);
    }
    if (!isObj(value)) return whole(line);
    const out = new Array<unknown>(n);
    for (let f = 0; f < n; f++) {
      const [name, read] = specs[f] as RepeatedField<unknown>;
      const start = starts[f] as number;
      const v = value[name];
      if (start < 0) {
        out[f] = read(v);
        continue;
      }
      // One field's key inside another's value, a nested key, a later duplicate: not cut.
      if (v !== marks[f]) return whole(line);
      let r = found[f];
      if (r !== undefined) {
        out[f] = r;
        continue;
      }
      const raw = line.slice(start, ends[f]);
      const cache = caches[f] as TextCache<unknown>;
      r = cache.get(raw);
      if (r === undefined) {
        try {
          r = read(JSON.parse(raw));
        } catch {
          return whole(line);
        }
        cache.set(raw, r);
        closers[f] = raw.slice(-2);
      }
      out[f] = r;
    }
    return { value, fields: out as unknown as T };
  };
}

/**
 * Values by their text. Looked up by a few of the text's characters and its length, then
 * compared whole: hashing every character of a long text cost more than the lookup saved.
 */
class TextCache<T> {
  private readonly buckets = new Map<number, Array<[string, T]>>();
  private size = 0;

  get(text: string): T | undefined {
    const bucket = this.buckets.get(fingerprint(text));
    if (bucket) for (const [t, v] of bucket) if (t === text) return v;
    return undefined;
  }

  set(text: string, v: T): void {
    if (this.size >= REPEATED_VALUES) {
      this.buckets.clear();
      this.size = 0;
    }
    // A copy: a slice would keep the whole chunk of lines it came from.
    const own = `${text} `.slice(0, -1);
    const k = fingerprint(text);
    const bucket = this.buckets.get(k);
    if (bucket) bucket.push([own, v]);
    else this.buckets.set(k, [[own, v]]);
    this.size++;
  }
}

function fingerprint(s: string): number {
  const n = s.length;
  let h = n;
  for (let k = 1; k < 16; k++) h = Math.imul(h, 31) + s.charCodeAt(((n * k) >> 4) | 0);
  return h | 0;
}

/** The first index from p that is not JSON whitespace. */
function skipSpace(s: string, p: number): number {
  for (;;) {
    const c = s.charCodeAt(p);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return p;
    p++;
  }
}

/**
 * Where the object or array at p ends (the index after it), -1 when p holds neither or it does
 * not end; for text without backslashes (a string ends at the next quote). Unbalanced text is
 * left for JSON.parse to refuse.
 */
function valueEnd(s: string, p: number): number {
  const first = s.charCodeAt(p);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return -1;
  let depth = 0;
  for (let i = p; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      i = s.indexOf('"', i + 1);
      if (i < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}
