// The Panorama import benchmark: a generated configuration with 10,000 security rules, 50,000
// address objects and 5,000 address groups over three levels (shared, a parent device group,
// the cluster's device group) imported as a ZonePolicy, the way `zonewall import panorama`
// does it: parse the XML, read the device group, map it, write the YAML and load the result.
// Medians of repetitions, each beside a floor measured in the same repetition: one pass over
// the text finding every `<` (what any XML reader must at least do).
//
//   npm run build --silent && node --expose-gc dist/bench/panorama-import.bench.js [--reps N]
import os from 'node:os';
import { importPanorama, parseXml, readPanos } from '../src/core/firewall/index.js';
import { generatePanorama, PANORAMA_DEFAULT } from './gen-panorama.js';
import { MapFloor, gc, median, now } from './measure.js';
import { Rng } from './prng.js';
import { figure, fmt, table } from './table.js';
import type { Spec } from './table.js';

function scan(text: string): number {
  let n = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) n++;
  return n;
}

function main(): void {
  const at = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const reps = Number(at('--reps') ?? 5);
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const t0 = now();
  const { xml, deviceGroup } = generatePanorama();
  console.log(
    `generated in ${fmt(now() - t0, 'ms')}: ${(xml.length / 2 ** 20).toFixed(1)} MiB of XML; ${PANORAMA_DEFAULT.rules} rules, ${PANORAMA_DEFAULT.addresses} addresses, ${PANORAMA_DEFAULT.groups} groups, ${PANORAMA_DEFAULT.zones} zones`,
  );
  const floor = new MapFloor(new Rng(1));
  const total: number[] = [];
  const totalFloor: number[] = [];
  const parse: number[] = [];
  const read: number[] = [];
  let sink = 0;
  let last: ReturnType<typeof importPanorama> | undefined;
  for (let r = 0; r < reps; r++) {
    gc();
    const a = now();
    last = importPanorama(xml, { deviceGroup, allowAction: 'Pass' });
    total.push(now() - a);
    const b = now();
    sink += scan(xml);
    totalFloor.push(now() - b);
    gc();
    const c = now();
    const root = parseXml(xml);
    const d = now();
    const model = readPanos(root, { deviceGroup });
    const e = now();
    sink += model.rules.length;
    parse.push(d - c);
    read.push(e - d);
    floor.sample();
  }
  if (!last?.ok || !last.report) {
    console.log(JSON.stringify(last?.issues.filter((i) => i.severity === 'error').slice(0, 5)));
    throw new Error('the generated configuration did not import');
  }
  const rep = last.report;
  const counts = rep.rules.reduce<Record<string, number>>((m, x) => {
    m[x.status] = (m[x.status] ?? 0) + 1;
    return m;
  }, {});
  console.log(
    `imported: ${rep.rules.length} rules (${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(
        ', ',
      )}); ZonePolicy ${((last.yaml?.length ?? 0) / 2 ** 20).toFixed(1)} MiB of YAML (sink ${sink % 7})`,
  );
  const specs: Spec[] = [
    {
      id: '1a',
      what: 'parse the XML (safe parser)',
      unit: 'ms',
      samples: parse,
      floorSamples: totalFloor,
      lookups: 0,
      note: 'floor: one pass finding every `<`',
    },
    {
      id: '1b',
      what: 'read the device group into the firewall model',
      unit: 'ms',
      samples: read,
      lookups: 0,
      floorSamples: totalFloor,
      note: 'floor: as 1a',
    },
    {
      id: '1',
      what: 'import 10,000 rules, 50,000 addresses, 5,000 groups',
      unit: 'ms',
      samples: total,
      floorSamples: totalFloor,
      limit: 5000,
      lookups: 0,
      note: 'parse, read, map, write the YAML, load the ZonePolicy (validated, compiled to the zone program); floor: as 1a',
    },
  ];
  const ns = floor.nsPerLookup();
  const figures = specs.map((s) => figure(s, ns, 0));
  console.log(`\nmedians of ${reps}; import median ${fmt(median(total), 'ms')}\n`);
  console.log(table(figures));
  for (const f of figures) console.log(`  ${f.id}: ${f.note}`);
}

main();
