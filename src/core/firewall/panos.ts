// Reading a PAN-OS configuration into the vendor-neutral model: a Panorama export (a device
// group, with its ancestors and shared), a firewall configuration (a vsys, with shared), or a
// `type=config` XML API response holding either.
import type { Issue } from '../model/issues.js';
import { quote } from '../model/issues.js';
import { ObjectResolver } from './panos-objects.js';
import type { ObjectScope } from './panos-objects.js';
import { readRule } from './panos-rules.js';
import type { DefaultRule, FirewallPolicy, FirewallRule, RulePlace } from './types.js';
import type { XmlElement } from './xml.js';

export interface PanosOptions {
  /** The device group (Panorama) or vsys (firewall) whose policy to read. */
  deviceGroup?: string;
  /** A managed firewall's serial number: rules targeted elsewhere are left out. */
  device?: string;
  /** For issues. */
  file?: string;
}

/** The device groups a Panorama configuration defines, with their parents ("shared" at the top). */
export function deviceGroups(root: XmlElement): Map<string, string> {
  const config = unwrap(root);
  const out = new Map<string, string>();
  for (const dg of config.all('devices/entry/device-group/entry'))
    out.set(dg.attr('name') ?? '', 'shared');
  for (const dg of config.all('result/device-group/entry'))
    out.set(dg.attr('name') ?? '', 'shared');
  // 8.1 and later: readonly/devices/.../device-group/entry/parent-dg; earlier: dg-meta-data.
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

/** Read the policy of one device group or vsys; problems are in `issues` (errors are fatal). */
export function readPanos(root: XmlElement, opts: PanosOptions = {}): FirewallPolicy {
  const issues: Issue[] = [];
  const config = unwrap(root);
  const version = root.attr('version') ?? config.attr('version');
  const dgs = deviceGroups(root);
  const base = { vendor: 'panos' as const, ...(version ? { version } : {}), issues };
  if (dgs.size > 0) return readDeviceGroup(config, dgs, opts, base);
  return readVsys(config, opts, base);
}

type Base = Pick<FirewallPolicy, 'vendor' | 'version' | 'issues'>;

/** The configuration inside an API response (`response/result`, or its `config`). */
function unwrap(root: XmlElement): XmlElement {
  if (root.name !== 'response') return root;
  const result = root.child('result') ?? root;
  return result.child('config') ?? result;
}

function issue(base: Base, opts: PanosOptions, i: Omit<Issue, 'file'>): void {
  base.issues.push({ ...i, ...(opts.file ? { file: opts.file } : {}) });
}

function readDeviceGroup(
  config: XmlElement,
  dgs: Map<string, string>,
  opts: PanosOptions,
  base: Base,
): FirewallPolicy {
  const dgEls = new Map<string, { el: XmlElement; path: string }>();
  for (const el of config.all('devices/entry/device-group/entry')) {
    dgEls.set(el.attr('name') ?? '', {
      el,
      path: `/config/devices/entry/device-group/entry[@name='${el.attr('name')}']`,
    });
  }
  for (const el of config.all('result/device-group/entry')) {
    dgEls.set(el.attr('name') ?? '', {
      el,
      path: `/result/device-group/entry[@name='${el.attr('name')}']`,
    });
  }
  let name = opts.deviceGroup;
  if (name === undefined && opts.device) {
    name = [...dgEls].find(([, d]) =>
      d.el
        .child('devices')
        ?.children('entry')
        .some((e) => e.attr('name') === opts.device),
    )?.[0];
  }
  const known = [...dgEls.keys()].map((n) => quote(n)).join(', ');
  if (name === undefined || !dgEls.has(name)) {
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
  const ancestry = ancestorsOf(name, dgs, base, opts);
  if (opts.device) {
    const members =
      dgEls
        .get(name)
        ?.el.child('devices')
        ?.children('entry')
        .map((e) => e.attr('name')) ?? [];
    if (!members.includes(opts.device)) {
      issue(base, opts, {
        code: 'panos.device.notInGroup',
        severity: 'warning',
        message: `device ${quote(opts.device)} is not assigned to device group ${quote(name)}; its rules are read as if it were`,
      });
    }
  }
  const shared = config.child('shared');
  const scopes: ObjectScope[] = ancestry
    .filter((dg) => dg !== 'shared')
    .flatMap((dg) => {
      const d = dgEls.get(dg);
      return d ? [{ name: dg, el: d.el, path: d.path }] : [];
    });
  if (shared) scopes.push({ name: 'shared', el: shared, path: '/config/shared' });
  const objects = new ObjectResolver(scopes, base.issues, opts.file);
  // Rules are read with the objects of the device group being imported: an ancestor's rule
  // names objects that the firewall resolves in its own device group first.
  const rules: FirewallRule[] = [];
  const byTop = [...scopes].reverse(); // shared, top ancestor, ..., own
  const rulebase = (
    s: ObjectScope,
    which: 'pre-rulebase' | 'post-rulebase',
    place: RulePlace,
  ): FirewallRule[] =>
    (s.el.child(which)?.child('security')?.child('rules')?.children('entry') ?? []).map((el) =>
      readRule(el, { scope: s.name, place, path: `${s.path}/${which}/security/rules`, objects }),
    );
  for (const s of byTop)
    rules.push(...rulebase(s, 'pre-rulebase', s.name === 'shared' ? 'shared-pre' : 'pre'));
  for (const s of scopes)
    rules.push(...rulebase(s, 'post-rulebase', s.name === 'shared' ? 'shared-post' : 'post'));
  const defaults = (which: string): XmlElement[] =>
    scopes.flatMap((s) => {
      const el = s.el.at(`post-rulebase/default-security-rules/rules/entry[@name='${which}']`);
      return el ? [el] : [];
    });
  return {
    ...base,
    source: 'panorama',
    scope: name,
    ...(opts.device ? { device: opts.device } : {}),
    ancestry,
    zones: [],
    rules: filterTargets(rules, opts, base),
    intrazone: defaultRule(defaults('intrazone-default'), scopes, 'allow'),
    interzone: defaultRule(defaults('interzone-default'), scopes, 'deny'),
  };
}

function ancestorsOf(
  name: string,
  dgs: Map<string, string>,
  base: Base,
  opts: PanosOptions,
): string[] {
  const out = [name];
  let cur = dgs.get(name);
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
    cur = dgs.get(cur);
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

function readVsys(config: XmlElement, opts: PanosOptions, base: Base): FirewallPolicy {
  const vsysEls = [
    ...config
      .all('devices/entry/vsys/entry')
      .map((el) => ({ el, path: `/config/devices/entry/vsys/entry[@name='${el.attr('name')}']` })),
    ...config
      .all('vsys/entry')
      .map((el) => ({ el, path: `/result/vsys/entry[@name='${el.attr('name')}']` })),
  ];
  const wanted = opts.deviceGroup ?? (vsysEls.length === 1 ? vsysEls[0]?.el.attr('name') : 'vsys1');
  const vsys = vsysEls.find((v) => v.el.attr('name') === wanted);
  if (!vsys) {
    if (vsysEls.length > 0 || opts.deviceGroup !== undefined) {
      const known = vsysEls.map((v) => quote(v.el.attr('name'))).join(', ');
      issue(base, opts, {
        code: 'panos.vsys.unknown',
        severity: 'error',
        message: `no device group or vsys is named ${quote(wanted)} (known vsys: ${known || 'none'})`,
      });
    } else {
      issue(base, opts, {
        code: 'panos.empty',
        severity: 'warning',
        message: 'the configuration has no device group or vsys: there are no rules to import',
      });
    }
    return emptyPolicy(base, 'firewall', wanted ?? '');
  }
  const name = vsys.el.attr('name') ?? '';
  const scopes: ObjectScope[] = [{ name, el: vsys.el, path: vsys.path }];
  const shared = config.child('shared');
  if (shared) scopes.push({ name: 'shared', el: shared, path: '/config/shared' });
  const objects = new ObjectResolver(scopes, base.issues, opts.file);
  const rulesPath = `${vsys.path}/rulebase/security/rules`;
  const rules = (vsys.el.at('rulebase/security/rules')?.children('entry') ?? []).map((el) =>
    readRule(el, { scope: name, place: 'local', path: rulesPath, objects }),
  );
  const dflt = (which: string): XmlElement[] => {
    const el = vsys.el.at(`rulebase/default-security-rules/rules/entry[@name='${which}']`);
    return el ? [el] : [];
  };
  return {
    ...base,
    source: 'firewall',
    scope: name,
    ancestry: [name, 'shared'],
    zones:
      vsys.el
        .child('zone')
        ?.children('entry')
        .map((z) => z.attr('name') ?? '') ?? [],
    rules,
    intrazone: defaultRule(dflt('intrazone-default'), scopes, 'allow'),
    interzone: defaultRule(dflt('interzone-default'), scopes, 'deny'),
  };
}

/** The nearest override of a default rule, else the predefined action. */
function defaultRule(found: XmlElement[], scopes: ObjectScope[], action: string): DefaultRule {
  const el = found[0];
  if (!el) return { action, logStart: false, logEnd: false, from: 'predefined' };
  const from = scopes.find((s) =>
    s.el.all('*/default-security-rules/rules/entry').includes(el),
  )?.name;
  return {
    action: el.textAt('action') ?? action,
    logStart: el.textAt('log-start') === 'yes',
    logEnd: el.textAt('log-end') === 'yes',
    from: from ?? 'predefined',
  };
}

/** With a device, mark the rules targeted at other devices; without, the mapping judges them. */
function filterTargets(rules: FirewallRule[], opts: PanosOptions, _base: Base): FirewallRule[] {
  const serial = opts.device;
  if (!serial) return rules;
  for (const r of rules) {
    if (!r.target || r.target.devices.length === 0) continue;
    if (r.target.devices.includes(serial) === r.target.negate) {
      r.excluded = `its target ${r.target.negate ? 'excludes' : 'does not include'} device ${quote(serial)}`;
    }
  }
  return rules;
}

function emptyPolicy(base: Base, source: 'panorama' | 'firewall', scope: string): FirewallPolicy {
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
