// A Panorama device group: its hierarchy (parents in `readonly`, or the older dg-meta-data),
// its objects and rules with those of its ancestors and shared, in Panorama's order, and the
// zones its devices' templates declare.
import { quote } from '../model/issues.js';
import { defaultRule, emptyPolicy, issue, markTargets } from './panos-common.js';
import type { Base, PanosOptions } from './panos-common.js';
import { ObjectResolver, members } from './panos-objects.js';
import type { ObjectScope } from './panos-objects.js';
import { readRule } from './panos-rules.js';
import type { FirewallPolicy, FirewallRule, RulePlace } from './types.js';
import type { XmlElement } from './xml.js';

const DG_PATHS: Array<[string, string]> = [
  ['devices/entry/device-group/entry', '/config/devices/entry/device-group/entry'],
  ['result/device-group/entry', '/result/device-group/entry'],
  ['device-group/entry', '/result/device-group/entry'],
];

/**
 * Device-group elements by name. A name may appear more than once (loadable configuration
 * snippets repeat an entry to add to it): its elements are read together, in order.
 */
export function deviceGroupElements(config: XmlElement): Map<string, ObjectScope[]> {
  const out = new Map<string, ObjectScope[]>();
  for (const [rel, abs] of DG_PATHS) {
    for (const el of config.all(rel)) {
      const name = el.attr('name') ?? '';
      const scope = { name, el, path: `${abs}[@name='${name}']` };
      const list = out.get(name);
      if (list) list.push(scope);
      else out.set(name, [scope]);
    }
  }
  return out;
}

/** Each device group's parent ("shared" at the top): 8.1 and later keep it in readonly. */
export function parentsOf(config: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of deviceGroupElements(config).keys()) out.set(name, 'shared');
  const parents = [
    ...config.all('readonly/devices/entry/device-group/entry'),
    ...config.all('readonly/dg-meta-data/dg-info/entry'),
  ];
  for (const p of parents) {
    const name = p.attr('name') ?? '';
    const parent = p.textAt('parent-dg');
    if (out.has(name) && parent) out.set(name, parent);
  }
  return out;
}

/** Serial numbers assigned to a device group. */
function devicesOf(els: readonly ObjectScope[]): string[] {
  return els
    .flatMap((s) => s.el.child('devices')?.children('entry') ?? [])
    .map((e) => e.attr('name') ?? '');
}

/** Read one device group's policy. */
export function readDeviceGroup(
  config: XmlElement,
  opts: PanosOptions,
  base: Base,
): FirewallPolicy {
  const dgEls = deviceGroupElements(config);
  const name =
    opts.deviceGroup ??
    [...dgEls].find(([, els]) => opts.device && devicesOf(els).includes(opts.device))?.[0];
  if (name === undefined || !dgEls.has(name)) {
    const known = [...dgEls.keys()].map((n) => quote(n)).join(', ');
    issue(base, opts, {
      code: 'panos.deviceGroup.unknown',
      severity: 'error',
      message:
        name === undefined
          ? `choose a device group (known: ${known})`
          : `no device group is named ${quote(name)} (known: ${known})`,
    });
    return emptyPolicy(base, 'panorama', name ?? '');
  }
  const ancestry = ancestorsOf(name, parentsOf(config), base, opts);
  const devices = devicesOf(dgEls.get(name) ?? []);
  if (opts.device && !devices.includes(opts.device)) {
    issue(base, opts, {
      code: 'panos.device.notInGroup',
      severity: 'warning',
      message: `device ${quote(opts.device)} is not assigned to device group ${quote(name)}; its rules are read as if it were`,
    });
  }
  // Nearest first: the device group's elements, its ancestors', then shared.
  const scopes = ancestry.flatMap((dg) => (dg === 'shared' ? [] : (dgEls.get(dg) ?? [])));
  const shared = config.child('shared');
  if (shared) scopes.push({ name: 'shared', el: shared, path: '/config/shared' });
  const defaults = (which: string): Array<{ el: XmlElement; scope: ObjectScope }> =>
    scopes.flatMap((scope) => {
      const el = scope.el.at(`post-rulebase/default-security-rules/rules/entry[@name='${which}']`);
      return el ? [{ el, scope }] : [];
    });
  return {
    ...base,
    source: 'panorama',
    scope: name,
    ...(opts.device ? { device: opts.device } : {}),
    ancestry,
    zones: templateZones(config, opts.device ? [opts.device] : devices),
    rules: markTargets(orderedRules(scopes, ancestry, opts, base), opts.device),
    intrazone: defaultRule(defaults('intrazone-default'), 'allow'),
    interzone: defaultRule(defaults('interzone-default'), 'deny'),
  };
}

/**
 * Rules in Panorama's order: shared pre, the top ancestor's pre down to the device group's own,
 * the device group's own post up to the top ancestor's, shared post. Every rule resolves objects
 * from the device group being read: that is what its firewalls receive.
 */
function orderedRules(
  scopes: ObjectScope[],
  ancestry: string[],
  opts: PanosOptions,
  base: Base,
): FirewallRule[] {
  const objects = new ObjectResolver(scopes, base.issues, opts.file);
  const read = (s: ObjectScope, which: 'pre-rulebase' | 'post-rulebase'): FirewallRule[] => {
    const place: RulePlace =
      s.name === 'shared'
        ? which === 'pre-rulebase'
          ? 'shared-pre'
          : 'shared-post'
        : which === 'pre-rulebase'
          ? 'pre'
          : 'post';
    const path = `${s.path}/${which}/security/rules`;
    return (s.el.at(`${which}/security/rules`)?.children('entry') ?? []).map((el) =>
      readRule(el, { scope: s.name, place, path, objects }),
    );
  };
  const level = (dg: string): ObjectScope[] => scopes.filter((s) => s.name === dg);
  const top = [...ancestry].reverse(); // shared, top ancestor, ..., own
  return [
    ...top.flatMap((dg) => level(dg).flatMap((s) => read(s, 'pre-rulebase'))),
    ...ancestry.flatMap((dg) => level(dg).flatMap((s) => read(s, 'post-rulebase'))),
  ];
}

function ancestorsOf(
  name: string,
  parents: Map<string, string>,
  base: Base,
  opts: PanosOptions,
): string[] {
  const out = [name];
  let cur = parents.get(name);
  while (cur && cur !== 'shared') {
    if (out.includes(cur)) {
      issue(base, opts, {
        code: 'panos.deviceGroup.cycle',
        severity: 'error',
        message: `device group parents form a cycle: ${[...out, cur].map((n) => quote(n)).join(' -> ')}`,
      });
      break;
    }
    out.push(cur);
    cur = parents.get(cur);
    if (cur === undefined) {
      issue(base, opts, {
        code: 'panos.deviceGroup.parent',
        severity: 'error',
        message: `device group ${quote(out[out.length - 1])} has an unknown parent`,
      });
    }
  }
  out.push('shared');
  return out;
}

/**
 * Zones the templates of these devices declare: the template stacks (and, before stacks,
 * the templates) the devices are assigned to, and the templates a stack holds.
 */
export function templateZones(config: XmlElement, devices: readonly string[]): string[] {
  if (devices.length === 0) return [];
  const root = config.at('devices/entry') ?? config;
  const assigned = (el: XmlElement): boolean =>
    (el.child('devices')?.children('entry') ?? []).some((d) =>
      devices.includes(d.attr('name') ?? ''),
    );
  const templates = new Map(
    (root.child('template')?.children('entry') ?? []).map((t) => [t.attr('name') ?? '', t]),
  );
  const chosen: XmlElement[] = [...templates.values()].filter(assigned);
  for (const stack of root.child('template-stack')?.children('entry') ?? []) {
    if (!assigned(stack)) continue;
    chosen.push(stack);
    for (const t of members(stack.child('templates'))) {
      const el = templates.get(t);
      if (el) chosen.push(el);
    }
  }
  const zones = chosen.flatMap((t) =>
    t.all('config/devices/entry/vsys/entry/zone/entry').map((z) => z.attr('name') ?? ''),
  );
  return [...new Set(zones)];
}
