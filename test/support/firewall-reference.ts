// A reference for the firewall import: the firewall model evaluated directly (first matching
// rule, rule types, negation, dynamic groups over the tags zonewall registers, applications by
// their ports), compared with zonewall's own intent over a grid of pods and outside addresses.
import { cidrContains, parseIP, PROTO } from '../../src/core/net/index.js';
import type { IP } from '../../src/core/net/index.js';
import { loadCluster } from '../../src/core/zones/load.js';
import { zoneIntent } from '../../src/core/zones/intent.js';
import type { ZoneEnd } from '../../src/core/zones/intent.js';
import type { ZonePolicy } from '../../src/core/zones/types.js';
import { importPanorama } from '../../src/core/firewall/import.js';
import type {
  AddressItem,
  AppItem,
  FirewallPolicy,
  FirewallRule,
  ServicePorts,
} from '../../src/core/firewall/types.js';

export interface End {
  /** Firewall zone: a pod's zone label, or "internet" for an outside address. */
  zone: string;
  tags: Set<string>;
  ip?: IP;
  labels?: Map<string, string>;
  ns?: string;
}

export interface Packet {
  protocol: 'tcp' | 'udp';
  port: number;
}

export const m = (...xs: string[]): string => xs.map((x) => `<member>${x}</member>`).join('');

export function ruleXml(
  name: string,
  f: Readonly<Record<string, readonly string[] | string>>,
): string {
  const list = (k: string, d = ['any']): string =>
    `<${k}>${m(...((f[k] as readonly string[] | undefined) ?? d))}</${k}>`;
  const scalars = ['action', 'rule-type', 'negate-source', 'negate-destination', 'disabled']
    .filter((k) => typeof f[k] === 'string')
    .map((k) => `<${k}>${f[k] as string}</${k}>`)
    .join('');
  return `<entry name="${name}">${['from', 'to', 'source', 'destination', 'source-user', 'application', 'service'].map((k) => list(k)).join('')}${scalars}</entry>`;
}

export function config(rules: string[], defaults = ''): string {
  return `<config version="11.0.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
  <zone><entry name="dmz"/><entry name="trusted"/><entry name="restricted"/><entry name="internet"/></zone>
  <address>
    <entry name="partner-net"><ip-netmask>198.51.100.0/24</ip-netmask></entry>
    <entry name="bad-net"><ip-range>203.0.113.0-203.0.113.255</ip-range></entry>
    <entry name="db-hosts"><ip-netmask>10.0.0.0/8</ip-netmask></entry>
    <entry name="legacy-hosts"><ip-netmask>192.0.2.0/24</ip-netmask><tag>${m('legacy')}</tag></entry>
    <entry name="branch"><ip-wildcard>10.1.0.3/0.0.2.0</ip-wildcard></entry>
    <entry name="repo"><fqdn>repo.example.com</fqdn></entry>
  </address>
  <address-group>
    <entry name="dmz-front"><dynamic><filter>'zonewall.zone.dmz' and ('zonewall.app.web' or "zonewall.app.api")</filter></dynamic></entry>
    <entry name="api"><dynamic><filter>'zonewall.app.api'</filter></dynamic></entry>
    <entry name="web"><dynamic><filter>zonewall.app.web</filter></dynamic></entry>
    <entry name="shop-db"><dynamic><filter>('zonewall.ns.shop' or 'zonewall.ns.pay') and 'zonewall.app.db'</filter></dynamic></entry>
    <entry name="ledger-pods"><dynamic><filter>'zonewall.app.ledger'</filter></dynamic></entry>
    <entry name="legacy-or-db"><dynamic><filter>'legacy' or ('zonewall.app.db' and 'zonewall.zone.trusted')</filter></dynamic></entry>
    <entry name="mixed-grp"><static>${m('api', 'partner-net', 'repo')}</static></entry>
  </address-group>
  <application><entry name="ledger"><default><port>${m('tcp/7000')}</port></default></entry><entry name="noports"/></application>
  <application-group><entry name="db-apps"><members>${m('postgres', 'mysql')}</members></entry></application-group>
  <service>
    <entry name="tcp-8443"><protocol><tcp><port>8443</port></tcp></protocol></entry>
    <entry name="from-53"><protocol><udp><port>53</port><source-port>53</source-port></udp></protocol></entry>
  </service>
  <service-group><entry name="web-ports"><members>${m('tcp-8443', 'service-https')}</members></entry></service-group>
  <rulebase><security><rules>${rules.join('')}</rules></security>${defaults}</rulebase>
</entry></vsys></entry></devices></config>`;
}

/** The grid: pods in each zone with several apps and namespaces, and outside addresses. */
export function grid(namespaces = ['shop', 'pay', 'ops']): End[] {
  const out: End[] = [];
  for (const zone of ['dmz', 'trusted', 'restricted'])
    for (const app of ['web', 'api', 'db', 'ledger'])
      for (const ns of namespaces) {
        const labels = new Map([
          ['zonewall.io/zone', zone],
          ['app', app],
          ['projectcalico.org/namespace', ns],
        ]);
        out.push({
          zone,
          ns,
          labels,
          tags: new Set([`zonewall.zone.${zone}`, `zonewall.ns.${ns}`, `zonewall.app.${app}`]),
        });
      }
  for (const ip of ['198.51.100.7', '203.0.113.9', '192.0.2.1', '10.1.2.3']) {
    out.push({ zone: 'internet', tags: new Set(), ip: parseIP(ip) as IP });
  }
  return out;
}

export const PACKETS: Packet[] = [22, 53, 443, 5432, 7000, 8443, 9999]
  .map((port): Packet => ({ protocol: 'tcp', port }))
  .concat([{ protocol: 'udp', port: 53 }]);

// --- the reference: the firewall model evaluated directly ---

function addrMatches(items: AddressItem[] | 'any', e: End): boolean {
  if (items === 'any') return true;
  return items.some((i) => itemMatches(i, e));
}

function itemMatches(i: AddressItem, e: End): boolean {
  switch (i.kind) {
    case 'nets':
      return e.ip !== undefined && i.cidrs.some((c) => cidrContains(c, e.ip as IP));
    case 'group':
      return i.members.some((x) => itemMatches(x, e));
    case 'dynamic':
      return (
        i.dnf.some((t) => t.every((tag) => e.tags.has(tag))) ||
        i.objects.some((o) => itemMatches(o, e))
      );
    default:
      return false;
  }
}

function portsMatch(ps: ServicePorts[], p: Packet): boolean {
  return ps.some(
    (s) =>
      s.protocol === p.protocol &&
      (!s.ports || s.ports.some((r) => r.start <= p.port && p.port <= r.end)),
  );
}

/**
 * Applications as the reference identifies them: a packet is a predefined application when it
 * goes to one of that application's standard ports (on an explicit service, any application
 * may run on the service's ports: identification reduced to ports, as the import notes), and a
 * custom application when its destination is labelled with the application's name.
 */
function appMatches(r: FirewallRule, dst: End, p: Packet): boolean {
  const explicit = r.service.kind === 'ports' ? r.service.entries : undefined;
  if (explicit && !portsMatch(explicit, p)) return false;
  const appDefault = r.service.kind === 'application-default';
  return r.applications.some((a: AppItem) => {
    if (a.kind === 'any') return true;
    if (a.kind === 'predefined') return explicit ? true : portsMatch(a.ports, p);
    if (a.kind === 'custom') {
      const labelled = dst.labels?.get('app') === a.name;
      return labelled && (appDefault ? portsMatch(a.ports ?? [], p) : true);
    }
    return false;
  });
}

export function firewallAllows(fw: FirewallPolicy, src: End, dst: End, p: Packet): boolean {
  for (const r of fw.rules) {
    if (r.disabled) continue;
    const inZone = (zones: string[], z: string): boolean =>
      zones.includes('any') || zones.includes(z);
    if (!inZone(r.from, src.zone)) continue;
    if (r.ruleType === 'intrazone' ? src.zone !== dst.zone : !inZone(r.to, dst.zone)) continue;
    if (r.ruleType === 'interzone' && src.zone === dst.zone) continue;
    if (addrMatches(r.source, src) === r.negateSource) continue;
    if (addrMatches(r.destination, dst) === r.negateDestination) continue;
    if (!r.sourceUser.includes('any')) continue; // pods have no users
    if (!appMatches(r, dst, p)) continue;
    return r.action === 'allow';
  }
  return src.zone === dst.zone ? fw.intrazone.action === 'allow' : fw.interzone.action === 'allow';
}

// --- zonewall's side ---

function zoneEnd(e: End): ZoneEnd {
  return e.labels
    ? { kind: 'pod', labels: e.labels, namespaceLabels: undefined }
    : { kind: 'address', ip: e.ip as IP };
}

function zonewallAllows(zp: ZonePolicy, src: End, dst: End, p: Packet): boolean {
  const proto = p.protocol === 'tcp' ? PROTO.TCP : PROTO.UDP;
  return (
    zoneIntent(zp, zoneEnd(src), zoneEnd(dst), { protocol: proto, port: p.port }).action !== 'Deny'
  );
}

export function compare(
  rules: string[],
  opts: { namespaces?: string[]; packets?: Packet[]; defaults?: string } = {},
): {
  same: number;
  stricter: number;
  looser: string[];
  fw: FirewallPolicy;
  statuses: string[];
} {
  const r = importPanorama(config(rules, opts.defaults));
  const loaded = loadCluster([{ path: 'z.yaml', text: r.yaml ?? '' }]);
  if (!r.ok || !loaded.zonePolicy) {
    throw new Error(`import failed: ${JSON.stringify([...r.issues, ...loaded.issues])}`);
  }
  const zp: ZonePolicy = loaded.zonePolicy;
  const fw = r.model as FirewallPolicy;
  let same = 0;
  let stricter = 0;
  const looser: string[] = [];
  const ends = grid(opts.namespaces);
  const packets = opts.packets ?? PACKETS;
  for (const s of ends)
    for (const d of ends) {
      if (s.zone === 'internet' && d.zone === 'internet') continue;
      for (const p of packets) {
        const a = firewallAllows(fw, s, d, p);
        const b = zonewallAllows(zp, s, d, p);
        if (a === b) same++;
        else if (a) stricter++;
        else
          looser.push(
            `${s.zone}/${s.labels?.get('app') ?? s.ip?.toString()} -> ${d.zone}/${d.labels?.get('app') ?? ''} ${p.protocol}/${p.port}`,
          );
      }
    }
  return { same, stricter, looser, fw, statuses: (r.report?.rules ?? []).map((x) => x.status) };
}
