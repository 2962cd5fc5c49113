// A generated Panorama configuration at the scale of a large bank: a shared level, a parent
// device group and the cluster's own device group (parents in `readonly`), address objects of
// every kind, static groups (nested) and dynamic groups (tag filters with and/or/parentheses),
// services and service groups, and security rules in the shared, parent and own pre- and
// post-rulebases over 50 zones. Deterministic for a seed.
import { Rng } from './prng.js';

export interface PanoramaShape {
  rules: number;
  addresses: number;
  groups: number;
  zones: number;
}

export const PANORAMA_DEFAULT: PanoramaShape = {
  rules: 10_000,
  addresses: 50_000,
  groups: 5_000,
  zones: 50,
};

const APPS = ['ssl', 'web-browsing', 'ssh', 'dns', 'mysql', 'postgres', 'any'];
const TAGS = ['web', 'api', 'db', 'batch', 'cache', 'queue'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const members = (xs: readonly string[]): string =>
  xs.map((x) => `<member>${esc(x)}</member>`).join('');

/** Levels: shared, the parent device group, the cluster's device group. */
const LEVELS = ['shared', 'platform', 'k8s-prod'] as const;

/** The configuration XML and the device group to import. */
export function generatePanorama(
  shape: PanoramaShape = PANORAMA_DEFAULT,
  seed = 7,
): {
  xml: string;
  deviceGroup: string;
} {
  const rng = new Rng(seed);
  const zones = Array.from({ length: shape.zones }, (_, i) =>
    i < 4 ? (['internet', 'dmz', 'trusted', 'restricted'][i] as string) : `zone-${i}`,
  );
  // Objects are spread over the three levels; names are unique per level, and a tenth of the
  // parent's names are redefined (overridden) in the cluster's own group.
  const perLevel = (n: number): number[] => [
    Math.floor(n * 0.2),
    Math.floor(n * 0.3),
    n - Math.floor(n * 0.2) - Math.floor(n * 0.3),
  ];
  const addrCounts = perLevel(shape.addresses);
  const groupCounts = perLevel(shape.groups);
  const addrNames: string[][] = [];
  const groupNames: string[][] = [];
  const objects: string[] = [];
  LEVELS.forEach((level, li) => {
    const names: string[] = [];
    let xml = '<address>';
    for (let i = 0; i < (addrCounts[li] as number); i++) {
      const name =
        li === 2 && i < (addrCounts[1] as number) / 10
          ? `platform-addr-${i}`
          : `${level}-addr-${i}`;
      names.push(name);
      const kind = rng.int(20);
      const a = 10 + ((li * 40 + (i >> 16)) % 200);
      const b = (i >> 8) & 255;
      const c = i & 255;
      let body: string;
      if (kind < 14) body = `<ip-netmask>${a}.${b}.${c}.0/${24 + rng.int(9)}</ip-netmask>`;
      else if (kind < 17)
        body = `<ip-range>${a}.${b}.${c}.10-${a}.${b}.${c}.${20 + rng.int(200)}</ip-range>`;
      else if (kind < 19) body = `<fqdn>svc-${i}.${level}.example</fqdn>`;
      else body = `<ip-wildcard>${a}.${b}.${c & 252}.${c}/0.0.3.0</ip-wildcard>`;
      const tag = rng.chance(0.2)
        ? `<tag>${members([`zonewall.app.${rng.pick(TAGS)}`])}</tag>`
        : '';
      xml += `<entry name="${name}">${body}${tag}</entry>`;
    }
    xml += '</address><address-group>';
    const groups: string[] = [];
    const pool = addrNames.flat().concat(names);
    for (let i = 0; i < (groupCounts[li] as number); i++) {
      const name = `${level}-group-${i}`;
      if (rng.chance(0.1)) {
        const t = (): string => `'zonewall.app.${rng.pick(TAGS)}'`;
        const filter = `'zonewall.zone.${rng.pick(zones)}' and (${t()} or ${t()})`;
        xml += `<entry name="${name}"><dynamic><filter>${esc(filter)}</filter></dynamic></entry>`;
      } else {
        // Static: addresses visible at this level (own and ancestors'), sometimes an earlier group.
        const ms = Array.from({ length: 2 + rng.int(8) }, () => rng.pick(pool));
        if (groups.length > 0 && rng.chance(0.2)) ms.push(rng.pick(groups));
        xml += `<entry name="${name}"><static>${members([...new Set(ms)])}</static></entry>`;
      }
      groups.push(name);
    }
    xml += '</address-group><service>';
    for (let i = 0; i < 100; i++) {
      const proto = rng.chance(0.8) ? 'tcp' : 'udp';
      const port = rng.chance(0.2) ? `${8000 + i}-${8010 + i}` : `${1000 + i * 7},${2000 + i}`;
      xml += `<entry name="${level}-svc-${i}"><protocol><${proto}><port>${port}</port></${proto}></protocol></entry>`;
    }
    xml += '</service><service-group>';
    for (let i = 0; i < 20; i++)
      xml += `<entry name="${level}-svcgrp-${i}"><members>${members([`${level}-svc-${i}`, `${level}-svc-${i + 20}`])}</members></entry>`;
    xml += '</service-group>';
    addrNames.push(names);
    groupNames.push(groups);
    objects.push(xml);
  });
  // Rules: shared pre 10%, parent pre 20%, own pre 40%, own post 20%, shared post 10%.
  const split = [0.1, 0.2, 0.4, 0.2, 0.1].map((f) => Math.round(f * shape.rules));
  let ruleNo = 0;
  const visible = LEVELS.map((_, li) => ({
    addr: addrNames.slice(0, li + 1).flat(),
    groups: groupNames.slice(0, li + 1).flat(),
  }));
  const rulebase = (li: number, n: number): string => {
    const visibleAddr = visible[li]?.addr ?? [];
    const visibleGroups = visible[li]?.groups ?? [];
    let xml = '<security><rules>';
    for (let i = 0; i < n; i++) {
      const side = (): string[] =>
        rng.chance(0.3)
          ? ['any']
          : Array.from({ length: 1 + rng.int(3) }, () =>
              rng.chance(0.6) ? rng.pick(visibleGroups) : rng.pick(visibleAddr),
            );
      const from = rng.chance(0.1) ? ['any'] : [rng.pick(zones)];
      const to = rng.chance(0.1) ? ['any'] : [rng.pick(zones)];
      const app = rng.pick(APPS);
      const service =
        app === 'any'
          ? rng.chance(0.5)
            ? 'any'
            : `${LEVELS[li]}-svc-${rng.int(100)}`
          : 'application-default';
      const action = rng.pick(['allow', 'allow', 'allow', 'deny', 'drop', 'reset-both']);
      const u = rng.int(20);
      const type = u === 0 ? 'intrazone' : u === 1 ? 'interzone' : 'universal';
      xml +=
        `<entry name="rule-${ruleNo++}" uuid="00000000-0000-4000-8000-${String(ruleNo).padStart(12, '0')}">` +
        `<from>${members(from)}</from><to>${members(to)}</to>` +
        `<source>${members(side())}</source><destination>${members(side())}</destination>` +
        `<source-user>${members(['any'])}</source-user><application>${members([app])}</application>` +
        `<service>${members([service])}</service><action>${action}</action>` +
        (type !== 'universal' ? `<rule-type>${type}</rule-type>` : '') +
        (rng.chance(0.05) ? '<negate-destination>yes</negate-destination>' : '') +
        (rng.chance(0.03) ? '<disabled>yes</disabled>' : '') +
        (rng.chance(0.5) ? '<log-end>yes</log-end>' : '') +
        '</entry>';
    }
    return `${xml}</rules></security>`;
  };
  const sharedPre = rulebase(0, split[0] as number);
  const parentPre = rulebase(1, split[1] as number);
  const ownPre = rulebase(2, split[2] as number);
  const ownPost = rulebase(2, split[3] as number);
  const sharedPost = rulebase(0, split[4] as number);
  const dg = (li: number, pre: string, post: string): string =>
    `<entry name="${LEVELS[li]}">${objects[li]}<pre-rulebase>${pre}</pre-rulebase><post-rulebase>${post}</post-rulebase></entry>`;
  const xml =
    '<?xml version="1.0"?>\n<config version="10.1.0">' +
    `<shared>${objects[0]}<pre-rulebase>${sharedPre}</pre-rulebase><post-rulebase>${sharedPost}</post-rulebase></shared>` +
    '<devices><entry name="localhost.localdomain"><device-group>' +
    dg(1, parentPre, '<security><rules></rules></security>') +
    dg(2, ownPre, ownPost) +
    '</device-group></entry></devices>' +
    '<readonly><devices><entry name="localhost.localdomain"><device-group>' +
    '<entry name="platform"><id>11</id></entry>' +
    '<entry name="k8s-prod"><id>12</id><parent-dg>platform</parent-dg></entry>' +
    '</device-group></entry></devices></readonly></config>\n';
  return { xml, deviceGroup: 'k8s-prod' };
}
