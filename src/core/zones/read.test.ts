// The ZonePolicy format: defaults, and every validation problem reported at once with its path.
import { describe, expect, it } from 'vitest';
import { toYaml } from '../model/documents.js';
import { loadCluster } from './load.js';

const doc = (spec: object, name = 'bank'): string =>
  toYaml([{ apiVersion: 'zonewall.io/v1alpha1', kind: 'ZonePolicy', metadata: { name }, spec }]);

const load = (spec: object): ReturnType<typeof loadCluster> =>
  loadCluster([{ path: 'zones.yaml', text: doc(spec) }]);
const problems = (spec: object): Array<[string | undefined, string]> =>
  load(spec)
    .issues.filter((i) => i.severity === 'error')
    .map((i) => [i.path, i.code]);

describe('ZonePolicy defaults', () => {
  it('fills in the documented defaults', () => {
    const zp = load({ zones: [{ name: 'dmz' }] }).zonePolicy;
    expect(zp).toMatchObject({
      zoneLabel: 'zonewall.io/zone',
      defaultZone: 'default',
      intraZone: 'Pass',
      interZone: 'Deny',
    });
    // An undeclared default zone exists implicitly, with no pools.
    expect(zp?.zones.map((z) => [z.name, z.declared])).toEqual([
      ['dmz', true],
      ['default', false],
    ]);
  });

  it('reads rules with selectors, services (numbers, ranges, names) and flags', () => {
    const zp = load({
      zones: [
        { name: 'dmz', pools: [{ cidr: '10.20.0.0/16', nodeSelector: "zone-nodes == 'dmz'" }] },
        { name: 'trusted' },
      ],
      externals: [{ name: 'partner', nets: ['198.51.100.0/24'] }],
      rules: [
        {
          name: 'web',
          from: ['internet', 'partner'],
          to: ['dmz'],
          services: [{ protocol: 'TCP', ports: [443, '8443:8444', 'https'] }],
          action: 'Allow',
          log: true,
        },
        {
          name: 'api',
          from: ['dmz'],
          to: ['trusted'],
          destination: { selector: "app == 'api'" },
          action: 'Pass',
          enabled: false,
        },
      ],
    }).zonePolicy;
    expect(zp?.rules[0]?.services?.[0]?.ports).toEqual([
      { kind: 'range', range: { start: 443, end: 443 } },
      { kind: 'range', range: { start: 8443, end: 8444 } },
      { kind: 'named', name: 'https', protocol: 6 },
    ]);
    expect(zp?.rules[1]).toMatchObject({ index: 1, action: 'Pass', enabled: false, log: false });
    expect(zp?.rules[1]?.destinationSelector?.canonical).toBe('app == "api"');
  });
});

describe('ZonePolicy validation', () => {
  it.each<[string, object, Array<[string, string]>]>([
    [
      'unknown zone in a rule',
      {
        zones: [{ name: 'dmz' }],
        rules: [{ name: 'r', from: ['dmz'], to: ['dbz'], action: 'Allow' }],
      },
      [['spec.rules[0].to[0]', 'zone.unknown']],
    ],
    [
      'reserved zone name',
      { zones: [{ name: 'internet' }] },
      [['spec.zones[0].name', 'zone.reserved']],
    ],
    [
      'zone name not a DNS label',
      { zones: [{ name: 'DMZ_1' }] },
      [['spec.zones[0].name', 'zone.name']],
    ],
    [
      'duplicate zone',
      { zones: [{ name: 'dmz' }, { name: 'dmz' }] },
      [['spec.zones[1].name', 'zone.duplicate']],
    ],
    [
      'external named like a zone',
      { zones: [{ name: 'dmz' }], externals: [{ name: 'dmz', nets: ['1.2.3.0/24'] }] },
      [['spec.externals[0].name', 'external.duplicate']],
    ],
    [
      'external with neither nets nor domains',
      { externals: [{ name: 'x' }] },
      [['spec.externals[0]', 'external.empty']],
    ],
    [
      'pool with host bits',
      { zones: [{ name: 'dmz', pools: [{ cidr: '10.20.1.0/16' }] }] },
      [['spec.zones[0].pools[0].cidr', 'cidr.invalid']],
    ],
    [
      'bad pool node selector',
      { zones: [{ name: 'dmz', pools: [{ cidr: '10.20.0.0/16', nodeSelector: 'a ==' }] }] },
      [['spec.zones[0].pools[0].nodeSelector', 'selector.syntax']],
    ],
    ['bad zone label', { zoneLabel: 'bad key!' }, [['spec.zoneLabel', 'label.key']]],
    [
      'bad defaults',
      { defaults: { intraZone: 'Maybe', interZone: 'Allow' } },
      [
        ['spec.defaults.intraZone', 'field.enum'],
        ['spec.defaults.interZone', 'field.enum'],
      ],
    ],
    [
      'rule without name, from and action',
      { rules: [{ to: ['any'] }] },
      [
        ['spec.rules[0].action', 'field.required'],
        ['spec.rules[0].from', 'field.required'],
        ['spec.rules[0].name', 'field.required'],
      ],
    ],
    [
      'duplicate rule name',
      {
        rules: [
          { name: 'r', from: ['any'], to: ['any'], action: 'Allow' },
          { name: 'r', from: ['any'], to: ['any'], action: 'Deny' },
        ],
      },
      [['spec.rules[1].name', 'rule.duplicate']],
    ],
    [
      'selector on a side that names internet',
      {
        rules: [
          {
            name: 'r',
            from: ['internet'],
            to: ['any'],
            source: { selector: "app == 'x'" },
            action: 'Allow',
          },
        ],
      },
      [['spec.rules[0].source.selector', 'selector.notWorkloads']],
    ],
    [
      'selector syntax error with a span',
      {
        rules: [
          {
            name: 'r',
            from: ['any'],
            to: ['any'],
            destination: { selector: 'app in {' },
            action: 'Allow',
          },
        ],
      },
      [['spec.rules[0].destination.selector', 'selector.syntax']],
    ],
    [
      'ports on ICMP',
      {
        rules: [
          {
            name: 'r',
            from: ['any'],
            to: ['any'],
            services: [{ protocol: 'ICMP', ports: [1] }],
            action: 'Allow',
          },
        ],
      },
      [['spec.rules[0].services[0].ports', 'service.ports']],
    ],
    [
      'bad port and protocol',
      {
        rules: [
          {
            name: 'r',
            from: ['any'],
            to: ['any'],
            services: [{ protocol: 'tcp' }, { protocol: 'TCP', ports: [70000] }],
            action: 'Allow',
          },
        ],
      },
      [
        ['spec.rules[0].services[0].protocol', 'protocol.invalid'],
        ['spec.rules[0].services[1].ports[0]', 'port.invalid'],
      ],
    ],
    [
      'a domains-only external as a source',
      {
        externals: [{ name: 'x', domains: ['api.example.com'] }],
        rules: [{ name: 'r', from: ['x'], to: ['any'], action: 'Allow' }],
      },
      [['spec.rules[0].from[0]', 'external.domainsOnly']],
    ],
    [
      'unknown field',
      { zones: [{ name: 'dmz', pool: [] }] },
      [['spec.zones[0].pool', 'field.unknown']],
    ],
  ])('%s', (_, spec, expected) => {
    expect(problems(spec)).toEqual(expected);
  });

  it('reports every problem of every rule at once, and compiles nothing', () => {
    const res = load({
      zones: [{ name: 'a' }],
      rules: [
        { name: 'x', from: ['b'], to: ['a'], action: 'Allow' },
        { name: 'rule-y', from: ['a'], to: ['c'], action: 'Nope' },
      ],
    });
    expect(res.ok).toBe(false);
    expect(res.program).toBeUndefined();
    expect(res.issues.filter((i) => i.severity === 'error')).toHaveLength(3);
  });

  it('rejects two ZonePolicies', () => {
    const res = loadCluster([{ path: 'z.yaml', text: `${doc({}, 'one')}---\n${doc({}, 'two')}` }]);
    expect(res.issues.map((i) => i.code)).toContain('zones.multiple');
  });

  it('a selector error carries its span and text for the caret', () => {
    const issue = load({
      rules: [
        {
          name: 'r',
          from: ['any'],
          to: ['any'],
          destination: { selector: "app == 'x' &&" },
          action: 'Allow',
        },
      ],
    }).issues[0];
    expect(issue).toMatchObject({ text: "app == 'x' &&", span: { start: 13, end: 13 } });
  });
});
