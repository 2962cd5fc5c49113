import { errors, plain, onlyPolicy } from '../../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROTO } from '../../net/index.js';
import type { Issue } from '../issues.js';
import { loadPolicySet } from '../load.js';
import type { LoadResult } from '../load.js';
import { EP_POD, K8S_NETWORK_POLICY_ORDER } from '../types.js';
import type { Rule } from '../types.js';

type Obj = Record<string, unknown>;
type Kind = 'NetworkPolicy' | 'StagedKubernetesNetworkPolicy';

const API: Record<Kind, string> = {
  NetworkPolicy: 'networking.k8s.io/v1',
  StagedKubernetesNetworkPolicy: 'projectcalico.org/v3',
};

/** One policy document in namespace `app` as YAML, through the real loader. */
function load(spec: unknown, metadata: Obj = {}, kind: Kind = 'NetworkPolicy'): LoadResult {
  const doc = {
    apiVersion: API[kind],
    kind,
    metadata: { name: 'p', namespace: 'app', ...metadata },
    spec,
  };
  return loadPolicySet([{ path: 'np.yaml', text: stringify(doc, { version: '1.1' }) }]);
}

function policyOf(spec: unknown, metadata: Obj = {}, kind: Kind = 'NetworkPolicy'): Obj {
  const r = load(spec, metadata, kind);
  return onlyPolicy(r) as Obj;
}

/** The rules of one direction, as plain data. */
function rulesOf(spec: Obj, dir: 'ingress' | 'egress'): Obj[] {
  return policyOf(spec)[dir] as Obj[];
}

/**
 * The expected error: code at path (relative to the document), message containing text. The
 * set is not ok (it must not be evaluated), whether or not the policy itself was kept.
 */
function expectError(r: LoadResult, code: string, path: string, text: string): Issue {
  expect(r.ok).toBe(false);
  const hit = errors(r).find((i) => i.code === code && i.path === path);
  expect(hit, JSON.stringify(errors(r), null, 1)).toBeDefined();
  expect(hit?.message).toContain(text);
  expect(hit?.file).toBe('np.yaml');
  expect(hit?.pos?.line).toBeGreaterThan(0);
  return hit as Issue;
}

describe('NetworkPolicy: the policy', () => {
  it('becomes a default-tier policy at order 1000 on pods of its namespace', () => {
    expect(policyOf({ podSelector: { matchLabels: { app: 'web' } } })).toEqual({
      ref: { kind: 'NetworkPolicy', namespace: 'app', name: 'p' },
      tier: 'default',
      order: K8S_NETWORK_POLICY_ORDER,
      subject: { kinds: EP_POD, namespace: 'app', selector: 'app == "web"' },
      ingress: [],
      source: { file: 'np.yaml', doc: 0 },
    });
  });

  it('defaults metadata.namespace to "default"', () => {
    const r = loadPolicySet([
      {
        path: 'np.yaml',
        text: stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'p' },
          spec: {},
        }),
      },
    ]);
    expect(errors(r)).toEqual([]);
    expect(r.set.policies[0]?.ref).toEqual({
      kind: 'NetworkPolicy',
      namespace: 'default',
      name: 'p',
    });
    expect(r.set.policies[0]?.subject.namespace).toBe('default');
  });
});

describe('podSelector', () => {
  it.each<[string, unknown, string]>([
    ['absent: every pod of the namespace', undefined, 'all()'],
    ['null: every pod', null, 'all()'],
    ['empty: every pod', {}, 'all()'],
    ['empty matchLabels and matchExpressions', { matchLabels: {}, matchExpressions: [] }, 'all()'],
    ['matchLabels', { matchLabels: { app: 'web' } }, 'app == "web"'],
    [
      'matchLabels: every pair ANDed',
      { matchLabels: { app: 'web', tier: 'fe' } },
      '(app == "web" && tier == "fe")',
    ],
    ['an empty label value', { matchLabels: { app: '' } }, 'app == ""'],
    ['a prefixed key', { matchLabels: { 'example.com/app': 'web' } }, 'example.com/app == "web"'],
    [
      'In: values sorted and deduplicated',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev', 'prod'] }] },
      'env in {"dev", "prod"}',
    ],
    [
      'NotIn',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      'env not in {"prod"}',
    ],
    ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, 'has(env)'],
    [
      'Exists with an empty values list',
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: [] }] },
      'has(env)',
    ],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, '!has(env)'],
    [
      'matchLabels and matchExpressions together, ANDed in order',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      },
      '(app == "web" && env in {"prod"} && !has(canary))',
    ],
  ])('%s', (_name, podSelector, selector) => {
    const spec = podSelector === undefined ? {} : { podSelector };
    expect(policyOf(spec).subject).toEqual({ kinds: EP_POD, namespace: 'app', selector });
  });

  // apimachinery ValidateLabelSelector(Requirement), with AllowInvalidLabelValueInSelector off
  // (as NetworkPolicy create validation has it).
  it.each<[string, Obj, string, string, string]>([
    [
      'In without values',
      { matchExpressions: [{ key: 'env', operator: 'In' }] },
      'field.required',
      'spec.podSelector.matchExpressions[0].values',
      'values must be non-empty when operator is In',
    ],
    [
      'NotIn with an empty values list',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: [] }] },
      'field.required',
      'spec.podSelector.matchExpressions[0].values',
      'values must be non-empty when operator is NotIn',
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] },
      'field.forbidden',
      'spec.podSelector.matchExpressions[0].values',
      'values must be empty when operator is Exists',
    ],
    [
      'DoesNotExist with values',
      { matchExpressions: [{ key: 'env', operator: 'DoesNotExist', values: ['x'] }] },
      'field.forbidden',
      'spec.podSelector.matchExpressions[0].values',
      'values must be empty when operator is DoesNotExist',
    ],
    [
      'an unknown operator',
      { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }] },
      'field.enum',
      'spec.podSelector.matchExpressions[0].operator',
      'must be one of In, NotIn, Exists, DoesNotExist, found "Equals"',
    ],
    [
      'operators are case-sensitive',
      { matchExpressions: [{ key: 'env', operator: 'in', values: ['x'] }] },
      'field.enum',
      'spec.podSelector.matchExpressions[0].operator',
      'found "in"',
    ],
    [
      'a missing operator',
      { matchExpressions: [{ key: 'env' }] },
      'field.required',
      'spec.podSelector.matchExpressions[0].operator',
      'spec.podSelector.matchExpressions[0].operator is required',
    ],
    [
      'a missing key',
      { matchExpressions: [{ operator: 'Exists' }] },
      'field.required',
      'spec.podSelector.matchExpressions[0].key',
      'spec.podSelector.matchExpressions[0].key is required',
    ],
    [
      'an invalid key in an expression',
      { matchExpressions: [{ key: 'en v', operator: 'Exists' }] },
      'label.key',
      'spec.podSelector.matchExpressions[0].key',
      'label key "en v" is invalid',
    ],
    [
      'an invalid value in an expression',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['ok', 'not ok'] }] },
      'label.value',
      'spec.podSelector.matchExpressions[0].values',
      'value "not ok" is invalid',
    ],
    [
      'a value over 63 characters in an expression',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['v'.repeat(64)] }] },
      'label.value',
      'spec.podSelector.matchExpressions[0].values',
      'must be no more than 63 characters (has 64)',
    ],
    [
      'an invalid matchLabels key',
      { matchLabels: { '-app': 'web' } },
      'label.key',
      'spec.podSelector.matchLabels["-app"]',
      'label key "-app" is invalid',
    ],
    [
      'an invalid matchLabels value',
      { matchLabels: { app: 'web/1' } },
      'label.value',
      'spec.podSelector.matchLabels.app',
      'label "app" has invalid value "web/1"',
    ],
    [
      'a misspelt field, with a suggestion',
      { matchLabel: { app: 'web' } },
      'field.unknown',
      'spec.podSelector.matchLabel',
      'unknown field "matchLabel" in spec.podSelector (did you mean "matchLabels"?)',
    ],
    [
      'matchExpressions that is not a list',
      { matchExpressions: { key: 'env', operator: 'Exists' } },
      'field.type',
      'spec.podSelector.matchExpressions',
      'must be a list, found a mapping',
    ],
  ])('rejects %s', (_name, podSelector, code, path, text) => {
    expectError(load({ podSelector }), code, path, text);
  });

  it('rejects a podSelector that is not a mapping', () => {
    expectError(
      load({ podSelector: 'app=web' }),
      'field.type',
      'spec.podSelector',
      'spec.podSelector must be a mapping, found the string "app=web"',
    );
  });
});

describe('names, label keys and values (apimachinery IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue)', () => {
  const subdomain =
    "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  const labelName =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  const labelValue =
    "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

  it.each<[string, Obj, string, string, string]>([
    [
      'upper case',
      { name: 'Web' },
      'name.invalid',
      'metadata.name',
      `"Web" is not a valid name: ${subdomain}`,
    ],
    [
      'an underscore',
      { name: 'a_b' },
      'name.invalid',
      'metadata.name',
      `"a_b" is not a valid name: ${subdomain}`,
    ],
    [
      'a leading dot',
      { name: '.a' },
      'name.invalid',
      'metadata.name',
      `".a" is not a valid name: ${subdomain}`,
    ],
    [
      'over 253 characters',
      { name: 'a'.repeat(254) },
      'name.invalid',
      'metadata.name',
      `"${'a'.repeat(76)}... is not a valid name: must be no more than 253 characters (has 254)`,
    ],
    [
      'an empty name',
      { name: '' },
      'field.empty',
      'metadata.name',
      'metadata.name must not be empty',
    ],
    [
      'no name',
      { name: undefined },
      'field.required',
      'metadata.name',
      'metadata.name is required',
    ],
    [
      'a number as the name',
      { name: 5 },
      'field.type',
      'metadata.name',
      'metadata.name must be a string, found number 5 (quote it in YAML)',
    ],
    [
      'a namespace with a dot (DNS-1123 label)',
      { namespace: 'a.b' },
      'name.invalid',
      'metadata.namespace',
      `"a.b" is not a valid name: must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
    ],
    [
      'a namespace over 63 characters',
      { namespace: 'n'.repeat(64) },
      'name.invalid',
      'metadata.namespace',
      `"${'n'.repeat(64)}" is not a valid name: must be no more than 63 characters (has 64)`,
    ],
    [
      'a label key with an empty prefix',
      { labels: { '/app': 'x' } },
      'label.key',
      'metadata.labels["/app"]',
      'label key "/app" is invalid: prefix part must be non-empty',
    ],
    [
      'a label key with an empty name part',
      { labels: { 'example.com/': 'x' } },
      'label.key',
      'metadata.labels["example.com/"]',
      'label key "example.com/" is invalid: name part must be non-empty',
    ],
    [
      'a label key with an upper-case prefix',
      { labels: { 'Example.com/app': 'x' } },
      'label.key',
      'metadata.labels["Example.com/app"]',
      `label key "Example.com/app" is invalid: prefix part ${subdomain}`,
    ],
    [
      'a label key with two slashes',
      { labels: { 'a/b/c': 'x' } },
      'label.key',
      'metadata.labels["a/b/c"]',
      `label key "a/b/c" is invalid: prefix part ${subdomain}`,
    ],
    [
      'a label key name part over 63 characters',
      { labels: { ['k'.repeat(64)]: 'x' } },
      'label.key',
      `metadata.labels.${'k'.repeat(64)}`,
      `label key "${'k'.repeat(64)}" is invalid: name part must be no more than 63 characters (has 64)`,
    ],
    [
      'a label key ending in a dash',
      { labels: { 'app-': 'x' } },
      'label.key',
      'metadata.labels.app-',
      `label key "app-" is invalid: name part ${labelName}`,
    ],
    [
      'a label value starting with a dash',
      { labels: { app: '-web' } },
      'label.value',
      'metadata.labels.app',
      `label "app" has invalid value "-web": ${labelValue}`,
    ],
    [
      'a label value over 63 characters',
      { labels: { app: 'v'.repeat(64) } },
      'label.value',
      'metadata.labels.app',
      `label "app" has invalid value "${'v'.repeat(64)}": must be no more than 63 characters (has 64)`,
    ],
    [
      'a label value that is not a string',
      { labels: { replicas: 3 } },
      'label.value',
      'metadata.labels.replicas',
      'label "replicas" must have a string value, found 3 (quote it in YAML)',
    ],
  ])('rejects %s', (_name, metadata, code, path, message) => {
    const hit = expectError(load({}, metadata), code, path, message);
    expect(hit.message).toBe(message);
  });

  it.each<[string, Obj]>([
    ['dots and dashes in a name', { name: 'allow-dns.v1' }],
    [
      'a name of 253 characters',
      { name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}` },
    ],
    ['a namespace of 63 characters', { namespace: 'n'.repeat(63) }],
    [
      'a prefixed label key with upper case and underscores in the name part',
      { labels: { 'example.com/My_App.v1': 'x' } },
    ],
    ['an empty label value', { labels: { app: '' } }],
    ['a label value of 63 characters', { labels: { app: 'V'.repeat(63) } }],
  ])('accepts %s', (_name, metadata) => {
    const r = load({}, metadata);
    expect(errors(r)).toEqual([]);
    expect(r.set.policies).toHaveLength(1);
  });
});

describe('policyTypes (API server defaulting: Ingress always, Egress iff egress rules)', () => {
  const rule = {};
  it.each<[string, Obj, boolean, boolean]>([
    ['absent, no rules: Ingress', {}, true, false],
    ['absent, ingress rules: Ingress', { ingress: [rule] }, true, false],
    ['absent, egress rules: Ingress and Egress', { egress: [rule] }, true, true],
    ['absent, an empty egress list: Ingress only', { egress: [] }, true, false],
    ['an empty list defaults the same way', { policyTypes: [], egress: [rule] }, true, true],
    [
      'explicit Egress: egress only, even with ingress rules',
      { policyTypes: ['Egress'], ingress: [rule] },
      false,
      true,
    ],
    [
      'explicit Ingress: ingress only, egress rules ignored',
      { policyTypes: ['Ingress'], egress: [rule] },
      true,
      false,
    ],
    ['explicit both, no rules', { policyTypes: ['Ingress', 'Egress'] }, true, true],
    ['explicit both, reversed', { policyTypes: ['Egress', 'Ingress'] }, true, true],
  ])('%s', (_name, spec, ingress, egress) => {
    const p = policyOf(spec);
    expect(p.ingress !== undefined).toBe(ingress);
    expect(p.egress !== undefined).toBe(egress);
  });

  it('an explicit type with no rules denies everything in that direction (empty rule list)', () => {
    const p = policyOf({ policyTypes: ['Ingress', 'Egress'] });
    expect(p.ingress).toEqual([]);
    expect(p.egress).toEqual([]);
  });

  it.each<[string, Obj, string, string, string]>([
    [
      'a lower-case type',
      { policyTypes: ['ingress'] },
      'field.enum',
      'spec.policyTypes[0]',
      'must be one of Ingress, Egress, found "ingress"',
    ],
    [
      'more than two types',
      { policyTypes: ['Ingress', 'Egress', 'Ingress'] },
      'field.tooMany',
      'spec.policyTypes',
      'spec.policyTypes may have at most 2 items, found 3',
    ],
    [
      'a string instead of a list',
      { policyTypes: 'Ingress' },
      'field.type',
      'spec.policyTypes',
      'must be a list',
    ],
  ])('rejects %s', (_name, spec, code, path, text) => {
    expectError(load(spec), code, path, text);
  });

  // Bug: the API server accepts a repeated type. ValidateNetworkPolicySpec
  // (kubernetes pkg/apis/networking/validation/validation.go) rejects only more than two
  // entries and values other than Ingress/Egress, and policyTypes is +listType=atomic
  // (k8s.io/api networking/v1 types.go), so ["Ingress", "Ingress"] is stored as is and means
  // Ingress. k8s-network-policy.ts readPolicyTypes (line 84) reports field.duplicate.
  it('accepts a repeated type, as the API server does', () => {
    const r = load({ policyTypes: ['Ingress', 'Ingress'] });
    expect(errors(r)).toEqual([]);
    const p = plain(r.set.policies[0]) as Obj;
    expect(p.ingress).toEqual([]);
    expect(p.egress).toBeUndefined();
  });

  // Bug: one issue per bad entry ("Bad input is data: every issue at once"); the API server
  // reports every unsupported entry. readPolicyTypes returns at the first one (line 83).
  it('reports every unsupported type at once', () => {
    const r = load({ policyTypes: ['ingress', 'egress'] });
    expect(errors(r).map((i) => `${i.code} ${i.path}`)).toEqual([
      'field.enum spec.policyTypes[0]',
      'field.enum spec.policyTypes[1]',
    ]);
  });
});

describe('peers', () => {
  const sel = (extra: Obj): Obj => ({ kinds: EP_POD, ...extra });

  it.each<[string, unknown, Obj[]]>([
    ['absent from: every source', undefined, [{}]],
    ['an empty from list: every source', [], [{}]],
    [
      'podSelector only: pods of the policy namespace',
      [{ podSelector: { matchLabels: { role: 'client' } } }],
      [{ selector: sel({ namespace: 'app', selector: 'role == "client"' }) }],
    ],
    [
      'an empty podSelector: every pod of the policy namespace',
      [{ podSelector: {} }],
      [{ selector: sel({ namespace: 'app', selector: 'all()' }) }],
    ],
    [
      'namespaceSelector only: every pod of the selected namespaces',
      [{ namespaceSelector: { matchLabels: { team: 'a' } } }],
      [{ selector: sel({ namespaceSelector: 'team == "a"' }) }],
    ],
    [
      'an empty namespaceSelector: every pod of every namespace',
      [{ namespaceSelector: {} }],
      [{ selector: sel({ namespaceSelector: 'all()' }) }],
    ],
    [
      'both selectors in one peer: selected pods of selected namespaces',
      [
        {
          namespaceSelector: { matchLabels: { team: 'a' } },
          podSelector: { matchLabels: { role: 'db' } },
        },
      ],
      [{ selector: sel({ namespaceSelector: 'team == "a"', selector: 'role == "db"' }) }],
    ],
    [
      'a null podSelector beside a namespaceSelector is unset',
      [{ namespaceSelector: {}, podSelector: null }],
      [{ selector: sel({ namespaceSelector: 'all()' }) }],
    ],
    ['ipBlock', [{ ipBlock: { cidr: '10.0.0.0/8' } }], [{ nets: ['10.0.0.0/8'] }]],
    [
      'ipBlock with except strictly inside',
      [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4/32'] } }],
      [{ nets: ['10.0.0.0/8'], notNets: ['10.1.0.0/16', '10.2.3.4/32'] }],
    ],
    [
      'IPv6 ipBlock with except',
      [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }],
      [{ nets: ['fd00::/8'], notNets: ['fd00:1::/32'] }],
    ],
    [
      'an empty except list',
      [{ ipBlock: { cidr: '0.0.0.0/0', except: [] } }],
      [{ nets: ['0.0.0.0/0'] }],
    ],
    [
      // With the StrictIPCIDRValidation gate off, the API server accepts host bits ("ifaddr"
      // form, IsValidCIDRForLegacyField) and matches the masked block.
      'host bits in the cidr are masked',
      [{ ipBlock: { cidr: '10.1.2.3/8' } }],
      [{ nets: ['10.0.0.0/8'] }],
    ],
    [
      'several peers, in order',
      [{ ipBlock: { cidr: '192.168.0.0/16' } }, { podSelector: {} }],
      [{ nets: ['192.168.0.0/16'] }, { selector: sel({ namespace: 'app', selector: 'all()' }) }],
    ],
  ])('ingress from: %s', (_name, from, sources) => {
    const rule = from === undefined ? {} : { from };
    const [r] = rulesOf({ ingress: [rule] }, 'ingress');
    expect(r?.matches).toEqual(sources.map((source) => ({ source, destination: {} })));
  });

  it('egress to: the peer is the destination', () => {
    const [r] = rulesOf(
      {
        egress: [
          {
            to: [
              { namespaceSelector: { matchLabels: { team: 'a' } } },
              { ipBlock: { cidr: '1.2.3.0/24' } },
            ],
          },
        ],
      },
      'egress',
    );
    expect(r?.matches).toEqual([
      { source: {}, destination: { selector: sel({ namespaceSelector: 'team == "a"' }) } },
      { source: {}, destination: { nets: ['1.2.3.0/24'] } },
    ]);
  });

  it.each<[string, unknown, string, string, string]>([
    [
      'an empty peer',
      [{}],
      'peer.empty',
      'spec.ingress[0].from[0]',
      'a peer must set podSelector, namespaceSelector or ipBlock',
    ],
    [
      'a null peer',
      [null],
      'peer.empty',
      'spec.ingress[0].from[0]',
      'a peer must set podSelector, namespaceSelector or ipBlock',
    ],
    [
      'a peer whose selectors are null',
      [{ podSelector: null, namespaceSelector: null }],
      'peer.empty',
      'spec.ingress[0].from[0]',
      'must set',
    ],
    [
      'ipBlock with podSelector',
      [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }],
      'peer.conflict',
      'spec.ingress[0].from[0]',
      'ipBlock may not be combined with podSelector or namespaceSelector',
    ],
    [
      'ipBlock with namespaceSelector',
      [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }],
      'peer.conflict',
      'spec.ingress[0].from[0]',
      'ipBlock may not be combined',
    ],
    [
      'an unknown peer field',
      [{ podSelectors: {} }],
      'field.unknown',
      'spec.ingress[0].from[0].podSelectors',
      'did you mean "podSelector"',
    ],
    [
      'ipBlock without cidr',
      [{ ipBlock: { except: ['10.0.0.0/8'] } }],
      'field.required',
      'spec.ingress[0].from[0].ipBlock.cidr',
      'is required',
    ],
    [
      'an empty cidr',
      [{ ipBlock: { cidr: '' } }],
      'field.empty',
      'spec.ingress[0].from[0].ipBlock.cidr',
      'must not be empty',
    ],
    [
      'a bare address as cidr',
      [{ ipBlock: { cidr: '10.0.0.1' } }],
      'cidr.invalid',
      'spec.ingress[0].from[0].ipBlock.cidr',
      '"10.0.0.1" is not a valid CIDR',
    ],
    [
      'a prefix too long',
      [{ ipBlock: { cidr: '10.0.0.0/33' } }],
      'cidr.invalid',
      'spec.ingress[0].from[0].ipBlock.cidr',
      '"10.0.0.0/33" is not a valid CIDR',
    ],
    [
      'a bad address',
      [{ ipBlock: { cidr: '10.0.0.300/32' } }],
      'cidr.invalid',
      'spec.ingress[0].from[0].ipBlock.cidr',
      'bad address',
    ],
    [
      'except equal to the cidr',
      [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }],
      'cidr.except',
      'spec.ingress[0].from[0].ipBlock.except[0]',
      `except "10.0.0.0/8" must be strictly within the ipBlock's cidr`,
    ],
    [
      'except wider than the cidr',
      [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] } }],
      'cidr.except',
      'spec.ingress[0].from[0].ipBlock.except[0]',
      'strictly within',
    ],
    [
      'except outside the cidr',
      [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '11.0.0.0/16'] } }],
      'cidr.except',
      'spec.ingress[0].from[0].ipBlock.except[1]',
      '"11.0.0.0/16"',
    ],
    [
      'except of the other family',
      [{ ipBlock: { cidr: '0.0.0.0/0', except: ['fd00::/8'] } }],
      'cidr.except',
      'spec.ingress[0].from[0].ipBlock.except[0]',
      'strictly within',
    ],
    [
      'an invalid except',
      [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0'] } }],
      'cidr.invalid',
      'spec.ingress[0].from[0].ipBlock.except[0]',
      '"10.1.0.0" is not a valid CIDR',
    ],
    [
      'from that is not a list',
      { podSelector: {} },
      'field.type',
      'spec.ingress[0].from',
      'must be a list',
    ],
  ])('rejects %s', (_name, from, code, path, text) => {
    expectError(load({ ingress: [{ from }] }), code, path, text);
  });

  it('rejects a bad egress peer at its own path', () => {
    expectError(
      load({ egress: [{}, { to: [{}] }] }),
      'peer.empty',
      'spec.egress[1].to[0]',
      'must set',
    );
  });

  it('rejects from in an egress rule and to in an ingress rule', () => {
    const r = load({ ingress: [{ to: [] }], egress: [{ from: [] }] });
    expectError(r, 'field.unknown', 'spec.ingress[0].to', 'unknown field "to"');
    expectError(r, 'field.unknown', 'spec.egress[0].from', 'unknown field "from"');
  });
});

describe('ports', () => {
  const named = (name: string, protocol: number): Obj => ({ kind: 'named', name, protocol });
  const range = (start: number, end = start): Obj => ({ kind: 'range', range: { start, end } });

  it.each<[string, unknown, Obj[]]>([
    ['absent: every port and protocol', undefined, [{ source: {}, destination: {} }]],
    ['an empty list: every port and protocol', [], [{ source: {}, destination: {} }]],
    [
      'a number, protocol defaulted to TCP',
      [{ port: 80 }],
      [{ source: {}, destination: { ports: [range(80)] }, protocol: PROTO.TCP }],
    ],
    [
      'UDP',
      [{ protocol: 'UDP', port: 53 }],
      [{ source: {}, destination: { ports: [range(53)] }, protocol: PROTO.UDP }],
    ],
    [
      'SCTP',
      [{ protocol: 'SCTP', port: 9003 }],
      [{ source: {}, destination: { ports: [range(9003)] }, protocol: PROTO.SCTP }],
    ],
    [
      'a protocol without a port: every port of it',
      [{ protocol: 'UDP' }],
      [{ source: {}, destination: {}, protocol: PROTO.UDP }],
    ],
    ['an empty item: every TCP port', [{}], [{ source: {}, destination: {}, protocol: PROTO.TCP }]],
    [
      'endPort',
      [{ port: 8000, endPort: 8080 }],
      [{ source: {}, destination: { ports: [range(8000, 8080)] }, protocol: PROTO.TCP }],
    ],
    [
      'endPort equal to port',
      [{ port: 80, endPort: 80 }],
      [{ source: {}, destination: { ports: [range(80)] }, protocol: PROTO.TCP }],
    ],
    [
      'the port range bounds',
      [{ port: 1, endPort: 65535 }],
      [{ source: {}, destination: { ports: [range(1, 65535)] }, protocol: PROTO.TCP }],
    ],
    [
      'a named port keeps its protocol',
      [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }],
      [
        { source: {}, destination: { ports: [named('http', PROTO.TCP)] }, protocol: PROTO.TCP },
        { source: {}, destination: { ports: [named('dns', PROTO.UDP)] }, protocol: PROTO.UDP },
      ],
    ],
    [
      'a named port of 15 characters with digits',
      [{ port: 'web-8080-abcdef' }],
      [
        {
          source: {},
          destination: { ports: [named('web-8080-abcdef', PROTO.TCP)] },
          protocol: PROTO.TCP,
        },
      ],
    ],
  ])('%s', (_name, ports, matches) => {
    const [r] = rulesOf({ ingress: [ports === undefined ? {} : { ports }] }, 'ingress');
    expect(r?.matches).toEqual(matches);
  });

  it('egress ports go on the destination beside the peer', () => {
    const [r] = rulesOf(
      { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443 }] }] },
      'egress',
    );
    expect(r?.matches).toEqual([
      {
        source: {},
        destination: { nets: ['10.0.0.0/8'], ports: [range(443)] },
        protocol: PROTO.TCP,
      },
    ]);
  });

  // ValidateNetworkPolicyPort: IsValidPortNum, IsValidPortName (IANA_SVC_NAME), endPort rules.
  it.each<[string, Obj, string, string, string]>([
    [
      '"80" as a string (a name needs a letter)',
      { port: '80' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      '"80" is not a valid port number or port name',
    ],
    [
      'an upper-case name',
      { port: 'HTTP' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      '"HTTP" is not a valid port number or port name',
    ],
    [
      'a name of 16 characters',
      { port: 'abcdefghijklmnop' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      'not a valid port',
    ],
    [
      'a name with "--"',
      { port: 'a--b' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      'not a valid port',
    ],
    [
      'a name with an underscore',
      { port: 'http_alt' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      'not a valid port',
    ],
    [
      'an empty name',
      { port: '' },
      'port.name',
      'spec.ingress[0].ports[0].port',
      'not a valid port',
    ],
    [
      'port 0',
      { port: 0 },
      'field.range',
      'spec.ingress[0].ports[0].port',
      'must be between 1 and 65535, found 0',
    ],
    ['port 65536', { port: 65536 }, 'field.range', 'spec.ingress[0].ports[0].port', 'found 65536'],
    [
      'a fractional port',
      { port: 80.5 },
      'field.type',
      'spec.ingress[0].ports[0].port',
      'must be a whole number',
    ],
    [
      'endPort below port',
      { port: 80, endPort: 79 },
      'field.range',
      'spec.ingress[0].ports[0].endPort',
      'endPort 79 must be greater than or equal to port 80',
    ],
    [
      'endPort over 65535',
      { port: 80, endPort: 65536 },
      'field.range',
      'spec.ingress[0].ports[0].endPort',
      'found 65536',
    ],
    [
      'endPort without port',
      { endPort: 90 },
      'field.forbidden',
      'spec.ingress[0].ports[0].endPort',
      'endPort requires port to be set',
    ],
    [
      'endPort with a named port',
      { port: 'http', endPort: 90 },
      'field.forbidden',
      'spec.ingress[0].ports[0].endPort',
      'endPort may not be used with a named port',
    ],
    [
      'a lower-case protocol',
      { protocol: 'tcp', port: 80 },
      'field.enum',
      'spec.ingress[0].ports[0].protocol',
      'must be one of TCP, UDP, SCTP, found "tcp"',
    ],
    [
      'ICMP',
      { protocol: 'ICMP' },
      'field.enum',
      'spec.ingress[0].ports[0].protocol',
      'found "ICMP"',
    ],
    [
      'an unknown port field',
      { port: 80, end: 90 },
      'field.unknown',
      'spec.ingress[0].ports[0].end',
      'unknown field "end"',
    ],
  ])('rejects %s', (_name, port, code, path, text) => {
    expectError(load({ ingress: [{ ports: [port] }] }), code, path, text);
  });
});

describe('rules: index per direction, alternatives = peers x ports', () => {
  it('keeps the rule index within each direction and every rule allows', () => {
    const p = policyOf({
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 1 }] }, { ports: [{ port: 2 }] }],
      egress: [{ ports: [{ port: 3 }] }, { ports: [{ port: 4 }] }, { ports: [{ port: 5 }] }],
    });
    const idx = (rules: unknown): unknown =>
      (rules as Rule[]).map((r) => [r.index, r.action, r.name]);
    expect(idx(p.ingress)).toEqual([
      [0, 'Allow', undefined],
      [1, 'Allow', undefined],
    ]);
    expect(idx(p.egress)).toEqual([
      [0, 'Allow', undefined],
      [1, 'Allow', undefined],
      [2, 'Allow', undefined],
    ]);
  });

  it('expands peers x ports, peer-major', () => {
    const [r] = rulesOf(
      {
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { a: '1' } } },
              { ipBlock: { cidr: '10.0.0.0/8' } },
            ],
            ports: [{ port: 80 }, { protocol: 'UDP', port: 53 }, { port: 'http' }],
          },
        ],
      },
      'ingress',
    );
    const short = (r?.matches as Obj[]).map((m) => {
      const src = m.source as Obj;
      const peer = src.nets ? 'net' : 'pod';
      const port = ((m.destination as Obj).ports as Obj[])[0] as Obj;
      const what = port.kind === 'named' ? port.name : (port.range as Obj).start;
      return `${peer} ${String(m.protocol)}/${String(what)}`;
    });
    expect(short).toEqual([
      'pod 6/80',
      'pod 17/53',
      'pod 6/http',
      'net 6/80',
      'net 17/53',
      'net 6/http',
    ]);
  });

  it('a rule with a bad item is dropped whole, and every problem is reported', () => {
    const r = load({
      ingress: [
        { from: [{}], ports: [{ port: 'HTTP' }] },
        { from: [{ ipBlock: { cidr: '1.2.3.4' } }] },
      ],
      egress: [{ ports: [{ endPort: 9 }] }],
    });
    expect(r.set.policies).toEqual([]);
    expect(
      errors(r)
        .map((i) => `${i.code} ${i.path}`)
        .sort(),
    ).toEqual([
      'cidr.invalid spec.ingress[1].from[0].ipBlock.cidr',
      'field.forbidden spec.egress[0].ports[0].endPort',
      'peer.empty spec.ingress[0].from[0]',
      'port.name spec.ingress[0].ports[0].port',
    ]);
  });

  it.each<[string, Obj, string, string]>([
    ['a missing spec', { spec: undefined }, 'field.required', 'spec'],
    ['an unknown spec field', { spec: { podselector: {} } }, 'field.unknown', 'spec.podselector'],
    ['ingress that is not a list', { spec: { ingress: {} } }, 'field.type', 'spec.ingress'],
    [
      'an unknown rule field',
      { spec: { ingress: [{ ports: [], action: 'Allow' }] } },
      'field.unknown',
      'spec.ingress[0].action',
    ],
  ])('rejects %s', (_name, doc, code, path) => {
    expectError(load(doc.spec), code, path, '');
  });
});

describe('StagedKubernetesNetworkPolicy', () => {
  it.each<[string, Obj, Obj]>([
    [
      'stagedAction defaults to Set; it targets the NetworkPolicy of the same name',
      { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] },
      {
        ref: { kind: 'StagedKubernetesNetworkPolicy', namespace: 'app', name: 'p' },
        staged: { action: 'Set', target: { kind: 'NetworkPolicy', namespace: 'app', name: 'p' } },
        tier: 'default',
        order: K8S_NETWORK_POLICY_ORDER,
        subject: { kinds: EP_POD, namespace: 'app', selector: 'app == "web"' },
        ingress: [{ action: 'Allow', index: 0, matches: [{ source: {}, destination: {} }] }],
      },
    ],
    [
      'explicit Set',
      { stagedAction: 'Set', policyTypes: ['Egress'] },
      {
        staged: { action: 'Set', target: { kind: 'NetworkPolicy', namespace: 'app', name: 'p' } },
        egress: [],
      },
    ],
    [
      'Delete',
      { stagedAction: 'Delete' },
      {
        staged: {
          action: 'Delete',
          target: { kind: 'NetworkPolicy', namespace: 'app', name: 'p' },
        },
      },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(policyOf(spec, {}, 'StagedKubernetesNetworkPolicy')).toMatchObject(expected);
  });

  it.each<[string, Obj, string, string, string]>([
    [
      'an unknown stagedAction',
      { stagedAction: 'Remove' },
      'field.enum',
      'spec.stagedAction',
      'must be one of Set, Delete, Learn, Ignore, found "Remove"',
    ],
    [
      'the NetworkPolicy rules apply',
      { ingress: [{ from: [{}] }] },
      'peer.empty',
      'spec.ingress[0].from[0]',
      'must set',
    ],
    [
      'an unknown field',
      { selector: 'all()' },
      'field.unknown',
      'spec.selector',
      'unknown field "selector"',
    ],
  ])('rejects %s', (_name, spec, code, path, text) => {
    expectError(load(spec, {}, 'StagedKubernetesNetworkPolicy'), code, path, text);
  });

  it('stagedAction is not a NetworkPolicy field', () => {
    expectError(
      load({ stagedAction: 'Set' }),
      'field.unknown',
      'spec.stagedAction',
      'unknown field "stagedAction"',
    );
  });

  // Bug: Calico's validator (libcalico-go lib/validator/v3 validateStagedKubernetesNetworkPolicy)
  // rejects a Delete whose spec fields are not all zero ("Spec fields should all be zero-value
  // if stagedAction is Delete"), as zonewall already does for StagedNetworkPolicy
  // (staged.delete). readStagedK8sNetworkPolicy (k8s-network-policy.ts lines 41-55) accepts it.
  it('rejects a Delete that carries a podSelector or rules', () => {
    const r = load(
      { stagedAction: 'Delete', podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] },
      {},
      'StagedKubernetesNetworkPolicy',
    );
    expect(r.ok).toBe(false);
  });
});
