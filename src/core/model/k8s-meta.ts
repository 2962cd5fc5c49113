// Kubernetes object metadata, names, labels and label selectors, validated with the API
// server's own limits (apimachinery validation: DNS-1123 names, qualified label keys).
import { selectorFromNode } from '../selector/index.js';
import type { Selector, SelectorNode } from '../selector/index.js';
import { quote } from './issues.js';
import type { Reader } from './reader.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export type NameRule = 'dns-label' | 'dns-subdomain';

/** Why a name is not a valid DNS-1123 label/subdomain, or undefined when it is. */
export function nameProblem(name: string, rule: NameRule): string | undefined {
  if (rule === 'dns-label') {
    if (name.length > 63) return `must be no more than 63 characters (has ${name.length})`;
    if (!DNS_LABEL.test(name)) {
      return "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    }
    return undefined;
  }
  if (name.length > 253) return `must be no more than 253 characters (has ${name.length})`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Why a label key is invalid (Kubernetes qualified name), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix === '') return 'prefix part must be non-empty';
    const p = nameProblem(prefix, 'dns-subdomain');
    if (p) return `prefix part ${p}`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters (has ${name.length})`;
  if (!LABEL_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Why a label value is invalid, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!LABEL_NAME.test(value)) {
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** A name field checked against a DNS rule. */
export function readName(
  r: Reader,
  rule: NameRule,
  opts: { required?: boolean } = {},
): string | undefined {
  const name = r.string({ required: opts.required ?? true, nonEmpty: true });
  if (name === undefined) return undefined;
  const p = nameProblem(name, rule);
  if (p) {
    r.error('name.invalid', `${quote(name)} is not a valid name: ${p}`);
    return undefined;
  }
  return name;
}

/** A label map (metadata.labels, matchLabels): keys and values validated. */
export function readLabels(r: Reader): Map<string, string> {
  const out = new Map<string, string>();
  const obj = r.object();
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    const kp = labelKeyProblem(k);
    if (kp) {
      r.at(k).error('label.key', `label key ${quote(k)} is invalid: ${kp}`);
      continue;
    }
    if (typeof v !== 'string') {
      r.at(k).error(
        'label.value',
        `label ${quote(k)} must have a string value, found ${quote(v)} (quote it in YAML)`,
      );
      continue;
    }
    const vp = labelValueProblem(v);
    if (vp) {
      r.at(k).error('label.value', `label ${quote(k)} has invalid value ${quote(v)}: ${vp}`);
      continue;
    }
    out.set(k, v);
  }
  return out;
}

export interface Meta {
  name: string;
  namespace?: string;
  labels: Map<string, string>;
}

/** metadata: name (required), namespace (namespaced kinds; default `default`), labels. */
export function readMeta(
  root: Reader,
  opts: { namespaced: boolean; nameRule: NameRule },
): Meta | undefined {
  const m = root.at('metadata');
  if (!m.require()) return undefined;
  m.object();
  const name = readName(m.at('name'), opts.nameRule);
  let namespace: string | undefined;
  if (opts.namespaced) {
    namespace = m.at('namespace').missing ? 'default' : readName(m.at('namespace'), 'dns-label');
    if (namespace === undefined) return undefined;
  } else if (!m.at('namespace').missing) {
    m.at('namespace').warn(
      'field.ignored',
      'this kind is not namespaced; metadata.namespace is ignored',
    );
  }
  const labels = readLabels(m.at('labels'));
  if (name === undefined) return undefined;
  return { name, ...(namespace !== undefined ? { namespace } : {}), labels };
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/**
 * A Kubernetes LabelSelector as a Calico selector AST (as Calico's converter does):
 * matchLabels -> `k == "v"`, In -> `k in {...}`, NotIn -> `k not in {...}`, Exists -> `has(k)`,
 * DoesNotExist -> `!has(k)`, all ANDed; empty or absent -> `all()`.
 */
export function readLabelSelector(r: Reader): Selector | undefined {
  if (r.missing) return selectorFromNode({ kind: 'all' });
  if (!r.object(['matchLabels', 'matchExpressions'])) return undefined;
  let ok = true;
  const terms: SelectorNode[] = [];
  const labels = r.at('matchLabels');
  if (!labels.missing) {
    const before = r.ctx.issues.length;
    const m = readLabels(labels);
    if (r.ctx.issues.length > before) ok = false;
    for (const [key, value] of m) terms.push({ kind: 'eq', key, value });
  }
  for (const e of r.at('matchExpressions').list() ?? []) {
    const t = readExpression(e);
    if (t) terms.push(t);
    else ok = false;
  }
  if (!ok) return undefined;
  if (terms.length === 0) return selectorFromNode({ kind: 'all' });
  return selectorFromNode(
    terms.length === 1 && terms[0] ? terms[0] : { kind: 'and', operands: terms },
  );
}

function readExpression(e: Reader): SelectorNode | undefined {
  if (!e.object(['key', 'operator', 'values'])) return undefined;
  const key = e.at('key').string({ required: true });
  const op = e.at('operator').oneOf(OPERATORS, { required: true });
  if (key === undefined || op === undefined) return undefined;
  const kp = labelKeyProblem(key);
  if (kp) {
    e.at('key').error('label.key', `label key ${quote(key)} is invalid: ${kp}`);
    return undefined;
  }
  const valuesR = e.at('values');
  const values = valuesR.strings() ?? [];
  if (op === 'In' || op === 'NotIn') {
    if (values.length === 0) {
      valuesR.error('field.required', `values must be non-empty when operator is ${op}`);
      return undefined;
    }
    for (const v of values) {
      const vp = labelValueProblem(v);
      if (vp) {
        valuesR.error('label.value', `value ${quote(v)} is invalid: ${vp}`);
        return undefined;
      }
    }
    const sorted = [...new Set(values)].sort();
    return { kind: op === 'In' ? 'in' : 'notin', key, values: sorted };
  }
  if (values.length > 0) {
    valuesR.error('field.forbidden', `values must be empty when operator is ${op}`);
    return undefined;
  }
  return op === 'Exists' ? { kind: 'has', key } : { kind: 'not', operand: { kind: 'has', key } };
}
