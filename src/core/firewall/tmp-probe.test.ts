import { readFileSync, readdirSync } from 'node:fs';
import { it } from 'vitest';
import { parseXml } from './xml.js';
import { readPanos, deviceGroups } from './panos.js';
it('probe', () => {
  for (const d of ['iron-skillet','pan-os-php','puppetlabs-panos']) for (const f of readdirSync('/work/shared/fixtures/panorama/'+d)) if (f.endsWith('.xml')) {
    const root = parseXml(readFileSync(`/work/shared/fixtures/panorama/${d}/${f}`, 'utf8'));
    const dgs = deviceGroups(root);
    const targets = dgs.size ? [...dgs.keys()] : [undefined];
    for (const dg of targets) {
      const p = readPanos(root, { deviceGroup: dg, file: f });
      console.log(`${d}/${f} [${dg}] anc=${p.ancestry.join('>')} rules=${p.rules.map(r=>r.place+':'+r.name).join(' | ')} intra=${p.intrazone.action}/${p.intrazone.from} inter=${p.interzone.action}/${p.interzone.from} zones=${p.zones}`);
      for (const i of p.issues) console.log('   ', i.severity, i.code, i.message);
    }
  }
});
