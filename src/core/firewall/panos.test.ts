// Hand-written Panorama configurations for what no public one has: a three-level device-group
// hierarchy with objects overridden at each level, rule order across levels, dynamic groups
// mixing and/or with parentheses and quoted tags, negate-destination, ranges and wildcards,
// every rule type, default-rule overrides, targets, and the older dg-meta-data hierarchy.
import { describe, expect, it } from 'vitest';
import { formatCIDR } from '../net/index.js';
import { loadCluster } from '../zones/load.js';
import { importPanorama } from './import.js';
import type { PanoramaImportOptions } from './import.js';
import { deviceGroups, readPanos } from './panos.js';
import { parseXml } from './xml.js';

const m = (...xs: string[]): string => xs.map((x) => `<member>${x}</member>`).join('');

interface R {
  name: string;
  from?: string[];
  to?: string[];
  src?: string[];
  dst?: string[];
  app?: string[];
  svc?: string[];
  users?: string[];
  action?: string;
  extra?: string;
}

const rule = (r: R): string =>
  `<entry name="${r.name}"><from>${m(...(r.from ?? ['any']))}</from><to>${m(...(r.to ?? ['any']))}</to>` +
  `<source>${m(...(r.src ?? ['any']))}</source><destination>${m(...(r.dst ?? ['any']))}</destination>` +
  `<source-user>${m(...(r.users ?? ['any']))}</source-user><application>${m(...(r.app ?? ['any']))}</application>` +
  `<service>${m(...(r.svc ?? ['any']))}</service><action>${r.action ?? 'allow'}</action>${r.extra ?? ''}</entry>`;

const rules = (...rs: R[]): string =>
  `<security><rules>${rs.map(rule).join('')}</rules></security>`;
const addr = (name: string, kind: string, value: string, tags: string[] = []): string =>
  `<entry name="${name}"><${kind}>${value}</${kind}>${tags.length ? `<tag>${m(...tags)}</tag>` : ''}</entry>`;
const dyn = (name: string, filter: string): string =>
  `<entry name="${name}"><dynamic><filter>${filter}</filter></dynamic></entry>`;

/** shared -> top -> leaf, plus "other" beside top; hierarchy in readonly (8.1 and later). */
const PANORAMA = `<config version="10.1.0">
<shared>
  <address>
    ${addr('db-net', 'ip-netmask', '10.0.0.0/8')}
    ${addr('partners', 'ip-range', '198.51.100.0-198.51.100.127')}
    ${addr('branch-hosts', 'ip-wildcard', '10.9.0.5/0.0.3.0')}
    ${addr('tagged-ext', 'ip-netmask', '203.0.113.7', ['legacy'])}
    ${addr('repo', 'fqdn', 'Repo.Example.com')}
  </address>
  <address-group>
    ${dyn('web-or-api-in-dmz', `'zonewall.zone.dmz' and ('zonewall.app.web' or "zonewall.app.api")`)}
    ${dyn('shop-db', `('zonewall.ns.shop' or 'zonewall.ns.pay') and 'zonewall.app.db'`)}
    ${dyn('legacy-or-web', `'legacy' or 'zonewall.app.web'`)}
    ${dyn('mixed-and', `'legacy' and 'zonewall.app.web'`)}
    ${dyn('other-cluster', `'zonewall.cluster.east' and 'zonewall.app.web'`)}
    <entry name="loop-a"><static>${m('loop-b')}</static></entry>
    <entry name="loop-b"><static>${m('loop-a')}</static></entry>
  </address-group>
  <service>
    <entry name="https-alt"><protocol><tcp><port>8443,9443-9444</port></tcp></protocol></entry>
    <entry name="from-53"><protocol><udp><port>53</port><source-port>53</source-port></udp></protocol></entry>
  </service>
  <application>
    <entry name="ledger"><default><port>${m('tcp/7000-7001', 'udp/7002')}</port></default></entry>
    <entry name="noports"><parent-app>web-browsing</parent-app></entry>
  </application>
  <pre-rulebase>${rules({ name: 'shared pre', from: ['internet'], to: ['dmz'], dst: ['web-or-api-in-dmz'], app: ['ssl'], svc: ['application-default'] })}</pre-rulebase>
  <post-rulebase>${rules({ name: 'shared post', from: ['any'], to: ['any'], dst: ['db-net'], action: 'deny' })}
    <default-security-rules><rules><entry name="interzone-default"><action>deny</action><log-end>yes</log-end></entry></rules></default-security-rules>
  </post-rulebase>
</shared>
<devices><entry name="localhost.localdomain"><device-group>
  <entry name="top">
    <address>${addr('db-net', 'ip-netmask', '10.1.0.0/16')}</address>
    <pre-rulebase>${rules({ name: 'top pre', from: ['trusted'], to: ['restricted'], dst: ['shop-db'], app: ['ledger'], svc: ['application-default'] })}</pre-rulebase>
    <post-rulebase>${rules({ name: 'top post', from: ['trusted'], to: ['trusted'], action: 'drop', extra: '<rule-type>intrazone</rule-type>' })}
      <default-security-rules><rules><entry name="intrazone-default"><action>deny</action></entry></rules></default-security-rules>
    </post-rulebase>
  </entry>
  <entry name="leaf">
    <devices><entry name="0001"/><entry name="0002"/></devices>
    <address>${addr('db-net', 'ip-netmask', '10.1.2.0/24')}</address>
    <pre-rulebase>${rules(
      {
        name: 'leaf pre',
        from: ['dmz'],
        to: ['internet'],
        dst: ['partners', 'branch-hosts'],
        svc: ['https-alt'],
      },
      {
        name: 'only 0002',
        from: ['dmz'],
        to: ['trusted'],
        extra: '<target><devices><entry name="0002"/></devices><negate>no</negate></target>',
      },
      {
        name: 'not web',
        from: ['dmz'],
        to: ['any'],
        dst: ['web-or-api-in-dmz'],
        action: 'reset-both',
        extra: '<negate-destination>yes</negate-destination>',
      },
      {
        name: 'not db',
        from: ['dmz'],
        to: ['trusted'],
        dst: ['shop-db'],
        extra: '<negate-destination>yes</negate-destination>',
      },
      {
        name: 'not web allow',
        from: ['dmz'],
        to: ['dmz'],
        dst: ['web-or-api-in-dmz'],
        extra: '<negate-destination>yes</negate-destination>',
      },
      {
        name: 'between',
        from: ['dmz', 'trusted'],
        to: ['dmz', 'trusted'],
        app: ['ssh'],
        svc: ['application-default'],
        extra: '<rule-type>interzone</rule-type>',
      },
      {
        name: 'same',
        from: ['dmz', 'trusted'],
        to: ['internet'],
        app: ['dns'],
        svc: ['application-default'],
        extra: '<rule-type>intrazone</rule-type>',
      },
      {
        name: 'universal',
        from: ['dmz'],
        to: ['trusted'],
        app: ['postgres', 'mysql'],
        svc: ['application-default'],
        extra:
          '<rule-type>universal</rule-type><disabled>yes</disabled><log-start>yes</log-start><tag>' +
          m('audit') +
          '</tag>',
      },
    )}</pre-rulebase>
    <post-rulebase>${rules({ name: 'leaf post', from: ['trusted'], to: ['internet'], dst: ['repo', 'tagged-ext'], app: ['web-browsing'], svc: ['service-https'] })}</post-rulebase>
  </entry>
  <entry name="other">
    <address-group>${dyn('dyn-legacy', `'legacy'`)}</address-group>
    <pre-rulebase>${rules(
      { name: 'legacy', from: ['internet'], to: ['dmz'], src: ['legacy-or-web'] },
      { name: 'mixed', from: ['any'], to: ['dmz'], src: ['mixed-and', 'other-cluster'] },
      { name: 'cycle', from: ['dmz'], to: ['any'], dst: ['loop-a'], action: 'deny' },
      { name: 'missing', from: ['dmz'], to: ['any'], dst: ['nowhere'], svc: ['no-such-service'] },
      { name: 'src ports', from: ['dmz'], to: ['any'], svc: ['from-53'] },
      { name: 'src ports deny', from: ['dmz'], to: ['any'], svc: ['from-53'], action: 'deny' },
      {
        name: 'custom without ports',
        from: ['dmz'],
        to: ['trusted'],
        app: ['noports'],
        svc: ['application-default'],
      },
      { name: 'users', from: ['dmz'], to: ['trusted'], users: ['corp\\ops'] },
      { name: 'users deny', from: ['dmz'], to: ['trusted'], users: ['corp\\ops'], action: 'drop' },
      { name: 'from a name', from: ['internet'], to: ['dmz'], src: ['repo'] },
    )}</pre-rulebase>
  </entry>
</device-group></entry></devices>
<readonly><devices><entry name="localhost.localdomain"><device-group>
  <entry name="top"><id>11</id></entry>
  <entry name="leaf"><id>12</id><parent-dg>top</parent-dg></entry>
  <entry name="other"><id>13</id></entry>
</device-group></entry></devices></readonly>
</config>`;

function imported(opts: PanoramaImportOptions): NonNullable<ReturnType<typeof importPanorama>> {
  const r = importPanorama(PANORAMA, opts);
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  const loaded = loadCluster([{ path: 'zones.yaml', text: r.yaml ?? '' }]);
  expect(loaded.issues).toEqual([]);
  return r;
}

type RuleDoc = {
  name: string;
  from: string[];
  to: string[];
  source?: { selector: string };
  destination?: { selector: string };
  services?: Array<{ protocol: string; ports?: Array<number | string> }>;
  action: string;
  enabled: boolean;
  log: boolean;
  description: string;
};
const rulesOf = (r: ReturnType<typeof importPanorama>): RuleDoc[] =>
  (r.document?.spec.rules ?? []) as RuleDoc[];
const externalsOf = (
  r: ReturnType<typeof importPanorama>,
): Array<{ name: string; nets?: string[]; domains?: string[] }> =>
  (r.document?.spec.externals ?? []) as Array<{
    name: string;
    nets?: string[];
    domains?: string[];
  }>;
const report = (r: ReturnType<typeof importPanorama>, rule: string) =>
  r.report?.rules.find((x) => x.rule === rule);

describe('device-group hierarchy', () => {
  it('reads parents from readonly, and the older dg-meta-data', () => {
    expect([...deviceGroups(parseXml(PANORAMA))]).toEqual([
      ['top', 'shared'],
      ['leaf', 'top'],
      ['other', 'shared'],
    ]);
    const old = PANORAMA.replace(
      /<readonly>[\s\S]*<\/readonly>/,
      '<readonly><dg-meta-data><dg-info><entry name="leaf"><dg-id>12</dg-id><parent-dg>top</parent-dg></entry></dg-info></dg-meta-data></readonly>',
    );
    expect(deviceGroups(parseXml(old)).get('leaf')).toBe('top');
  });

  it("orders rules as Panorama does: shared pre, ancestors' then own pre, own then ancestors' post, shared post", () => {
    const fw = readPanos(parseXml(PANORAMA), { deviceGroup: 'leaf' });
    expect(fw.ancestry).toEqual(['leaf', 'top', 'shared']);
    expect(fw.rules.map((r) => `${r.scope}/${r.place}/${r.name}`)).toEqual([
      'shared/shared-pre/shared pre',
      'top/pre/top pre',
      'leaf/pre/leaf pre',
      'leaf/pre/only 0002',
      'leaf/pre/not web',
      'leaf/pre/not db',
      'leaf/pre/not web allow',
      'leaf/pre/between',
      'leaf/pre/same',
      'leaf/pre/universal',
      'leaf/post/leaf post',
      'top/post/top post',
      'shared/shared-post/shared post',
    ]);
  });

  it("resolves an object from the device group up: the nearest override wins, also for ancestors' rules", () => {
    const net = (dg: string): string[] => {
      const rule = readPanos(parseXml(PANORAMA), { deviceGroup: dg }).rules.find(
        (r) => r.name === 'shared post',
      );
      const d = rule?.destination;
      return d === undefined || d === 'any' || d[0]?.kind !== 'nets'
        ? []
        : d[0].cidrs.map(formatCIDR);
    };
    expect(net('leaf')).toEqual(['10.1.2.0/24']);
    expect(net('top')).toEqual(['10.1.0.0/16']);
    expect(net('other')).toEqual(['10.0.0.0/8']);
  });

  it('takes the nearest default-rule override, else the predefined one', () => {
    const leaf = imported({ deviceGroup: 'leaf' });
    expect(leaf.document?.spec.defaults).toEqual({ intraZone: 'Deny', interZone: 'Deny' });
    expect(leaf.model?.intrazone.from).toBe('top');
    expect(leaf.model?.interzone.from).toBe('shared');
    const other = imported({ deviceGroup: 'other', allowAction: 'Allow' });
    expect(other.document?.spec.defaults).toEqual({ intraZone: 'Allow', interZone: 'Deny' });
  });

  it('refuses an unknown device group, and a cycle of parents', () => {
    const r = importPanorama(PANORAMA, { deviceGroup: 'nope' });
    expect(r.ok).toBe(false);
    expect(r.issues[0]?.code).toBe('panos.deviceGroup.unknown');
    const cyclic = PANORAMA.replace(
      '<entry name="top"><id>11</id></entry>',
      '<entry name="top"><id>11</id><parent-dg>leaf</parent-dg></entry>',
    );
    expect(importPanorama(cyclic, { deviceGroup: 'leaf' }).issues.map((i) => i.code)).toContain(
      'panos.deviceGroup.cycle',
    );
  });
});

describe('mapping', () => {
  const leaf = imported({ deviceGroup: 'leaf' });
  const other = imported({ deviceGroup: 'other' });
  const byName = (r: ReturnType<typeof importPanorama>, name: string): RuleDoc | undefined =>
    rulesOf(r).find((x) => x.name === name);

  it('dynamic groups: zone tags choose the zone, other zonewall tags become a selector', () => {
    // 'zonewall.zone.dmz' and ('zonewall.app.web' or "zonewall.app.api"); from internet with
    // any address: every address outside the cluster
    expect(byName(leaf, 'shared-pre')).toMatchObject({
      from: ['internet', 'leaf-pre-destination', 'leaf-post-destination'],
      to: ['dmz'],
      destination: { selector: "(app == 'web') || (app == 'api')" },
      services: [{ protocol: 'TCP', ports: [443] }],
      action: 'Pass',
    });
    // ('zonewall.ns.shop' or 'zonewall.ns.pay') and 'zonewall.app.db', and the custom application
    expect(byName(leaf, 'top-pre')).toMatchObject({
      from: ['trusted'],
      to: ['restricted'],
      destination: {
        selector:
          "((projectcalico.org/namespace == 'shop' && app == 'db') || (projectcalico.org/namespace == 'pay' && app == 'db')) && app == 'ledger'",
      },
      services: [
        { protocol: 'TCP', ports: ['7000:7001'] },
        { protocol: 'UDP', ports: [7002] },
      ],
    });
    expect(report(leaf, 'top pre')?.status).toBe('mapped');
  });

  it('a tag zonewall does not know matches the address objects carrying it, never a pod', () => {
    expect(byName(other, 'legacy')).toMatchObject({ from: ['legacy-or-web'], to: ['dmz'] });
    expect(externalsOf(other).find((e) => e.name === 'legacy-or-web')?.nets).toEqual([
      '203.0.113.7/32',
    ]);
    // 'legacy' and 'zonewall.app.web': no pod and no object has both; another cluster's pods
    // match when no cluster is named, and not when this cluster is named differently.
    expect(byName(other, 'mixed')).toMatchObject({
      from: ['any'],
      source: { selector: "app == 'web'" },
    });
    const west = imported({ deviceGroup: 'other', cluster: 'west' });
    expect(report(west, 'mixed')?.status).toBe('skipped');
  });

  it('ranges and wildcards become exact nets', () => {
    expect(externalsOf(leaf).find((e) => e.name === 'leaf-pre-destination')?.nets).toEqual([
      '198.51.100.0/25',
      '10.9.0.5/32',
      '10.9.1.5/32',
      '10.9.2.5/32',
      '10.9.3.5/32',
    ]);
    expect(byName(leaf, 'leaf-pre')).toMatchObject({
      from: ['dmz'],
      to: ['leaf-pre-destination'],
      services: [{ protocol: 'TCP', ports: [8443, '9443:9444'] }],
    });
    expect(report(leaf, 'leaf pre')?.status).toBe('mapped');
  });

  it('negate-destination: exact over workload selectors; fails closed where a zone is negated', () => {
    // not (namespace shop or pay, app db): every other workload of the zone
    expect(byName(leaf, 'not-db')).toMatchObject({
      from: ['dmz'],
      to: ['trusted'],
      destination: {
        selector:
          "!((projectcalico.org/namespace == 'shop' && app == 'db') || (projectcalico.org/namespace == 'pay' && app == 'db'))",
      },
    });
    expect(report(leaf, 'not db')?.status).toBe('mapped');
    // not (zone dmz and web or api): the zone part cannot be negated exactly; the deny is
    // widened to every destination, the allow narrowed to nothing and skipped.
    expect(byName(leaf, 'not-web')).toMatchObject({ from: ['dmz'], to: ['any'], action: 'Deny' });
    expect(report(leaf, 'not web')?.notes[0]).toMatchObject({
      field: 'destination',
      effect: 'widened',
    });
    expect(report(leaf, 'not web allow')?.status).toBe('skipped');
    expect(report(leaf, 'not web allow')?.notes[0]).toMatchObject({
      field: 'destination',
      effect: 'narrowed',
    });
  });

  it('rule types: interzone leaves out same-zone pairs, intrazone ignores `to`', () => {
    const between = rulesOf(leaf).filter((x) => x.description.startsWith('"between"'));
    expect(between.map((x) => [x.from, x.to])).toEqual([
      [['dmz'], ['trusted']],
      [['trusted'], ['dmz']],
    ]);
    const same = rulesOf(leaf).filter((x) => x.description.startsWith('"same"'));
    expect(same.map((x) => [x.from, x.to, x.services])).toEqual([
      [
        ['dmz'],
        ['dmz'],
        [
          { protocol: 'TCP', ports: [53] },
          { protocol: 'UDP', ports: [53] },
        ],
      ],
      [
        ['trusted'],
        ['trusted'],
        [
          { protocol: 'TCP', ports: [53] },
          { protocol: 'UDP', ports: [53] },
        ],
      ],
    ]);
    expect(byName(leaf, 'universal')).toMatchObject({
      from: ['dmz'],
      to: ['trusted'],
      services: [{ protocol: 'TCP', ports: [3306, 5432] }],
      enabled: false,
      log: true,
    });
    expect(byName(leaf, 'universal')?.description).toContain('tags audit');
    expect(byName(leaf, 'top-post')).toMatchObject({
      from: ['trusted'],
      to: ['trusted'],
      action: 'Deny',
    });
  });

  it('every deny action is Deny; allow is Pass unless --allow-action Allow', () => {
    expect(byName(leaf, 'shared-post')?.action).toBe('Deny');
    expect(byName(leaf, 'top-post')?.action).toBe('Deny');
    expect(
      rulesOf(imported({ deviceGroup: 'leaf', allowAction: 'Allow' })).find(
        (x) => x.name === 'leaf-pre',
      )?.action,
    ).toBe('Allow');
  });

  it('targets: left out for another device, kept for this one; without a device an allow is skipped', () => {
    expect(report(imported({ deviceGroup: 'leaf', device: '0001' }), 'only 0002')?.status).toBe(
      'skipped',
    );
    expect(report(imported({ deviceGroup: 'leaf', device: '0002' }), 'only 0002')?.status).toBe(
      'mapped',
    );
    expect(report(leaf, 'only 0002')).toMatchObject({ status: 'skipped' });
    expect(report(leaf, 'only 0002')?.reason).toContain('target 0002');
  });

  it('domain names are destinations only; fqdn objects become externals with domains', () => {
    expect(externalsOf(leaf).find((e) => e.name === 'leaf-post-destination')).toEqual({
      name: 'leaf-post-destination',
      nets: ['203.0.113.7/32'],
      domains: ['repo.example.com'],
    });
    expect(report(other, 'from a name')).toMatchObject({ status: 'skipped' });
    expect(report(other, 'from a name')?.notes[0]?.message).toContain(
      'domain names match connections to them only',
    );
  });

  it('fails closed on what cannot be resolved or seen', () => {
    // a cycle: reported, and a deny covers everything it could have named
    expect(other.issues.map((i) => i.code)).toEqual(
      expect.arrayContaining([
        'panos.group.cycle',
        'panos.address.unknown',
        'panos.service.unknown',
      ]),
    );
    expect(report(other, 'cycle')).toMatchObject({ status: 'approximated' });
    expect(byName(other, 'cycle')?.to).toEqual(['any']);
    expect(report(other, 'missing')?.status).toBe('skipped');
    // source ports: an allow leaves the entry out, a deny ignores them
    expect(report(other, 'src ports')?.status).toBe('skipped');
    expect(byName(other, 'src-ports-deny')?.services).toEqual([{ protocol: 'UDP', ports: [53] }]);
    expect(report(other, 'custom without ports')?.status).toBe('skipped');
    expect(report(other, 'users')?.reason).toContain('source-user corp\\ops');
    // a deny with users applies to everyone
    expect(report(other, 'users deny')).toMatchObject({ status: 'approximated' });
    expect(report(other, 'users deny')?.notes[0]).toMatchObject({
      field: 'source-user',
      effect: 'widened',
    });
  });
});

describe('firewall configurations and zone names', () => {
  const vsys = (name: string, body: string): string =>
    `<entry name="${name}"><zone><entry name="Trust Zone"/><entry name="DMZ"/><entry name="dmz"/><entry name="untrust"/></zone>${body}</entry>`;
  const FIREWALL = `<config version="9.1.0"><devices><entry name="localhost.localdomain"><vsys>
    ${vsys('vsys1', `<rulebase>${rules({ name: 'in', from: ['untrust'], to: ['DMZ', 'dmz'], app: ['web-browsing'], svc: ['application-default'] }, { name: 'Trust to DMZ', from: ['Trust Zone'], to: ['DMZ'] })}</rulebase>`)}
    ${vsys(
      'vsys2',
      `<rulebase>${rules({ name: 'two', from: ['dmz'], to: ['untrust'], action: 'deny' })}
      <default-security-rules><rules><entry name="interzone-default"><action>allow</action></entry></rules></default-security-rules></rulebase>`,
    )}
  </vsys></entry></devices></config>`;

  it('keeps zone names that are DNS labels, renames the others (case-sensitively) and says so', () => {
    const r = importPanorama(FIREWALL, { internetZones: ['untrust'] });
    expect(r.ok).toBe(true);
    expect(r.document?.spec.zones).toEqual([
      { name: 'dmz' },
      { name: 'dmz-2', description: 'firewall zone "DMZ"' },
      { name: 'trust-zone', description: 'firewall zone "Trust Zone"' },
    ]);
    expect(r.report?.zones).toEqual([
      { firewall: 'Trust Zone', zone: 'trust-zone' },
      { firewall: 'DMZ', zone: 'dmz-2' },
    ]);
    expect(rulesOf(r).map((x) => [x.name, x.from, x.to])).toEqual([
      ['in', ['internet'], ['dmz-2', 'dmz']],
      ['trust-to-dmz', ['trust-zone'], ['dmz-2']],
    ]);
    expect(loadCluster([{ path: 'z.yaml', text: r.yaml ?? '' }]).issues).toEqual([]);
  });

  it('reads the vsys asked for, with its default-rule overrides', () => {
    const r = importPanorama(FIREWALL, { deviceGroup: 'vsys2', internetZones: ['untrust'] });
    expect(r.report?.scope).toBe('vsys2');
    expect(r.document?.spec.defaults).toEqual({ intraZone: 'Pass', interZone: 'Pass' });
    expect(rulesOf(r).map((x) => [x.from, x.to, x.action])).toEqual([
      [['dmz'], ['internet'], 'Deny'],
    ]);
    expect(importPanorama(FIREWALL, { deviceGroup: 'vsys9' }).issues[0]?.code).toBe(
      'panos.vsys.unknown',
    );
  });

  it('reads a show of /config as the API answers it, and an already parsed document', () => {
    const answer = `<response status="success"><result>${FIREWALL}</result></response>`;
    const r = importPanorama(answer, { internetZones: ['untrust'] });
    expect(rulesOf(r).map((x) => x.name)).toEqual(['in', 'trust-to-dmz']);
    const parsed = importPanorama(parseXml(FIREWALL), { internetZones: ['untrust'] });
    expect(parsed.yaml).toBe(r.yaml);
  });

  it('reads a type=config API response holding a vsys', () => {
    const response = `<response status="success" code="19"><result total-count="1" count="1"><vsys>${vsys('vsys1', `<rulebase>${rules({ name: 'api', from: ['dmz'], to: ['DMZ'] })}</rulebase>`)}</vsys></result></response>`;
    const r = importPanorama(response);
    expect(rulesOf(r).map((x) => [x.from, x.to])).toEqual([[['dmz'], ['dmz-2']]]);
  });
});

describe('names and conditions', () => {
  const FW = (rulesXml: string): string =>
    `<config version="10.2.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
    <address><entry name="vault"><ip-netmask>192.0.2.0/28</ip-netmask></entry></address>
    <address-group><entry name="in-vault"><dynamic><filter>'zonewall.zone.vault'</filter></dynamic></entry></address-group>
    <rulebase><security><rules>${rulesXml}</rules></security></rulebase></entry></vsys></entry></devices></config>`;

  it('an external gives its name way to a zone that a tag names later', () => {
    const r = importPanorama(
      FW(
        rule({ name: 'to vault host', from: ['dmz'], to: ['internet'], dst: ['vault'] }) +
          rule({
            name: 'into vault',
            from: ['dmz'],
            to: ['any'],
            dst: ['in-vault'],
            action: 'deny',
          }),
      ),
    );
    expect(r.ok).toBe(true);
    expect(externalsOf(r).map((e) => e.name)).toEqual(['vault-net']);
    expect(r.document?.spec.zones).toEqual([{ name: 'dmz' }, { name: 'vault' }]);
    expect(rulesOf(r).map((x) => [x.name, x.to])).toEqual([
      ['to-vault-host', ['vault-net']],
      ['into-vault', ['vault']],
    ]);
  });

  it('a tag naming the reserved zones internet or any matches no pod (and declares no zone)', () => {
    const xml = FW(
      rule({
        name: 'to outside-tagged',
        from: ['dmz'],
        to: ['any'],
        dst: ['tagged-out'],
        action: 'deny',
      }),
    ).replace(
      '</address-group>',
      `<entry name="tagged-out"><dynamic><filter>'zonewall.zone.internet' or 'zonewall.zone.any'</filter></dynamic></entry></address-group>`,
    );
    const r = importPanorama(xml);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.document?.spec.zones).toEqual([{ name: 'dmz' }]);
  });

  it('a schedule is a condition zonewall cannot see', () => {
    const r = importPanorama(
      FW(
        rule({
          name: 'office hours',
          from: ['dmz'],
          to: ['internet'],
          extra: '<schedule>weekdays</schedule>',
        }) +
          rule({
            name: 'night block',
            from: ['dmz'],
            to: ['internet'],
            action: 'deny',
            extra: '<schedule>nights</schedule>',
          }),
      ),
    );
    expect(report(r, 'office hours')).toMatchObject({ status: 'skipped' });
    expect(report(r, 'office hours')?.reason).toContain('schedule weekdays');
    expect(report(r, 'night block')?.notes).toEqual([
      {
        field: 'schedule',
        effect: 'widened',
        message: 'nights cannot be seen: the deny applies regardless',
      },
    ]);
  });

  it('external dynamic lists and regions are named as such', () => {
    const r = importPanorama(
      FW(rule({ name: 'geo', from: ['internet'], to: ['dmz'], src: ['CN'] })),
    );
    expect(r.issues.map((i) => i.message)).toEqual([
      '"CN" is a region: its addresses are the firewall\'s geolocation data',
    ]);
    expect(report(r, 'geo')?.status).toBe('skipped');
  });
});

describe('device groups spread over entries, and template zones', () => {
  const zone = (n: string): string => `<entry name="${n}"/>`;
  const template = (name: string, zones: string[], devices = ''): string =>
    `<entry name="${name}">${devices}<config><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1"><zone>${zones.map(zone).join('')}</zone></entry></vsys></entry></devices></config></entry>`;
  const XML = `<config version="10.1.0"><devices><entry name="localhost.localdomain">
    <template>
      ${template('base', ['dmz', 'trusted'])}
      ${template('old-style', ['lab'], '<devices><entry name="0009"/></devices>')}
      ${template('other', ['elsewhere'])}
    </template>
    <template-stack><entry name="stack"><templates>${m('base')}</templates><devices><entry name="0001"/></devices></entry></template-stack>
    <device-group>
      <entry name="dg"><devices><entry name="0001"/></devices></entry>
      <entry name="dg"><pre-rulebase>${rules({ name: 'second entry', from: ['dmz'], to: ['trusted'] })}</pre-rulebase></entry>
      <entry name="lab"><devices><entry name="0009"/></devices></entry>
    </device-group>
  </entry></devices></config>`;

  it('reads every entry of a device group', () => {
    const fw = readPanos(parseXml(XML), { device: '0001' });
    expect(fw.scope).toBe('dg');
    expect(fw.rules.map((r) => r.name)).toEqual(['second entry']);
  });

  it('declares the zones of the templates its devices are assigned, directly or through a stack', () => {
    expect(readPanos(parseXml(XML), { deviceGroup: 'dg' }).zones).toEqual(['dmz', 'trusted']);
    expect(readPanos(parseXml(XML), { deviceGroup: 'lab' }).zones).toEqual(['lab']);
    const r = importPanorama(XML, { deviceGroup: 'lab' });
    expect(r.document?.spec.zones).toEqual([{ name: 'lab' }]);
  });
});
