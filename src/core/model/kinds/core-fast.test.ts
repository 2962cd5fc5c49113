// The fast paths must agree with the Reader path: same object for valid input, and decline
// (so the Reader path reports) for anything it would not accept silently.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plain } from '../../../../test/support/model.js';
import type { errors } from '../../../../test/support/model.js';
import { Ctx } from '../reader.js';
import { readNamespace, readPod } from './core.js';
import { fastNamespace, fastPod } from './core-fast.js';

const source = { file: 'f.yaml', doc: 0 };

function viaReader<T>(
  doc: Record<string, unknown>,
  read: (r: ReturnType<Ctx['root']>) => T | undefined,
): { value: T | undefined; issues: number } {
  const issues: Parameters<typeof errors>[0]['issues'] = [];
  const ctx = new Ctx(
    { file: 'f.yaml', doc: 0, prefix: [], value: doc, locate: () => undefined },
    issues,
  );
  const value = read(ctx.root());
  return { value, issues: issues.length };
}

const label = fc.oneof(
  fc.constantFrom(
    'app',
    'tier',
    'zonewall.io/zone',
    'app',
    'tier',
    'team',
    'bad key',
    '-x',
    'a/b/c',
  ),
  fc.stringMatching(/^[a-z]{1,5}$/),
);
const value = fc.oneof(
  fc.constantFrom('web', '', 'x'.repeat(64), 'has space', 'v1.2'),
  fc.stringMatching(/^[a-z0-9]{1,5}$/),
);
const port = fc.record(
  {
    containerPort: fc.oneof(
      fc.integer({ min: 1, max: 65535 }),
      fc.constantFrom(0, 70000, '80', 1.5),
    ),
    protocol: fc.constantFrom(
      'TCP',
      'UDP',
      'SCTP',
      undefined,
      undefined,
      undefined,
      'TCP',
      'UDP',
      'tcp',
    ),
    name: fc.constantFrom(
      'http',
      'metrics',
      undefined,
      undefined,
      'dns',
      'grpc',
      undefined,
      'HTTP',
      'a-very-long-port-name',
    ),
  },
  { requiredKeys: ['containerPort'] },
);
const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record(
    {
      name: fc.constantFrom('p', 'p-1', 'p.2', 'p', 'P', ''),
      namespace: fc.constantFrom('ns', undefined, 'ns', 'NS'),
      labels: fc.dictionary(label, value, { maxKeys: 3 }),
    },
    { requiredKeys: ['name'] },
  ),
  spec: fc.record(
    {
      serviceAccountName: fc.constantFrom('sa', '', 'sa', 7),
      nodeName: fc.constantFrom('n1', undefined),
      hostNetwork: fc.constantFrom(true, false, false, 'yes'),
      containers: fc.array(
        fc.record({ name: fc.constant('c'), ports: fc.array(port, { maxLength: 3 }) }),
        { maxLength: 2 },
      ),
      initContainers: fc.array(
        fc.record({
          name: fc.constant('i'),
          restartPolicy: fc.constantFrom('Always', undefined),
          ports: fc.array(port, { maxLength: 2 }),
        }),
        { maxLength: 1 },
      ),
    },
    { requiredKeys: [] },
  ),
  status: fc.record(
    {
      podIP: fc.constantFrom('10.0.0.1', '', 'fd00::5', '10.0.0.2', '10.0.0.1', '010.0.0.1', 'x'),
      podIPs: fc.array(
        fc.record({ ip: fc.constantFrom('10.0.0.1', 'fd00:0:0::5', '10.0.0.3', 'nope') }),
        {
          maxLength: 2,
        },
      ),
      phase: fc.constantFrom('Running', undefined),
    },
    { requiredKeys: [] },
  ),
});

describe('fast paths agree with the Reader path', () => {
  it('pods', () => {
    let taken = 0;
    fc.assert(
      fc.property(pod, (raw) => {
        const doc = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        const fast = fastPod(doc, source);
        const slow = viaReader(doc, (r) => readPod(r, source));
        if (fast === undefined) return true; // declined: the Reader path decides
        taken++;
        expect(slow.issues).toBe(0);
        expect(plain(fast)).toEqual(plain(slow.value));
        return true;
      }),
      { numRuns: 3000 },
    );
    expect(taken, 'the fast path is exercised').toBeGreaterThan(100);
  });

  it('namespaces', () => {
    const ns = fc.record({
      apiVersion: fc.constant('v1'),
      kind: fc.constant('Namespace'),
      metadata: fc.record(
        {
          name: fc.constantFrom('a', 'A', 'a.b', ''),
          namespace: fc.constantFrom(undefined, 'x'),
          labels: fc.dictionary(label, value, { maxKeys: 3 }),
        },
        { requiredKeys: ['name'] },
      ),
    });
    fc.assert(
      fc.property(ns, (raw) => {
        const doc = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        const fast = fastNamespace(doc, source);
        const slow = viaReader(doc, (r) => readNamespace(r, source));
        if (fast === undefined) return true;
        expect(slow.issues).toBe(0);
        expect(plain(fast)).toEqual(plain(slow.value));
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('a plainly valid pod takes the fast path', () => {
    const doc = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }] }] },
      status: { podIP: '10.0.0.1' },
    };
    expect(fastPod(doc, source)?.ports).toEqual([{ name: 'http', port: 80, protocol: 6 }]);
  });
});
