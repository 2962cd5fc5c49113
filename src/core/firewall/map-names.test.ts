// Free-text firewall names as DNS labels, and unique names handed out deterministically.
import { describe, expect, it } from 'vitest';
import { NameSet, dnsLabel, isDnsLabel } from './map-names.js';

describe('dnsLabel', () => {
  it.each([
    ['Trust Zone', 'trust-zone'],
    ['berlin-office  prerule  intra', 'berlin-office-prerule-intra'],
    ['--Web_Farm--', 'web-farm'],
    ['DMZ', 'dmz'],
    ['ünïcode', 'n-code'],
    ['***', 'x'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
  ])('%j -> %j', (text, label) => {
    expect(dnsLabel(text)).toBe(label);
    expect(isDnsLabel(label)).toBe(true);
  });

  it('knows a DNS label when it sees one', () => {
    expect(isDnsLabel('dmz')).toBe(true);
    expect(isDnsLabel('DMZ')).toBe(false);
    expect(isDnsLabel('-dmz')).toBe(false);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
  });
});

describe('NameSet', () => {
  it('hands out the wanted name, else numbered ones, never a reserved one', () => {
    const names = new NameSet(['internet', 'any']);
    expect(['web', 'web', 'web', 'internet', 'web-2'].map((n) => names.take(n))).toEqual([
      'web',
      'web-2',
      'web-3',
      'internet-2',
      'web-2-2',
    ]);
  });

  it('keeps numbered names within 63 characters', () => {
    const names = new NameSet();
    const long = 'a'.repeat(63);
    expect(names.take(long)).toBe(long);
    const second = names.take(long);
    expect(second).toBe(`${'a'.repeat(61)}-2`);
    expect(isDnsLabel(second)).toBe(true);
  });
});
