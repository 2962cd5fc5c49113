import { errors } from '../../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatCIDR, formatIP, PROTO } from '../../net/index.js';
import { loadPolicySet } from '../load.js';
import type { LoadResult } from '../load.js';

type Obj = Record<string, unknown>;
type Kind = 'Tier' | 'NetworkSet' | 'GlobalNetworkSet' | 'HostEndpoint';

function load(kind: Kind, spec: unknown, metadata: Obj = {}): LoadResult {
  const meta = { name: 'r', ...(kind === 'NetworkSet' ? { namespace: 'app' } : {}), ...metadata };
  const doc = { apiVersion: 'projectcalico.org/v3', kind, metadata: meta, spec };
  return loadPolicySet([{ path: 'r.yaml', text: stringify(doc, { version: '1.1' }) }]);
}

function ok(kind: Kind, spec: unknown, metadata: Obj = {}): LoadResult {
  const r = load(kind, spec, metadata);
  expect(errors(r)).toEqual([]);
  return r;
}

function expectIssue(r: LoadResult, code: string, path: string, text: string): void {
  const hit = errors(r).find((i) => i.code === code && i.path === path);
  expect(hit, JSON.stringify(errors(r))).toBeDefined();
  expect(hit?.message).toContain(text);
}

describe('Tier', () => {
  const declared = (r: LoadResult, name: string) => r.set.tiers.find((t) => t.name === name);

  it.each<[string, Obj, Obj, Obj]>([
    [
      'order and Pass',
      { name: 'platform' },
      { order: 50.5, defaultAction: 'Pass' },
      { order: 50.5, defaultAction: 'Pass' },
    ],
    [
      'defaultAction defaults to Deny, order may be absent',
      { name: 'apps' },
      {},
      { order: undefined, defaultAction: 'Deny' },
    ],
    [
      'the default tier at its fixed place',
      { name: 'default' },
      { order: 1_000_000 },
      { order: 1_000_000, defaultAction: 'Deny' },
    ],
    [
      'kube-admin at its fixed place',
      { name: 'kube-admin' },
      { order: 1000, defaultAction: 'Pass' },
      { order: 1000, defaultAction: 'Pass' },
    ],
  ])('%s', (_name, meta, spec, expected) => {
    const r = ok('Tier', spec, meta);
    expect(declared(r, meta.name as string)).toMatchObject({
      ...expected,
      builtIn: false,
      source: { file: 'r.yaml', doc: 0 },
    });
  });

  it.each<[string, Obj, unknown, string, string, string]>([
    ['a dotted name', { name: 'a.b' }, {}, 'name.invalid', 'metadata.name', '"a.b"'],
    [
      'a name over 63 characters',
      { name: 'x'.repeat(64) },
      {},
      'name.invalid',
      'metadata.name',
      '63',
    ],
    [
      'defaultAction Allow',
      {},
      { defaultAction: 'Allow' },
      'field.enum',
      'spec.defaultAction',
      'Deny, Pass',
    ],
    ['a string order', {}, { order: 'high' }, 'field.type', 'spec.order', 'number'],
    ['an unknown field', {}, { ordr: 1 }, 'field.unknown', 'spec.ordr', 'did you mean "order"'],
    ['no spec', {}, undefined, 'field.required', 'spec', 'required'],
    [
      'the default tier without its order',
      { name: 'default' },
      {},
      'tier.reserved',
      'spec.order',
      '1000000',
    ],
    [
      'the default tier with Pass',
      { name: 'default' },
      { order: 1_000_000, defaultAction: 'Pass' },
      'tier.reserved',
      'spec.defaultAction',
      'Deny',
    ],
    [
      'kube-admin defaulting to Deny',
      { name: 'kube-admin' },
      { order: 1000 },
      'tier.reserved',
      'spec.defaultAction',
      'Pass',
    ],
    [
      'kube-baseline elsewhere',
      { name: 'kube-baseline' },
      { order: 5, defaultAction: 'Pass' },
      'tier.reserved',
      'spec.order',
      '10000000',
    ],
  ])('rejects %s', (_name, meta, spec, code, path, text) => {
    const r = load('Tier', spec, meta);
    expectIssue(r, code, path, text);
    expect(r.set.tiers.every((t) => t.builtIn)).toBe(true);
  });
});

describe('NetworkSet and GlobalNetworkSet', () => {
  it('reads a namespaced set: CIDRs masked, bare addresses as /32', () => {
    const r = ok(
      'NetworkSet',
      { nets: ['10.1.2.3/8', '192.0.2.7', 'fd00::/64'] },
      { labels: { role: 'db' } },
    );
    const s = r.set.networkSets[0];
    expect(s).toMatchObject({
      namespace: 'app',
      name: 'r',
      domains: [],
      source: { file: 'r.yaml', doc: 0 },
    });
    expect(s?.labels).toEqual(new Map([['role', 'db']]));
    expect(s?.nets.toCIDRs().map(formatCIDR)).toEqual(['10.0.0.0/8', '192.0.2.7/32', 'fd00::/64']);
  });

  it('defaults the namespace and reads a GlobalNetworkSet with no namespace', () => {
    expect(
      ok('NetworkSet', { nets: [] }, { namespace: undefined }).set.networkSets[0]?.namespace,
    ).toBe('default');
    const g = ok('GlobalNetworkSet', { nets: ['198.51.100.0/28'] }).set.networkSets[0];
    expect(g).not.toHaveProperty('namespace');
    expect(g?.nets.toCIDRs().map(formatCIDR)).toEqual(['198.51.100.0/28']);
  });

  it('reads allowedEgressDomains (Calico Enterprise) as domains', () => {
    const s = ok('GlobalNetworkSet', { allowedEgressDomains: ['db.com', '*.db.com', 'www.*.com'] })
      .set.networkSets[0];
    expect(s?.domains).toEqual(['db.com', '*.db.com', 'www.*.com']);
  });

  it.each<[string, Kind, Obj, Obj, string, string, string]>([
    [
      'an invalid CIDR',
      'NetworkSet',
      { nets: ['10.0.0.0/33'] },
      {},
      'cidr.invalid',
      'spec.nets[0]',
      '"10.0.0.0/33"',
    ],
    [
      'a repeated net',
      'GlobalNetworkSet',
      { nets: ['10.0.0.0/8', '10.0.0.0/8'] },
      {},
      'field.duplicate',
      'spec.nets[1]',
      'more than once',
    ],
    [
      'an over-long entry',
      'NetworkSet',
      { nets: [`${'1'.repeat(44)}`] },
      {},
      'field.tooLong',
      'spec.nets[0]',
      '43',
    ],
    [
      'the reserved namespace label',
      'NetworkSet',
      { nets: [] },
      { labels: { 'projectcalico.org/namespace': 'x' } },
      'label.reserved',
      'metadata.labels["projectcalico.org/namespace"]',
      'not a valid label name',
    ],
    [
      'an invalid domain',
      'GlobalNetworkSet',
      { allowedEgressDomains: ['bad domain.com'] },
      {},
      'domain.invalid',
      'spec.allowedEgressDomains[0]',
      '"bad domain.com"',
    ],
    [
      'an unknown field',
      'NetworkSet',
      { cidrs: [] },
      {},
      'field.unknown',
      'spec.cidrs',
      'unknown field',
    ],
    [
      'an invalid label value',
      'GlobalNetworkSet',
      { nets: [] },
      { labels: { a: 'b c' } },
      'label.value',
      'metadata.labels.a',
      '"b c"',
    ],
  ])('rejects %s', (_name, kind, spec, meta, code, path, text) => {
    const r = load(kind, spec, meta);
    expectIssue(r, code, path, text);
    expect(r.set.networkSets).toEqual([]);
  });
});

describe('HostEndpoint', () => {
  it('reads node, interface, expected IPs, profiles and named ports', () => {
    const r = ok(
      'HostEndpoint',
      {
        node: 'node-1',
        interfaceName: 'eth0',
        expectedIPs: ['192.0.2.10', 'fd00::10'],
        profiles: ['projectcalico-default-allow'],
        ports: [
          { name: 'ssh', port: 22, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 17 },
        ],
      },
      { labels: { role: 'edge' } },
    );
    const h = r.set.hostEndpoints[0];
    expect(h).toMatchObject({
      name: 'r',
      node: 'node-1',
      interfaceName: 'eth0',
      profiles: ['projectcalico-default-allow'],
    });
    expect(h?.expectedIPs.map(formatIP)).toEqual(['192.0.2.10', 'fd00::10']);
    expect(h?.ports).toEqual([
      { name: 'ssh', port: 22, protocol: PROTO.TCP },
      { name: 'dns', port: 53, protocol: PROTO.UDP },
    ]);
    expect(h?.labels.get('role')).toBe('edge');
  });

  it('accepts "*" or expected IPs alone', () => {
    expect(
      ok('HostEndpoint', { node: 'n', interfaceName: '*' }).set.hostEndpoints[0]?.interfaceName,
    ).toBe('*');
    expect(
      ok('HostEndpoint', { node: 'n', expectedIPs: ['10.0.0.1'] }).set.hostEndpoints[0],
    ).not.toHaveProperty('interfaceName');
  });

  it.each<[string, Obj, string, string, string]>([
    ['no node', { interfaceName: 'eth0' }, 'field.required', 'spec.node', 'node is required'],
    [
      'an invalid node name',
      { node: 'Node_1', interfaceName: 'eth0' },
      'name.invalid',
      'spec.node',
      '"Node_1"',
    ],
    [
      'neither interface nor IPs',
      { node: 'n' },
      'hep.target',
      'spec',
      'interfaceName or expectedIPs',
    ],
    [
      'an over-long interface name',
      { node: 'n', interfaceName: 'a-very-long-iface' },
      'hep.interface',
      'spec.interfaceName',
      '15',
    ],
    [
      'an invalid expected IP',
      { node: 'n', expectedIPs: ['10.0.0.256'] },
      'ip.invalid',
      'spec.expectedIPs[0]',
      '"10.0.0.256"',
    ],
    [
      'a repeated expected IP',
      { node: 'n', expectedIPs: ['10.0.0.1', '10.0.0.1'] },
      'field.duplicate',
      'spec.expectedIPs[1]',
      'more than once',
    ],
    [
      'an invalid profile name',
      { node: 'n', interfaceName: 'eth0', profiles: ['Bad'] },
      'name.invalid',
      'spec.profiles[0]',
      '"Bad"',
    ],
    [
      'a port protocol without ports',
      { node: 'n', interfaceName: 'eth0', ports: [{ name: 'p', port: 1, protocol: 'ICMP' }] },
      'protocol.noPorts',
      'spec.ports[0].protocol',
      'TCP, UDP or SCTP',
    ],
    [
      'a port without protocol',
      { node: 'n', interfaceName: 'eth0', ports: [{ name: 'p', port: 1 }] },
      'field.required',
      'spec.ports[0].protocol',
      'required',
    ],
    [
      'an invalid port name',
      { node: 'n', interfaceName: 'eth0', ports: [{ name: 'HTTP', port: 80, protocol: 'TCP' }] },
      'port.name',
      'spec.ports[0].name',
      '"HTTP"',
    ],
    [
      'port 0',
      { node: 'n', interfaceName: 'eth0', ports: [{ name: 'p', port: 0, protocol: 'TCP' }] },
      'field.range',
      'spec.ports[0].port',
      'between 1 and 65535',
    ],
    [
      'an unknown field',
      { node: 'n', interfaceName: 'eth0', expectedIP: [] },
      'field.unknown',
      'spec.expectedIP',
      'did you mean "expectedIPs"',
    ],
  ])('rejects %s', (_name, spec, code, path, text) => {
    const r = load('HostEndpoint', spec);
    expectIssue(r, code, path, text);
    expect(r.set.hostEndpoints).toEqual([]);
  });
});
