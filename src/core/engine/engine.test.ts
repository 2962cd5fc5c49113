// The evaluation semantics of DESIGN.md, case by case: each row is manifests, a connection,
// the expected verdict and the step that decided it.
import { describe, expect, it } from 'vitest';
import { BASE, ask, decided, engineFrom } from '../../../test/support/engine.js';

const np = (name: string, ns: string, spec: string): string => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

const gnp = (name: string, spec: string): string => `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec:
${spec}
`;

const tier = (name: string, order: number, defaultAction = 'Deny'): string => `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: ${name}}
spec: {order: ${order}, defaultAction: ${defaultAction}}
`;

interface Row {
  name: string;
  policies: string;
  from: string;
  to: string;
  port: string;
  verdict: 'allow' | 'deny';
  decidedBy: string;
}

const rows: Row[] = [
  {
    name: 'no policy at all: both namespace profiles allow',
    policies: '',
    from: 'a/a1',
    to: 'b/b1',
    port: '8080',
    verdict: 'allow',
    decidedBy: 'egress Profile kns.a default allow',
  },
  {
    name: 'Kubernetes default-deny ingress isolates the pod',
    policies: np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]'),
    from: 'a/a1',
    to: 'b/b1',
    port: '8080',
    verdict: 'deny',
    decidedBy: 'ingress NetworkPolicy b/deny default deny',
  },
  {
    name: 'Kubernetes allow by namespaceSelector and named port',
    policies:
      np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]') +
      np(
        'allow-a',
        'b',
        '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: alpha}}}]\n    ports: [{port: http}]',
      ),
    from: 'a/a1',
    to: 'b/b1',
    port: '8080',
    verdict: 'allow',
    decidedBy: 'ingress NetworkPolicy b/allow-a rule 0 allow',
  },
  {
    name: 'a named port resolves per protocol: http is TCP, so UDP/8080 does not match',
    policies:
      np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]') +
      np('allow-a', 'b', '  podSelector: {}\n  ingress:\n  - ports: [{port: http}]'),
    from: 'a/a1',
    to: 'b/b1',
    port: '8080/UDP',
    verdict: 'deny',
    decidedBy: 'ingress NetworkPolicy b/deny default deny',
  },
  {
    name: 'egress isolation with only egress rules (policyTypes defaulted to Ingress+Egress)',
    policies: np(
      'eg',
      'a',
      '  podSelector: {matchLabels: {app: web}}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]',
    ),
    from: 'a/a1',
    to: 'b/b1',
    port: '8080',
    verdict: 'deny',
    decidedBy: 'egress NetworkPolicy a/eg default deny',
  },
  {
    name: 'security tier Pass hands the decision to the default tier',
    policies:
      tier('security', 100) +
      gnp(
        'sec',
        '  tier: security\n  order: 10\n  selector: all()\n  ingress: [{action: Pass}]\n  egress: [{action: Pass}]',
      ) +
      np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]'),
    from: 'a/a1',
    to: 'b/b1',
    port: '8080',
    verdict: 'deny',
    decidedBy: 'ingress NetworkPolicy b/deny default deny',
  },
  {
    name: 'security tier Deny cannot be overridden by a developer allow',
    policies:
      tier('security', 100) +
      gnp(
        'sec',
        "  tier: security\n  selector: all()\n  ingress: [{action: Deny, source: {selector: app == 'web'}}, {action: Pass}]\n  egress: [{action: Pass}]",
      ) +
      np('allow-all', 'a', '  podSelector: {}\n  ingress: [{}]'),
    from: 'b/b1',
    to: 'a/a2',
    port: '5432',
    verdict: 'deny',
    decidedBy: 'ingress GlobalNetworkPolicy sec rule 0 deny',
  },
  {
    name: 'end of tier: a selecting tier with no matching rule denies',
    policies:
      tier('security', 100) +
      gnp(
        'sec',
        "  tier: security\n  selector: app == 'db'\n  ingress: [{action: Allow, protocol: TCP, destination: {ports: [1]}}]",
      ),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'deny',
    decidedBy: 'ingress GlobalNetworkPolicy sec default deny',
  },
  {
    name: 'a tier with defaultAction Pass passes at its end',
    policies:
      tier('security', 100, 'Pass') +
      gnp(
        'sec',
        "  tier: security\n  selector: app == 'db'\n  ingress: [{action: Allow, protocol: TCP, destination: {ports: [1]}}]",
      ),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'egress Profile kns.a default allow',
  },
  {
    name: 'a tier that selects nothing for the endpoint is skipped',
    policies:
      tier('security', 100) +
      gnp('sec', "  tier: security\n  selector: app == 'nothing'\n  ingress: [{action: Deny}]"),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'egress Profile kns.a default allow',
  },
  {
    name: 'Log records and continues',
    policies: gnp('g', '  selector: all()\n  ingress: [{action: Log}, {action: Allow}]'),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'ingress GlobalNetworkPolicy g rule 1 allow',
  },
  {
    name: 'policy order: lower order first',
    policies:
      gnp('z-first', '  order: 1\n  selector: all()\n  ingress: [{action: Deny}]') +
      gnp('a-second', '  order: 2\n  selector: all()\n  ingress: [{action: Allow}]'),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'deny',
    decidedBy: 'ingress GlobalNetworkPolicy z-first rule 0 deny',
  },
  {
    name: 'missing order sorts last; equal order ties by name',
    policies:
      gnp('no-order', '  selector: all()\n  ingress: [{action: Deny}]') +
      gnp('b', '  order: 5\n  selector: all()\n  ingress: [{action: Deny}]') +
      gnp('a', '  order: 5\n  selector: all()\n  ingress: [{action: Allow}]'),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'ingress GlobalNetworkPolicy a rule 0 allow',
  },
  {
    name: 'rule with notPorts and notNets',
    policies: gnp(
      'g',
      "  selector: app == 'db'\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {notNets: [10.0.2.0/24]}\n    destination: {notPorts: [9000]}",
    ),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'ingress GlobalNetworkPolicy g rule 0 allow',
  },
  {
    name: 'notNets excludes the source',
    policies: gnp(
      'g',
      "  selector: app == 'db'\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source: {notNets: [10.0.2.0/24]}",
    ),
    from: 'b/b1',
    to: 'a/a2',
    port: '5432',
    verdict: 'deny',
    decidedBy: 'ingress GlobalNetworkPolicy g default deny',
  },
  {
    name: 'ICMP with type matches only that type; unknown type does not match',
    policies: gnp('g', "  selector: app == 'db'\n  ingress: [{action: Allow, protocol: ICMP}]"),
    from: 'a/a1',
    to: 'a/a2',
    port: 'ICMP',
    verdict: 'allow',
    decidedBy: 'ingress GlobalNetworkPolicy g rule 0 allow',
  },
  {
    name: 'traffic from outside: only the destination ingress is evaluated',
    policies: np(
      'web',
      'a',
      '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}]}]',
    ),
    from: '203.0.113.7',
    to: 'a/a1',
    port: '8080',
    verdict: 'allow',
    decidedBy: 'ingress NetworkPolicy a/web rule 0 allow',
  },
  {
    name: 'ipBlock except removes part of the block',
    policies: np(
      'web',
      'a',
      '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}]}]',
    ),
    from: '203.0.113.200',
    to: 'a/a1',
    port: '8080',
    verdict: 'deny',
    decidedBy: 'ingress NetworkPolicy a/web default deny',
  },
  {
    name: 'serviceAccounts selects the source by its service account',
    policies: gnp(
      'g',
      "  selector: app == 'db'\n  ingress: [{action: Allow, source: {serviceAccounts: {names: [web-sa]}}}]",
    ),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'ingress GlobalNetworkPolicy g rule 0 allow',
  },
  {
    name: 'a GlobalNetworkPolicy namespaceSelector limits which pods it applies to',
    policies: gnp('g', "  namespaceSelector: team == 'beta'\n  ingress: [{action: Deny}]"),
    from: 'a/a1',
    to: 'a/a2',
    port: '5432',
    verdict: 'allow',
    decidedBy: 'egress Profile kns.a default allow',
  },
];

describe('evaluation semantics', () => {
  it.each(rows)('$name', (r) => {
    const v = ask(engineFrom(BASE + r.policies), r.from, r.to, r.port);
    expect({ verdict: v.verdict, decidedBy: decided(v) }).toEqual({
      verdict: r.verdict,
      decidedBy: r.decidedBy,
    });
  });
});

const ANP = (name: string, priority: number, spec: string): string => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
${spec}
`;

const BANP = (spec: string): string => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
${spec}
`;

describe('admin and baseline policies around Kubernetes NetworkPolicy', () => {
  const subjectB = '  subject: {namespaces: {matchLabels: {team: beta}}}';
  const fromA = '    from: [{namespaces: {matchLabels: {team: alpha}}}]';
  it('ANP Deny beats a NetworkPolicy allow', () => {
    const e = engineFrom(
      BASE +
        ANP('x', 10, `${subjectB}\n  ingress:\n  - action: Deny\n${fromA}`) +
        np('all', 'b', '  podSelector: {}\n  ingress: [{}]'),
    );
    const v = ask(e, 'a/a1', 'b/b1', '8080');
    expect(decided(v)).toBe('ingress AdminNetworkPolicy x rule 0 deny');
  });
  it('ANP Pass lets the NetworkPolicy decide', () => {
    const e = engineFrom(
      BASE +
        ANP('x', 10, `${subjectB}\n  ingress:\n  - action: Pass\n${fromA}`) +
        np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]'),
    );
    const v = ask(e, 'a/a1', 'b/b1', '8080');
    expect(decided(v)).toBe('ingress NetworkPolicy b/deny default deny');
    expect(v.ingress.steps.map((s) => s.action)).toEqual(['pass', 'deny']);
  });
  it('BANP decides only when no NetworkPolicy selects the pod', () => {
    const banp = BANP(`${subjectB}\n  ingress:\n  - action: Deny\n${fromA}`);
    expect(decided(ask(engineFrom(BASE + banp), 'a/a1', 'b/b1', '8080'))).toBe(
      'ingress BaselineAdminNetworkPolicy default rule 0 deny',
    );
    const withNp = engineFrom(BASE + banp + np('all', 'b', '  podSelector: {}\n  ingress: [{}]'));
    expect(decided(ask(withNp, 'a/a1', 'b/b1', '8080'))).toBe(
      'ingress NetworkPolicy b/all rule 0 allow',
    );
  });
  it('an ANP without egress rules does not apply to egress', () => {
    const e = engineFrom(
      BASE + ANP('x', 10, `${subjectB}\n  ingress:\n  - action: Allow\n${fromA}`),
    );
    const v = ask(e, 'b/b1', 'a/a1', '8080');
    expect(v.egress.steps.map((s) => s.policy.kind)).toEqual(['Profile']);
  });
});

describe('staged policies', () => {
  it('are evaluated into the pending verdict only', () => {
    const staged = `---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: {name: lockdown}
spec:
  selector: app == 'db'
  ingress: [{action: Deny}]`;
    const v = ask(engineFrom(BASE + staged), 'a/a1', 'a/a2', '5432');
    expect(v.verdict).toBe('allow');
    expect(v.pending?.verdict).toBe('deny');
    expect(v.pending?.decidedBy?.policy).toEqual({
      kind: 'StagedGlobalNetworkPolicy',
      name: 'lockdown',
    });
  });
  it('a staged Delete removes its target in the pending verdict', () => {
    const yaml =
      np('deny', 'a', '  podSelector: {}\n  policyTypes: [Ingress]') +
      `---
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: {name: deny, namespace: a}
spec: {stagedAction: Delete}`;
    const v = ask(engineFrom(BASE + yaml), 'b/b1', 'a/a2', '5432');
    expect([v.verdict, v.pending?.verdict]).toEqual(['deny', 'allow']);
  });
});

describe('changes', () => {
  it('relabelling a pod re-places policies and invalidates cached verdicts', () => {
    const e = engineFrom(
      BASE + np('db', 'a', '  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]'),
    );
    expect(ask(e, 'a/a1', 'a/a2', '5432').verdict).toBe('deny');
    const before = e.version;
    e.relabelPod('a', 'a2', new Map([['app', 'cache']]));
    expect(e.version).toBeGreaterThan(before);
    expect(ask(e, 'a/a1', 'a/a2', '5432').verdict).toBe('allow');
  });
  it('relabelling a namespace changes namespaceSelector results', () => {
    const e = engineFrom(
      BASE +
        np('deny', 'b', '  podSelector: {}\n  policyTypes: [Ingress]') +
        np(
          'allow-alpha',
          'b',
          '  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: alpha}}}]}]',
        ),
    );
    expect(ask(e, 'a/a1', 'b/b1', '8080').verdict).toBe('allow');
    e.relabelNamespace('a', new Map([['team', 'gamma']]));
    expect(ask(e, 'a/a1', 'b/b1', '8080').verdict).toBe('deny');
  });
});
