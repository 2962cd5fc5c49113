import { errors, plain } from '../../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROTO } from '../../net/index.js';
import { loadPolicySet } from '../load.js';
import type { LoadResult } from '../load.js';
import { EP_ALL, EP_HOST, EP_NETSET, EP_POD } from '../types.js';
import type { Policy } from '../types.js';

type Obj = Record<string, unknown>;
type Kind = 'NetworkPolicy' | 'GlobalNetworkPolicy';

/** A policy with one rule in `dir`, as YAML through the real loader. */
function load(kind: Kind, rule: Obj, dir: 'ingress' | 'egress' = 'ingress'): LoadResult {
  const metadata = kind === 'NetworkPolicy' ? { name: 'p', namespace: 'app' } : { name: 'p' };
  const doc = { apiVersion: 'projectcalico.org/v3', kind, metadata, spec: { [dir]: [rule] } };
  return loadPolicySet([{ path: 'p.yaml', text: stringify(doc, { version: '1.1' }) }]);
}

/** The single match of the single rule. */
function matchOf(kind: Kind, rule: Obj, dir: 'ingress' | 'egress' = 'ingress'): Obj {
  const r = load(kind, rule, dir);
  expect(errors(r)).toEqual([]);
  const p = r.set.policies[0] as Policy;
  const rules = dir === 'ingress' ? p.ingress : p.egress;
  expect(rules).toHaveLength(1);
  expect(rules?.[0]?.matches).toHaveLength(1);
  return plain(rules?.[0]?.matches[0]) as Obj;
}

describe('rule matches', () => {
  it.each<[string, Kind, Obj, Obj]>([
    [
      'protocol name to number, ipVersion',
      'GlobalNetworkPolicy',
      { action: 'Allow', protocol: 'TCP', ipVersion: 4 },
      { protocol: PROTO.TCP, ipVersion: 4, source: {}, destination: {} },
    ],
    [
      'protocol number and notProtocol',
      'GlobalNetworkPolicy',
      { action: 'Allow', protocol: 17, notProtocol: 'SCTP' },
      { protocol: 17, notProtocol: 132 },
    ],
    [
      'icmp type and code',
      'GlobalNetworkPolicy',
      { action: 'Allow', protocol: 'ICMP', icmp: { type: 8, code: 0 } },
      { protocol: 1, icmp: { type: 8, code: 0 } },
    ],
    [
      'notICMP with ICMPv6',
      'GlobalNetworkPolicy',
      { action: 'Deny', protocol: 'ICMPv6', notICMP: { type: 128 } },
      { protocol: 58, notICMP: { type: 128 } },
    ],
    [
      'nets and notNets',
      'GlobalNetworkPolicy',
      { action: 'Allow', source: { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] } },
      { source: { nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16'] } },
    ],
    [
      'IPv6 nets',
      'GlobalNetworkPolicy',
      { action: 'Allow', ipVersion: 6, destination: { nets: ['fd00::/8'] } },
      { ipVersion: 6, destination: { nets: ['fd00::/8'] } },
    ],
    [
      'ports: numbers, ranges and named ports with the rule protocol',
      'GlobalNetworkPolicy',
      {
        action: 'Allow',
        protocol: 'UDP',
        destination: { ports: [53, '8000:8080', 'dns'], notPorts: [8053] },
      },
      {
        destination: {
          ports: [
            { kind: 'range', range: { start: 53, end: 53 } },
            { kind: 'range', range: { start: 8000, end: 8080 } },
            { kind: 'named', name: 'dns', protocol: PROTO.UDP },
          ],
          notPorts: [{ kind: 'range', range: { start: 8053, end: 8053 } }],
        },
      },
    ],
    [
      'named ports without a protocol resolve as TCP (Felix) and leave the rule any-protocol',
      'GlobalNetworkPolicy',
      { action: 'Allow', source: { ports: ['metrics'] } },
      { source: { ports: [{ kind: 'named', name: 'metrics', protocol: PROTO.TCP }] } },
    ],
  ])('%s', (_name, kind, rule, expected) => {
    expect(matchOf(kind, rule)).toMatchObject(expected);
  });

  it('keeps action and per-direction index', () => {
    const doc = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'p' },
      spec: { ingress: [{ action: 'Log' }, { action: 'Pass' }], egress: [{ action: 'Deny' }] },
    };
    const r = loadPolicySet([{ path: 'p.yaml', text: stringify(doc) }]);
    const p = r.set.policies[0] as Policy;
    expect(p.ingress?.map((x) => [x.action, x.index])).toEqual([
      ['Log', 0],
      ['Pass', 1],
    ]);
    expect(p.egress?.map((x) => [x.action, x.index])).toEqual([['Deny', 0]]);
    expect(plain(p.ingress?.[0]?.matches)).toEqual([{ source: {}, destination: {} }]);
  });

  it('has no protocol in a match when the rule names none', () => {
    expect(
      matchOf('GlobalNetworkPolicy', { action: 'Allow', source: { ports: ['metrics'] } }),
    ).not.toHaveProperty('protocol');
  });
});

describe('rule selector scoping', () => {
  it.each<[string, Kind, Obj, Obj]>([
    [
      'namespaced: selector limited to the policy namespace',
      'NetworkPolicy',
      { selector: "app == 'db'" },
      { selector: { kinds: EP_POD | EP_NETSET, namespace: 'app', selector: 'app == "db"' } },
    ],
    [
      'namespaced: namespaceSelector replaces the namespace',
      'NetworkPolicy',
      { namespaceSelector: "team == 'x'", selector: 'has(app)' },
      {
        selector: {
          kinds: EP_POD | EP_NETSET,
          namespaceSelector: 'team == "x"',
          selector: 'has(app)',
        },
      },
    ],
    [
      'namespaced: namespaceSelector alone',
      'NetworkPolicy',
      { namespaceSelector: 'all()' },
      { selector: { kinds: EP_POD | EP_NETSET, namespaceSelector: 'all()' } },
    ],
    [
      'global(): host endpoints and GlobalNetworkSets',
      'NetworkPolicy',
      { namespaceSelector: 'global()', selector: "role == 'ext'" },
      {
        selector: {
          kinds: EP_HOST | EP_NETSET,
          namespaceSelector: 'global()',
          selector: 'role == "ext"',
        },
      },
    ],
    [
      'namespaceSelector that matches no labels also reaches non-namespaced endpoints',
      'GlobalNetworkPolicy',
      { namespaceSelector: "env != 'prod'" },
      { selector: { kinds: EP_ALL, namespaceSelector: 'env != "prod"' } },
    ],
    [
      'global policy: selector reaches every endpoint kind in every namespace',
      'GlobalNetworkPolicy',
      { selector: "app == 'db'" },
      { selector: { kinds: EP_ALL, selector: 'app == "db"' } },
    ],
    [
      'namespaced: a lone notSelector is scoped to the namespace and folded',
      'NetworkPolicy',
      { notSelector: "app == 'db'" },
      { selector: { kinds: EP_POD | EP_NETSET, namespace: 'app', selector: '!app == "db"' } },
    ],
    [
      'selector and notSelector fold into one selector',
      'GlobalNetworkPolicy',
      { selector: 'has(app)', notSelector: "app == 'db'" },
      { selector: { kinds: EP_ALL, selector: '(has(app) && !app == "db")' } },
    ],
    [
      'service account names: pods only',
      'NetworkPolicy',
      { serviceAccounts: { names: ['api', 'web'] } },
      { selector: { kinds: EP_POD, namespace: 'app', serviceAccountNames: ['api', 'web'] } },
    ],
    [
      'service account selector: pods only',
      'GlobalNetworkPolicy',
      { serviceAccounts: { selector: "tier == 'gold'" } },
      { selector: { kinds: EP_POD, serviceAccountSelector: 'tier == "gold"' } },
    ],
    [
      'service accounts with a selector and namespaceSelector',
      'GlobalNetworkPolicy',
      { namespaceSelector: 'has(team)', selector: 'has(app)', serviceAccounts: { names: ['api'] } },
      {
        selector: {
          kinds: EP_POD,
          namespaceSelector: 'has(team)',
          selector: 'has(app)',
          serviceAccountNames: ['api'],
        },
      },
    ],
  ])('%s', (_name, kind, source, expected) => {
    expect(matchOf(kind, { action: 'Allow', source }).source).toEqual(expected);
  });

  it('keeps a lone notSelector of a global policy unscoped and negative', () => {
    expect(
      matchOf(
        'GlobalNetworkPolicy',
        { action: 'Allow', destination: { notSelector: 'has(x)' } },
        'egress',
      ).destination,
    ).toEqual({
      notSelector: { kinds: EP_ALL, selector: 'has(x)' },
    });
  });

  it('treats empty selector strings as unset', () => {
    expect(
      matchOf('NetworkPolicy', { action: 'Allow', source: { selector: '', namespaceSelector: '' } })
        .source,
    ).toEqual({});
  });
});

describe('invalid rules', () => {
  it.each<[string, Kind, Obj, string, string, string]>([
    [
      'a missing action',
      'NetworkPolicy',
      { protocol: 'TCP' },
      'field.required',
      'spec.ingress[0].action',
      'action is required',
    ],
    [
      'an unknown action',
      'NetworkPolicy',
      { action: 'allow' },
      'field.enum',
      'spec.ingress[0].action',
      'Allow, Deny, Log, Pass',
    ],
    [
      'an unknown rule field',
      'NetworkPolicy',
      { action: 'Allow', protocl: 'TCP' },
      'field.unknown',
      'spec.ingress[0].protocl',
      'did you mean "protocol"',
    ],
    [
      'an unknown entity field',
      'NetworkPolicy',
      { action: 'Allow', source: { net: ['10.0.0.0/8'] } },
      'field.unknown',
      'spec.ingress[0].source.net',
      'did you mean "nets"',
    ],
    [
      'a lower-case protocol name',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'tcp' },
      'protocol.invalid',
      'spec.ingress[0].protocol',
      'case-sensitive',
    ],
    [
      'protocol 0',
      'NetworkPolicy',
      { action: 'Allow', protocol: 0 },
      'protocol.invalid',
      'spec.ingress[0].protocol',
      'from 1 to 255',
    ],
    [
      'an invalid notProtocol',
      'NetworkPolicy',
      { action: 'Allow', notProtocol: 'HTTP' },
      'protocol.invalid',
      'spec.ingress[0].notProtocol',
      '"HTTP"',
    ],
    [
      'ipVersion 5',
      'NetworkPolicy',
      { action: 'Allow', ipVersion: 5 },
      'field.enum',
      'spec.ingress[0].ipVersion',
      'must be 4 or 6',
    ],
    [
      'ports with ICMP',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } },
      'rule.portsProtocol',
      'spec.ingress[0].destination.ports',
      'TCP or UDP or SCTP',
    ],
    [
      'ports with UDPLite',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'UDPLite', source: { notPorts: [80] } },
      'rule.portsProtocol',
      'spec.ingress[0].source.notPorts',
      'TCP or UDP or SCTP',
    ],
    [
      'numeric ports without a protocol',
      'NetworkPolicy',
      { action: 'Allow', destination: { ports: ['http', 443] } },
      'rule.portsProtocol',
      'spec.ingress[0].destination.ports',
      'numeric port',
    ],
    [
      'a dash port range',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'TCP', destination: { ports: ['8000-8080'] } },
      'port.invalid',
      'spec.ingress[0].destination.ports[0]',
      '"8000:8080"',
    ],
    [
      'port 0',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'TCP', destination: { ports: [0] } },
      'port.invalid',
      'spec.ingress[0].destination.ports[0]',
      '1 to 65535',
    ],
    [
      'more than 50 ports',
      'NetworkPolicy',
      {
        action: 'Allow',
        protocol: 'TCP',
        destination: { ports: Array.from({ length: 51 }, (_, i) => i + 1) },
      },
      'field.tooMany',
      'spec.ingress[0].destination.ports',
      'at most 50',
    ],
    [
      'icmp without an ICMP protocol',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'TCP', icmp: { type: 8 } },
      'rule.icmp',
      'spec.ingress[0].icmp',
      'ICMP or ICMPv6',
    ],
    [
      'an ICMP code without a type',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'ICMP', icmp: { code: 0 } },
      'rule.icmpCode',
      'spec.ingress[0].icmp.code',
      'without an ICMP type',
    ],
    [
      'ICMP type 255',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'ICMP', icmp: { type: 255 } },
      'field.range',
      'spec.ingress[0].icmp.type',
      'between 0 and 254',
    ],
    [
      'notICMP code 256',
      'NetworkPolicy',
      { action: 'Allow', notICMP: { type: 3, code: 256 } },
      'field.range',
      'spec.ingress[0].notICMP.code',
      'between 0 and 255',
    ],
    [
      'ICMP with ipVersion 6',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'ICMP', ipVersion: 6 },
      'rule.ipVersion',
      'spec.ingress[0].ipVersion',
      'ipVersion 4',
    ],
    [
      'notProtocol ICMPv6 with ipVersion 4',
      'NetworkPolicy',
      { action: 'Allow', notProtocol: 'ICMPv6', ipVersion: 4 },
      'rule.ipVersion',
      'spec.ingress[0].ipVersion',
      'ipVersion 6',
    ],
    [
      'a bare address in nets',
      'NetworkPolicy',
      { action: 'Allow', source: { nets: ['10.0.0.1'] } },
      'cidr.invalid',
      'spec.ingress[0].source.nets[0]',
      'prefix length',
    ],
    [
      'host bits in nets',
      'NetworkPolicy',
      { action: 'Allow', source: { nets: ['10.0.0.1/8'] } },
      'cidr.hostBits',
      'spec.ingress[0].source.nets[0]',
      '"10.0.0.1/8"',
    ],
    [
      'a catch-all notNets',
      'NetworkPolicy',
      { action: 'Allow', destination: { notNets: ['0.0.0.0/0'] } },
      'cidr.catchAll',
      'spec.ingress[0].destination.notNets[0]',
      'never match',
    ],
    [
      'a repeated net',
      'NetworkPolicy',
      { action: 'Allow', source: { nets: ['10.0.0.0/8', '10.0.0.0/8'] } },
      'field.duplicate',
      'spec.ingress[0].source.nets[1]',
      'more than once',
    ],
    [
      'more than 256 nets',
      'NetworkPolicy',
      {
        action: 'Allow',
        source: { nets: Array.from({ length: 257 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`) },
      },
      'field.tooMany',
      'spec.ingress[0].source.nets',
      'at most 256',
    ],
    [
      'IPv4 and IPv6 in one rule',
      'NetworkPolicy',
      { action: 'Allow', source: { nets: ['10.0.0.0/8'] }, destination: { nets: ['fd00::/8'] } },
      'rule.mixedFamilies',
      'spec.ingress[0].destination.nets',
      'both IPv4 and IPv6',
    ],
    [
      'ipVersion against the nets family',
      'NetworkPolicy',
      { action: 'Allow', ipVersion: 4, source: { notNets: ['fd00::/8'] } },
      'rule.ipVersion',
      'spec.ingress[0].source.notNets',
      "doesn't match",
    ],
    [
      'global() in a rule selector',
      'NetworkPolicy',
      { action: 'Allow', source: { selector: 'global()' } },
      'selector.global',
      'spec.ingress[0].source.selector',
      'global()',
    ],
    [
      'global() combined in a namespaceSelector',
      'NetworkPolicy',
      { action: 'Allow', source: { namespaceSelector: "global() || a == 'b'" } },
      'selector.global',
      'spec.ingress[0].source.namespaceSelector',
      'cannot be combined',
    ],
    [
      'a notSelector syntax error',
      'NetworkPolicy',
      { action: 'Allow', source: { notSelector: 'has(' } },
      'selector.syntax',
      'spec.ingress[0].source.notSelector',
      'invalid selector',
    ],
    [
      'a repeated service account name',
      'NetworkPolicy',
      { action: 'Allow', source: { serviceAccounts: { names: ['a', 'a'] } } },
      'field.duplicate',
      'spec.ingress[0].source.serviceAccounts.names[1]',
      '"a"',
    ],
    [
      'an invalid annotation key',
      'NetworkPolicy',
      { action: 'Allow', metadata: { annotations: { 'bad key': 'x' } } },
      'annotation.key',
      'spec.ingress[0].metadata.annotations["bad key"]',
      '"bad key"',
    ],
    [
      'an http match (unsupported)',
      'NetworkPolicy',
      { action: 'Allow', http: { methods: ['GET'] } },
      'unsupported',
      'spec.ingress[0].http',
      'http matches are not supported',
    ],
    [
      'http on a Deny rule',
      'NetworkPolicy',
      { action: 'Deny', http: { methods: ['GET'] } },
      'rule.http',
      'spec.ingress[0].http',
      'only valid on Allow rules',
    ],
    [
      'http with UDP',
      'NetworkPolicy',
      { action: 'Allow', protocol: 'UDP', http: { paths: [{ exact: '/a' }] } },
      'rule.http',
      'spec.ingress[0].http',
      'protocol TCP',
    ],
    [
      'an http path with both forms',
      'NetworkPolicy',
      { action: 'Allow', http: { paths: [{ exact: '/a', prefix: '/b' }] } },
      'http.path',
      'spec.ingress[0].http.paths[0]',
      'not both',
    ],
    [
      'an http path without a slash',
      'NetworkPolicy',
      { action: 'Allow', http: { paths: [{ prefix: 'api' }] } },
      'http.path',
      'spec.ingress[0].http.paths[0]',
      "start with '/'",
    ],
    [
      'repeated http methods',
      'NetworkPolicy',
      { action: 'Allow', http: { methods: ['GET', 'GET'] } },
      'field.duplicate',
      'spec.ingress[0].http.methods[1]',
      '"GET"',
    ],
    [
      'a services match (unsupported)',
      'NetworkPolicy',
      { action: 'Allow', source: { services: { name: 'api' } } },
      'unsupported',
      'spec.ingress[0].source.services',
      'services matches are not supported',
    ],
    [
      'services without a name',
      'NetworkPolicy',
      { action: 'Allow', source: { services: { namespace: 'x' } } },
      'field.required',
      'spec.ingress[0].source.services.name',
      'service name',
    ],
    [
      'services in a global policy without a namespace',
      'GlobalNetworkPolicy',
      { action: 'Allow', source: { services: { name: 'api' } } },
      'field.required',
      'spec.ingress[0].source.services.namespace',
      'namespace',
    ],
    [
      'services with a selector',
      'NetworkPolicy',
      { action: 'Allow', source: { services: { name: 'api' }, selector: 'all()' } },
      'services.conflict',
      'spec.ingress[0].source.services',
      'selector',
    ],
    [
      'services in an ingress destination',
      'NetworkPolicy',
      { action: 'Allow', destination: { services: { name: 'api' } } },
      'services.side',
      'spec.ingress[0].destination.services',
      'ingress rule destinations',
    ],
  ])('%s', (_name, kind, rule, code, path, text) => {
    const r = load(kind, rule);
    expect(r.ok).toBe(false);
    expect(r.set.policies).toEqual([]);
    const hit = errors(r).find((i) => i.code === code && i.path === path);
    expect(hit, JSON.stringify(errors(r))).toBeDefined();
    expect(hit?.message).toContain(text);
  });

  it.each<[string, Obj, string, string]>([
    [
      'services in an egress source',
      { action: 'Allow', source: { services: { name: 'api' } } },
      'services.side',
      'spec.egress[0].source.services',
    ],
    [
      'destination services with ports',
      { action: 'Allow', protocol: 'TCP', destination: { services: { name: 'api' }, ports: [80] } },
      'services.ports',
      'spec.egress[0].destination.services',
    ],
    [
      'http in an egress rule',
      { action: 'Allow', http: { methods: ['GET'] } },
      'rule.http',
      'spec.egress[0].http',
    ],
  ])('egress: %s', (_name, rule, code, path) => {
    const r = load('NetworkPolicy', rule, 'egress');
    expect(errors(r).map((i) => `${i.code} ${i.path}`)).toContain(`${code} ${path}`);
  });

  it('gives a selector error its span', () => {
    const r = load('NetworkPolicy', { action: 'Allow', source: { selector: "app == 'x' &&" } });
    const hit = errors(r).find((i) => i.code === 'selector.syntax');
    expect(hit?.text).toBe("app == 'x' &&");
    expect(hit?.span).toBeDefined();
  });
});
