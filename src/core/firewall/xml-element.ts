// The element tree the XML parser builds: names, attributes, child elements, direct text,
// where each element starts, and small path lookups for reading configurations.

/** One element: its name, attributes, child elements and the text directly inside it. */
export class XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly elements: XmlElement[] = [];
  /**
   * Direct text content (text and CDATA, entities resolved), untrimmed; whitespace-only runs
   * around child elements (indentation) are left out.
   */
  text = '';
  readonly line: number;
  readonly col: number;

  constructor(name: string, attrs: Record<string, string>, line: number, col: number) {
    this.name = name;
    this.attrs = attrs;
    this.line = line;
    this.col = col;
  }

  /** An attribute's value, or undefined. */
  attr(name: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.attrs, name) ? this.attrs[name] : undefined;
  }

  /** The text with surrounding whitespace removed. */
  get value(): string {
    return this.text.trim();
  }

  /** The first child element with this name. */
  child(name: string): XmlElement | undefined {
    return this.elements.find((e) => e.name === name);
  }

  /** Child elements, all or those with this name. */
  children(name?: string): XmlElement[] {
    return name === undefined ? this.elements : this.elements.filter((e) => e.name === name);
  }

  /**
   * Every element at a path below this one: steps separated by `/`, each a name or `*`,
   * optionally with one `[@attr='value']` predicate, e.g. `devices/entry/device-group/entry[@name='dg1']`.
   */
  all(path: string): XmlElement[] {
    let current: XmlElement[] = [this];
    for (const step of parsePath(path)) {
      const next: XmlElement[] = [];
      for (const el of current) for (const c of el.elements) if (matches(c, step)) next.push(c);
      current = next;
      if (current.length === 0) break;
    }
    return current;
  }

  /** The first element at a path below this one (see `all`). */
  at(path: string): XmlElement | undefined {
    return this.all(path)[0];
  }

  /** The trimmed text of the first element at a path, or undefined. */
  textAt(path: string): string | undefined {
    return this.at(path)?.value;
  }
}

interface Step {
  name: string;
  attr?: string;
  equals?: string;
}

const STEP = /^([^[\]/]+)(?:\[@([^=\]]+)=(?:'([^']*)'|"([^"]*)")\])?$/;
const pathCache = new Map<string, Step[]>();

function parsePath(path: string): Step[] {
  const cached = pathCache.get(path);
  if (cached) return cached;
  const steps = splitPath(path).map((s) => {
    const m = STEP.exec(s);
    if (!m?.[1]) throw new Error(`bad XML path step ${JSON.stringify(s)} in ${path}`);
    return m[2] === undefined ? { name: m[1] } : { name: m[1], attr: m[2], equals: m[3] ?? m[4] };
  });
  if (pathCache.size < 1000) pathCache.set(path, steps);
  return steps;
}

/** Split on `/` outside quotes (a predicate's value may contain one). */
function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = '';
  for (const ch of path) {
    if (q) {
      if (ch === q) q = '';
    } else if (ch === "'" || ch === '"') q = ch;
    else if (ch === '/') {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

function matches(el: XmlElement, step: Step): boolean {
  if (step.name !== '*' && el.name !== step.name) return false;
  return step.attr === undefined || el.attr(step.attr) === step.equals;
}
