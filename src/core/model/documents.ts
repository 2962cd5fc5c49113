// YAML input -> documents, keeping enough of the parse to point an issue at a line and column.
import jsyaml from 'js-yaml';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Tags } from 'yaml';
import type { Issue, Position } from './issues.js';
import { YAML11_DUMP, YAML11_FAST } from './yaml11.js';

/** One input file, already read (reading files and stdin is the caller's I/O). */
export interface InputFile {
  path: string;
  text: string;
}

export type PathSeg = string | number;

/** One Kubernetes-style object from a file (a `List`'s items become one RawObject each). */
export interface RawObject {
  file: string;
  doc: number;
  /** Path prefix inside the document (`['items', 3]` for the 4th item of a List). */
  prefix: PathSeg[];
  value: Record<string, unknown>;
  locate(path: readonly PathSeg[]): Position | undefined;
}

/** Parse YAML files (multi-document, `kind: List`) into objects; syntax errors become issues. */
export function parseDocuments(files: readonly InputFile[]): {
  objects: RawObject[];
  issues: Issue[];
} {
  const objects: RawObject[] = [];
  const issues: Issue[] = [];
  for (const f of files) parseFile(f, objects, issues);
  return { objects, issues };
}

function parseFile(f: InputFile, objects: RawObject[], issues: Issue[]): void {
  // Values come from the fast parser; the slow one (with positions) runs only when needed.
  const values = fastValues(f.text);
  if (!values) {
    parseSlowly(f, objects, issues);
    return;
  }
  const positions = lazyPositions(f.text);
  values.forEach((value, i) => {
    if (value === null || value === undefined) return; // empty document
    addObject(
      { file: f.path, doc: i, prefix: [], value, locate: (path) => positions(i, path) },
      objects,
      issues,
    );
  });
}

/** The documents' values by JSON.parse or the fast YAML parser; undefined when both decline. */
function fastValues(text: string): unknown[] | undefined {
  if (looksLikeJson(text)) {
    try {
      return [JSON.parse(text)];
    } catch {
      // not JSON after all (a YAML flow mapping, say): the YAML parsers decide
    }
  }
  try {
    return jsyaml.loadAll(text, undefined, { schema: YAML11_FAST });
  } catch {
    return undefined;
  }
}

/**
 * JSON (a `kubectl get -o json` snapshot) is YAML too, and JSON.parse reads it the same way
 * (JSON has no unquoted scalars to resolve) many times faster. Not JSON after all: YAML.
 */
function looksLikeJson(text: string): boolean {
  const c = text.trimStart().charAt(0);
  return c === '{' || c === '[';
}

/** Positions of values, from a full parse done on first use (only files with issues pay for it). */
function lazyPositions(
  text: string,
): (doc: number, path: readonly PathSeg[]) => Position | undefined {
  let located: Array<(path: readonly PathSeg[]) => Position | undefined> | undefined;
  return (doc, path) => {
    if (!located) {
      const lc = new LineCounter();
      located = parseAllDocuments(text, { lineCounter: lc, version: '1.1' }).map((d) =>
        locator(d, lc),
      );
    }
    return located[doc]?.(path);
  };
}

/**
 * The full parse, for a file the fast parser rejected: it reports every syntax error with
 * its position (Kubernetes decodes YAML 1.1, sigs.k8s.io/yaml: `yes`/`on` are booleans).
 */
function parseSlowly(f: InputFile, objects: RawObject[], issues: Issue[]): void {
  const lc = new LineCounter();
  const docs = parseAllDocuments(f.text, {
    lineCounter: lc,
    version: '1.1',
    uniqueKeys: true,
    customTags: noTimestamps,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((d, i) => {
    if (d.errors.length > 0) {
      for (const e of d.errors) {
        const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
        issues.push({
          code: 'yaml.syntax',
          severity: 'error',
          message: firstLine(e.message),
          file: f.path,
          doc: i,
          pos: line ? { line, col } : undefined,
        });
      }
      return;
    }
    const value: unknown = d.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) return;
    addObject({ file: f.path, doc: i, prefix: [], value, locate: locator(d, lc) }, objects, issues);
  });
}

function addObject(
  o: Omit<RawObject, 'value'> & { value: unknown },
  objects: RawObject[],
  issues: Issue[],
): void {
  if (typeof o.value !== 'object' || o.value === null || Array.isArray(o.value)) {
    issues.push({
      code: 'document.notObject',
      severity: 'error',
      message: `a document must be a mapping with apiVersion and kind, found ${describe(o.value)}`,
      file: o.file,
      doc: o.doc,
      path: pathString(o.prefix),
      pos: o.locate(o.prefix),
    });
    return;
  }
  const v = o.value as Record<string, unknown>;
  if (isList(v)) {
    const items = v.items;
    if (!Array.isArray(items)) {
      if (items !== undefined && items !== null) {
        issues.push({
          code: 'field.type',
          severity: 'error',
          message: `items must be a list, found ${describe(items)}`,
          file: o.file,
          doc: o.doc,
          path: pathString([...o.prefix, 'items']),
          pos: o.locate([...o.prefix, 'items']),
        });
      }
      return;
    }
    items.forEach((item, idx) =>
      addObject({ ...o, prefix: [...o.prefix, 'items', idx], value: item }, objects, issues),
    );
    return;
  }
  objects.push({ ...o, value: v });
}

function isList(v: Record<string, unknown>): boolean {
  // `List`, `PodList`, `NetworkPolicyList`, ...: all carry their objects in `items`.
  return typeof v.kind === 'string' && v.kind.endsWith('List') && 'items' in v;
}

/** The full parser's YAML 1.1 tags without timestamps (they stay strings, as in the fast path). */
function noTimestamps(tags: Tags): Tags {
  return tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp');
}

function locator(d: Document, lc: LineCounter): (path: readonly PathSeg[]) => Position | undefined {
  return (path) => {
    // Walk up until a node exists: a missing field is reported where its parent is.
    for (let n = path.length; n >= 0; n--) {
      const node = d.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | null;
      if (node && typeof node === 'object' && node.range) {
        const p = lc.linePos(node.range[0]);
        return { line: p.line, col: p.col };
      }
    }
    return undefined;
  };
}

/** `spec.ingress[0].from` from path segments. */
export function pathString(path: readonly PathSeg[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

/** A short description of a value's type for messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)}`;
  return `${typeof v} ${String(v)}`;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/**
 * Documents as YAML that Kubernetes reads back unchanged: YAML 1.1, so strings such as `off`,
 * `yes` or `y` are quoted (YAML 1.2 would leave them bare and a 1.1 reader makes them booleans).
 */
export function toYaml(docs: readonly unknown[]): string {
  return docs
    .map((d) =>
      jsyaml.dump(d, { schema: YAML11_DUMP, lineWidth: -1, noRefs: true, skipInvalid: true }),
    )
    .join('---\n');
}
