import { errors } from '../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import type { InputFile } from './documents.js';
import { loadPolicySet } from './load.js';
import type { KindReader, LoadResult } from './load.js';
import { BUILTIN_TIERS } from './types.js';

const one = (text: string, path = 'in.yaml'): LoadResult => loadPolicySet([{ path, text }]);
const codes = (r: LoadResult): string[] => r.issues.map((i) => `${i.code} ${i.path ?? ''}`);

const NS = (name: string, labels = '{}'): string =>
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: ${labels}}\n`;
const POD = (ns: string, name: string, labels = '{}'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}\n`;

describe('documents', () => {
  it('reads every document of a multi-document file, keeping each one index', () => {
    const r = one(`${NS('a')}---\n${NS('b')}---\n${POD('a', 'p1')}`);
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([]);
    expect(r.objects).toBe(3);
    expect(r.skipped).toBe(0);
    expect(r.set.namespaces.map((n) => [n.name, n.source])).toEqual([
      ['a', { file: 'in.yaml', doc: 0 }],
      ['b', { file: 'in.yaml', doc: 1 }],
    ]);
    expect(r.set.pods[0]?.source).toEqual({ file: 'in.yaml', doc: 2 });
  });

  it.each<[string, string]>([
    ['an empty file', ''],
    ['only comments', '# nothing here\n'],
    ['only separators', '---\n---\n'],
    ['a null document', '~\n'],
  ])('skips %s without issues', (_name, text) => {
    const r = one(text);
    expect(r).toMatchObject({ ok: true, issues: [], objects: 0, skipped: 0 });
  });

  it('empty documents still count in the document index', () => {
    const r = one(`---\n# a comment\n---\n${NS('a')}---\n---\n${NS('b')}`);
    expect(r.objects).toBe(2);
    expect(r.set.namespaces.map((n) => n.source.doc)).toEqual([1, 3]);
  });

  it('reads the items of a List, PodList and NetworkPolicyList', () => {
    const text = `apiVersion: v1
kind: List
items:
- ${NS('a').replace(/\n(?=.)/g, '\n  ')}- ${POD('a', 'p1').replace(/\n(?=.)/g, '\n  ')}---
apiVersion: v1
kind: PodList
metadata: {resourceVersion: "1"}
items:
- ${POD('a', 'p2').replace(/\n(?=.)/g, '\n  ')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: np, namespace: a}
  spec: {}
`;
    const r = one(text);
    expect(errors(r)).toEqual([]);
    expect(r.objects).toBe(4);
    expect(r.set.namespaces.map((n) => n.name)).toEqual(['a']);
    expect(r.set.pods.map((p) => [p.name, p.source.doc])).toEqual([
      ['p1', 0],
      ['p2', 1],
    ]);
    expect(r.set.policies.map((p) => p.ref.name)).toEqual(['np']);
  });

  it('prefixes issue paths inside a List with items[N] and points at the item', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: ok}
- apiVersion: v1
  kind: Pod
  metadata:
    name: Bad_Pod
    namespace: ok
`;
    const r = one(text);
    expect(errors(r)).toEqual([
      expect.objectContaining({
        code: 'name.invalid',
        file: 'in.yaml',
        doc: 0,
        path: 'items[1].metadata.name',
        pos: { line: 10, col: 11 },
      }),
    ]);
  });

  it.each<[string, string, string, string, string]>([
    [
      'a List whose items is not a list',
      'apiVersion: v1\nkind: List\nitems: {a: 1}\n',
      'field.type',
      'items',
      'items must be a list, found a mapping',
    ],
    [
      'a List item that is not a mapping',
      'apiVersion: v1\nkind: List\nitems: [3]\n',
      'document.notObject',
      'items[0]',
      'found number 3',
    ],
    [
      'a document that is a list',
      '- a\n- b\n',
      'document.notObject',
      '',
      'a document must be a mapping with apiVersion and kind, found a list',
    ],
    [
      'a document that is a string',
      'hello\n',
      'document.notObject',
      '',
      'found the string "hello"',
    ],
    ['a document that is a number', '42\n', 'document.notObject', '', 'found number 42'],
  ])('rejects %s', (_name, text, code, path, message) => {
    const r = one(text);
    expect(r.ok).toBe(false);
    expect(errors(r)).toEqual([expect.objectContaining({ code, path, file: 'in.yaml', doc: 0 })]);
    expect(errors(r)[0]?.message).toContain(message);
    expect(errors(r)[0]?.pos?.line).toBeGreaterThan(0);
  });

  it('an empty List is no object', () => {
    const r = one('apiVersion: v1\nkind: List\nitems: []\n');
    expect(r).toMatchObject({ ok: true, objects: 0, issues: [] });
  });
});

describe('YAML', () => {
  it('reports a syntax error with its line and column and reads the other documents', () => {
    const r = one(`${NS('a')}---\nkind: [Pod\n---\n${NS('b')}`);
    expect(errors(r)).toEqual([
      expect.objectContaining({
        code: 'yaml.syntax',
        file: 'in.yaml',
        doc: 1,
        pos: { line: 6, col: 1 },
      }),
    ]);
    expect(r.set.namespaces.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('reports a bad indentation at its place', () => {
    const r = one('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n labels: {}\n');
    expect(r.ok).toBe(false);
    const e = errors(r)[0];
    expect(e?.code).toBe('yaml.syntax');
    expect(e?.pos?.line).toBe(5);
  });

  it('rejects duplicate keys (strict decoding)', () => {
    const r = one('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nkind: Pod\n');
    expect(errors(r)).toEqual([
      expect.objectContaining({ code: 'yaml.syntax', doc: 0, pos: { line: 4, col: 1 } }),
    ]);
    expect(errors(r)[0]?.message).toContain('Map keys must be unique');
    expect(r.objects).toBe(0);
  });

  // sigs.k8s.io/yaml decodes YAML 1.1: `yes`, `on`, `no`, `off` are booleans, which a
  // map[string]string (labels) cannot hold; the API server rejects the object.
  it.each(['yes', 'Yes', 'on', 'no', 'off', 'true', 'y', 'n'])(
    '%s as a label value is a boolean, not a string',
    (word) => {
      const r = one(
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    app: ${word}\n`,
      );
      expect(errors(r)).toEqual([
        expect.objectContaining({
          code: 'label.value',
          path: 'metadata.labels.app',
          pos: { line: 6, col: 10 },
        }),
      ]);
      expect(errors(r)[0]?.message).toMatch(
        /must have a string value, found (true|false) \(quote it in YAML\)/,
      );
    },
  );

  it.each(['"yes"', "'on'", 'yes-please', '"y"'])('%s is a string label value', (word) => {
    const r = one(
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    app: ${word}\n`,
    );
    expect(errors(r)).toEqual([]);
  });

  it('a number is not a label value either', () => {
    const r = one(
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {version: 1.10}}\n',
    );
    expect(errors(r)[0]?.message).toBe(
      'label "version" must have a string value, found 1.1 (quote it in YAML)',
    );
  });

  it('anchors and aliases are expanded', () => {
    const r = one(`apiVersion: v1
kind: Namespace
metadata: {name: a, labels: &l {team: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {team: x}}
`);
    expect(r.ok).toBe(true);
  });
});

describe('kinds', () => {
  it('warns about a kind that does not affect policy, skips and counts it', () => {
    const r = one(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${NS('a')}`);
    expect(r.ok).toBe(true);
    expect(r.objects).toBe(2);
    expect(r.skipped).toBe(1);
    expect(r.issues).toEqual([
      {
        code: 'kind.unknown',
        severity: 'warning',
        message: 'kind "ConfigMap" (v1) does not affect network policy; skipped',
        file: 'in.yaml',
        doc: 0,
        path: 'kind',
        pos: { line: 2, col: 7 },
      },
    ]);
  });

  it.each<[string, string, string]>([
    [
      'networking.k8s.io/v1beta1',
      'NetworkPolicy',
      'zonewall reads networking.k8s.io/v1 or projectcalico.org/v3',
    ],
    [
      'extensions/v1beta1',
      'NetworkPolicy',
      'zonewall reads networking.k8s.io/v1 or projectcalico.org/v3',
    ],
    [
      'policy.networking.k8s.io/v1alpha2',
      'AdminNetworkPolicy',
      'zonewall reads policy.networking.k8s.io/v1alpha1',
    ],
    [
      'policy.networking.k8s.io/v1alpha1',
      'ClusterNetworkPolicy',
      'zonewall reads policy.networking.k8s.io/v1alpha2',
    ],
    ['crd.projectcalico.org/v1', 'GlobalNetworkPolicy', 'zonewall reads projectcalico.org/v3'],
    ['v2', 'Pod', 'zonewall reads v1'],
  ])(
    'a known kind under a wrong apiVersion (%s %s) is an error naming the right one',
    (apiVersion, kind, text) => {
      const r = one(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n`);
      expect(r.ok).toBe(false);
      expect(r.skipped).toBe(0);
      expect(errors(r)).toEqual([
        expect.objectContaining({
          code: 'kind.apiVersion',
          path: 'apiVersion',
          pos: { line: 1, col: 13 },
        }),
      ]);
      expect(errors(r)[0]?.message).toBe(`${kind} is not served as "${apiVersion}"; ${text}`);
    },
  );

  it.each<[string, string, string[]]>([
    ['no apiVersion', 'kind: Namespace\nmetadata: {name: a}\n', ['field.required apiVersion']],
    ['no kind', 'apiVersion: v1\nmetadata: {name: a}\n', ['field.required kind']],
    ['neither', 'metadata: {name: a}\n', ['field.required apiVersion', 'field.required kind']],
    ['a numeric apiVersion', 'apiVersion: 1\nkind: Namespace\n', ['field.type apiVersion']],
    ['an empty mapping', '{}\n', ['field.required apiVersion', 'field.required kind']],
  ])('rejects a document with %s (skipped)', (_name, text, expected) => {
    const r = one(text);
    expect(r.ok).toBe(false);
    expect(errors(r).map((i) => `${i.code} ${i.path}`)).toEqual(expected);
    expect(r.skipped).toBe(1);
  });

  it('messages for missing fields are plain', () => {
    const r = one('kind: Namespace\n');
    expect(errors(r)[0]?.message).toBe('apiVersion is required');
  });

  it('extra kinds are read by the given reader, before the built-in ones', () => {
    const seen: string[] = [];
    const reader: KindReader = (root, source) => {
      seen.push(`${String(root.at('metadata').at('name').value)}@${source.doc}`);
    };
    const r = loadPolicySet(
      [
        {
          path: 'z.yaml',
          text: `apiVersion: zonewall.io/v1alpha1\nkind: ZonePolicy\nmetadata: {name: z}\n---\n${NS('a')}`,
        },
      ],
      { extraKinds: new Map([['zonewall.io/v1alpha1 ZonePolicy', reader]]) },
    );
    expect(r).toMatchObject({ ok: true, objects: 2, skipped: 0 });
    expect(seen).toEqual(['z@0']);
  });
});

describe('across objects', () => {
  it('rejects the same object defined twice across files, naming the first', () => {
    const r = loadPolicySet([
      { path: 'a.yaml', text: NS('x') },
      { path: 'b.yaml', text: `${NS('w')}---\n${NS('x', '{team: t}')}` },
    ]);
    expect(errors(r)).toEqual([
      {
        code: 'object.duplicate',
        severity: 'error',
        message: 'Namespace "x" is defined twice (first in a.yaml, document 0)',
        file: 'b.yaml',
        doc: 1,
        path: 'metadata.name',
      },
    ]);
  });

  it.each<[string, string, string]>([
    ['pods', `${POD('a', 'p')}---\n${POD('a', 'p')}`, 'Pod "a/p" is defined twice'],
    [
      'NetworkPolicies',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n',
      'NetworkPolicy "a/np" is defined twice',
    ],
    [
      'cluster-scoped policies',
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {}\n',
      'GlobalNetworkPolicy "g" is defined twice',
    ],
    [
      'nodes',
      'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n',
      'Node "n1" is defined twice',
    ],
  ])('rejects duplicate %s', (_name, text, message) => {
    const r = one(`${NS('a')}---\n${text}`);
    expect(errors(r).map((i) => i.code)).toEqual(['object.duplicate']);
    expect(errors(r)[0]?.message).toContain(message);
  });

  it.each<[string, string]>([
    [
      'pods of the same name in different namespaces',
      `${NS('b')}---\n${POD('a', 'p')}---\n${POD('b', 'p')}`,
    ],
    [
      'a Kubernetes and a Calico NetworkPolicy of the same name',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n',
    ],
    [
      'a NetworkPolicy and its StagedKubernetesNetworkPolicy',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n---\napiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {}\n',
    ],
  ])('accepts %s', (_name, text) => {
    expect(errors(one(`${NS('a')}---\n${text}`))).toEqual([]);
  });

  it('rejects a policy in a tier that does not exist', () => {
    const r = one(
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {tier: ghost}\n',
    );
    expect(errors(r)).toEqual([
      {
        code: 'tier.unknown',
        severity: 'error',
        message:
          'GlobalNetworkPolicy "g" is in tier "ghost", which does not exist (add a Tier resource)',
        file: 'in.yaml',
        doc: 0,
        path: 'spec.tier',
      },
    ]);
  });

  it('a declared tier makes it exist, in whichever file it is', () => {
    const r = loadPolicySet([
      {
        path: 'p.yaml',
        text: 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {tier: ghost}\n',
      },
      {
        path: 't.yaml',
        text: 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ghost}\nspec: {order: 5}\n',
      },
    ]);
    expect(r.ok).toBe(true);
    expect(r.set.tiers.find((t) => t.name === 'ghost')).toMatchObject({
      order: 5,
      builtIn: false,
      defaultAction: 'Deny',
    });
  });

  it('the built-in tiers are always there, in their fixed places', () => {
    const r = one('');
    expect(r.set.tiers).toEqual(BUILTIN_TIERS);
    expect(r.set.tiers.map((t) => [t.name, t.order, t.defaultAction])).toEqual([
      ['security', 100, 'Deny'],
      ['kube-admin', 1000, 'Pass'],
      ['default', 1_000_000, 'Deny'],
      ['kube-baseline', 10_000_000, 'Pass'],
    ]);
  });

  it.each<[string, number]>([
    ['default', 5],
    ['kube-admin', 999],
    ['kube-baseline', 1],
  ])('the %s tier cannot be moved', (name, order) => {
    const def = BUILTIN_TIERS.find((t) => t.name === name);
    const r = one(
      `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ${name}}\nspec: {order: ${order}, defaultAction: ${def?.defaultAction}}\n`,
    );
    expect(errors(r).map((i) => `${i.code} ${i.path}`)).toEqual(['tier.reserved spec.order']);
    expect(r.set.tiers.find((t) => t.name === name)?.order).toBe(def?.order);
  });

  it('a Tier resource for a built-in tier at its own place is accepted', () => {
    const r = one(
      'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: default}\nspec: {order: 1000000}\n',
    );
    expect(r.ok).toBe(true);
    expect(r.set.tiers.filter((t) => t.name === 'default')).toEqual([
      expect.objectContaining({ order: 1_000_000, defaultAction: 'Deny' }),
    ]);
  });

  it("zonewall's security tier may be placed by a Tier resource", () => {
    const r = one(
      'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 50}\n',
    );
    expect(r.ok).toBe(true);
    expect(r.set.tiers.find((t) => t.name === 'security')).toMatchObject({
      order: 50,
      builtIn: false,
    });
  });

  it('assumes a namespace for a pod without a Namespace object, with a warning', () => {
    const r = one(POD('ghost', 'p'));
    expect(r.ok).toBe(true);
    expect(r.set.namespaces).toEqual([
      {
        name: 'ghost',
        labels: new Map([['kubernetes.io/metadata.name', 'ghost']]),
        source: { file: 'in.yaml', doc: 0 },
      },
    ]);
    expect(r.issues).toEqual([
      {
        code: 'namespace.implicit',
        severity: 'warning',
        message:
          'namespace "ghost" has no Namespace object; assuming one with no labels but kubernetes.io/metadata.name',
        file: 'in.yaml',
        doc: 0,
        path: 'metadata.namespace',
      },
    ]);
  });

  it('warns once per missing namespace, for pods, policies and network sets', () => {
    const r = one(`${POD('ghost', 'p1')}---\n${POD('ghost', 'p2')}---
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: other}\nspec: {}\n---
apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: {name: s, namespace: third}\nspec: {nets: [10.0.0.0/8]}\n`);
    expect(r.issues.map((i) => `${i.code} ${i.doc}`)).toEqual([
      'namespace.implicit 0',
      'namespace.implicit 2',
      'namespace.implicit 3',
    ]);
    expect(r.set.namespaces.map((n) => n.name)).toEqual(['ghost', 'other', 'third']);
  });

  it('a pod without metadata.namespace is in "default"', () => {
    const r = one('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    expect(r.set.pods[0]?.namespace).toBe('default');
    expect(codes(r)).toEqual(['namespace.implicit metadata.namespace']);
  });

  it('Namespace objects always carry kubernetes.io/metadata.name (the API server sets it)', () => {
    const r = one(NS('a', '{team: x, kubernetes.io/metadata.name: wrong}'));
    expect(r.ok).toBe(true);
    expect(r.set.namespaces[0]?.labels).toEqual(
      new Map([
        ['team', 'x'],
        ['kubernetes.io/metadata.name', 'a'],
      ]),
    );
  });
});

describe('issues', () => {
  it('point at the offending value', () => {
    const r = one(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
  namespace: a
spec:
  podSelector:
    matchLabels:
      app: -web
  ingress:
  - ports:
    - port: HTTP
`);
    expect(errors(r).map((i) => [i.path, i.pos])).toEqual([
      ['spec.podSelector.matchLabels.app', { line: 9, col: 12 }],
      ['spec.ingress[0].ports[0].port', { line: 12, col: 13 }],
    ]);
  });

  it('a missing field is reported where its parent is', () => {
    const r = one(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: a\nspec: {}\n',
    );
    expect(errors(r)).toEqual([
      expect.objectContaining({
        code: 'field.required',
        path: 'metadata.name',
        pos: { line: 4, col: 3 },
      }),
    ]);
  });

  it('come back all at once from several files, sorted by file, document and line', () => {
    const files: InputFile[] = [
      {
        path: 'b.yaml',
        text: `${NS('B')}---\n${NS('ok')}---\napiVersion: v1\nkind: Pod\nmetadata: {name: P, namespace: ok}\n`,
      },
      {
        path: 'a.yaml',
        text: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {x: -1-, -y: z}\n---\n[\n`,
      },
      { path: 'c.yaml', text: 'apiVersion: v1\nkind: Thing\n' },
    ];
    const r = loadPolicySet(files);
    expect(r.ok).toBe(false);
    expect(
      r.issues.map((i) => `${i.file} ${i.doc} ${i.pos?.line} ${i.code} ${i.path ?? ''}`),
    ).toEqual([
      'a.yaml 0 5 label.value metadata.labels.x',
      'a.yaml 0 5 label.key metadata.labels["-y"]',
      'a.yaml 1 8 yaml.syntax ',
      'b.yaml 0 3 name.invalid metadata.name',
      'b.yaml 2 11 name.invalid metadata.name',
      'c.yaml 0 2 kind.unknown kind',
    ]);
  });

  it('ok is false with an error, true with warnings only', () => {
    expect(one(POD('ghost', 'p')).ok).toBe(true);
    expect(one('apiVersion: v1\nkind: Secret\n').ok).toBe(true);
    expect(one('apiVersion: v1\nkind: Namespace\n').ok).toBe(false);
  });

  it('the same text loads to the same result twice', () => {
    const text = `${NS('a', '{team: x}')}---\n${POD('a', 'p', '{app: web}')}---\napiVersion: v1\nkind: Pod\nmetadata: {name: Q}\n`;
    expect(one(text)).toEqual(one(text));
  });
});
