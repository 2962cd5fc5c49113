// Built-in knowledge of PAN-OS predefined objects: the standard ports of common App-IDs (what
// `application-default` means for them) and the two predefined services. App-ID identifies an
// application by its traffic, which zonewall cannot do: these ports are all it can enforce.
// The table is zonewall's own, kept to well-known applications and their registered ports; an
// App-ID not in it is reported, never guessed.
import type { ServicePorts } from './types.js';

type Spec = string; // "tcp/80,8080 udp/53": protocol/ports groups, space-separated

const APPS: Readonly<Record<string, Spec>> = {
  ssl: 'tcp/443',
  'web-browsing': 'tcp/80',
  ssh: 'tcp/22',
  dns: 'tcp/53 udp/53',
  'dns-base': 'tcp/53 udp/53',
  mysql: 'tcp/3306',
  postgres: 'tcp/5432',
  'mssql-db': 'tcp/1433',
  oracle: 'tcp/1521',
  mongodb: 'tcp/27017',
  redis: 'tcp/6379',
  ldap: 'tcp/389 udp/389',
  kerberos: 'tcp/88 udp/88',
  ntp: 'udp/123',
  'ntp-base': 'udp/123',
  snmp: 'udp/161,162',
  'snmp-base': 'udp/161',
  'snmp-trap': 'udp/162',
  syslog: 'udp/514 tcp/514',
  smtp: 'tcp/25,587',
  'smtp-base': 'tcp/25,587',
  imap: 'tcp/143',
  pop3: 'tcp/110',
  ftp: 'tcp/21',
  tftp: 'udp/69',
  telnet: 'tcp/23',
  'ms-rdp': 'tcp/3389 udp/3389',
  vnc: 'tcp/5900',
  radius: 'udp/1812,1813',
  'tacacs-plus': 'tcp/49',
  dhcp: 'udp/67,68',
  'netbios-ns': 'udp/137',
  'netbios-dg': 'udp/138',
  'netbios-ss': 'tcp/139',
  'ms-ds-smb': 'tcp/445',
  'ms-ds-smbv3': 'tcp/445',
  nfs: 'tcp/2049 udp/2049',
  git: 'tcp/9418',
  sip: 'tcp/5060,5061 udp/5060',
  ike: 'udp/500,4500',
  'ipsec-esp-udp': 'udp/4500',
  openvpn: 'tcp/1194 udp/1194',
  stun: 'udp/3478 tcp/3478',
  ping: 'icmp icmp6',
  icmp: 'icmp',
  'ipv6-icmp': 'icmp6',
  'ipsec-esp': 'proto/50',
  gre: 'proto/47',
  ospf: 'proto/89',
  bgp: 'tcp/179',
  daytime: 'tcp/13 udp/13',
};

const SERVICES: Readonly<Record<string, Spec>> = {
  'service-http': 'tcp/80,8080',
  'service-https': 'tcp/443',
};

/** The standard ports of a predefined App-ID, or undefined when the table does not know it. */
export function predefinedApp(name: string): ServicePorts[] | undefined {
  const spec = APPS[name];
  return spec === undefined ? undefined : parseSpec(spec);
}

/** A predefined service (`service-http`, `service-https`), or undefined. */
export function predefinedService(name: string): ServicePorts[] | undefined {
  const spec = SERVICES[name];
  return spec === undefined ? undefined : parseSpec(spec);
}

/** Names in the App-ID table, for documentation and tests. */
export function predefinedAppNames(): string[] {
  return Object.keys(APPS).sort();
}

function parseSpec(spec: Spec): ServicePorts[] {
  return spec.split(' ').map((group): ServicePorts => {
    const [proto = '', ports] = group.split('/');
    if (proto === 'proto') return { protocol: Number(ports) };
    if (proto === 'icmp' || proto === 'icmp6') return { protocol: proto };
    const ranges = (ports ?? '').split(',').map((p) => {
      const [a, b] = p.split('-');
      return { start: Number(a), end: Number(b ?? a) };
    });
    return { protocol: proto as 'tcp' | 'udp', ports: ranges };
  });
}
