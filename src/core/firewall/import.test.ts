// Every public configuration in the shared fixtures imports without error, with the warnings
// its golden report lists, into a ZonePolicy that zonewall's own loader accepts; golden
// ZonePolicy output for two of them.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_MISSING, sharedDir } from '../../../test/support/shared.js';
import { loadCluster } from '../zones/load.js';
import { importPanorama } from './import.js';
import { deviceGroups } from './panos.js';
import { formatReport } from './report.js';
import { parseXml } from './xml.js';

/** Compare with a golden file; `UPDATE_GOLDEN=1` writes it instead. */
function golden(name: string, text: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(text).toBe(readFileSync(url, 'utf8'));
}

const shared = sharedDir();
const fixtures = shared ? path.join(shared, 'fixtures', 'panorama') : undefined;
const files = fixtures
  ? readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.xml'))
      .sort()
  : [];

function importFile(file: string, deviceGroup?: string): ReturnType<typeof importPanorama> {
  const text = readFileSync(path.join(fixtures as string, file), 'utf8');
  return importPanorama(text, { file, ...(deviceGroup !== undefined ? { deviceGroup } : {}) });
}

/** Import, check the result loads, and return the report text. */
function importAndLoad(file: string, deviceGroup?: string): string {
  const r = importFile(file, deviceGroup);
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(r.ok).toBe(true);
  const loaded = loadCluster([{ path: 'zones.yaml', text: r.yaml ?? '' }]);
  expect(loaded.issues).toEqual([]);
  expect(loaded.zonePolicy).toBeDefined();
  return formatReport(r.report!);
}

describe.skipIf(!fixtures)(
  `shared Panorama fixtures ${fixtures ? '' : `(${SHARED_MISSING})`}`,
  () => {
    it('finds the fixtures', () => {
      expect(files.length).toBeGreaterThanOrEqual(11);
    });

    it.each(files)('%s imports every device group or vsys, with the expected warnings', (file) => {
      const root = parseXml(readFileSync(path.join(fixtures as string, file), 'utf8'));
      const dgs = [...deviceGroups(root).keys()];
      const reports = (dgs.length > 0 ? dgs : [undefined]).map((dg) => importAndLoad(file, dg));
      golden(`${file.replace(/[/\\]/g, '__')}.report.txt`, reports.join('\n'));
    });

    it('panorama-10.0-merger.xml, device group "DE-Berlin Office": the golden ZonePolicy', () => {
      const r = importFile('pan-os-php/panorama-10.0-merger.xml', 'DE-Berlin Office');
      golden('panorama-10.0-merger.de-berlin-office.yaml', r.yaml ?? '');
    });

    it('policy-best-practices.xml (a firewall, vsys1): the golden ZonePolicy', () => {
      const r = importFile('pan-os-php/policy-best-practices.xml');
      golden('policy-best-practices.yaml', r.yaml ?? '');
    });

    it('the 8.x and 10.x schemas of the same scenario import alike', () => {
      for (const dg of ['DE-Berlin Office', 'testDG', 'FR Datacenter']) {
        const v10 = importFile('pan-os-php/panorama-10.0-merger.xml', dg);
        const v8 = importFile('pan-os-php/panorama-8.0-merger.xml', dg);
        // 8.x rules have no uuid, which the descriptions quote.
        const plain = (r: typeof v8): unknown =>
          JSON.parse(JSON.stringify(r.document?.spec).replace(/; uuid [0-9a-f-]+/g, ''));
        expect(plain(v8)).toEqual(plain(v10));
      }
    });
  },
);
