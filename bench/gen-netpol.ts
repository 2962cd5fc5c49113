// Developers' namespaced policies: Kubernetes NetworkPolicies (a default deny in most
// namespaces, then allows between tiers, from the ingress controller and monitoring, to DNS,
// to partner teams) and Calico NetworkPolicies in the `platform` and `default` tiers.
import type { NsModel } from './cluster-model.js';
import type { Rng } from './prng.js';

type Obj = Record<string, unknown>;

const NAME = 'kubernetes.io/metadata.name';

function np(ns: NsModel, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns.name, labels: { team: ns.team } },
    spec,
  };
}

const exprs = (...e: Array<[string, string, string[]?]>): Obj => ({
  matchExpressions: e.map(([key, operator, values]) => ({
    key,
    operator,
    ...(values ? { values } : {}),
  })),
});

const tierIs = (tier: string): Obj => ({ matchLabels: { tier } });

/** Every NetworkPolicy an application namespace might have, most important first. */
function appTemplates(rng: Rng, ns: NsModel): Obj[] {
  const deny = np(ns, 'default-deny', {
    podSelector: {},
    policyTypes: ns.denyEgress ? ['Ingress', 'Egress'] : ['Ingress'],
  });
  const dns = np(ns, 'allow-dns-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { to: [{ podSelector: {} }] },
    ],
  });
  const rest = [
    np(ns, 'allow-web-from-ingress', {
      podSelector: tierIs('web'),
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { [NAME]: 'ingress-nginx' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
            },
          ],
          ports: [{ port: 'http' }, { protocol: 'TCP', port: 8443 }],
        },
      ],
    }),
    np(ns, 'allow-api-from-web', {
      podSelector: exprs(['tier', 'In', ['api']]),
      ingress: [
        {
          from: [{ podSelector: exprs(['tier', 'In', ['web', 'worker']]) }],
          ports: [{ port: 'http' }, { port: 'grpc' }],
        },
      ],
    }),
    np(ns, 'allow-db-from-api', {
      podSelector: tierIs('db'),
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: exprs(['tier', 'In', ['api', 'worker']], ['legacy', 'DoesNotExist']) },
          ],
          ports: [{ port: 5432 }],
        },
      ],
    }),
    np(ns, 'allow-monitoring', {
      podSelector: {},
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { [NAME]: 'monitoring' } },
              podSelector: { matchLabels: { app: 'prometheus' } },
            },
          ],
          ports: [{ port: 'metrics' }, { protocol: 'TCP', port: 9100, endPort: 9199 }],
        },
      ],
    }),
    np(ns, 'allow-cache-from-app', {
      podSelector: tierIs('cache'),
      ingress: [
        {
          from: [{ podSelector: exprs(['tier', 'NotIn', ['web', 'db', 'cache']]) }],
          ports: [{ port: 'redis' }],
        },
      ],
    }),
    np(ns, 'allow-partner-teams', {
      podSelector: tierIs('api'),
      ingress: [
        {
          from: [
            {
              namespaceSelector: exprs(
                ['team', 'In', ns.partners],
                ['env', 'NotIn', ['dev', 'qa']],
              ),
              podSelector: exprs(
                ['app', 'Exists'],
                ['tier', 'NotIn', ['db', 'cache']],
                ['legacy', 'DoesNotExist'],
              ),
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }, { port: 'grpc' }],
        },
      ],
    }),
    np(ns, 'allow-same-zone-web', {
      podSelector: tierIs('web'),
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'zonewall.io/zone': ns.zone, env: ns.env } } },
          ],
          ports: [{ port: 8080 }],
        },
      ],
    }),
    np(ns, 'allow-egress-internal', {
      podSelector: exprs(['tier', 'In', ['api', 'worker']]),
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.250.0.0/16', '10.251.0.0/16'] } }],
          ports: [{ port: 443 }, { port: 8000, endPort: 8999 }],
        },
        {
          to: [
            { namespaceSelector: { matchLabels: { team: ns.team } } },
            { namespaceSelector: exprs(['team', 'In', ns.partners]) },
          ],
        },
        {
          to: [{ ipBlock: { cidr: '198.51.100.0/24' } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'SCTP', port: 3868 },
          ],
        },
      ],
    }),
  ];
  rng.shuffle(rest);
  const head = !ns.defaultDeny ? [] : ns.denyEgress ? [deny, dns] : [deny];
  return [...head, ...rest];
}

function platformTemplates(ns: NsModel): Obj[] {
  if (ns.name === 'kube-system')
    return [
      np(ns, 'allow-dns', {
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        ingress: [
          {
            from: [{ namespaceSelector: {} }],
            ports: [{ port: 'dns', protocol: 'UDP' }, { port: 'dns-tcp' }],
          },
        ],
      }),
    ];
  if (ns.name === 'monitoring')
    return [
      np(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      np(ns, 'allow-management', {
        podSelector: {},
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'zonewall.io/zone': 'management' } } }],
            ports: [{ port: 'web' }],
          },
        ],
      }),
    ];
  return [
    np(ns, 'allow-internet', {
      podSelector: {},
      ingress: [
        {
          from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
          ports: [{ port: 80 }, { port: 443 }],
        },
      ],
    }),
  ];
}

/**
 * Exactly `count` NetworkPolicies, dealt round-robin: every namespace gets its first template
 * (its default deny) before any gets a second, so the budget spreads as in a real cluster.
 */
export function kubernetesPolicies(rng: Rng, nss: readonly NsModel[], count: number): Obj[] {
  const lists = nss.map((ns) => (ns.platform ? platformTemplates(ns) : appTemplates(rng, ns)));
  const out: Obj[] = [];
  for (let round = 0; out.length < count; round++) {
    let dealt = 0;
    for (const l of lists) {
      const p = l[round];
      if (!p || out.length >= count) continue;
      out.push(p);
      dealt++;
    }
    if (dealt === 0) break;
  }
  return out;
}

function calicoNp(ns: NsModel, name: string, spec: Obj): Obj {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns.name },
    spec,
  };
}

/** A platform-tier egress guard for the API and workers of one namespace. */
export function platformEgressGuard(ns: NsModel): Obj {
  return calicoNp(ns, 'platform.egress-guard', {
    tier: 'platform',
    order: 200,
    selector: "tier in {'api', 'worker'} && !has(legacy)",
    types: ['Egress'],
    egress: [
      {
        action: 'Allow',
        protocol: 'TCP',
        destination: { nets: ['198.51.100.0/24', '192.0.2.0/24'], ports: [443, '8443'] },
      },
      { action: 'Log', protocol: 'TCP', destination: { ports: [22, '2222:2229'] } },
      {
        action: 'Deny',
        protocol: 'TCP',
        destination: { notNets: ['10.0.0.0/8', '192.168.0.0/16'] },
      },
      {
        action: 'Deny',
        protocol: 'UDP',
        destination: {
          notSelector: "k8s-app == 'kube-dns'",
          namespaceSelector: 'all()',
          ports: ['53'],
        },
      },
      { action: 'Pass' },
    ],
  });
}

/** A default-tier guard in front of the namespace's database (before its NetworkPolicies). */
export function dbGuard(ns: NsModel): Obj {
  return calicoNp(ns, 'db-guard', {
    order: 500,
    selector: "tier == 'db' && data-class in {'pci', 'pii', 'internal', 'public'}",
    types: ['Ingress'],
    ingress: [
      {
        action: 'Allow',
        protocol: 'TCP',
        source: { selector: "tier in {'api', 'worker'} && track != 'canary'" },
        destination: { ports: ['postgres', 5432] },
      },
      {
        action: 'Allow',
        protocol: 'TCP',
        source: {
          namespaceSelector: `team == '${ns.team}' && env == '${ns.env}'`,
          selector: "tier == 'worker'",
        },
        destination: { ports: ['5432'] },
      },
      { action: 'Log', source: { selector: "tier not in {'api', 'worker'}" } },
      { action: 'Deny', source: { notSelector: `app.kubernetes.io/part-of == '${ns.app}'` } },
      { action: 'Pass', protocol: 'ICMP', icmp: { type: 8 } },
    ],
  });
}
