// One PAN-OS security rule, every field read and every reference resolved. Fields differ by
// version (8.x `hip-profiles`, 10.x `source-hip`/`destination-hip`; `rule-type` from 6.1,
// universal when absent), and each is read where it is.
import { members } from './panos-objects.js';
import type { ObjectResolver } from './panos-objects.js';
import type {
  AddressItem,
  AppItem,
  FirewallRule,
  RulePlace,
  RuleTarget,
  RuleType,
  ServicePorts,
  ServiceSpec,
} from './types.js';
import type { XmlElement } from './xml.js';

/** Match conditions on identity or content that zonewall cannot see, by field. */
const UNSEEN_FIELDS = ['category', 'source-hip', 'destination-hip', 'hip-profiles'];

export interface RuleContext {
  scope: string;
  place: RulePlace;
  path: string;
  objects: ObjectResolver;
}

/** Read `<entry name=...>` of a security rulebase. */
export function readRule(el: XmlElement, ctx: RuleContext): FirewallRule {
  const name = el.attr('name') ?? '';
  const path = `${ctx.path}/entry[@name='${name}']`;
  const yes = (field: string): boolean => el.textAt(field) === 'yes';
  const uuid = el.attr('uuid');
  const description = el.textAt('description');
  const target = readTarget(el.child('target'));
  const ruleType = (el.textAt('rule-type') ?? 'universal') as RuleType;
  return {
    name,
    ...(uuid ? { uuid } : {}),
    scope: ctx.scope,
    place: ctx.place,
    path,
    from: members(el.child('from')),
    to: members(el.child('to')),
    source: addresses(el.child('source'), ctx.objects, `${path}/source`),
    destination: addresses(el.child('destination'), ctx.objects, `${path}/destination`),
    negateSource: yes('negate-source'),
    negateDestination: yes('negate-destination'),
    sourceUser: el.child('source-user') ? members(el.child('source-user')) : ['any'],
    applications: applications(el.child('application'), ctx.objects, `${path}/application`),
    service: service(el.child('service'), ctx.objects, `${path}/service`),
    action: el.textAt('action') ?? 'allow',
    ruleType,
    disabled: yes('disabled'),
    logStart: yes('log-start'),
    // PAN-OS logs at session end unless told not to.
    logEnd: el.textAt('log-end') !== 'no',
    tags: members(el.child('tag')),
    ...(target ? { target } : {}),
    ...(description ? { description } : {}),
    unseen: [
      ...UNSEEN_FIELDS.flatMap((field) => {
        const values = members(el.child(field));
        return values.length > 0 && !(values.length === 1 && values[0] === 'any')
          ? [{ field, values }]
          : [];
      }),
      // A schedule is one name, not a member list.
      ...(el.textAt('schedule')
        ? [{ field: 'schedule', values: [el.textAt('schedule') as string] }]
        : []),
    ],
    inspection: profiles(el.child('profile-setting')),
  };
}

/** Security profiles or a profile group: inspection the firewall applies to allowed traffic. */
function profiles(el: XmlElement | undefined): string[] {
  if (!el) return [];
  const group = members(el.child('group')).map((g) => `group ${g}`);
  const each = (el.child('profiles')?.children() ?? []).flatMap((p) =>
    members(p).map((v) => `${p.name} ${v}`),
  );
  return [...group, ...each];
}

function addresses(
  el: XmlElement | undefined,
  objects: ObjectResolver,
  path: string,
): AddressItem[] | 'any' {
  const names = members(el);
  if (names.length === 0 || names.includes('any')) return 'any';
  return names.map((n) => objects.address(n, path));
}

function applications(
  el: XmlElement | undefined,
  objects: ObjectResolver,
  path: string,
): AppItem[] {
  const names = members(el);
  if (names.length === 0 || names.includes('any')) return [{ kind: 'any' }];
  return names.flatMap((n) => objects.application(n, path));
}

function service(el: XmlElement | undefined, objects: ObjectResolver, path: string): ServiceSpec {
  const names = members(el);
  if (names.length === 0 || names.includes('any')) return { kind: 'any' };
  if (names.includes('application-default')) return { kind: 'application-default' };
  const entries: ServicePorts[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const s = objects.service(n, path);
    if (s) entries.push(...s);
    else unknown.push(n);
  }
  return { kind: 'ports', names, entries, unknown };
}

function readTarget(el: XmlElement | undefined): RuleTarget | undefined {
  if (!el) return undefined;
  const devices =
    el
      .child('devices')
      ?.children('entry')
      .map((e) => e.attr('name') ?? '') ?? [];
  const tags = members(el.child('tags'));
  if (devices.length === 0 && tags.length === 0) return undefined;
  return { devices, tags, negate: el.textAt('negate') === 'yes' };
}
