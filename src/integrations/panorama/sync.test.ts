// Live sync against the stand-in (test-only): the policy is handed on only when valid and
// changed, and stays in force across outages, errors and nonsense answers. The import here is
// a stub (zones named by the device group's tags) so that these tests are about sync alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PanoramaClient } from './client.js';
import { Secret } from './secret.js';
import { PanoramaSync, contentHash } from './sync.js';
import type { BuildZonePolicy, SyncEvent } from './sync.js';
import { PanosStandIn } from './testing/stand-in.js';
import { parseXml } from './xml.js';

const config = (zones: string[], dg = 'k8s'): string =>
  `<config><devices><entry name="localhost.localdomain"><device-group><entry name="${dg}"><tag>${zones
    .map((z) => `<entry name="${z}"/>`)
    .join('')}</tag></entry></device-group></entry></devices></config>`;

/** Stub import: one zone per device-group tag; "bad name" builds an invalid policy. */
const build: BuildZonePolicy = (xml, { deviceGroup }) => {
  const dg = parseXml(xml).at(`devices/entry/device-group/entry[@name='${deviceGroup}']`);
  if (!dg)
    return {
      zonePolicyYaml: undefined,
      issues: [{ severity: 'error', message: `no device group ${deviceGroup}` }],
    };
  const zones = dg.all('tag/entry').map((e) => e.attr('name') ?? '');
  const yaml = `apiVersion: zonewall.io/v1alpha1\nkind: ZonePolicy\nmetadata:\n  name: ${deviceGroup}\nspec:\n  defaultZone: ${zones[0]}\n  zones:\n${zones.map((z) => `    - name: ${z}\n`).join('')}`;
  return { zonePolicyYaml: yaml, issues: [{ severity: 'warning', message: 'stub' }] };
};

let s: PanosStandIn;
let handed: string[];
let events: SyncEvent[];

beforeEach(async () => {
  s = await PanosStandIn.start({ keys: ['k'], config: config(['dmz', 'trusted']) });
  handed = [];
  events = [];
});
afterEach(() => s.close());

function sync(inForce?: string): PanoramaSync {
  const client = new PanoramaClient({
    url: s.url,
    apiKey: new Secret('k'),
    timeoutMs: 300,
    retry: { attempts: 2, baseMs: 1, capMs: 1 },
  });
  return new PanoramaSync({
    client,
    build,
    deviceGroup: 'k8s',
    handOn: async (yaml) => void handed.push(yaml),
    report: (e) => void events.push(e),
    ...(inForce !== undefined ? { inForce } : {}),
  });
}

const kinds = (): string[] =>
  events.map((e) => (e.kind === 'failed' ? `failed:${e.stage}` : e.kind));

describe('PanoramaSync', () => {
  it('hands a policy on once, then only when its content changes', async () => {
    const y = sync();
    expect(await y.poll()).toEqual({ ok: true, changed: true });
    expect(await y.poll()).toEqual({ ok: true, changed: false });
    s.setConfig(config(['dmz', 'trusted', 'restricted']));
    expect(await y.poll()).toEqual({ ok: true, changed: true });
    expect(handed).toHaveLength(2);
    expect(handed[1]).toContain('restricted');
    expect(kinds()).toEqual(['changed', 'unchanged', 'changed']);
    expect(y.inForce).toBe(contentHash(handed[1] ?? ''));
  });

  it('does not hand on what is already in force', async () => {
    const first = build(config(['dmz', 'trusted']), { deviceGroup: 'k8s' }).zonePolicyYaml ?? '';
    const y = sync(first);
    expect(await y.poll()).toEqual({ ok: true, changed: false });
    expect(handed).toEqual([]);
  });

  it('keeps the last good policy while Panorama is unreachable for several polls', async () => {
    const y = sync();
    await y.poll();
    const good = y.inForce;
    await s.down();
    for (let i = 0; i < 3; i++) expect(await y.poll()).toEqual({ ok: false, changed: false });
    await s.up();
    expect(await y.poll()).toEqual({ ok: true, changed: false });
    expect(handed).toHaveLength(1);
    expect(kinds()).toEqual([
      'changed',
      'failed:fetch',
      'failed:fetch',
      'failed:fetch',
      'unchanged',
    ]);
    const failed = events[1];
    expect(failed?.kind === 'failed' && failed.kept).toBe(good);
    expect(failed?.kind === 'failed' && failed.message).toMatch(/ECONNREFUSED/);
    expect(
      events.map((e) =>
        e.kind === 'failed' ? e.inARow : e.kind === 'unchanged' ? e.recoveredAfter : undefined,
      ),
    ).toEqual([undefined, 1, 2, 3, 3]);
  });

  it.each([
    ['403', { kind: 'forbidden' as const }, /403/],
    ['malformed XML', { kind: 'malformed' as const }, /not well-formed XML/],
    ['truncated XML', { kind: 'truncated-xml' as const }, /not well-formed XML/],
    ['a timeout', { kind: 'hang' as const }, /no answer/],
    ['an API error', { kind: 'api-error' as const, code: 13 }, /Object not found/],
  ])('keeps the last good policy on %s', async (_, fault, message) => {
    const y = sync();
    await y.poll();
    s.inject(fault, 2);
    expect(await y.poll()).toEqual({ ok: false, changed: false });
    const e = events[1];
    expect(e?.kind).toBe('failed');
    expect(e?.kind === 'failed' && e.message).toMatch(message);
    expect(handed).toHaveLength(1);
  });

  it('keeps the last good policy when the answer is not a configuration or does not build', async () => {
    const y = sync();
    await y.poll();
    s.setConfig('<something-else/>');
    expect((await y.poll()).ok).toBe(false);
    s.setConfig(config(['dmz'], 'renamed'));
    expect((await y.poll()).ok).toBe(false);
    s.setConfig(config(['Not A Valid Zone Name!']));
    expect((await y.poll()).ok).toBe(false);
    expect(kinds()).toEqual(['changed', 'failed:fetch', 'failed:build', 'failed:validate']);
    expect(handed).toHaveLength(1);
  });

  it('does not count a failed hand-on as in force', async () => {
    let fail = true;
    const client = new PanoramaClient({ url: s.url, apiKey: new Secret('k') });
    const y = new PanoramaSync({
      client,
      build,
      deviceGroup: 'k8s',
      handOn: async () => {
        if (fail) throw new Error('disk full');
      },
      report: (e) => void events.push(e),
    });
    expect((await y.poll()).ok).toBe(false);
    fail = false;
    expect(await y.poll()).toEqual({ ok: true, changed: true });
  });

  it('polls on an interval until stopped, handing on each change once', async () => {
    const y = sync();
    const stop = new AbortController();
    const done = y.run(10, stop.signal);
    const waitFor = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    await waitFor(() => events.length >= 2);
    s.setConfig(config(['dmz', 'audit']));
    await waitFor(() => handed.length === 2);
    const seen = events.length;
    await waitFor(() => events.length >= seen + 2);
    stop.abort();
    await done;
    expect(handed.length).toBe(2);
    expect(kinds().filter((k) => k === 'changed')).toHaveLength(2);
  });
});
