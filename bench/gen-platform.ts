// The platform team's guard rails as a Calico tier (`platform`, order 500, default Pass):
// DNS, monitoring, SSH audit, cloud metadata, node ports, team and region rules, app allowances.
import { APPS, ENVS, REGIONS, TEAMS, ZONES } from './cluster-model.js';
import { dns, gnp, zoneIs } from './gen-tiers.js';

type Obj = Record<string, unknown>;

/** The platform tier: DNS, monitoring, SSH audit, team and region rules, app allowances. */
export function platformTier(): Obj[] {
  const out: Obj[] = [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'platform' },
      spec: { order: 500, defaultAction: 'Pass' },
    },
    gnp('platform', 'allow-dns', 10, {
      selector: 'all()',
      types: ['Egress'],
      egress: [dns('UDP'), dns('TCP')],
    }),
    gnp('platform', 'monitoring', 20, {
      selector: 'has(app.kubernetes.io/name)',
      ingress: [
        {
          action: 'Allow',
          protocol: 'TCP',
          source: {
            namespaceSelector: "projectcalico.org/name == 'monitoring'",
            selector: "app == 'prometheus'",
          },
          destination: { ports: ['metrics', '9100:9199'] },
        },
      ],
    }),
    gnp('platform', 'ssh', 30, {
      selector: 'all()',
      ingress: [
        { action: 'Log', protocol: 'TCP', destination: { ports: [22] } },
        {
          action: 'Deny',
          protocol: 'TCP',
          source: { notSelector: zoneIs('management') },
          destination: { ports: [22] },
        },
      ],
    }),
    gnp('platform', 'cloud-metadata', 40, {
      selector: '!has(k8s-app)',
      egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
    }),
    gnp('platform', 'nodeports', 50, {
      selector: "tier in {'web', 'api'}",
      ingress: [
        {
          action: 'Deny',
          protocol: 'TCP',
          source: { notNets: ['10.0.0.0/8'] },
          destination: { ports: ['30000:32767'] },
        },
        { action: 'Deny', protocol: 'SCTP' },
      ],
    }),
  ];
  TEAMS.forEach((t) => {
    out.push(
      gnp('platform', `team-${t}`, 100, {
        selector: `team == '${t}' && env == 'prod'`,
        ingress: [
          { action: 'Deny', source: { selector: "env in {'dev', 'qa'}" } },
          { action: 'Pass', source: { selector: `team == '${t}'` } },
        ],
      }),
    );
  });
  for (const r of REGIONS) {
    for (const e of ENVS) {
      out.push(
        gnp('platform', `${r}-${e}`, 200, {
          selector: `region == '${r}' && env == '${e}'`,
          egress: [
            { action: 'Log', destination: { selector: `region != '${r}'` } },
            { action: 'Pass', destination: { selector: "region starts with 'eu-'" } },
          ],
        }),
      );
    }
  }
  APPS.forEach((a) => {
    out.push(
      gnp('platform', `app-${a}`, 300, {
        selector: `app.kubernetes.io/part-of == '${a}' || app starts with '${a}-'`,
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            source: { selector: `app.kubernetes.io/part-of == '${a}' && env == 'prod'` },
            destination: { selector: "env == 'prod'", ports: ['http', 'grpc'] },
          },
        ],
      }),
    );
  });
  ZONES.forEach((z, i) => {
    out.push(
      gnp('platform', `zone-${z}`, 400 + i, {
        selector: `${zoneIs(z)} && (tier == 'db' || tier == 'cache')`,
        types: ['Ingress'],
        ingress: [
          { action: 'Log', notProtocol: 'TCP' },
          { action: 'Deny', protocol: 'ICMP' },
        ],
      }),
    );
  });
  return out;
}
