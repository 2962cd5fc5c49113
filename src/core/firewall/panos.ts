// Reading a PAN-OS configuration into the vendor-neutral model: a Panorama export (a device
// group, with its ancestors and shared), a firewall configuration (a vsys, with shared), or a
// `type=config` XML API response holding either.
import type { Issue } from '../model/issues.js';
import { quote } from '../model/issues.js';
import { defaultRule, emptyPolicy, issue } from './panos-common.js';
import type { Base, PanosOptions } from './panos-common.js';
import { ObjectResolver } from './panos-objects.js';
import type { ObjectScope } from './panos-objects.js';
import { deviceGroupElements, parentsOf, readDeviceGroup } from './panos-panorama.js';
import { readRule } from './panos-rules.js';
import type { FirewallPolicy } from './types.js';
import type { XmlElement } from './xml.js';

export type { PanosOptions } from './panos-common.js';

/** The device groups a Panorama configuration defines, with their parents ("shared" at the top). */
export function deviceGroups(root: XmlElement): Map<string, string> {
  return parentsOf(unwrap(root));
}

/** Read the policy of one device group or vsys; problems are in `issues` (errors are fatal). */
export function readPanos(root: XmlElement, opts: PanosOptions = {}): FirewallPolicy {
  const issues: Issue[] = [];
  const config = unwrap(root);
  const version = root.attr('version') ?? config.attr('version');
  const base = { vendor: 'panos' as const, ...(version ? { version } : {}), issues };
  if (deviceGroupElements(config).size > 0) return readDeviceGroup(config, opts, base);
  return readVsys(config, opts, base);
}

/** The configuration inside an API response (`response/result`, or its `config`). */
function unwrap(root: XmlElement): XmlElement {
  if (root.name !== 'response') return root;
  const result = root.child('result') ?? root;
  return result.child('config') ?? result;
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
  const dflt = (which: string): Array<{ el: XmlElement; scope: ObjectScope }> => {
    const el = vsys.el.at(`rulebase/default-security-rules/rules/entry[@name='${which}']`);
    return el ? [{ el, scope: scopes[0] as ObjectScope }] : [];
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
    intrazone: defaultRule(dflt('intrazone-default'), 'allow'),
    interzone: defaultRule(dflt('interzone-default'), 'deny'),
  };
}
