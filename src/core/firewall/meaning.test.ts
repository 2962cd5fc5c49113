// What an imported ZonePolicy means, compared with what the firewall would do. A small
// reference evaluator reads the firewall model directly (first matching rule, rule types,
// negation, dynamic groups over the tags zonewall registers, applications by their ports) and
// is compared with zonewall's own intent for every pair of a grid of pods and outside addresses
// and a set of packets: equal where the import reports every rule as mapped, and never more
// permissive where it approximates.
import { describe, expect, it } from 'vitest';
import { cidrContains, parseIP, PROTO } from '../net/index.js';
import type { IP } from '../net/index.js';
import { loadCluster } from '../zones/load.js';
import { zoneIntent } from '../zones/intent.js';
import type { ZoneEnd } from '../zones/intent.js';
import type { ZonePolicy } from '../zones/types.js';
import { importPanorama } from './import.js';
import type { AddressItem, AppItem, FirewallPolicy, FirewallRule, ServicePorts } from './types.js';

interface End {
  /** Firewall zone: a pod's zone label, or "internet" for an outside address. */
  zone: string;
  tags: Set<string>;
  ip?: IP;
  labels?: Map<string, string>;
  ns?: string;
}

interface Packet {
  protocol: 'tcp' | 'udp';
  port: number;
}

const m = (...xs: string[]): string => xs.map((x) => `<member>${x}</member>`).join('');

function ruleXml(name: string, f: Record<string, string[] | string>): string {
  const list = (k: string, d = ['any']): string =>
    `<${k}>${m(...((f[k] as string[]) ?? d))}</${k}>`;
  const scalars = ['action', 'rule-type', 'negate-source', 'negate-destination']
    .filter((k) => typeof f[k] === 'string')
    .map((k) => `<${k}>${f[k] as string}</${k}>`)
    .join('');
  return `<entry name="${name}">${['from', 'to', 'source', 'destination', 'source-user', 'application', 'service'].map((k) => list(k)).join('')}${scalars}</entry>`;
}

function config(rules: string[]): string {
  return `<config version="11.0.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
  <zone><entry name="dmz"/><entry name="trusted"/><entry name="restricted"/><entry name="internet"/></zone>
  <address>
    <entry name="partner-net"><ip-netmask>198.51.100.0/24</ip-netmask></entry>
    <entry name="bad-net"><ip-range>203.0.113.0-203.0.113.255</ip-range></entry>
    <entry name="db-hosts"><ip-netmask>10.0.0.0/8</ip-netmask></entry>
  </address>
  <address-group>
    <entry name="dmz-front"><dynamic><filter>'zonewall.zone.dmz' and ('zonewall.app.web' or "zonewall.app.api")</filter></dynamic></entry>
    <entry name="api"><dynamic><filter>'zonewall.app.api'</filter></dynamic></entry>
    <entry name="web"><dynamic><filter>zonewall.app.web</filter></dynamic></entry>
    <entry name="shop-db"><dynamic><filter>('zonewall.ns.shop' or 'zonewall.ns.pay') and 'zonewall.app.db'</filter></dynamic></entry>
    <entry name="ledger-pods"><dynamic><filter>'zonewall.app.ledger'</filter></dynamic></entry>
  </address-group>
  <application><entry name="ledger"><default><port>${m('tcp/7000')}</port></default></entry></application>
  <service><entry name="tcp-8443"><protocol><tcp><port>8443</port></tcp></protocol></entry></service>
  <rulebase><security><rules>${rules.join('')}</rules></security></rulebase>
</entry></vsys></entry></devices></config>`;
}

const EXACT = [
  ruleXml('web in', {
    from: ['internet'],
    to: ['dmz'],
    destination: ['dmz-front'],
    application: ['ssl'],
    service: ['application-default'],
    action: 'allow',
  }),
  ruleXml('partners to api', {
    from: ['internet'],
    to: ['dmz'],
    source: ['partner-net'],
    destination: ['api'],
    service: ['tcp-8443'],
    action: 'allow',
  }),
  ruleXml('no ssh between zones', {
    application: ['ssh'],
    service: ['application-default'],
    action: 'deny',
    'rule-type': 'interzone',
  }),
  ruleXml('web to db', {
    from: ['dmz'],
    to: ['trusted'],
    source: ['web'],
    destination: ['shop-db'],
    application: ['postgres'],
    service: ['application-default'],
    action: 'allow',
  }),
  ruleXml('ledger', {
    from: ['trusted'],
    to: ['restricted'],
    application: ['ledger'],
    service: ['application-default'],
    action: 'allow',
  }),
  ruleXml('restricted quiet', {
    from: ['restricted'],
    to: ['restricted'],
    destination: ['ledger-pods'],
    'negate-destination': 'yes',
    action: 'drop',
    'rule-type': 'intrazone',
  }),
  ruleXml('block bad', { to: ['internet'], destination: ['bad-net'], action: 'reset-both' }),
  ruleXml('dns out', {
    to: ['internet'],
    application: ['dns'],
    service: ['application-default'],
    action: 'allow',
  }),
];

const APPROXIMATE = [
  ruleXml('users only', {
    from: ['dmz'],
    to: ['trusted'],
    'source-user': ['corp\\ops'],
    action: 'allow',
  }),
  ruleXml('no db hosts', {
    from: ['trusted'],
    to: ['any'],
    destination: ['db-hosts'],
    action: 'deny',
  }),
  ruleXml('not ledger', {
    from: ['trusted'],
    to: ['restricted'],
    destination: ['dmz-front'],
    'negate-destination': 'yes',
    action: 'allow',
  }),
  ruleXml('unknown app', {
    from: ['dmz'],
    to: ['internet'],
    application: ['some-app-nobody-knows'],
    action: 'deny',
  }),
  ...EXACT,
];

/** The grid: pods in each zone with several apps and namespaces, and outside addresses. */
function grid(): End[] {
  const out: End[] = [];
  for (const zone of ['dmz', 'trusted', 'restricted'])
    for (const app of ['web', 'api', 'db', 'ledger'])
      for (const ns of ['shop', 'pay', 'ops']) {
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

const PACKETS: Packet[] = [22, 53, 443, 5432, 7000, 8443, 9999]
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

function appMatches(r: FirewallRule, dst: End, p: Packet): boolean {
  const explicit = r.service.kind === 'ports' ? r.service.entries : undefined;
  if (explicit && !portsMatch(explicit, p)) return false;
  return r.applications.some((a: AppItem) => {
    if (a.kind === 'any') return true;
    if (a.kind === 'predefined') return explicit ? true : portsMatch(a.ports, p);
    if (a.kind === 'custom')
      return dst.labels?.get('app') === a.name && (explicit ? true : portsMatch(a.ports ?? [], p));
    return false;
  });
}

function firewallAllows(fw: FirewallPolicy, src: End, dst: End, p: Packet): boolean {
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

function compare(rules: string[]): {
  same: number;
  stricter: number;
  looser: string[];
  fw: FirewallPolicy;
  statuses: string[];
} {
  const r = importPanorama(config(rules));
  const zp = loadCluster([{ path: 'z.yaml', text: r.yaml ?? '' }]).zonePolicy as ZonePolicy;
  const fw = r.model as FirewallPolicy;
  let same = 0;
  let stricter = 0;
  const looser: string[] = [];
  const ends = grid();
  for (const s of ends)
    for (const d of ends) {
      if (s.zone === 'internet' && d.zone === 'internet') continue;
      for (const p of PACKETS) {
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

describe('an imported ZonePolicy means what the firewall does', () => {
  it('exactly, where every rule is mapped', () => {
    const c = compare(EXACT);
    expect(c.statuses.filter((s) => s === 'skipped')).toEqual([]);
    expect(c.looser).toEqual([]);
    expect(c.stricter).toBe(0);
    expect(c.same).toBe(12_672); // 1,584 pairs x 8 packets
  });

  it('never more permissive, where rules are approximated', () => {
    const c = compare(APPROXIMATE);
    expect(c.statuses.slice(0, 4)).toEqual(['skipped', 'approximated', 'skipped', 'approximated']);
    expect(c.looser).toEqual([]);
    expect(c.stricter).toBeGreaterThan(0);
  });
});
