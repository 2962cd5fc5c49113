// Helpers for model tests: load one document, pick out errors, compare normalised shapes.
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { CidrSet, formatCIDR } from '../../src/core/net/index.js';
import { loadPolicySet } from '../../src/core/model/load.js';
import type { LoadResult } from '../../src/core/model/load.js';
import type { Issue } from '../../src/core/model/issues.js';
import type { Policy, PolicySet } from '../../src/core/model/types.js';

/** Load one document (an object, written out as YAML 1.1) from a named file. */
export function loadDoc(file: string, doc: unknown): LoadResult {
  return loadPolicySet([{ path: file, text: stringify(doc, { version: '1.1' }) }]);
}

/** The error-severity issues. */
export const errors = (r: LoadResult): Issue[] => r.issues.filter((i) => i.severity === 'error');

/** The policy set of YAML text that must be valid (its errors are thrown). */
export function validSet(text: string): PolicySet {
  const r = loadPolicySet([{ path: 'test.yaml', text }]);
  const bad = errors(r);
  if (bad.length > 0) throw new Error(bad.map((e) => e.message).join('; '));
  return r.set;
}

/** Selectors as canonical text, address sets as CIDR lists: comparable plain data. */
export function plain(v: unknown): unknown {
  if (v instanceof CidrSet) return v.toCIDRs().map(formatCIDR);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    if ('canonical' in v && 'ast' in v) return (v as { canonical: string }).canonical;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** The one policy a valid load produced, as plain data. */
export function onlyPolicy(r: LoadResult): Record<string, unknown> {
  expect(errors(r)).toEqual([]);
  expect(r.set.policies).toHaveLength(1);
  return plain(r.set.policies[0] as Policy) as Record<string, unknown>;
}
