// What the Panorama and firewall readers share: where issues go, default rules, rule targets,
// and the empty policy a failed read returns.
import type { Issue } from '../model/issues.js';
import { quote } from '../model/issues.js';
import type { ObjectScope } from './panos-objects.js';
import type { DefaultRule, FirewallPolicy, FirewallRule } from './types.js';
import type { XmlElement } from './xml.js';

export interface PanosOptions {
  /** The device group (Panorama) or vsys (firewall) whose policy to read. */
  deviceGroup?: string;
  /** A managed firewall's serial number: rules targeted elsewhere are left out. */
  device?: string;
  /** For issues. */
  file?: string;
}

export type Base = Pick<FirewallPolicy, 'vendor' | 'version' | 'issues'>;

/** Record an issue, with the file when known. */
export function issue(base: Base, opts: PanosOptions, i: Omit<Issue, 'file'>): void {
  base.issues.push({ ...i, ...(opts.file ? { file: opts.file } : {}) });
}

/** The nearest override of a default rule (`found`, nearest first), else the predefined action. */
export function defaultRule(
  found: Array<{ el: XmlElement; scope: ObjectScope }>,
  action: string,
): DefaultRule {
  const first = found[0];
  if (!first) return { action, logStart: false, logEnd: false, from: 'predefined' };
  const el = first.el;
  return {
    action: el.textAt('action') ?? action,
    logStart: el.textAt('log-start') === 'yes',
    logEnd: el.textAt('log-end') === 'yes',
    from: first.scope.name,
  };
}

/** With a device, mark the rules targeted at other devices; without, the mapping judges them. */
export function markTargets(rules: FirewallRule[], device: string | undefined): FirewallRule[] {
  if (!device) return rules;
  for (const r of rules) {
    if (!r.target || r.target.devices.length === 0) continue;
    if (r.target.devices.includes(device) === r.target.negate) {
      r.excluded = `its target ${r.target.negate ? 'excludes' : 'does not include'} device ${quote(device)}`;
    }
  }
  return rules;
}

/** A policy with no rules and the predefined defaults (returned with the errors that caused it). */
export function emptyPolicy(
  base: Base,
  source: 'panorama' | 'firewall',
  scope: string,
): FirewallPolicy {
  const d = (action: string): DefaultRule => ({
    action,
    logStart: false,
    logEnd: false,
    from: 'predefined',
  });
  return {
    ...base,
    source,
    scope,
    ancestry: [scope, 'shared'],
    zones: [],
    rules: [],
    intrazone: d('allow'),
    interzone: d('deny'),
  };
}
