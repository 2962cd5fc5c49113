// Bad input is data: every problem found in the input is an Issue, returned all at once.

/** A character range inside one value (for selectors: offsets into the selector text). */
export interface Span {
  start: number;
  end: number;
}

/** Where a value sits in its file, 1-based. */
export interface Position {
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Issue {
  /** Stable machine-readable code, e.g. `selector.syntax`, `field.required`, `kind.unknown`. */
  code: string;
  severity: Severity;
  /** What is wrong, quoting the bad value. */
  message: string;
  file?: string;
  /** 0-based index of the YAML document inside the file. */
  doc?: number;
  /** Field path inside the document, e.g. `spec.ingress[0].from[1].podSelector`. */
  path?: string;
  /** For values with inner structure (selectors): the offending characters. */
  span?: Span;
  /** The value the span refers to (the selector text), so a caret can be drawn under it. */
  text?: string;
  /** Where the value starts in the file, when known. */
  pos?: Position;
}

/** Collects issues; `hasErrors` decides whether evaluation may go ahead. */
export class IssueList {
  readonly items: Issue[] = [];

  add(issue: Issue): void {
    this.items.push(issue);
  }

  addAll(issues: readonly Issue[]): void {
    for (const i of issues) this.items.push(i);
  }

  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error');
  }

  get errors(): Issue[] {
    return this.items.filter((i) => i.severity === 'error');
  }
}

/** Quote a user value for a message: strings in double quotes, others as JSON, long values cut. */
export function quote(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (value === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Sort issues by file, document, path so output is stable. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      cmp(a.file ?? '', b.file ?? '') ||
      (a.doc ?? -1) - (b.doc ?? -1) ||
      (a.pos?.line ?? 0) - (b.pos?.line ?? 0) ||
      cmp(a.path ?? '', b.path ?? ''),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
