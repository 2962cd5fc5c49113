// Helpers for engine tests: build an engine from YAML text and ask for verdicts.
import { loadPolicySet } from '../../src/core/model/load.js';
import { Engine } from '../../src/core/engine/engine.js';
import { connection, resolveProtocol, resolveTarget } from '../../src/core/engine/query.js';
import type { Verdict } from '../../src/core/engine/trace.js';

/** Build an engine from YAML; throws with the issues when the input has errors. */
export function engineFrom(yaml: string): Engine {
  const res = loadPolicySet([{ path: 'test.yaml', text: yaml }]);
  const errors = res.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0)
    throw new Error(errors.map((e) => `${e.path ?? ''}: ${e.message}`).join('\n'));
  return Engine.build(res.set);
}

/** The verdict for `from -> to` on protocol/port (`80`, `53/UDP`, `ICMP`). */
export function ask(engine: Engine, from: string, to: string, port: string): Verdict {
  const [a, b] = port.split('/');
  const isNum = a !== undefined && /^\d+$/.test(a);
  const proto = resolveProtocol(isNum ? (b ?? 'TCP') : a);
  const f = resolveTarget(engine, from);
  const t = resolveTarget(engine, to);
  if (!proto.ok || !f.ok || !t.ok) throw new Error(`bad query ${from} ${to} ${port}`);
  const c = connection(engine, {
    from: f.value,
    to: t.value,
    protocol: proto.value,
    ...(isNum ? { port: Number(a) } : {}),
  });
  if (!c.ok) throw new Error(c.message);
  return engine.evaluate(c.value.src, c.value.dst, c.value.pkt);
}

/** A compact text of the deciding step: `ingress NetworkPolicy ns/name rule 0 allow`. */
export function decided(v: Verdict): string {
  const s = v.decidedBy;
  if (!s) return 'none';
  const name = `${s.policy.namespace ? `${s.policy.namespace}/` : ''}${s.policy.name}`;
  return `${s.direction} ${s.policy.kind} ${name} ${s.rule === 'default' ? 'default' : `rule ${s.rule}`} ${s.action}`;
}

/** Namespaces and pods most tests use: ns a (pods a1 app=web, a2 app=db), ns b (pod b1 app=web). */
export const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: alpha}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: beta}}
---
apiVersion: v1
kind: Pod
metadata: {name: a1, namespace: a, labels: {app: web}}
spec:
  serviceAccountName: web-sa
  containers: [{name: c, ports: [{containerPort: 8080, name: http}, {containerPort: 53, name: dns, protocol: UDP}]}]
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: a2, namespace: a, labels: {app: db}}
spec:
  containers: [{name: c, ports: [{containerPort: 5432, name: pg}, {containerPort: 9000, name: http}]}]
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {name: b1, namespace: b, labels: {app: web}}
spec:
  containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]
status: {podIP: 10.0.2.1}
`;
