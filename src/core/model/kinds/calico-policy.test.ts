import { errors, onlyPolicy } from '../../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadPolicySet } from '../load.js';
import type { LoadResult } from '../load.js';
import { EP_HOST, EP_POD } from '../types.js';

type Obj = Record<string, unknown>;
type Kind =
  'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

/** One Calico policy document as YAML, through the real loader. */
function load(kind: Kind, spec: unknown, metadata: Obj = {}): LoadResult {
  const namespaced = !kind.includes('Global');
  const meta = { name: 'p', ...(namespaced ? { namespace: 'app' } : {}), ...metadata };
  const doc = { apiVersion: 'projectcalico.org/v3', kind, metadata: meta, spec };
  return loadPolicySet([{ path: 'p.yaml', text: stringify(doc, { version: '1.1' }) }]);
}

function policyOf(kind: Kind, spec: unknown, metadata: Obj = {}): Obj {
  const r = load(kind, spec, metadata);
  return onlyPolicy(r) as Obj;
}

describe('Calico policies normalise', () => {
  it.each<[string, Kind, unknown, Obj]>([
    [
      'NetworkPolicy: namespaced pods, default tier, no order, types defaulted to Ingress',
      'NetworkPolicy',
      { selector: "app == 'web'" },
      {
        ref: { kind: 'CalicoNetworkPolicy', namespace: 'app', name: 'p' },
        tier: 'default',
        order: undefined,
        subject: { kinds: EP_POD, namespace: 'app', selector: 'app == "web"' },
        ingress: [],
      },
    ],
    [
      'GlobalNetworkPolicy: pods and host endpoints, tier and float order kept',
      'GlobalNetworkPolicy',
      { tier: 'security', order: 10.5 },
      {
        ref: { kind: 'GlobalNetworkPolicy', name: 'p' },
        tier: 'security',
        order: 10.5,
        subject: { kinds: EP_POD | EP_HOST, selector: 'all()' },
      },
    ],
    [
      'GlobalNetworkPolicy namespaceSelector and serviceAccountSelector restrict to pods',
      'GlobalNetworkPolicy',
      { namespaceSelector: "env == 'prod'", serviceAccountSelector: "role == 'db'" },
      {
        subject: {
          kinds: EP_POD,
          selector: 'all()',
          namespaceSelector: 'env == "prod"',
          serviceAccountSelector: 'role == "db"',
        },
      },
    ],
    [
      'a namespaceSelector that matches no labels keeps host endpoints (Calico prefixes it)',
      'GlobalNetworkPolicy',
      { namespaceSelector: '!has(env)' },
      { subject: { kinds: EP_POD | EP_HOST, selector: 'all()', namespaceSelector: '!has(env)' } },
    ],
    [
      'all() in the selector becomes a namespace test when a namespaceSelector is set',
      'GlobalNetworkPolicy',
      { selector: 'all()', namespaceSelector: '!has(env)' },
      { subject: { selector: 'has(projectcalico.org/namespace)' } },
    ],
    [
      'NetworkPolicy serviceAccountSelector',
      'NetworkPolicy',
      { serviceAccountSelector: "role == 'db'" },
      {
        subject: {
          kinds: EP_POD,
          namespace: 'app',
          selector: 'all()',
          serviceAccountSelector: 'role == "db"',
        },
      },
    ],
    [
      'staged Set targets the enforced NetworkPolicy of the same name',
      'StagedNetworkPolicy',
      { stagedAction: 'Set', ingress: [{ action: 'Deny' }] },
      {
        ref: { kind: 'StagedNetworkPolicy', namespace: 'app', name: 'p' },
        staged: {
          action: 'Set',
          target: { kind: 'CalicoNetworkPolicy', namespace: 'app', name: 'p' },
        },
      },
    ],
    [
      'stagedAction defaults to Set',
      'StagedGlobalNetworkPolicy',
      { selector: 'all()' },
      { staged: { action: 'Set', target: { kind: 'GlobalNetworkPolicy', name: 'p' } } },
    ],
    [
      'staged Delete carries only its tier',
      'StagedGlobalNetworkPolicy',
      { stagedAction: 'Delete', tier: 'security' },
      {
        ref: { kind: 'StagedGlobalNetworkPolicy', name: 'p' },
        tier: 'security',
        staged: { action: 'Delete', target: { kind: 'GlobalNetworkPolicy', name: 'p' } },
      },
    ],
  ])('%s', (_name, kind, spec, expected) => {
    expect(policyOf(kind, spec)).toMatchObject(expected);
  });

  it('accepts the legacy tier.name form and a one-dot GlobalNetworkPolicy name', () => {
    expect(
      policyOf('NetworkPolicy', { tier: 'security' }, { name: 'security.allow-dns' }),
    ).toMatchObject({
      ref: { name: 'security.allow-dns' },
    });
    expect(policyOf('GlobalNetworkPolicy', {}, { name: 'a.b' })).toMatchObject({
      ref: { name: 'a.b' },
    });
  });
});

describe('types', () => {
  const rule = { action: 'Allow' };
  it.each<[string, Obj, boolean, boolean]>([
    ['absent, no rules: Ingress only', {}, true, false],
    ['absent, ingress rules only: Ingress', { ingress: [rule] }, true, false],
    [
      'absent, egress rules only: Egress (not the Kubernetes rule)',
      { egress: [rule] },
      false,
      true,
    ],
    ['absent, both: both', { ingress: [rule], egress: [rule] }, true, true],
    ['explicit Egress without rules: egress is []', { types: ['Egress'] }, false, true],
    ['explicit both', { types: ['Ingress', 'Egress'], egress: [rule] }, true, true],
  ])('%s', (_name, spec, ingress, egress) => {
    const p = policyOf('GlobalNetworkPolicy', spec);
    expect(p.ingress !== undefined).toBe(ingress);
    expect(p.egress !== undefined).toBe(egress);
    if (!('ingress' in spec) && ingress) expect(p.ingress).toEqual([]);
  });
});

describe('staged actions and unsupported policies', () => {
  it('treats Learn and Ignore as Set, with a warning', () => {
    for (const stagedAction of ['Learn', 'Ignore']) {
      const r = load('StagedNetworkPolicy', { stagedAction });
      expect(errors(r)).toEqual([]);
      expect(r.set.policies[0]?.staged?.action).toBe('Set');
      expect(r.issues).toContainEqual(
        expect.objectContaining({
          code: 'staged.action',
          severity: 'warning',
          path: 'spec.stagedAction',
        }),
      );
    }
  });

  it.each([
    ['doNotTrack', { doNotTrack: true, applyOnForward: true }],
    ['preDNAT', { preDNAT: true, applyOnForward: true }],
  ])('leaves a %s policy out with an unsupported warning', (field, spec) => {
    const r = load('GlobalNetworkPolicy', spec);
    expect(r.ok).toBe(true);
    expect(r.set.policies).toEqual([]);
    expect(r.issues).toContainEqual(
      expect.objectContaining({ code: 'unsupported', severity: 'warning', path: `spec.${field}` }),
    );
  });
});

describe('invalid Calico policies', () => {
  it.each<[string, Kind, unknown, Obj, string, string, string]>([
    [
      'two dots in a NetworkPolicy name',
      'NetworkPolicy',
      {},
      { name: 'a.b.c' },
      'name.invalid',
      'metadata.name',
      'at most one',
    ],
    [
      'upper case in a name',
      'GlobalNetworkPolicy',
      {},
      { name: 'Web' },
      'name.invalid',
      'metadata.name',
      '"Web"',
    ],
    [
      'an unknown spec field, with a suggestion',
      'NetworkPolicy',
      { selecter: 'all()' },
      {},
      'field.unknown',
      'spec.selecter',
      'did you mean "selector"',
    ],
    [
      'namespaceSelector on a namespaced policy',
      'NetworkPolicy',
      { namespaceSelector: 'all()' },
      {},
      'field.unknown',
      'spec.namespaceSelector',
      'namespaceSelector',
    ],
    [
      'doNotTrack on a namespaced policy',
      'NetworkPolicy',
      { doNotTrack: true },
      {},
      'field.unknown',
      'spec.doNotTrack',
      'doNotTrack',
    ],
    [
      'stagedAction on an enforced policy',
      'GlobalNetworkPolicy',
      { stagedAction: 'Set' },
      {},
      'field.unknown',
      'spec.stagedAction',
      'stagedAction',
    ],
    [
      'a missing spec',
      'NetworkPolicy',
      undefined,
      {},
      'field.required',
      'spec',
      'spec is required',
    ],
    [
      'a repeated type',
      'NetworkPolicy',
      { types: ['Ingress', 'Ingress'] },
      {},
      'field.duplicate',
      'spec.types[1]',
      '"Ingress"',
    ],
    [
      'an unknown type',
      'NetworkPolicy',
      { types: ['ingress'] },
      {},
      'field.enum',
      'spec.types[0]',
      'Ingress, Egress',
    ],
    [
      'empty types (CRD minItems 1)',
      'NetworkPolicy',
      { types: [] },
      {},
      'field.tooFew',
      'spec.types',
      'at least 1',
    ],
    [
      'three types (CRD maxItems 2)',
      'NetworkPolicy',
      { types: ['Ingress', 'Egress', 'Ingress'] },
      {},
      'field.tooMany',
      'spec.types',
      'at most 2',
    ],
    [
      'a non-numeric order',
      'NetworkPolicy',
      { order: 'first' },
      {},
      'field.type',
      'spec.order',
      'number',
    ],
    [
      'an invalid tier name',
      'NetworkPolicy',
      { tier: 'Sec_urity' },
      {},
      'name.invalid',
      'spec.tier',
      '"Sec_urity"',
    ],
    [
      'global() in the policy selector',
      'GlobalNetworkPolicy',
      { selector: 'global()' },
      {},
      'selector.global',
      'spec.selector',
      'global()',
    ],
    [
      'global() in a policy namespaceSelector',
      'GlobalNetworkPolicy',
      { namespaceSelector: 'global()' },
      {},
      'selector.global',
      'spec.namespaceSelector',
      'global()',
    ],
    [
      'global() in serviceAccountSelector',
      'NetworkPolicy',
      { serviceAccountSelector: 'global()' },
      {},
      'selector.global',
      'spec.serviceAccountSelector',
      'global()',
    ],
    [
      'a selector syntax error',
      'NetworkPolicy',
      { selector: "app = 'x'" },
      {},
      'selector.syntax',
      'spec.selector',
      'invalid selector',
    ],
    [
      'a selector over 1024 characters',
      'NetworkPolicy',
      { selector: `a == '${'x'.repeat(1030)}'` },
      {},
      'field.tooLong',
      'spec.selector',
      '1024',
    ],
    [
      'an unknown performance hint',
      'NetworkPolicy',
      { performanceHints: ['Fast'] },
      {},
      'field.enum',
      'spec.performanceHints[0]',
      'AssumeNeededOnEveryNode',
    ],
    [
      'preDNAT with doNotTrack',
      'GlobalNetworkPolicy',
      { preDNAT: true, doNotTrack: true, applyOnForward: true },
      {},
      'policy.preDNAT',
      'spec.preDNAT',
      'cannot both be true',
    ],
    [
      'preDNAT with egress rules',
      'GlobalNetworkPolicy',
      { preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] },
      {},
      'policy.preDNAT',
      'spec.egress',
      'egress rules',
    ],
    [
      'preDNAT with the Egress type',
      'GlobalNetworkPolicy',
      { preDNAT: true, applyOnForward: true, types: ['Egress'] },
      {},
      'policy.preDNAT',
      'spec.types',
      "'Egress' type",
    ],
    [
      'doNotTrack without applyOnForward',
      'GlobalNetworkPolicy',
      { doNotTrack: true },
      {},
      'policy.applyOnForward',
      'spec.applyOnForward',
      'must be true',
    ],
    [
      'a staged Delete with a selector',
      'StagedNetworkPolicy',
      { stagedAction: 'Delete', selector: 'all()' },
      {},
      'staged.delete',
      'spec.selector',
      'only tier may be',
    ],
    [
      'a staged Delete with empty rules',
      'StagedGlobalNetworkPolicy',
      { stagedAction: 'Delete', ingress: [] },
      {},
      'staged.delete',
      'spec.ingress',
      'stagedAction is Delete',
    ],
    [
      'an unknown staged action',
      'StagedNetworkPolicy',
      { stagedAction: 'Remove' },
      {},
      'field.enum',
      'spec.stagedAction',
      'Set, Delete, Learn, Ignore',
    ],
  ])('%s', (_name, kind, spec, meta, code, path, text) => {
    const r = load(kind, spec, meta);
    expect(r.ok).toBe(false);
    expect(r.set.policies).toEqual([]);
    const hit = errors(r).find((i) => i.code === code && i.path === path);
    expect(hit, JSON.stringify(errors(r))).toBeDefined();
    expect(hit?.message).toContain(text);
    expect(hit?.file).toBe('p.yaml');
    expect(hit?.pos?.line).toBeGreaterThan(0);
  });

  it('reports every problem in a policy at once', () => {
    const r = load('NetworkPolicy', {
      types: ['Ingress', 'Ingress'],
      selector: 'app ==',
      ingress: [
        { action: 'allow' },
        { action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } },
      ],
    });
    expect(
      errors(r)
        .map((i) => `${i.code} ${i.path}`)
        .sort(),
    ).toEqual([
      'field.duplicate spec.types[1]',
      'field.enum spec.ingress[0].action',
      'rule.portsProtocol spec.ingress[1].destination.ports',
      'selector.syntax spec.selector',
    ]);
  });
});
