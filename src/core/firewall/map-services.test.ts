// Applications and services as ZonePolicy services: application-default, predefined App-IDs,
// custom applications (a variant each, on the destination's app label), explicit services,
// source ports, and what fails closed.
import { describe, expect, it } from 'vitest';
import { docs, mapServices } from './map-services.js';
import type { Note } from './map-sides.js';
import type { AppItem, ServiceSpec } from './types.js';

const tcp = (...ports: Array<number | [number, number]>) => ({
  protocol: 'tcp' as const,
  ports: ports.map((p) =>
    typeof p === 'number' ? { start: p, end: p } : { start: p[0], end: p[1] },
  ),
});
const ssl: AppItem = { kind: 'predefined', name: 'ssl', ports: [tcp(443)] };
const web: AppItem = { kind: 'predefined', name: 'web-browsing', ports: [tcp(80)] };
const ledger: AppItem = { kind: 'custom', name: 'ledger', ports: [tcp(7000)] };
const bare: AppItem = { kind: 'custom', name: 'bare' };
const unknown: AppItem = { kind: 'unknown', name: 'mystery', reason: 'not known' };
const appDefault: ServiceSpec = { kind: 'application-default' };
const any: ServiceSpec = { kind: 'any' };
const explicit: ServiceSpec = { kind: 'ports', names: ['s'], entries: [tcp(8443)], unknown: [] };

function run(apps: AppItem[], spec: ServiceSpec, deny = false) {
  const notes: Note[] = [];
  const variants = mapServices(apps, spec, { deny, appLabel: 'app', notes });
  return { variants, effects: notes.map((n) => `${n.field} ${n.effect}`) };
}

describe('mapServices', () => {
  it('any application on application-default: every port, exactly', () => {
    expect(run([{ kind: 'any' }], appDefault)).toEqual({
      variants: [{ apps: ['any'] }],
      effects: [],
    });
  });

  it('predefined App-IDs: their standard ports, one variant, identification noted', () => {
    expect(run([ssl, web], appDefault)).toEqual({
      variants: [
        { apps: ['ssl', 'web-browsing'], services: [{ protocol: 'TCP', ports: [80, 443] }] },
      ],
      effects: ['application unenforced'],
    });
  });

  it('predefined App-IDs with service any: an allow narrowed to their ports, a deny every port', () => {
    expect(run([ssl], any).effects).toEqual(['application unenforced', 'application narrowed']);
    expect(run([ssl], any).variants[0]?.services).toEqual([{ protocol: 'TCP', ports: [443] }]);
    expect(run([ssl], any, true).variants).toEqual([{ apps: ['ssl'] }]);
    expect(run([ssl], any, true).effects).toContain('application widened');
  });

  it('a custom application: its own variant, on the app label and its default ports', () => {
    expect(run([ssl, ledger], appDefault).variants).toEqual([
      { apps: ['ssl'], services: [{ protocol: 'TCP', ports: [443] }] },
      {
        apps: ['ledger'],
        selector: "app == 'ledger'",
        services: [{ protocol: 'TCP', ports: [7000] }],
      },
    ]);
    expect(run([ledger], explicit).variants).toEqual([
      {
        apps: ['ledger'],
        selector: "app == 'ledger'",
        services: [{ protocol: 'TCP', ports: [8443] }],
      },
    ]);
  });

  it('a custom application without default ports: nothing for an allow, every port for a deny', () => {
    expect(run([bare], appDefault).variants).toEqual([]);
    expect(run([bare], appDefault, true).variants).toEqual([
      { apps: ['bare'], selector: "app == 'bare'" },
    ]);
  });

  it('an unknown application: left out of an allow, every application for a deny', () => {
    expect(run([unknown, ssl], appDefault).variants.map((v) => v.apps)).toEqual([['ssl']]);
    expect(run([unknown], explicit, true).variants).toEqual([
      { apps: ['mystery'], services: [{ protocol: 'TCP', ports: [8443] }] },
    ]);
  });

  it('source ports: an allow leaves the entry out, a deny ignores them', () => {
    const withSource: ServiceSpec = {
      kind: 'ports',
      names: ['a', 'b'],
      entries: [{ ...tcp(53), sourcePorts: [{ start: 53, end: 53 }] }, tcp(80)],
      unknown: [],
    };
    expect(run([{ kind: 'any' }], withSource).variants[0]?.services).toEqual([
      { protocol: 'TCP', ports: [80] },
    ]);
    expect(run([{ kind: 'any' }], withSource, true).variants[0]?.services).toEqual([
      { protocol: 'TCP', ports: [53, 80] },
    ]);
  });

  it('an unresolved service: left out of an allow, every port for a deny', () => {
    const missing: ServiceSpec = { kind: 'ports', names: ['x'], entries: [], unknown: ['x'] };
    expect(run([{ kind: 'any' }], missing).variants).toEqual([]);
    expect(run([{ kind: 'any' }], missing, true).variants).toEqual([{ apps: ['any'] }]);
  });
});

describe('docs', () => {
  it('merges by protocol, sorts and joins ranges, and keeps protocols without ports', () => {
    expect(
      docs([
        tcp(443, [8000, 8010]),
        tcp(80, [8005, 8020], 81),
        { protocol: 'udp', ports: [{ start: 53, end: 53 }] },
        { protocol: 'icmp' },
        { protocol: 'tcp' },
      ]),
    ).toEqual([{ protocol: 'TCP' }, { protocol: 'UDP', ports: [53] }, { protocol: 'ICMP' }]);
    expect(docs([tcp(443, [8000, 8010]), tcp(80, [8005, 8020], 81)])).toEqual([
      { protocol: 'TCP', ports: ['80:81', 443, '8000:8020'] },
    ]);
  });
});
