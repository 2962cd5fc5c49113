// User-ID messages: the documented shape, escaping, and batches under the size and entry limits.
import { describe, expect, it } from 'vitest';
import { formLength } from './transport.js';
import { tagProblem, uidMessages } from './uid-message.js';
import { parseXml } from './xml.js';

const O = { timeoutS: 120, persistent: true };

describe('uidMessages', () => {
  it('writes unregister before register, with timeouts and persistence', () => {
    const [m, ...rest] = uidMessages(
      {
        register: [{ ip: '10.0.0.1', tags: ['zonewall.zone.dmz', 'a&b'] }],
        unregister: [{ ip: '10.0.0.2', tags: ['zonewall.ns.old'] }],
      },
      O,
    );
    expect(rest).toEqual([]);
    expect(m).toBe(
      '<uid-message><version>2.0</version><type>update</type><payload>' +
        '<unregister><entry ip="10.0.0.2"><tag><member>zonewall.ns.old</member></tag></entry></unregister>' +
        '<register><entry ip="10.0.0.1" persistent="1"><tag><member timeout="120">zonewall.zone.dmz</member>' +
        '<member timeout="120">a&amp;b</member></tag></entry></register></payload></uid-message>',
    );
    expect(parseXml(m ?? '').textAt("payload/register/entry/tag/member[@timeout='120']")).toBe(
      'zonewall.zone.dmz',
    );
  });

  it('writes nothing for nothing', () => {
    expect(uidMessages({ register: [], unregister: [{ ip: '1.1.1.1', tags: [] }] }, O)).toEqual([]);
  });

  it('keeps every form-encoded body under the byte limit, losing no entry', () => {
    const register = Array.from({ length: 3000 }, (_, i) => ({
      ip: `10.${i >> 8}.${i & 255}.1`,
      tags: ['zonewall.zone.restricted', `zonewall.ns.namespace-${i}`, 'zonewall.app.payments api'],
    }));
    const maxBytes = 50_000;
    const batches = uidMessages(
      { register, unregister: [] },
      { ...O, maxBytes, maxEntries: 10_000 },
    );
    expect(batches.length).toBeGreaterThan(5);
    for (const b of batches) expect(formLength(b) + 'cmd='.length).toBeLessThanOrEqual(maxBytes);
    const ips = batches.flatMap((b) =>
      parseXml(b)
        .all('payload/register/entry')
        .map((e) => e.attr('ip')),
    );
    expect(ips).toEqual(register.map((r) => r.ip));
  });

  it('keeps at most maxEntries per message', () => {
    const register = Array.from({ length: 25 }, (_, i) => ({ ip: `10.0.0.${i}`, tags: ['t'] }));
    expect(uidMessages({ register, unregister: [] }, { ...O, maxEntries: 10 }).length).toBe(3);
  });
});

describe('tagProblem (the documented tag rules)', () => {
  it.each([
    ['zonewall.zone.dmz', undefined],
    ['x'.repeat(128), 'is 128 characters long (at most 127)'],
    ["it's", 'holds a quote'],
    ['a  b', 'holds two consecutive spaces'],
    ['AND', 'is a reserved word (and, or, not)'],
  ])('%s', (tag, why) => expect(tagProblem(tag)).toBe(why));
});
