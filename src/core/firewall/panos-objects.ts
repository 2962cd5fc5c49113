// PAN-OS objects resolved by name the way the firewall does: from the rule's own location up
// through the device-group ancestors to shared, then the predefined set. Addresses become nets,
// domains or tag filters; services ports; applications what is known of their ports.
import type { Issue } from '../model/issues.js';
import { quote } from '../model/issues.js';
import type { PortRange } from '../net/index.js';
import { parseLiteral, parseNetmask, parseRange, parseWildcard } from './addresses.js';
import { predefinedApp, predefinedService } from './apps.js';
import { parseTagFilter } from './tag-filter.js';
import type { AddressItem, AppItem, ServicePorts } from './types.js';
import type { XmlElement } from './xml.js';

/** One place objects are defined: a device group, a vsys, or shared. */
export interface ObjectScope {
  name: string;
  el: XmlElement;
  /** XML path of `el`, for issues. */
  path: string;
}

/** Members of a list element: `<x><member>a</member>...</x>`, trimmed. */
export function members(el: XmlElement | undefined): string[] {
  return el ? el.children('member').map((m) => m.value) : [];
}

export class ObjectResolver {
  private readonly addressCache = new Map<string, AddressItem>();
  private taggedCache: Map<string, Array<{ item: AddressItem; tags: Set<string> }>> | undefined;

  /** `scopes`: nearest first, shared last. */
  constructor(
    private readonly scopes: readonly ObjectScope[],
    private readonly issues: Issue[],
    private readonly file: string | undefined,
  ) {}

  /** Per scope element and kind, entries by name (the first of a name wins). */
  private readonly index = new WeakMap<XmlElement, Map<string, Map<string, XmlElement>>>();

  private entries(scope: ObjectScope, kind: string): Map<string, XmlElement> {
    let byKind = this.index.get(scope.el);
    if (!byKind) {
      byKind = new Map();
      this.index.set(scope.el, byKind);
    }
    let m = byKind.get(kind);
    if (!m) {
      m = new Map();
      for (const e of scope.el.child(kind)?.children('entry') ?? []) {
        const n = e.attr('name');
        if (n !== undefined && !m.has(n)) m.set(n, e);
      }
      byKind.set(kind, m);
    }
    return m;
  }

  private find(kind: string, name: string): { el: XmlElement; scope: ObjectScope } | undefined {
    for (const scope of this.scopes) {
      const el = this.entries(scope, kind).get(name);
      if (el) return { el, scope };
    }
    return undefined;
  }

  private warn(code: string, message: string, path: string): void {
    this.issues.push({
      code,
      severity: 'warning',
      message,
      path,
      ...(this.file ? { file: this.file } : {}),
    });
  }

  /** A rule's address member: an object, a group, or a literal address, CIDR or range. */
  address(name: string, at: string): AddressItem {
    const cached = this.addressCache.get(name);
    if (cached) return cached;
    const item = this.resolveAddress(name, at, []);
    this.addressCache.set(name, item);
    return item;
  }

  private resolveAddress(name: string, at: string, stack: string[]): AddressItem {
    const obj = this.find('address', name);
    if (obj)
      return this.addressObject(name, obj.el, `${obj.scope.path}/address/entry[@name='${name}']`);
    const group = this.find('address-group', name);
    if (group) {
      const path = `${group.scope.path}/address-group/entry[@name='${name}']`;
      return this.addressGroup(name, group.el, path, stack);
    }
    const literal = parseLiteral(name);
    if (literal) return { kind: 'nets', name, cidrs: literal };
    const reason = this.find('external-list', name)
      ? `${quote(name)} is an external dynamic list: its addresses are fetched by the firewall`
      : this.find('region', name) || /^[A-Z]{2}$/.test(name)
        ? `${quote(name)} is a region: its addresses are the firewall's geolocation data`
        : `no address, address group or address literal is named ${quote(name)}`;
    this.warn('panos.address.unknown', reason, at);
    return { kind: 'unknown', name, reason };
  }

  private addressObject(name: string, el: XmlElement, path: string): AddressItem {
    const fqdn = el.child('fqdn');
    if (fqdn) return { kind: 'fqdn', name, domain: fqdn.value.toLowerCase() };
    const parsers: Array<[string, (t: string) => ReturnType<typeof parseNetmask>]> = [
      ['ip-netmask', parseNetmask],
      ['ip-range', parseRange],
      ['ip-wildcard', parseWildcard],
    ];
    for (const [field, parse] of parsers) {
      const v = el.child(field);
      if (!v) continue;
      const r = parse(v.value);
      if (r.ok) return { kind: 'nets', name, cidrs: r.cidrs };
      this.warn(
        `panos.address.${field}`,
        `address ${quote(name)}: ${r.message}`,
        `${path}/${field}`,
      );
      return { kind: 'unknown', name, reason: r.message };
    }
    const reason = `address ${quote(name)} has no ip-netmask, ip-range, ip-wildcard or fqdn`;
    this.warn('panos.address.type', reason, path);
    return { kind: 'unknown', name, reason };
  }

  private addressGroup(name: string, el: XmlElement, path: string, stack: string[]): AddressItem {
    if (stack.includes(name)) {
      const reason = `address group cycle: ${[...stack, name].map((n) => quote(n)).join(' -> ')}`;
      this.warn('panos.group.cycle', reason, path);
      return { kind: 'unknown', name, reason };
    }
    const dynamic = el.child('dynamic');
    if (dynamic)
      return this.dynamicGroup(name, dynamic.textAt('filter') ?? '', `${path}/dynamic/filter`);
    // 6.0 and later: <static><member>; earlier: <member> directly under the entry.
    const names = el.child('static') ? members(el.child('static')) : members(el);
    const inner = names.map((m) => this.resolveAddress(m, path, [...stack, name]));
    return flattenGroup(name, inner);
  }

  private dynamicGroup(name: string, filter: string, path: string): AddressItem {
    const parsed = parseTagFilter(filter);
    if (!parsed.ok) {
      const reason = `dynamic group ${quote(name)}: filter ${quote(filter)}: ${parsed.message}`;
      this.warn('panos.filter.syntax', reason, path);
      return { kind: 'unknown', name, reason };
    }
    // Objects whose tags satisfy a term: look up the term's rarest tag, then check the rest.
    const byTag = this.tagged();
    const found = new Set<AddressItem>();
    for (const term of parsed.dnf) {
      const lists = term.map((t) => byTag.get(t) ?? []);
      const rarest = lists.reduce((a, b) => (b.length < a.length ? b : a), lists[0] ?? []);
      for (const o of rarest) if (term.every((t) => o.tags.has(t))) found.add(o.item);
    }
    const objects = [...found];
    return { kind: 'dynamic', name, filter, dnf: parsed.dnf, objects };
  }

  /** Every address object visible here (the nearest definition of each name), by tag. */
  private tagged(): Map<string, Array<{ item: AddressItem; tags: Set<string> }>> {
    if (this.taggedCache) return this.taggedCache;
    const seen = new Set<string>();
    const out = new Map<string, Array<{ item: AddressItem; tags: Set<string> }>>();
    for (const scope of this.scopes) {
      for (const [name, el] of this.entries(scope, 'address')) {
        if (seen.has(name)) continue;
        seen.add(name);
        const tags = new Set(members(el.child('tag')));
        if (tags.size === 0) continue;
        const path = `${scope.path}/address/entry[@name='${name}']`;
        const o = { item: this.addressObject(name, el, path), tags };
        for (const t of tags) {
          const list = out.get(t);
          if (list) list.push(o);
          else out.set(t, [o]);
        }
      }
    }
    this.taggedCache = out;
    return out;
  }

  /** A rule's service member: a service, a service group, or a predefined service. */
  service(name: string, at: string, stack: string[] = []): ServicePorts[] | undefined {
    const svc = this.find('service', name);
    if (svc)
      return this.serviceObject(name, svc.el, `${svc.scope.path}/service/entry[@name='${name}']`);
    const group = this.find('service-group', name);
    if (group) {
      const path = `${group.scope.path}/service-group/entry[@name='${name}']`;
      if (stack.includes(name)) {
        this.warn('panos.group.cycle', `service group cycle through ${quote(name)}`, path);
        return undefined;
      }
      // 7.0 and later: <members><member>; earlier: <member> directly under the entry.
      const names = el2members(group.el);
      const out: ServicePorts[] = [];
      for (const m of names) {
        const inner = this.service(m, path, [...stack, name]);
        if (!inner) return undefined;
        out.push(...inner);
      }
      return out;
    }
    const pre = predefinedService(name);
    if (pre) return pre;
    this.warn('panos.service.unknown', `no service or service group is named ${quote(name)}`, at);
    return undefined;
  }

  private serviceObject(name: string, el: XmlElement, path: string): ServicePorts[] | undefined {
    const proto = el.child('protocol')?.children()[0];
    if (!proto || !['tcp', 'udp', 'sctp'].includes(proto.name)) {
      this.warn('panos.service.protocol', `service ${quote(name)} has no tcp, udp or sctp`, path);
      return undefined;
    }
    const ports = parsePorts(proto.textAt('port') ?? '');
    const src = proto.textAt('source-port');
    const sourcePorts = src ? parsePorts(src) : undefined;
    if (!ports || (src && !sourcePorts)) {
      this.warn('panos.service.port', `service ${quote(name)} has a malformed port list`, path);
      return undefined;
    }
    const protocol = proto.name as 'tcp' | 'udp' | 'sctp';
    return [{ protocol, ports, ...(sourcePorts ? { sourcePorts } : {}) }];
  }

  /** A rule's application member: custom, group (flattened), filter, or predefined. */
  application(name: string, at: string, stack: string[] = []): AppItem[] {
    if (name === 'any') return [{ kind: 'any' }];
    const custom = this.find('application', name);
    if (custom) return [this.customApp(name, custom.el)];
    const group = this.find('application-group', name);
    if (group) {
      if (stack.includes(name)) {
        const reason = `application group cycle through ${quote(name)}`;
        this.warn('panos.group.cycle', reason, at);
        return [{ kind: 'unknown', name, reason }];
      }
      return el2members(group.el).flatMap((m) => this.application(m, at, [...stack, name]));
    }
    if (this.find('application-filter', name)) {
      const reason = `application filter ${quote(name)}: its applications depend on App-ID content`;
      return [{ kind: 'unknown', name, reason }];
    }
    const ports = predefinedApp(name);
    if (ports) return [{ kind: 'predefined', name, ports }];
    return [
      { kind: 'unknown', name, reason: `App-ID ${quote(name)} is not in zonewall's port table` },
    ];
  }

  private customApp(name: string, el: XmlElement): AppItem {
    const def = el.child('default');
    const parent = el.textAt('parent-app');
    const ports: ServicePorts[] = [];
    for (const m of members(def?.child('port'))) {
      const [proto = '', list = ''] = m.split('/');
      const parsed = parsePorts(list);
      if ((proto === 'tcp' || proto === 'udp') && parsed)
        ports.push({ protocol: proto, ports: parsed });
    }
    const ipProto = def?.textAt('ident-by-ip-protocol');
    if (ipProto && /^\d+$/.test(ipProto)) ports.push({ protocol: Number(ipProto) });
    if (def?.child('ident-by-icmp-type')) ports.push({ protocol: 'icmp' });
    if (def?.child('ident-by-icmp6-type')) ports.push({ protocol: 'icmp6' });
    return {
      kind: 'custom',
      name,
      ...(ports.length > 0 ? { ports } : {}),
      ...(parent ? { parent } : {}),
    };
  }
}

function el2members(el: XmlElement): string[] {
  return el.child('members') ? members(el.child('members')) : members(el);
}

/** A group's members as one item: nets merged, anything else kept as a nested list. */
function flattenGroup(name: string, inner: AddressItem[]): AddressItem {
  if (inner.every((i) => i.kind === 'nets')) {
    return { kind: 'nets', name, cidrs: inner.flatMap((i) => (i.kind === 'nets' ? i.cidrs : [])) };
  }
  return { kind: 'group', name, members: inner };
}

/** "80,8080,1000-2000" -> ranges; undefined when malformed. */
export function parsePorts(text: string): PortRange[] | undefined {
  const out: PortRange[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const start = Number(m[1]);
    const end = Number(m[2] ?? m[1]);
    if (start > end || end > 65535) return undefined;
    out.push({ start, end });
  }
  return out;
}
