// What an imported ZonePolicy means, compared with what the firewall would do (the reference
// in test/support/firewall-reference.ts) for every pair of a grid of pods and outside addresses
// and a set of packets: equal where the import reports every rule as mapped, and never more
// permissive where it approximates.
import { describe, expect, it } from 'vitest';
import { compare, ruleXml } from '../../../test/support/firewall-reference.js';

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
