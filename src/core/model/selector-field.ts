// A Calico selector field: parsed, with errors reported at the field with the character span.
import { parseSelector, selectorFromNode } from '../selector/index.js';
import type { Selector } from '../selector/index.js';
import type { Reader } from './reader.js';

export interface SelectorFieldOpts {
  /** `global()` is only meaningful in a rule's namespaceSelector. */
  allowGlobal?: boolean;
  /** Value when the field is absent (Calico: `all()` for a policy's selector). */
  whenMissing?: 'all' | 'none';
}

/** Parse a selector-valued field; absent -> `all()` (or undefined with `whenMissing: 'none'`). */
export function readSelectorField(r: Reader, opts: SelectorFieldOpts = {}): Selector | undefined {
  if (r.missing) return opts.whenMissing === 'none' ? undefined : selectorFromNode({ kind: 'all' });
  const text = r.string();
  if (text === undefined) return undefined;
  const res = parseSelector(text);
  if (!res.ok) {
    r.error('selector.syntax', `invalid selector: ${res.error.message}`, {
      span: res.error.span,
      text,
    });
    return undefined;
  }
  if (res.selector.usesGlobal && !opts.allowGlobal) {
    const at = text.indexOf('global');
    r.error('selector.global', "global() may only be used in a rule's namespaceSelector", {
      span: { start: Math.max(at, 0), end: at >= 0 ? at + 'global()'.length : text.length },
      text,
    });
    return undefined;
  }
  return res.selector;
}
