import { errors } from '../../../../test/support/model.js';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIP, PROTO } from '../../net/index.js';
import { loadPolicySet } from '../load.js';
import type { LoadResult } from '../load.js';

type Obj = Record<string, unknown>;
type Kind = 'Namespace' | 'Pod' | 'Node';

/** One v1 object as YAML (a Namespace `app` comes along for pods), through the real loader. */
function load(kind: Kind, body: Obj, metadata: Obj = {}): LoadResult {
  const meta = { name: 'x', ...(kind === 'Pod' ? { namespace: 'app' } : {}), ...metadata };
  const doc = stringify({ apiVersion: 'v1', kind, metadata: meta, ...body }, { version: '1.1' });
  const ns =
    kind === 'Pod'
      ? `${stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } })}---\n`
      : '';
  return loadPolicySet([{ path: 'core.yaml', text: ns + doc }]);
}

function expectError(r: LoadResult, code: string, path: string, text: string): void {
  expect(r.ok).toBe(false);
  const hit = errors(r).find((i) => i.code === code && i.path === path);
  expect(hit, JSON.stringify(errors(r), null, 1)).toBeDefined();
  expect(hit?.message).toContain(text);
  expect(hit?.pos?.line).toBeGreaterThan(0);
}

/** A pod's policy-relevant fields as plain data. */
function podOf(body: Obj, metadata: Obj = {}): Obj {
  const r = load('Pod', body, metadata);
  expect(errors(r)).toEqual([]);
  expect(r.set.pods).toHaveLength(1);
  const p = r.set.pods[0];
  return { ...p, labels: Object.fromEntries(p?.labels ?? []), ips: p?.ips.map(formatIP) };
}

const container = (ports: Obj[], extra: Obj = {}): Obj => ({
  name: 'c',
  image: 'i',
  ports,
  ...extra,
});

describe('Namespace', () => {
  it('keeps its labels and adds kubernetes.io/metadata.name', () => {
    const r = load(
      'Namespace',
      {},
      { name: 'shop', labels: { team: 'a', 'zonewall.io/zone': 'dmz' } },
    );
    expect(r.ok).toBe(true);
    expect(r.set.namespaces).toEqual([
      {
        name: 'shop',
        labels: new Map([
          ['team', 'a'],
          ['zonewall.io/zone', 'dmz'],
          ['kubernetes.io/metadata.name', 'shop'],
        ]),
        source: { file: 'core.yaml', doc: 0 },
      },
    ]);
  });

  it.each<[string, string, string]>([
    [
      'a dot (a namespace name is a DNS-1123 label)',
      'a.b',
      "must consist of lower case alphanumeric characters or '-'",
    ],
    ['upper case', 'Shop', '"Shop" is not a valid name'],
    ['64 characters', 'n'.repeat(64), 'must be no more than 63 characters (has 64)'],
    ['a trailing dash', 'shop-', 'must start and end with an alphanumeric character'],
  ])('rejects a name with %s', (_name, name, text) => {
    const r = load('Namespace', {}, { name });
    expectError(r, 'name.invalid', 'metadata.name', text);
    expect(r.set.namespaces).toEqual([]);
  });

  it('a Namespace is cluster-scoped: metadata.namespace is ignored with a warning', () => {
    const r = load('Namespace', {}, { name: 'a', namespace: 'b' });
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([
      expect.objectContaining({
        code: 'field.ignored',
        severity: 'warning',
        path: 'metadata.namespace',
      }),
    ]);
  });
});

describe('Pod', () => {
  it('has defaults: service account "default", no host network, no addresses or ports', () => {
    expect(podOf({})).toEqual({
      namespace: 'app',
      name: 'x',
      labels: {},
      serviceAccount: 'default',
      hostNetwork: false,
      ips: [],
      ports: [],
      source: { file: 'core.yaml', doc: 1 },
    });
  });

  it.each<[string, Obj, Obj]>([
    [
      'serviceAccountName',
      { spec: { serviceAccountName: 'web-sa' } },
      { serviceAccount: 'web-sa' },
    ],
    [
      'the deprecated serviceAccount',
      { spec: { serviceAccount: 'old-sa' } },
      { serviceAccount: 'old-sa' },
    ],
    [
      'serviceAccountName wins over serviceAccount',
      { spec: { serviceAccountName: 'new', serviceAccount: 'old' } },
      { serviceAccount: 'new' },
    ],
    ['nodeName', { spec: { nodeName: 'node-1' } }, { nodeName: 'node-1' }],
    ['hostNetwork', { spec: { hostNetwork: true } }, { hostNetwork: true }],
    ['hostNetwork false', { spec: { hostNetwork: false } }, { hostNetwork: false }],
    ['phase', { status: { phase: 'Succeeded' } }, { phase: 'Succeeded' }],
    ['podIP', { status: { podIP: '10.0.0.5' } }, { ips: ['10.0.0.5'] }],
    ['an empty podIP is no address', { status: { podIP: '' } }, { ips: [] }],
    [
      'podIP and podIPs deduplicated, in order',
      { status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] } },
      { ips: ['10.0.0.5', 'fd00::5'] },
    ],
    [
      'IPv6 text is compared without case',
      { status: { podIP: 'FD00::5', podIPs: [{ ip: 'fd00::5' }] } },
      { ips: ['fd00::5'] },
    ],
    [
      'podIPs alone',
      { status: { podIPs: [{ ip: 'fd00::5' }, { ip: '10.0.0.5' }] } },
      { ips: ['fd00::5', '10.0.0.5'] },
    ],
  ])('reads %s', (_name, body, expected) => {
    expect(podOf(body)).toMatchObject(expected);
  });

  it('keeps labels and defaults the namespace', () => {
    const r = loadPolicySet([
      {
        path: 'core.yaml',
        text: stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web.1', labels: { app: 'web', 'example.com/tier': 'fe' } },
        }),
      },
    ]);
    expect(errors(r)).toEqual([]);
    expect(r.set.pods[0]?.namespace).toBe('default');
    expect(r.set.pods[0]?.labels).toEqual(
      new Map([
        ['app', 'web'],
        ['example.com/tier', 'fe'],
      ]),
    );
  });

  // Bug: readPodIPs (core.ts line 116) deduplicates on the lower-cased text, so one IPv6
  // address written two ways ("fd00::5" in podIP, "fd00:0::5" in podIPs) becomes two
  // addresses of the pod; addresses are values, and the dedupe is meant for exactly this case.
  it('deduplicates one address written two ways', () => {
    expect(podOf({ status: { podIP: 'fd00::5', podIPs: [{ ip: 'fd00:0:0::5' }] } }).ips).toEqual([
      'fd00::5',
    ]);
  });

  it.each<[string, Obj, string, string, string]>([
    [
      'a bad podIP',
      { status: { podIP: '10.0.0.256' } },
      'ip.invalid',
      'status.podIP',
      '"10.0.0.256" is not a valid IP address',
    ],
    [
      'a leading zero (ambiguous octal)',
      { status: { podIP: '010.0.0.1' } },
      'ip.invalid',
      'status.podIP',
      '"010.0.0.1"',
    ],
    [
      'a bad podIPs entry',
      { status: { podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::g' }] } },
      'ip.invalid',
      'status.podIPs[1].ip',
      '"fd00::g"',
    ],
    [
      'a podIPs entry without ip',
      { status: { podIPs: [{}] } },
      'field.required',
      'status.podIPs[0].ip',
      'is required',
    ],
    [
      'a CIDR as podIP',
      { status: { podIP: '10.0.0.1/32' } },
      'ip.invalid',
      'status.podIP',
      'not a valid IP address',
    ],
    [
      'hostNetwork as a string',
      { spec: { hostNetwork: 'true' } },
      'field.type',
      'spec.hostNetwork',
      'must be true or false, found the string "true"',
    ],
    [
      'a numeric serviceAccountName',
      { spec: { serviceAccountName: 5 } },
      'field.type',
      'spec.serviceAccountName',
      'must be a string',
    ],
    [
      'a spec that is a list',
      { spec: [] },
      'field.type',
      'spec',
      'spec must be a mapping, found a list',
    ],
  ])('rejects %s', (_name, body, code, path, text) => {
    expectError(load('Pod', body), code, path, text);
  });

  it.each<[string, Obj, string, string]>([
    ['upper case in the name', { name: 'Web' }, 'metadata.name', '"Web" is not a valid name'],
    [
      'a namespace with a dot',
      { namespace: 'a.b' },
      'metadata.namespace',
      '"a.b" is not a valid name',
    ],
    [
      'a name of 254 characters',
      { name: 'a'.repeat(254) },
      'metadata.name',
      'must be no more than 253 characters (has 254)',
    ],
  ])('rejects %s and leaves the pod out', (_name, metadata, path, text) => {
    const r = load('Pod', {}, metadata);
    expectError(r, 'name.invalid', path, text);
    expect(r.set.pods).toEqual([]);
  });
});

describe('Pod ports', () => {
  it('reads named and unnamed ports of every container, protocol defaulted to TCP', () => {
    const p = podOf({
      spec: {
        containers: [
          container([{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }]),
          container([
            { containerPort: 53, name: 'dns', protocol: 'UDP' },
            { containerPort: 9003, protocol: 'SCTP' },
          ]),
        ],
      },
    });
    expect(p.ports).toEqual([
      { name: 'http', port: 8080, protocol: PROTO.TCP },
      { port: 9090, protocol: PROTO.TCP },
      { name: 'dns', port: 53, protocol: PROTO.UDP },
      { port: 9003, protocol: PROTO.SCTP },
    ]);
  });

  it('counts sidecars (init containers with restartPolicy Always), not other init containers', () => {
    const p = podOf({
      spec: {
        initContainers: [
          container([{ containerPort: 1000, name: 'init' }]),
          container([{ containerPort: 15001, name: 'proxy' }], { restartPolicy: 'Always' }),
        ],
        containers: [container([{ containerPort: 80 }])],
      },
    });
    expect(p.ports).toEqual([
      { port: 80, protocol: PROTO.TCP },
      { name: 'proxy', port: 15001, protocol: PROTO.TCP },
    ]);
  });

  it('the same port number in two containers is kept twice (the API server only warns)', () => {
    const p = podOf({
      spec: {
        containers: [container([{ containerPort: 80 }]), container([{ containerPort: 80 }])],
      },
    });
    expect(p.ports).toHaveLength(2);
  });

  it.each<[string, Obj[], string, string, string]>([
    [
      'a repeated name in one container',
      [
        container([
          { containerPort: 80, name: 'http' },
          { containerPort: 81, name: 'http' },
        ]),
      ],
      'port.duplicateName',
      'spec.containers[0].ports[1].name',
      'port name "http" is already used by spec.containers[0].ports[0]',
    ],
    [
      'an upper-case name',
      [container([{ containerPort: 80, name: 'HTTP' }])],
      'port.name',
      'spec.containers[0].ports[0].name',
      `"HTTP" is not a valid port name: at most 15 lower-case letters, digits and '-', with at least one letter`,
    ],
    [
      'a name of digits only',
      [container([{ containerPort: 80, name: '8080' }])],
      'port.name',
      'spec.containers[0].ports[0].name',
      '"8080" is not a valid port name',
    ],
    [
      'a name of 16 characters',
      [container([{ containerPort: 80, name: 'abcdefghijklmnop' }])],
      'port.name',
      'spec.containers[0].ports[0].name',
      'not a valid port name',
    ],
    [
      'a name with "--"',
      [container([{ containerPort: 80, name: 'a--b' }])],
      'port.name',
      'spec.containers[0].ports[0].name',
      'not a valid port name',
    ],
    [
      'a missing containerPort',
      [container([{ name: 'http' }])],
      'field.required',
      'spec.containers[0].ports[0].containerPort',
      'is required',
    ],
    [
      'containerPort 0',
      [container([{ containerPort: 0 }])],
      'field.range',
      'spec.containers[0].ports[0].containerPort',
      'between 1 and 65535, found 0',
    ],
    [
      'containerPort 65536',
      [container([{ containerPort: 65536 }])],
      'field.range',
      'spec.containers[0].ports[0].containerPort',
      'found 65536',
    ],
    [
      'an ICMP port',
      [container([{ containerPort: 1, protocol: 'ICMP' }])],
      'field.enum',
      'spec.containers[0].ports[0].protocol',
      'must be one of TCP, UDP, SCTP',
    ],
    [
      'a lower-case protocol',
      [container([{ containerPort: 1, protocol: 'udp' }])],
      'field.enum',
      'spec.containers[0].ports[0].protocol',
      'found "udp"',
    ],
    [
      'ports that is not a list',
      [{ name: 'c', ports: { containerPort: 80 } }],
      'field.type',
      'spec.containers[0].ports',
      'must be a list',
    ],
  ])('rejects %s', (_name, containers, code, path, text) => {
    const r = load('Pod', { spec: { containers } });
    expectError(r, code, path, text);
  });

  it('a sidecar port name repeated in the same sidecar is rejected', () => {
    const r = load('Pod', {
      spec: {
        initContainers: [
          container(
            [
              { containerPort: 1, name: 'a' },
              { containerPort: 2, name: 'a' },
            ],
            { restartPolicy: 'Always' },
          ),
        ],
      },
    });
    expectError(
      r,
      'port.duplicateName',
      'spec.initContainers[0].ports[1].name',
      'port name "a" is already used by spec.initContainers[0].ports[0]',
    );
  });

  // Bug: the API server checks port-name uniqueness per container only: validateContainerPorts
  // (kubernetes pkg/apis/core/validation/validation.go) is called once per container with its
  // own name set, and across containers only host ports are checked (and duplicate
  // port/protocol pairs only warned about, pkg/api/pod/warnings.go). core.ts
  // readContainerPorts (line 53) shares one name map across all containers and sidecars.
  it.each<[string, Obj]>([
    [
      'two containers',
      {
        containers: [
          container([{ containerPort: 80, name: 'http' }]),
          container([{ containerPort: 81, name: 'http' }]),
        ],
      },
    ],
    [
      'a container and a sidecar',
      {
        initContainers: [
          container([{ containerPort: 15001, name: 'http' }], { restartPolicy: 'Always' }),
        ],
        containers: [container([{ containerPort: 80, name: 'http' }])],
      },
    ],
  ])('accepts one port name in %s, as the API server does', (_name, spec) => {
    const r = load('Pod', { spec });
    expect(errors(r)).toEqual([]);
    expect(r.set.pods[0]?.ports.map((p) => p.name)).toEqual(['http', 'http']);
  });
});

describe('Node', () => {
  it('reads labels and its InternalIP and ExternalIP addresses', () => {
    const r = load(
      'Node',
      {
        status: {
          addresses: [
            { type: 'Hostname', address: 'node-1' },
            { type: 'InternalIP', address: '10.1.0.1' },
            { type: 'ExternalIP', address: '203.0.113.7' },
            { type: 'InternalIP', address: 'fd00::1' },
            { type: 'InternalDNS', address: 'node-1.cluster.local' },
          ],
        },
      },
      { name: 'node-1.example.com', labels: { 'kubernetes.io/os': 'linux' } },
    );
    expect(r.ok).toBe(true);
    const n = r.set.nodes[0];
    expect(n?.name).toBe('node-1.example.com');
    expect(n?.labels).toEqual(new Map([['kubernetes.io/os', 'linux']]));
    expect(n?.addresses.map(formatIP)).toEqual(['10.1.0.1', '203.0.113.7', 'fd00::1']);
  });

  it('a node without status has no addresses', () => {
    const r = load('Node', {});
    expect(r.set.nodes[0]?.addresses).toEqual([]);
  });

  it('rejects a bad InternalIP', () => {
    expectError(
      load('Node', { status: { addresses: [{ type: 'InternalIP', address: '10.1.0' }] } }),
      'ip.invalid',
      'status.addresses[0].address',
      '"10.1.0" is not a valid IP address',
    );
  });

  it('rejects an invalid node name (DNS-1123 subdomain)', () => {
    const r = load('Node', {}, { name: 'Node_1' });
    expectError(r, 'name.invalid', 'metadata.name', '"Node_1" is not a valid name');
    expect(r.set.nodes).toEqual([]);
  });
});
