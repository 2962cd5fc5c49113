// Cluster-wide policies of policy.networking.k8s.io/v1alpha2: ClusterNetworkPolicies in the
// Admin tier (above developers: monitoring, DNS, prod isolation per team, SSH, node ports) and
// the Baseline tier (below them: what applies where no NetworkPolicy does).
import { ENVS, REGIONS, TEAMS, ZONES } from './cluster-model.js';
import { BLOCKLIST } from './gen-tiers.js';

type Obj = Record<string, unknown>;

const NAME = 'kubernetes.io/metadata.name';
const ZONE = 'zonewall.io/zone';

function cnp(tier: 'Admin' | 'Baseline', name: string, priority: number, spec: Obj): Obj {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier, priority, ...spec },
  };
}

const exprs = (...e: Array<[string, string, string[]?]>): Obj => ({
  matchExpressions: e.map(([key, operator, values]) => ({
    key,
    operator,
    ...(values ? { values } : {}),
  })),
});
const tcp = (number: number): Obj => ({ tcp: { destinationPort: { number } } });
const tcpRange = (start: number, end: number): Obj => ({
  tcp: { destinationPort: { range: { start, end } } },
});
const pods = (ns: Obj, pod: Obj): Obj => ({ pods: { namespaceSelector: ns, podSelector: pod } });

/** Admin-tier ClusterNetworkPolicies (evaluated before any NetworkPolicy). */
function adminTier(): Obj[] {
  const out: Obj[] = [
    cnp('Admin', 'allow-monitoring', 5, {
      subject: { namespaces: {} },
      ingress: [
        {
          name: 'prometheus',
          action: 'Accept',
          from: [
            pods({ matchLabels: { [NAME]: 'monitoring' } }, { matchLabels: { app: 'prometheus' } }),
          ],
          protocols: [{ destinationNamedPort: 'metrics' }, tcpRange(9100, 9199)],
        },
      ],
    }),
    cnp('Admin', 'allow-dns', 6, {
      subject: { namespaces: {} },
      egress: [
        {
          name: 'dns',
          action: 'Accept',
          to: [
            pods(
              { matchLabels: { [NAME]: 'kube-system' } },
              { matchLabels: { 'k8s-app': 'kube-dns' } },
            ),
          ],
          protocols: [{ udp: { destinationPort: { number: 53 } } }, tcp(53)],
        },
      ],
    }),
    cnp('Admin', 'pci-egress', 7, {
      subject: { pods: { podSelector: { matchLabels: { 'data-class': 'pci' } } } },
      egress: [
        { name: 'no-blocklist', action: 'Deny', to: [{ networks: BLOCKLIST.slice(0, 8) }] },
        {
          name: 'no-domains',
          action: 'Deny',
          to: [{ domainNames: ['*.paste.example', 'files.example.net'] }],
        },
      ],
    }),
  ];
  TEAMS.forEach((t, i) => {
    out.push(
      cnp('Admin', `prod-isolation-${t}`, 10 + i, {
        subject: { namespaces: { matchLabels: { team: t, env: 'prod' } } },
        ingress: [
          {
            name: 'deny-nonprod',
            action: 'Deny',
            from: [{ namespaces: exprs(['env', 'In', ['dev', 'qa']]) }],
          },
          {
            name: 'pass-team',
            action: 'Pass',
            from: [{ namespaces: { matchLabels: { team: t } } }],
          },
        ],
      }),
    );
  });
  ZONES.forEach((z, i) => {
    out.push(
      cnp('Admin', `egress-${z}`, 50 + i, {
        subject: {
          pods: {
            namespaceSelector: { matchLabels: { [ZONE]: z } },
            podSelector: exprs(['tier', 'NotIn', ['web']]),
          },
        },
        egress: [
          { name: 'deny-blocklist', action: 'Deny', to: [{ networks: BLOCKLIST.slice(8) }] },
          {
            name: 'pass-internal',
            action: 'Pass',
            to: [{ networks: ['10.0.0.0/8'] }],
            protocols: [
              tcpRange(1024, 65535),
              { udp: { destinationPort: { range: { start: 1024, end: 65535 } } } },
            ],
          },
        ],
      }),
    );
    out.push(
      cnp('Admin', `pass-zone-${z}`, 60 + i, {
        subject: { namespaces: { matchLabels: { [ZONE]: z } } },
        ingress: [
          {
            name: 'same-zone',
            action: 'Pass',
            from: [{ namespaces: { matchLabels: { [ZONE]: z } } }],
          },
        ],
      }),
    );
  });
  REGIONS.forEach((r, i) => {
    out.push(
      cnp('Admin', `ssh-${r}`, 70 + i, {
        subject: { namespaces: { matchLabels: { region: r } } },
        ingress: [
          {
            name: 'deny-ssh',
            action: 'Deny',
            from: [{ namespaces: exprs([ZONE, 'NotIn', ['management']]) }],
            protocols: [tcp(22), tcpRange(2222, 2229)],
          },
        ],
      }),
    );
  });
  ENVS.forEach((e, i) => {
    out.push(
      cnp('Admin', `nodeports-${e}`, 80 + i, {
        subject: {
          pods: {
            namespaceSelector: { matchLabels: { env: e } },
            podSelector: exprs(['tier', 'Exists']),
          },
        },
        ingress: [
          {
            name: 'legacy-dev',
            action: 'Deny',
            from: [pods(exprs(['env', 'In', ['dev']]), exprs(['legacy', 'Exists']))],
            protocols: [
              tcpRange(30000, 32767),
              { sctp: { destinationPort: { number: 3868 } } },
              { udp: { destinationPort: { number: 161 } } },
            ],
          },
        ],
      }),
    );
  });
  out.push(
    cnp('Admin', 'deny-canary-to-pci', 90, {
      subject: { pods: { podSelector: { matchLabels: { 'data-class': 'pci' } } } },
      ingress: [
        {
          name: 'canaries',
          action: 'Deny',
          from: [pods({}, { matchLabels: { track: 'canary' } })],
        },
      ],
    }),
  );
  return out;
}

/** Baseline-tier ClusterNetworkPolicies (after the default tier, before the profiles). */
function baselineTier(): Obj[] {
  const out: Obj[] = [];
  ZONES.forEach((z, i) => {
    out.push(
      cnp('Baseline', `baseline-zone-${z}`, 10 + i, {
        subject: { namespaces: { matchLabels: { [ZONE]: z } } },
        ingress: [
          {
            name: 'same-zone',
            action: 'Accept',
            from: [{ namespaces: { matchLabels: { [ZONE]: z } } }],
          },
          {
            name: 'other-zones',
            action: 'Deny',
            from: [{ namespaces: exprs([ZONE, 'NotIn', [z]]) }],
          },
        ],
      }),
    );
  });
  ENVS.forEach((e, i) => {
    out.push(
      cnp('Baseline', `baseline-env-${e}`, 20 + i, {
        subject: { namespaces: { matchLabels: { env: e } } },
        ingress: [
          {
            name: 'db-from-dev',
            action: 'Deny',
            from: [{ namespaces: { matchLabels: { env: 'dev' } } }],
            protocols: [tcp(5432), { destinationNamedPort: 'postgres' }],
          },
        ],
      }),
    );
  });
  out.push(
    cnp('Baseline', 'baseline-pci', 30, {
      subject: { pods: { podSelector: { matchLabels: { 'data-class': 'pci' } } } },
      ingress: [{ name: 'deny-all', action: 'Deny', from: [{ namespaces: {} }] }],
    }),
  );
  out.push(
    cnp('Baseline', 'baseline-dev-egress', 31, {
      subject: { namespaces: { matchLabels: { env: 'dev' } } },
      egress: [
        {
          name: 'no-internet',
          action: 'Deny',
          to: [{ networks: ['0.0.0.0/1', '128.0.0.0/1'] }],
          protocols: [tcp(443), tcp(80)],
        },
      ],
    }),
  );
  return out;
}

/** Admin and Baseline ClusterNetworkPolicies. */
export function clusterNetworkPolicies(): Obj[] {
  return [...adminTier(), ...baselineTier()];
}
