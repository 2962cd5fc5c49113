// The XML API client against the stand-in (test-only; see testing/stand-in-api.ts for what it
// is built from): requests, envelopes, error codes, retries with capped backoff, key handling.
import { inspect } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../test/support/self-signed.js';
import { PanoramaClient, apiUrl } from './client.js';
import type { ClientOptions } from './client.js';
import { PanoramaError } from './errors.js';
import { Secret, loadApiKey, redact } from './secret.js';
import { PanosStandIn } from './testing/stand-in.js';
import type { Fault } from './testing/stand-in.js';

const KEY = 'LUFRPT1-secret-key==';
const CONFIG = `<config version="10.2.0"><devices><entry name="localhost.localdomain">
<device-group><entry name="k8s"><address><entry name="a1"><ip-netmask>10.0.0.1</ip-netmask></entry></address></entry>
<entry name="other"/></device-group></entry></devices><shared/></config>`;

let s: PanosStandIn;
const sleeps: number[] = [];

beforeAll(async () => {
  s = await PanosStandIn.start({ config: CONFIG, keys: [KEY] });
});
afterAll(() => s.close());
afterEach(() => {
  sleeps.length = 0;
  s.requests.length = 0;
});

function client(o: Partial<ClientOptions> = {}): PanoramaClient {
  return new PanoramaClient({
    url: s.url,
    apiKey: new Secret(KEY),
    timeoutMs: 2000,
    retry: { attempts: 3, baseMs: 100, capMs: 150 },
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    ...o,
  });
}

async function failure(p: Promise<unknown>): Promise<PanoramaError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PanoramaError);
  return e as PanoramaError;
}

describe('requests and envelopes', () => {
  it('generates a key; a wrong password is an auth error, tried once', async () => {
    const c = client({ apiKey: undefined });
    expect((await c.keygen('admin', new Secret('admin-password'))).reveal()).toBe(KEY);
    const e = await failure(c.keygen('admin', new Secret('wrong-pw')));
    expect([e.code, e.apiCode]).toEqual(['auth', 403]);
    expect(e.message).not.toContain('wrong-pw');
    expect(s.requests.filter((r) => r.type === 'keygen')).toHaveLength(2);
  });

  it('reads configuration by xpath (show and get)', async () => {
    const r = await client().configShow("/config/devices/entry/device-group/entry[@name='k8s']");
    expect(r.textAt("entry/address/entry[@name='a1']/ip-netmask")).toBe('10.0.0.1');
    const g = await client().configGet('/config/shared');
    expect(g.children().map((e) => e.name)).toEqual(['shared']);
  });

  it.each([
    ["/config/devices/entry/device-group/entry[@name='nope']", 7, 'Object not present'],
    ['config', 6, 'Bad Xpath'],
  ])('maps documented error codes: %s', async (xpath, code, name) => {
    const e = await failure(client().configShow(xpath));
    expect([e.code, e.apiCode, e.retryable]).toEqual(['api', code, false]);
    expect(e.message).toContain(name);
    expect(s.requests).toHaveLength(1);
  });

  it('runs operational commands', async () => {
    const r = await client().op('<show><devicegroups/></show>');
    expect(r.all('devicegroups/entry').map((e) => e.attr('name'))).toEqual(['k8s', 'other']);
    const e = await failure(client().op('<show><bogus/></show>'));
    expect(e.apiCode).toBe(17);
  });
});

describe('faults', () => {
  const cases: [string, Fault, string, number][] = [
    ['403 is never retried', { kind: 'forbidden' }, 'auth', 1],
    ['API code 16 (unauthorized) is never retried', { kind: 'api-error', code: 16 }, 'auth', 1],
    ['malformed XML', { kind: 'malformed' }, 'malformed', 1],
    ['truncated XML', { kind: 'truncated-xml' }, 'malformed', 1],
    ['a non-transient API error', { kind: 'api-error', code: 12 }, 'api', 1],
  ];
  it.each(cases)('%s', async (_, fault, code, requests) => {
    s.inject(fault);
    const e = await failure(client().configShow('/config/shared'));
    expect(e.code).toBe(code);
    expect(s.requests).toHaveLength(requests);
    expect(e.message).not.toContain(KEY);
  });

  it.each<[string, Fault]>([
    ['an internal error (code 2)', { kind: 'api-error', code: 2 }],
    ['HTTP 503', { kind: 'http', status: 503 }],
    ['a connection cut mid-answer', { kind: 'reset' }],
  ])('retries %s, then succeeds', async (_, fault) => {
    s.inject(fault, 2);
    const r = await client().configShow('/config/shared');
    expect(r.child('shared')).toBeDefined();
    expect(s.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 150]);
  });

  it('retries a User-ID request that failed as a whole with an internal error', async () => {
    s.inject({ kind: 'api-error', code: 21 }, 1, 'user-id');
    const msg =
      '<uid-message><type>update</type><payload><register><entry ip="10.9.9.9"><tag><member>t</member></tag></entry></register></payload></uid-message>';
    expect(await client().userId(msg)).toEqual([]);
    expect(s.requests.map((r) => r.type)).toEqual(['user-id', 'user-id']);
    s.inject({ kind: 'api-error', code: 17 }, 1, 'user-id');
    expect((await failure(client().userId(msg))).apiCode).toBe(17);
  });

  it('times out a hanging answer and gives up after the attempts', async () => {
    s.inject({ kind: 'hang' }, 3);
    const e = await failure(client({ timeoutMs: 200 }).configShow('/config/shared'));
    expect(e.code).toBe('timeout');
    expect(s.requests).toHaveLength(3);
  });

  it('backs off exponentially up to the cap, with jitter below it', async () => {
    s.inject({ kind: 'http', status: 502 }, 5);
    const c = client({ retry: { attempts: 6, baseMs: 100, capMs: 350 }, random: () => 0 });
    await c.configShow('/config/shared');
    expect(sleeps).toEqual([50, 100, 175, 175, 175]);
  });

  it('reports an unreachable device', async () => {
    await s.down();
    try {
      const e = await failure(client().op('<show><system><info/></system></show>'));
      expect(e.code).toBe('unreachable');
      expect(sleeps).toHaveLength(2);
    } finally {
      await s.up();
    }
  });
});

describe('the key', () => {
  it('is sent in the form body, never in the URL', async () => {
    await client().op('<show><system><info/></system></show>');
    expect(s.requests[0]?.type).toBe('op');
    expect(apiUrl(s.url).href).not.toContain('key');
  });

  it('comes from a file or a variable and never prints', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zw-key-'));
    try {
      await writeFile(path.join(dir, 'key'), `${KEY}\n`);
      const k = await loadApiKey({ file: path.join(dir, 'key') });
      expect(k.reveal()).toBe(KEY);
      expect([String(k), JSON.stringify({ k }), inspect(k)].join()).not.toContain(KEY);
      expect((await loadApiKey({ env: 'K' }, { K: KEY })).reveal()).toBe(KEY);
      expect((await failure(loadApiKey({ env: 'K' }, {}))).code).toBe('config');
      expect((await failure(loadApiKey({ file: path.join(dir, 'none') }))).message).toContain(
        'ENOENT',
      );
      expect(redact(`x ${KEY} ${encodeURIComponent(KEY)}`, [k])).toBe('x [redacted] [redacted]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is refused over plain HTTP to another host, and in the URL', () => {
    expect(() => apiUrl('http://panorama.example.com')).toThrow(/only for this machine/);
    expect(() => apiUrl('https://u:p@panorama.example.com')).toThrow(/credentials/);
    expect(apiUrl('https://panorama.example.com/ui').href).toBe(
      'https://panorama.example.com/api/',
    );
  });
});

const cert = selfSigned();
describe.skipIf(!cert)('TLS (skipped: the openssl command is not installed)', () => {
  let t: PanosStandIn;
  beforeAll(async () => {
    t = await PanosStandIn.start({ config: CONFIG, keys: [KEY], tls: cert });
  });
  afterAll(() => t.close());
  const tlsClient = (trust: ClientOptions['trust']): PanoramaClient =>
    client({ url: t.url, ...(trust ? { trust } : {}) });

  it('trusts a pinned CA', async () => {
    const r = await tlsClient({ kind: 'ca', pem: cert?.cert ?? '' }).configShow('/config/shared');
    expect(r.child('shared')).toBeDefined();
  });

  it('trusts a pinned fingerprint', async () => {
    const r = await tlsClient({ kind: 'fingerprint', sha256: cert?.fingerprint256 ?? '' }).op(
      '<show><system><info/></system></show>',
    );
    expect(r.textAt('system/hostname')).toBe('stand-in');
  });

  it('refuses an unknown certificate, and a wrong fingerprint before sending anything', async () => {
    t.requests.length = 0;
    expect((await failure(tlsClient(undefined).configShow('/config/shared'))).code).toBe('tls');
    const fp = cert?.fingerprint256 ?? '';
    const wrong = `${fp.startsWith('00') ? '11' : '00'}${fp.slice(2)}`;
    const e = await failure(
      tlsClient({ kind: 'fingerprint', sha256: wrong }).configShow('/config/shared'),
    );
    expect(e.code).toBe('tls');
    expect(e.message).toContain('not the pinned one');
    expect(t.requests).toHaveLength(0);
  });
});
