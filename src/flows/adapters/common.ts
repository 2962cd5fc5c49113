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
