// `zonewall import panorama`: the ZonePolicy on standard output or in a file, the report on
// standard error (text or JSON), and exit 2 for input it cannot read.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { SHARED_MISSING, sharedDir } from './support/shared.js';

const shared = sharedDir();
const FIXTURES = shared ? path.join(shared, 'fixtures', 'panorama') : '';
const MERGER = path.join(FIXTURES, 'pan-os-php', 'panorama-10.0-merger.xml');
const FIREWALL = path.join(FIXTURES, 'pan-os-php', 'policy-best-practices.xml');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zonewall-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!shared)(`import panorama ${shared ? '' : `(${SHARED_MISSING})`}`, () => {
  it('writes the ZonePolicy to standard output and the report to standard error', async () => {
    const r = await cli([
      'import',
      'panorama',
      '--file',
      MERGER,
      '--device-group',
      'DE-Berlin Office',
      '-o',
      '-',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^apiVersion: zonewall.io\/v1alpha1\nkind: ZonePolicy\nmetadata:\n {2}name: de-berlin-office\n/,
    );
    expect(r.err.split('\n')[0]).toBe(
      'device group "DE-Berlin Office": 8 security rules: 4 mapped, 3 approximated, 1 skipped',
    );
    expect(r.err).toContain(
      'skipped      "perimeter - allow users outside" (Perimeter-FWs pre-rulebase): it applies only under conditions zonewall cannot see (source-user known-user)',
    );
  });

  it('writes a file that zonewall validate accepts', async () => {
    const out = path.join(dir, 'zones.yaml');
    const r = await cli(['import', 'panorama', '--file', FIREWALL, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(await readFile(out, 'utf8')).toContain('name: outside-is-evil');
    const v = await cli(['validate', '-f', out]);
    expect(v.code).toBe(0);
  });

  it('reports as JSON with --output json', async () => {
    const r = await cli([
      'import',
      'panorama',
      '--file',
      FIREWALL,
      '--output',
      'json',
      '-o',
      path.join(dir, 'z.yaml'),
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.err) as { scope: string; rules: Array<{ status: string }> };
    expect(report.scope).toBe('vsys1');
    expect(report.rules.map((x) => x.status)).toContain('skipped');
    expect(report.rules).toHaveLength(23);
  });

  it('makes a firewall allow final with --allow-action Allow', async () => {
    const r = await cli([
      'import',
      'panorama',
      '--file',
      MERGER,
      '--device-group',
      'testDG',
      '--allow-action',
      'Allow',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('action: Allow');
    expect(r.out).toContain('intraZone: Allow');
    expect(r.out).not.toContain('action: Pass');
  });

  it('finds the device group from --device', async () => {
    const r = await cli(['import', 'panorama', '--file', MERGER, '--device', '007100000290']);
    expect(r.code).toBe(0);
    expect(r.err.split('\n')[0]).toMatch(/^device group "testDG"/);
  });

  it('exits 2 for an unknown device group, naming the known ones', async () => {
    const r = await cli(['import', 'panorama', '--file', MERGER, '--device-group', 'nope']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      'no device group is named "nope" (known: "Perimeter-FWs", "Datacenter-Firewalls"',
    );
    expect(r.err).toContain('[panos.deviceGroup.unknown]');
  });
});

describe('import panorama refuses unsafe or oversized input', () => {
  it('explains itself with --help', async () => {
    const r = await cli(['import', 'panorama', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: zonewall import panorama [options]');
    expect(r.out).toContain('--internet-zone <zone>');
  });

  it('maps a zone to internet with --internet-zone, and cluster tags with --cluster', async () => {
    const rule = (name: string, from: string, dst: string): string =>
      `<entry name="${name}"><from><member>${from}</member></from><to><member>dmz</member></to><source><member>any</member></source><destination><member>${dst}</member></destination><application><member>any</member></application><service><member>any</member></service><action>allow</action></entry>`;
    const xml = `<config version="11.0.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1"><address-group><entry name="east-web"><dynamic><filter>'zonewall.cluster.east' and 'zonewall.app.web'</filter></dynamic></entry></address-group><rulebase><security><rules>${rule('in', 'untrust', 'any')}${rule('east', 'dmz', 'east-web')}</rules></security></rulebase></entry></vsys></entry></devices></config>`;
    const east = await cli(
      ['import', 'panorama', '--file', '-', '--internet-zone', 'untrust', '--cluster', 'east'],
      xml,
    );
    expect(east.code).toBe(0);
    expect(east.out).toContain('- name: in\n      from:\n        - internet\n');
    expect(east.out).toContain("selector: app == 'web'");
    const west = await cli(['import', 'panorama', '--file', '-', '--cluster', 'west'], xml);
    expect(west.err).toContain(
      'skipped      "east" (vsys1 rulebase): nothing it names can be in its zones',
    );
    expect(west.out).toContain('- name: untrust');
  });

  it('exits 2 on a DOCTYPE (no entity is expanded or fetched)', async () => {
    const file = path.join(dir, 'xxe.xml');
    await writeFile(
      file,
      '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<config>&x;</config>\n',
    );
    const r = await cli(['import', 'panorama', '--file', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('xxe.xml:2:1');
    expect(r.err).toContain('[xml.doctype]');
  });

  it('exits 2 on a file over --max-bytes, before reading it', async () => {
    const file = path.join(dir, 'big.xml');
    await writeFile(file, `<config>${' '.repeat(200)}</config>`);
    const r = await cli(['import', 'panorama', '--file', file, '--max-bytes', '100']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('more than the limit of 100');
  });

  it('exits 3 when the ZonePolicy cannot be written, leaving nothing behind', async () => {
    const xml =
      '<config><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1"/></vsys></entry></devices></config>';
    const out = path.join(dir, 'no-such-dir', 'zones.yaml');
    const r = await cli(['import', 'panorama', '--file', '-', '-o', out], xml);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`error: cannot write ${out}`);
  });

  it('exits 2 on a missing file', async () => {
    const r = await cli(['import', 'panorama', '--file', path.join(dir, 'missing.xml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read');
  });

  it('reads standard input', async () => {
    const xml =
      '<config version="11.0.0"><devices><entry name="localhost.localdomain"><vsys><entry name="vsys1"><rulebase><security><rules><entry name="a"><from><member>web</member></from><to><member>db</member></to><source><member>any</member></source><destination><member>any</member></destination><application><member>postgres</member></application><service><member>application-default</member></service><action>allow</action></entry></rules></security></rulebase></entry></vsys></entry></devices></config>';
    const r = await cli(['import', 'panorama', '--file', '-'], xml);
    expect(r.code).toBe(0);
    expect(r.out).toContain('- name: db');
    expect(r.out).toContain('- 5432');
  });
});
