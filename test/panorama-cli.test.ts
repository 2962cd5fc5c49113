// `zonewall push-tags panorama` and `zonewall sync panorama`, in-process, against the PAN-OS
// XML API stand-in (test-only; built from the documented API, see its header).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPanorama } from '../src/core/firewall/index.js';
import { PanosStandIn } from '../src/integrations/panorama/testing/stand-in.js';
import { selfSigned } from './support/self-signed.js';
import { cli } from './support/cli.js';
import { REPO_ROOT, SHARED_MISSING, sharedDir } from './support/shared.js';

const BANK = path.join(REPO_ROOT, 'examples/bank');
const KEY = 'test-key-Zm9vYmFy';
let s: PanosStandIn;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  s = await PanosStandIn.start({ keys: [KEY] });
  dir = await mkdtemp(path.join(tmpdir(), 'zw-panorama-'));
  keyFile = path.join(dir, 'key');
  await writeFile(keyFile, `${KEY}\n`);
});
afterAll(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('push-tags panorama', () => {
  it('registers the bank pods and reports it', async () => {
    const r = await cli([
      'push-tags',
      'panorama',
      '--url',
      s.url,
      '--api-key-file',
      keyFile,
      '-f',
      BANK,
      '--cluster',
      'bank',
    ]);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      '39 pod addresses; registered 39, unregistered stale tags on 0 (0 released) in 1 requests\n',
    );
    expect(r.code).toBe(0);
    expect(s.state.registered.size).toBe(39);
  });

  it('prints the report as JSON, and exits 1 for a rejected address', async () => {
    const ip = [...s.state.registered.keys()][0] ?? '';
    s.rejectIp(ip, 'stand-in rejection');
    const r = await cli([
      'push-tags',
      'panorama',
      '--url',
      s.url,
      '--api-key-file',
      keyFile,
      '-f',
      BANK,
      '--cluster',
      'bank',
      '-o',
      'json',
    ]);
    s.state.rejectIps.clear();
    expect(r.code).toBe(1);
    const data = JSON.parse(r.out) as { rejected: { ip: string }[]; registered: number };
    expect([data.registered, data.rejected.map((x) => x.ip)]).toEqual([39, [ip]]);
  });

  it('exits 3 on a bad key, never printing it', async () => {
    const bad = path.join(dir, 'bad');
    await writeFile(bad, 'not-the-key');
    const r = await cli([
      'push-tags',
      'panorama',
      '--url',
      s.url,
      '--api-key-file',
      bad,
      '-f',
      BANK,
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/error 403 \(Forbidden\): Invalid Credential/);
    expect(r.err + r.out).not.toContain('not-the-key');
  });

  it('exits 2 without a key, or with a bad option', async () => {
    const r = await cli([
      'push-tags',
      'panorama',
      '--url',
      s.url,
      '--api-key-env',
      'ZW_TEST_NO_SUCH_VAR',
      '-f',
      BANK,
    ]);
    expect([r.code, r.err]).toEqual([
      2,
      'error: no API key in the environment variable ZW_TEST_NO_SUCH_VAR\n',
    ]);
    const l = await cli(['push-tags', 'panorama', '--url', s.url, '--lease', '31d', '-f', BANK]);
    expect(l.code).toBe(2);
    expect(l.err).toContain('a lease is at most 30d');
  });
});

const DG = 'DE-Berlin Office';

const SHARED = sharedDir();

describe.skipIf(!SHARED)(`sync panorama (skipped when absent: ${SHARED_MISSING})`, () => {
  let p: PanosStandIn;
  let xml: string;
  beforeAll(async () => {
    const file = path.join(SHARED ?? '', 'fixtures/panorama/pan-os-php/panorama-10.0-merger.xml');
    xml = await readFile(file, 'utf8');
    p = await PanosStandIn.start({ keys: [KEY], config: xml });
  });
  afterAll(() => p.close());
  const args = (...more: string[]): string[] => [
    'sync',
    'panorama',
    '--url',
    p.url,
    '--api-key-file',
    keyFile,
    '--device-group',
    DG,
    '--once',
    '--retries',
    '0',
    ...more,
  ];

  it('writes the device group as a ZonePolicy, the same as importing the export', async () => {
    const out = path.join(dir, 'zones.yaml');
    const r = await cli(args('-o', out));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /sync: policy changed \(sha256 [0-9a-f]{12}\), handed on to .*zones\.yaml/,
    );
    expect(await readFile(out, 'utf8')).toBe(importPanorama(xml, { deviceGroup: DG }).yaml);
    // The security team disables a rule in Panorama: the next poll hands the change on.
    const rule =
      '<entry name="berlin-office  prerule  intra" uuid="dbd42931-cc13-4dba-8753-6fd1ade4f407">';
    expect(xml).toContain(rule);
    const changed = xml.replace(rule, `${rule}<disabled>yes</disabled>`);
    p.setConfig(changed);
    try {
      const again = await cli(args('-o', out));
      expect([again.code, again.err]).toEqual([0, expect.stringMatching(/policy changed/)]);
      const written = await readFile(out, 'utf8');
      expect(written).toBe(importPanorama(changed, { deviceGroup: DG }).yaml);
      expect(written).not.toBe(importPanorama(xml, { deviceGroup: DG }).yaml);
    } finally {
      p.setConfig(xml);
    }
  });

  it('leaves the file alone when nothing changed, and while Panorama is away', async () => {
    const out = path.join(dir, 'zones-2.yaml');
    await cli(args('-o', out));
    const before = await stat(out);
    const again = await cli(args('-o', out));
    expect([again.code, again.err]).toEqual([0, expect.stringMatching(/policy unchanged/)]);
    await p.down();
    try {
      const away = await cli(args('-o', out));
      expect(away.code).toBe(3);
      expect(away.err).not.toMatch(/in a row/);
      expect(away.err).toMatch(
        /fetch failed: cannot reach .*ECONNREFUSED; the policy in force stays \(sha256 [0-9a-f]{12}\)/,
      );
    } finally {
      await p.up();
    }
    expect((await stat(out)).mtimeMs).toBe(before.mtimeMs);
  });

  it('prints to standard output, and registers pod tags with --push-tags', async () => {
    const r = await cli(args('--push-tags', '-f', BANK, '--cluster', 'bank'));
    expect(r.code).toBe(0);
    expect(r.out.startsWith('---\napiVersion: zonewall.io/v1alpha1\nkind: ZonePolicy\n')).toBe(
      true,
    );
    expect(r.err).toMatch(
      /sync: tags for 39 addresses registered in 1 requests; 0 released, 0 rejected/,
    );
    expect(p.state.registered.size).toBe(39);
  });

  it('reports a device group that does not build, changing nothing', async () => {
    const r = await cli([
      'sync',
      'panorama',
      '--url',
      p.url,
      '--api-key-file',
      keyFile,
      '--device-group',
      'no-such-dg',
      '--once',
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/build failed: the configuration does not build a ZonePolicy/);
    expect(r.out).toBe('');
  });
});

describe('help', () => {
  it.each([['sync'], ['push-tags']])('%s panorama --help explains the verb', async (verb) => {
    const r = await cli([verb, 'panorama', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: zonewall ${verb} panorama`);
    expect(r.out).toContain('--fingerprint');
  });
});

const cert = selfSigned();
describe.skipIf(!cert)('over TLS (skipped: the openssl command is not installed)', () => {
  let t: PanosStandIn;
  beforeAll(async () => {
    t = await PanosStandIn.start({ keys: [KEY], tls: cert });
  });
  afterAll(() => t.close());
  const push = (...trust: string[]): Promise<{ code: number; err: string }> =>
    cli([
      'push-tags',
      'panorama',
      '--url',
      t.url,
      '--api-key-file',
      keyFile,
      '-f',
      BANK,
      '--retries',
      '0',
      ...trust,
    ]);

  it('trusts a pinned fingerprint or CA file, and nothing else', async () => {
    expect(
      (await push('--fingerprint', (cert?.fingerprint256 ?? '').replace(/:/g, '').toLowerCase()))
        .code,
    ).toBe(0);
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, cert?.cert ?? '');
    expect((await push('--ca-file', ca)).code).toBe(0);
    const none = await push();
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/TLS with 127\.0\.0\.1:\d+ failed: DEPTH_ZERO_SELF_SIGNED_CERT/);
    const bad = await push('--fingerprint', 'ab'.repeat(32));
    expect([bad.code, bad.err]).toEqual([3, expect.stringMatching(/is not the pinned one/)]);
    expect((await push('--fingerprint', 'abc')).code).toBe(2);
  });
});
