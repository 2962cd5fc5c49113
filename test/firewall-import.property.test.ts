// Random firewall rulebases over a fixed vocabulary of zones, objects, applications and
// services: the imported ZonePolicy is never more permissive than the firewall for any pod or
// outside address and packet of a grid, and is exactly as permissive when every rule maps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, ruleXml } from './support/firewall-reference.js';

const ZONES = ['dmz', 'trusted', 'restricted', 'internet'];
const ADDRESSES = [
  'legacy-or-db',
  'mixed-grp',
  'branch',
  'repo',
  'legacy-hosts',
  'dmz-front',
  'api',
  'web',
  'shop-db',
  'ledger-pods',
  'partner-net',
  'bad-net',
  'db-hosts',
];
const APPS = [
  'noports',
  'db-apps',
  'ssl',
  'ssh',
  'postgres',
  'ledger',
  'dns',
  'nobody-knows-this-app',
];

const zoneList = fc.oneof(
  { weight: 1, arbitrary: fc.constant(['any']) },
  {
    weight: 3,
    arbitrary: fc.uniqueArray(fc.constantFrom(...ZONES), { minLength: 1, maxLength: 2 }),
  },
);
const addressList = fc.oneof(
  { weight: 2, arbitrary: fc.constant(['any']) },
  {
    weight: 3,
    arbitrary: fc.uniqueArray(fc.constantFrom(...ADDRESSES), { minLength: 1, maxLength: 2 }),
  },
);
const appList = fc.oneof(
  { weight: 2, arbitrary: fc.constant(['any']) },
  {
    weight: 3,
    arbitrary: fc.uniqueArray(fc.constantFrom(...APPS), { minLength: 1, maxLength: 2 }),
  },
);

const rule = fc.record({
  from: zoneList,
  to: zoneList,
  source: addressList,
  destination: addressList,
  application: appList,
  service: fc.constantFrom(
    ['any'],
    ['application-default'],
    ['tcp-8443'],
    ['web-ports'],
    ['from-53'],
  ),
  action: fc.constantFrom('allow', 'allow', 'deny', 'drop', 'reset-both'),
  'rule-type': fc.constantFrom('universal', 'universal', 'intrazone', 'interzone'),
  'negate-source': fc.constantFrom('no', 'no', 'no', 'yes'),
  'negate-destination': fc.constantFrom('no', 'no', 'no', 'yes'),
  disabled: fc.constantFrom('no', 'no', 'no', 'yes'),
  'source-user': fc.constantFrom(['any'], ['any'], ['any'], ['corp\\ops']),
});

const rulebase = fc.array(rule, { minLength: 1, maxLength: 5 });

const defaultRule = (name: string): fc.Arbitrary<string> =>
  fc
    .constantFrom('', 'allow', 'deny', 'drop')
    .map((a) => (a ? `<entry name="${name}"><action>${a}</action></entry>` : ''));
const defaults = fc
  .tuple(defaultRule('intrazone-default'), defaultRule('interzone-default'))
  .map(([a, b]) => `<default-security-rules><rules>${a}${b}</rules></default-security-rules>`);

const SMALL = {
  namespaces: ['shop', 'ops'],
  packets: [
    { protocol: 'tcp' as const, port: 22 },
    { protocol: 'tcp' as const, port: 443 },
    { protocol: 'tcp' as const, port: 5432 },
    { protocol: 'tcp' as const, port: 7000 },
    { protocol: 'tcp' as const, port: 8443 },
    { protocol: 'udp' as const, port: 53 },
  ],
};

describe('random firewall rulebases, imported', () => {
  it('are never more permissive than the firewall, and exact when every rule maps', () => {
    fc.assert(
      fc.property(rulebase, defaults, (rules, dflt) => {
        const xml = rules.map((r, i) => ruleXml(`r${i}`, r));
        const c = compare(xml, { ...SMALL, defaults: dflt });
        expect(c.looser).toEqual([]);
        if (c.statuses.every((s) => s === 'mapped')) expect(c.stricter).toBe(0);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 40) },
    );
  });
});
