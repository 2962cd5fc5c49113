// The calico-selector suite (../shared/conformance/calico-selector/cases.json), read in place.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  mapLabelKeys,
  parseSelector,
  printSelector,
  type Selector,
} from '../../src/core/selector/index.js';
import { SHARED_MISSING, sharedDir } from '../support/shared.js';

interface Cases {
  matches: {
    selector: string;
    match: Record<string, string>[];
    noMatch: Record<string, string>[];
  }[];
  invalid: string[];
  canonical: { input: string; canonical: string }[];
  uniqueIds: { input: string; uniqueId: string }[];
  prefixVisitor: { prefix: string; cases: { input: string; output: string }[] };
}

const shared = sharedDir();
const cases: Cases = shared
  ? (JSON.parse(
      readFileSync(path.join(shared, 'conformance/calico-selector/cases.json'), 'utf8'),
    ) as Cases)
  : {
      matches: [],
      invalid: [],
      canonical: [],
      uniqueIds: [],
      prefixVisitor: { prefix: '', cases: [] },
    };

function tryParse(text: string): Selector | undefined {
  const result = parseSelector(text);
  return result.ok ? result.selector : undefined;
}

const labels = (map: Record<string, string>): Map<string, string> => new Map(Object.entries(map));

// Each check returns whether its case passes, so the summary counts what really holds.
const checks = {
  match(c: Cases['matches'][number]): boolean {
    const first = tryParse(c.selector);
    const again = first && tryParse(first.canonical);
    if (!first || !again) return false;
    return [first, again].every(
      (sel) =>
        c.match.every((m) => sel.matches(labels(m))) &&
        c.noMatch.every((m) => !sel.matches(labels(m))),
    );
  },
  invalid: (text: string): boolean => !parseSelector(text).ok,
  canonical(c: Cases['canonical'][number]): boolean {
    const sel = tryParse(c.input);
    const again = sel && tryParse(sel.canonical);
    return (
      sel?.canonical === c.canonical &&
      again?.canonical === c.canonical &&
      again.uniqueId === sel.uniqueId
    );
  },
  uniqueId: (c: Cases['uniqueIds'][number]): boolean => tryParse(c.input)?.uniqueId === c.uniqueId,
  visitor(c: { input: string; output: string }): boolean {
    const sel = tryParse(c.input);
    const { prefix } = cases.prefixVisitor;
    return (
      sel !== undefined && printSelector(mapLabelKeys(sel.ast, (k) => prefix + k)) === c.output
    );
  },
};

const count = <T>(items: readonly T[], check: (item: T) => boolean): string =>
  `${items.filter(check).length}/${items.length}`;

describe.skipIf(!shared)(
  `calico-selector conformance${shared ? '' : ` (skipped: ${SHARED_MISSING})`}`,
  () => {
    it.each(cases.matches)('matches: $selector', (c) => expect(checks.match(c)).toBe(true));
    it.each(cases.invalid)('invalid: %j', (text) => expect(checks.invalid(text)).toBe(true));
    it.each(cases.canonical)('canonical: $input', (c) => {
      expect(tryParse(c.input)?.canonical).toBe(c.canonical);
      expect(checks.canonical(c)).toBe(true);
    });
    it.each(cases.uniqueIds)('unique id: $input', (c) => {
      expect(tryParse(c.input)?.uniqueId).toBe(c.uniqueId);
    });
    it.each(cases.prefixVisitor.cases)('visitor: $input', (c) =>
      expect(checks.visitor(c)).toBe(true),
    );

    it('passes every table', () => {
      const line =
        `calico-selector: ${count(cases.matches, checks.match)} match cases, ` +
        `${count(cases.invalid, checks.invalid)} invalid, ` +
        `${count(cases.canonical, checks.canonical)} canonical, ` +
        `${count(cases.uniqueIds, checks.uniqueId)} unique ids, ` +
        `${count(cases.prefixVisitor.cases, checks.visitor)} visitor`;
      console.log(line);
      expect(line).toBe(
        `calico-selector: ${cases.matches.length}/${cases.matches.length} match cases, ` +
          `${cases.invalid.length}/${cases.invalid.length} invalid, ` +
          `${cases.canonical.length}/${cases.canonical.length} canonical, ` +
          `${cases.uniqueIds.length}/${cases.uniqueIds.length} unique ids, ` +
          `${cases.prefixVisitor.cases.length}/${cases.prefixVisitor.cases.length} visitor`,
      );
    });
  },
);
