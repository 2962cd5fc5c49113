// Registering pod addresses as tags, against the stand-in (test-only, built from the documented
// User-ID API): batches, read-back with paging, leases, per-entry errors, the 32-tag limit, and
// reconciliation that leaves other tags and other clusters alone.
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCluster } from '../../core/zones/index.js';
import type { ClusterLoad } from '../../core/zones/index.js';
import { REPO_ROOT } from '../../../test/support/shared.js';
import { readManifestInputs } from '../manifests.js';
import { PanoramaClient } from './client.js';
import { canonicalIp, pushTags, readRegistered } from './push.js';
import type { PushOptions } from './push.js';
import { Secret } from './secret.js';
import { desiredTags } from './tags.js';
import { PanosStandIn } from './testing/stand-in.js';
import { parseXml } from './xml.js';
import { uidMessages } from './uid-message.js';
import type { PanoramaError } from './errors.js';

let bank: ClusterLoad;
let s: PanosStandIn;
let clock = 1_000_000;
const N = { appLabel: 'app', cluster: 'bank' };
const O: PushOptions = { naming: N, timeoutS: 120, persistent: true };

beforeAll(async () => {
  bank = loadCluster(await readManifestInputs([path.join(REPO_ROOT, 'examples/bank')]));
  expect(bank.ok).toBe(true);
});
beforeEach(async () => {
  s = await PanosStandIn.start({ keys: ['k'], now: () => clock });
});
afterEach(() => s.close());

const client = (): PanoramaClient => new PanoramaClient({ url: s.url, apiKey: new Secret('k') });
const desired = (): Map<string, string[]> => {
  if (!bank.zonePolicy) throw new Error('no zone policy');
  return desiredTags(bank.set, bank.zonePolicy, N).desired;
};

describe('pushTags', () => {
  it('registers every pod address with its zone, namespace, app and cluster tags', async () => {
    const want = desired();
    expect(want.size).toBe(39);
    const r = await pushTags(client(), want, O);
    expect([r.registered, r.unregistered, r.rejected, r.failures]).toEqual([39, 0, [], []]);
    const [ip, tags] = [...want][0] ?? [];
    expect(s.tagsOf(ip ?? '')).toEqual(tags);
    expect(tags?.[0]).toMatch(/^zonewall\.zone\./);
    expect(tags).toContain('zonewall.cluster.bank');
  });

  it('renews leases on each push; without one, tags expire', async () => {
    const want = desired();
    const ip = [...want.keys()][0] ?? '';
    await pushTags(client(), want, O);
    clock += 100_000;
    await pushTags(client(), want, O);
    clock += 100_000;
    expect(s.tagsOf(ip)).toHaveLength(4);
    clock += 30_000;
    expect(s.tagsOf(ip)).toEqual([]);
  });

  it('changes only zonewall tags, and releases addresses whose pod is gone', async () => {
    const want = desired();
    const [a, b] = [...want.keys()];
    s.state.registered.set(a ?? '', {
      persistent: true,
      tags: new Map([
        ['team-x', undefined],
        ['zonewall.zone.stale', undefined],
        ['zonewall.cluster.bank', undefined],
      ]),
    });
    s.state.registered.set('192.0.2.10', {
      persistent: true,
      tags: new Map([
        ['zonewall.ns.gone', undefined],
        ['zonewall.cluster.bank', undefined],
        ['keep', undefined],
      ]),
    });
    s.state.registered.set('192.0.2.11', {
      persistent: true,
      tags: new Map([
        ['zonewall.ns.x', undefined],
        ['zonewall.cluster.other', undefined],
      ]),
    });
    s.state.registered.set('192.0.2.12', {
      persistent: true,
      tags: new Map([['quarantine', undefined]]),
    });
    const r = await pushTags(client(), want, O);
    expect(r.released).toBe(1);
    expect(s.tagsOf(a ?? '')).toEqual([
      'team-x',
      'zonewall.cluster.bank',
      ...(want.get(a ?? '') ?? []).filter((t) => t !== 'zonewall.cluster.bank'),
    ]);
    expect(s.tagsOf('192.0.2.10')).toEqual(['keep']);
    expect(s.tagsOf('192.0.2.11')).toEqual(['zonewall.ns.x', 'zonewall.cluster.other']);
    expect(s.tagsOf('192.0.2.12')).toEqual(['quarantine']);
    expect(s.tagsOf(b ?? '')).toEqual(want.get(b ?? ''));
  });

  it('reports per-entry rejections and goes on with the other addresses', async () => {
    const want = desired();
    const [a, b] = [...want.keys()];
    s.rejectIp(a ?? '', 'stand-in rejection');
    const r = await pushTags(client(), want, O);
    expect(r.rejected).toEqual([{ action: 'register', ip: a, message: 'stand-in rejection' }]);
    expect(s.tagsOf(b ?? '')).toHaveLength(4);
  });

  it('stays within 32 tags per address, reporting what did not fit', async () => {
    const want = desired();
    const a = [...want.keys()][0] ?? '';
    s.state.registered.set(a, {
      persistent: true,
      tags: new Map(Array.from({ length: 30 }, (_, i) => [`fw-${i}`, undefined])),
    });
    const r = await pushTags(client(), want, O);
    expect(r.issues.map((i) => i.code)).toEqual(['tags.limit']);
    expect(r.rejected).toEqual([]);
    expect(s.tagsOf(a)).toHaveLength(32);
  });

  it('sends batches of the given size, each under 5 MB', async () => {
    const r = await pushTags(client(), desired(), { ...O, maxEntries: 10 });
    expect(r.batches).toBe(4);
    const uid = s.requests.filter((q) => q.type === 'user-id');
    expect(uid).toHaveLength(4);
    for (const q of uid) expect(q.bytes).toBeLessThan(5_000_000);
  });

  it('splits a change larger than 5 MB into requests the device accepts', async () => {
    const long = (i: number): string[] => [
      `zonewall.zone.${'z'.repeat(50)}`,
      `zonewall.ns.${'n'.repeat(50)}-${i % 100}`,
      `zonewall.app.${'a'.repeat(50)}-${i % 1000}`,
      'zonewall.cluster.bank',
    ];
    const want = new Map(
      Array.from({ length: 20_000 }, (_, i) => [
        `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
        long(i),
      ]),
    );
    const r = await pushTags(client(), want, { ...O, maxEntries: 1_000_000 });
    const uid = s.requests.filter((q) => q.type === 'user-id');
    expect(uid.reduce((a, q) => a + q.bytes, 0)).toBeGreaterThan(5_000_000);
    expect(r.batches).toBe(uid.length);
    expect(uid.length).toBeGreaterThan(1);
    for (const q of uid) expect(q.bytes).toBeLessThanOrEqual(5_000_000);
    expect([r.rejected, r.failures, s.state.registered.size]).toEqual([[], [], 20_000]);
    // The stand-in enforces the limit: one message for everything is refused.
    const [all] = uidMessages(
      { register: [...want].map(([ip, tags]) => ({ ip, tags })), unregister: [] },
      { timeoutS: 60, persistent: true, maxBytes: 1e9, maxEntries: 1e9 },
    );
    const e = await client()
      .userId(all ?? '')
      .catch((x: unknown) => x as PanoramaError);
    expect(e).toMatchObject({ code: 'api', apiCode: 400 });
  });

  it('refuses to remove every registration when the cluster has no pods', async () => {
    await pushTags(client(), desired(), O);
    await expect(pushTags(client(), new Map(), O)).rejects.toThrow(/refusing to remove them all/);
    expect(s.state.registered.size).toBe(39);
    const r = await pushTags(client(), new Map(), { ...O, allowEmpty: true });
    expect(r.released).toBe(39);
  });
});

describe('readRegistered', () => {
  it('pages with limit and start-point', async () => {
    await pushTags(client(), desired(), O);
    s.requests.length = 0;
    const got = await readRegistered(client(), 7);
    expect(got.size).toBe(39);
    expect(s.requests.map((r) => /<start-point>(\d+)</.exec(r.cmd ?? '')?.[1])).toEqual([
      '1',
      '8',
      '15',
      '22',
      '29',
      '36',
    ]);
  });

  it('stops when the device ignores start-point', async () => {
    const page =
      '<result>' +
      Array.from(
        { length: 3 },
        (_, i) => `<entry ip="10.0.0.${i}"><tag><member>t</member></tag></entry>`,
      ).join('') +
      '</result>';
    const fake = { op: async () => parseXml(page) } as unknown as PanoramaClient;
    await expect(readRegistered(fake, 3)).rejects.toThrow(
      /paging does not advance at start-point 4/,
    );
  });

  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['10.0.0.1/32', '10.0.0.1'],
    ['FD00:0:0::1', 'fd00::1'],
    ['fd00::1/128', 'fd00::1'],
    ['10.0.0.0/24', '10.0.0.0/24'],
    ['10.0.0.1-10.0.0.9', '10.0.0.1-10.0.0.9'],
    ['10.0.0.1/128', '10.0.0.1/128'],
  ])('reads %s back as %s', (text, want) => expect(canonicalIp(text)).toBe(want));
});
