// The security team's zone firewall as a Calico tier (`security`, order 100, default Deny):
// GlobalNetworkPolicies for quarantine, a threat feed, compliance, canaries, team exceptions
// and one rulebase per zone. With gen-platform.ts, their selectors use every Calico operator.
import { ENVS, REGIONS, TEAMS, ZONES } from './cluster-model.js';
import type { Zone } from './cluster-model.js';

type Obj = Record<string, unknown>;

const ZONE = 'zonewall.io/zone';
/** Addresses the threat feed lists (documentation and benchmark ranges). */
export const BLOCKLIST = [
  ...Array.from({ length: 16 }, (_, i) => `203.0.113.${i * 16}/28`),
  '198.18.0.0/15',
  '100.64.0.0/10',
  '192.0.2.128/25',
];
const INTERNET = { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8', '192.168.0.0/16'] };

/** Which zones may open connections to a zone, and on which ports (all when omitted). */
const ZONE_RULES: Record<Zone, Array<{ from: Zone; ports?: Array<number | string> }>> = {
  dmz: [{ from: 'management', ports: [22, 9100] }],
  trusted: [{ from: 'dmz', ports: [8080, 8443, 'grpc', '9090'] }, { from: 'management' }],
  restricted: [
    { from: 'trusted', ports: [5432, 6379, '8080'] },
    { from: 'management', ports: [22, 'postgres'] },
  ],
  management: [],
};

export function gnp(tier: string, name: string, order: number, spec: Obj): Obj {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: `${tier}.${name}` },
    spec: { tier, order, ...spec },
  };
}

export const zoneIs = (z: string): string => `${ZONE} == '${z}'`;
export const dns = (protocol: string): Obj => ({
  action: 'Allow',
  protocol,
  destination: {
    selector: "k8s-app == 'kube-dns'",
    namespaceSelector: "projectcalico.org/name == 'kube-system'",
    ports: [53],
  },
});

function portsOf(ports: Array<number | string> | undefined): Obj {
  return ports ? { protocol: 'TCP', destination: { ports } } : {};
}

/** One zone's firewall rulebase: who may come in, where its pods may go. */
function zonePolicy(z: Zone, i: number): Obj {
  const allowed = ZONE_RULES[z];
  const ingress: Obj[] = [{ action: 'Pass', source: { selector: zoneIs(z) } }];
  for (const r of allowed) {
    const p = portsOf(r.ports);
    ingress.push({ action: 'Pass', ...p, source: { selector: zoneIs(r.from) } });
  }
  if (z === 'dmz')
    ingress.push({
      action: 'Pass',
      protocol: 'TCP',
      source: INTERNET,
      destination: { ports: [80, 443, '8080:8443'] },
    });
  if (z === 'management') ingress.push(dns('UDP'), dns('TCP'));
  const others = ZONES.filter((o) => o !== z && !allowed.some((r) => r.from === o));
  if (others.length > 0)
    ingress.push({ action: 'Log', source: { selector: `${ZONE} in {'${others.join("', '")}'}` } });
  ingress.push({ action: 'Deny', source: { selector: `${ZONE} not in {'${z}'}` } });
  const egress: Obj[] = [
    dns('UDP'),
    dns('TCP'),
    { action: 'Pass', destination: { selector: zoneIs(z) } },
  ];
  for (const to of ZONES) {
    const r = ZONE_RULES[to].find((x) => x.from === z);
    if (!r || to === z) continue;
    const p = portsOf(r.ports);
    egress.push({
      action: 'Pass',
      ...p,
      destination: { ...((p.destination as Obj | undefined) ?? {}), selector: zoneIs(to) },
    });
  }
  if (z === 'dmz' || z === 'management')
    egress.push({ action: 'Pass', protocol: 'TCP', destination: { ...INTERNET, ports: [443] } });
  egress.push({ action: 'Deny' });
  return gnp('security', `zone-${z}`, 200 + i, {
    selector: zoneIs(z),
    types: ['Ingress', 'Egress'],
    ingress,
    egress,
  });
}

/** The security tier: quarantine, threat feed, compliance, canaries, team exceptions, zones. */
export function securityTier(): Obj[] {
  const out: Obj[] = [
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'Tier',
      metadata: { name: 'security' },
      spec: { order: 100, defaultAction: 'Deny' },
    },
    gnp('security', 'quarantine', 10, {
      selector: 'has(quarantine)',
      ingress: [{ action: 'Log' }, { action: 'Deny' }],
      egress: [{ action: 'Log' }, { action: 'Deny' }],
    }),
    gnp('security', 'threat-intel', 20, {
      selector: 'all()',
      types: ['Ingress', 'Egress'],
      ingress: [
        { action: 'Log', source: { nets: BLOCKLIST } },
        { action: 'Deny', source: { nets: BLOCKLIST } },
      ],
      egress: [
        { action: 'Deny', destination: { nets: BLOCKLIST } },
        {
          action: 'Deny',
          protocol: 'UDP',
          destination: { notNets: ['10.0.0.0/8'], ports: ['1:52', '54:65535'] },
        },
      ],
    }),
    gnp('security', 'pci', 30, {
      selector: "data-class == 'pci' || (has(pci) && env == 'prod')",
      ingress: [
        { action: 'Deny', source: { selector: "env != 'prod'" } },
        { action: 'Log', source: { selector: "data-class not in {'pci', 'pii'}" } },
      ],
    }),
    gnp('security', 'legacy', 50, {
      selector: 'has(legacy) && !has(quarantine)',
      ingress: [
        {
          action: 'Deny',
          protocol: 'TCP',
          source: { notNets: ['10.0.0.0/8'] },
          destination: { ports: ['1:1023'] },
        },
      ],
    }),
  ];
  ENVS.forEach((e, i) => {
    out.push(
      gnp('security', `canary-${e}`, 40 + i, {
        selector: `track == 'canary' && env == '${e}'`,
        ingress: [{ action: 'Log', source: { selector: "version starts with 'v0.'" } }],
        egress: [
          { action: 'Log', destination: { selector: "app contains 'pay' || app ends with '-db'" } },
        ],
      }),
    );
    out.push(
      gnp('security', `env-isolation-${e}`, 80 + i, {
        selector: e === 'prod' ? "env == 'prod'" : `env == '${e}' && !has(legacy)`,
        ingress: [
          {
            action: 'Deny',
            source: {
              selector:
                e === 'prod'
                  ? "(env == 'dev' || env == 'qa') && !has(legacy)"
                  : `env != '${e}' && env in {'dev', 'qa'}`,
            },
          },
        ],
      }),
    );
  });
  REGIONS.forEach((r, i) => {
    out.push(
      gnp('security', `region-${r}`, 60 + i, {
        selector: `region == '${r}'`,
        egress: [
          { action: 'Log', destination: { selector: `region != '${r}' && region ends with '-1'` } },
        ],
      }),
    );
  });
  TEAMS.forEach((t) => {
    out.push(
      gnp('security', `team-${t}`, 150, {
        selector: `team == '${t}' && !(${ZONE} == 'management')`,
        ingress: [
          {
            action: 'Pass',
            protocol: 'TCP',
            source: {
              selector: `team == '${t}' && env == 'prod'`,
              namespaceSelector: `team == '${t}'`,
            },
            destination: { ports: ['8080', 9090] },
          },
        ],
        egress: [
          {
            action: 'Pass',
            protocol: 'TCP',
            destination: { selector: `team == '${t}'`, ports: ['8080', 9090] },
          },
        ],
      }),
    );
  });
  ZONES.forEach((z, i) => out.push(zonePolicy(z, i)));
  return out;
}
