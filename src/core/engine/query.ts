// Turning what a person or a query file names ("ns/pod", an address, "host:NAME", a protocol
// and port) into the peers and packet the evaluator takes.
import { PROTO, parseCalicoProtocol, parseIP, protocolHasPorts } from '../net/index.js';
import type { IP } from '../net/index.js';
import type { Engine } from './engine.js';
import type { Endpoint, Peer } from './endpoints.js';
import type { Packet } from './match.js';

export type Target = { endpoint: Endpoint } | { ip: IP };

export type Resolve<T> = { ok: true; value: T } | { ok: false; message: string };

/** `ns/pod`, `host:NAME` (a host endpoint) or an IP address. */
export function resolveTarget(engine: Engine, text: string): Resolve<Target> {
  const t = text.trim();
  const ip = parseIP(t);
  if (ip) return { ok: true, value: { ip } };
  if (t.startsWith('host:')) {
    const ep = engine.eps.hostEndpoint(t.slice(5));
    return ep
      ? { ok: true, value: { endpoint: ep } }
      : { ok: false, message: `no host endpoint named "${t.slice(5)}"` };
  }
  const slash = t.indexOf('/');
  if (slash <= 0 || slash === t.length - 1 || t.indexOf('/', slash + 1) >= 0) {
    return { ok: false, message: `"${t}" is neither namespace/pod, host:NAME nor an IP address` };
  }
  const ns = t.slice(0, slash);
  const name = t.slice(slash + 1);
  const ep = engine.eps.pod(ns, name);
  if (ep) return { ok: true, value: { endpoint: ep } };
  const inNs = engine.eps.podsIn(ns).map((p) => p.name);
  const hint =
    inNs.length > 0
      ? ` (pods there: ${inNs.slice(0, 5).join(', ')}${inNs.length > 5 ? ', ...' : ''})`
      : ` (no pods in namespace "${ns}")`;
  return { ok: false, message: `no pod "${name}" in namespace "${ns}"${hint}` };
}

/** Parse a protocol (any case): TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite, or a number 1-255. */
export function resolveProtocol(value: string | number | undefined): Resolve<number> {
  if (value === undefined) return { ok: true, value: PROTO.TCP };
  const name =
    typeof value === 'string'
      ? Object.keys(PROTO).find((k) => k.toLowerCase() === value.toLowerCase())
      : undefined;
  const p = parseCalicoProtocol(name ?? value);
  return p.ok ? { ok: true, value: p.proto } : { ok: false, message: p.message };
}

export interface ConnectionSpec {
  from: Target;
  to: Target;
  protocol: number;
  port?: number;
  srcPort?: number;
  icmpType?: number;
  icmpCode?: number;
}

/** Choose addresses of one family for both ends (IPv4 when both have it) and build the peers. */
export function connection(
  engine: Engine,
  spec: ConnectionSpec,
): Resolve<{ src: Peer; dst: Peer; pkt: Packet }> {
  if (
    'ip' in spec.from &&
    'ip' in spec.to &&
    !engine.eps.peerOfIP(spec.from.ip).endpoint &&
    !engine.eps.peerOfIP(spec.to.ip).endpoint
  ) {
    return {
      ok: false,
      message: 'both ends are outside the cluster: no policy of the cluster applies',
    };
  }
  if (protocolHasPorts(spec.protocol) && spec.port === undefined) {
    return { ok: false, message: 'a port is needed for this protocol' };
  }
  const version = family(engine, spec.from, spec.to);
  const src = peer(engine, spec.from, version);
  const dst = peer(engine, spec.to, version);
  const pkt: Packet = {
    protocol: spec.protocol,
    ...(spec.port !== undefined && protocolHasPorts(spec.protocol) ? { port: spec.port } : {}),
    ...(spec.srcPort !== undefined ? { srcPort: spec.srcPort } : {}),
    ...(spec.icmpType !== undefined ? { icmpType: spec.icmpType } : {}),
    ...(spec.icmpCode !== undefined ? { icmpCode: spec.icmpCode } : {}),
    ...(version !== undefined ? { ipVersion: version } : {}),
  };
  return { ok: true, value: { src, dst, pkt } };
}

function family(engine: Engine, a: Target, b: Target): 4 | 6 | undefined {
  if ('ip' in a) return a.ip.version;
  if ('ip' in b) return b.ip.version;
  const has = (t: { endpoint: Endpoint }, v: 4 | 6): boolean =>
    engine.eps.primaryIP(t.endpoint, v) !== undefined;
  if (has(a, 4) && has(b, 4)) return 4;
  if (has(a, 6) && has(b, 6)) return 6;
  return engine.eps.primaryIP(a.endpoint)?.version ?? engine.eps.primaryIP(b.endpoint)?.version;
}

function peer(engine: Engine, t: Target, version: 4 | 6 | undefined): Peer {
  if ('ip' in t) return engine.eps.peerOfIP(t.ip);
  return engine.eps.peerOf(t.endpoint, version);
}
