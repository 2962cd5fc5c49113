// Ports of AdminNetworkPolicy (v1alpha1 `ports`) and ClusterNetworkPolicy (v1alpha2
// `protocols`) rules: numbers, ranges and named ports, each with its protocol.
import { PROTO } from '../../net/index.js';
import type { Reader } from '../reader.js';
import type { PortMatch } from '../types.js';

const PROTOS = { TCP: PROTO.TCP, UDP: PROTO.UDP, SCTP: PROTO.SCTP } as const;

export interface PortItem {
  protocol?: number;
  port?: PortMatch;
}

/** v1alpha1 `ports`: portNumber, namedPort or portRange. Absent: every port and protocol. */
export function readPorts(r: Reader): PortItem[] | 'all' | undefined {
  const items = r.list({ min: 1, max: 100 });
  if (!items) return r.missing ? 'all' : undefined;
  const out: PortItem[] = [];
  let ok = true;
  for (const item of items) {
    item.object(['portNumber', 'namedPort', 'portRange']);
    const set = ['portNumber', 'namedPort', 'portRange'].filter((k) => !item.at(k).missing);
    if (set.length !== 1) {
      item.error('port.oneOf', 'a port must set exactly one of portNumber, namedPort or portRange');
      ok = false;
      continue;
    }
    const p =
      set[0] === 'namedPort'
        ? namedPort(item.at('namedPort'))
        : set[0] === 'portNumber'
          ? portNumber(item.at('portNumber'))
          : portRange(item.at('portRange'), true);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function protocolOf(r: Reader): number | undefined {
  const name = r.missing ? 'TCP' : r.oneOf(['TCP', 'UDP', 'SCTP'] as const);
  return name === undefined ? undefined : PROTOS[name];
}

function portNumber(r: Reader): PortItem | undefined {
  r.object(['protocol', 'port']);
  const protocol = protocolOf(r.at('protocol'));
  const port = r.at('port').int({ required: true, min: 1, max: 65535 });
  if (protocol === undefined || port === undefined) return undefined;
  return { protocol, port: { kind: 'range', range: { start: port, end: port } } };
}

function portRange(r: Reader, withProtocol: boolean): PortItem | undefined {
  r.object(withProtocol ? ['protocol', 'start', 'end'] : ['start', 'end']);
  const protocol = withProtocol ? protocolOf(r.at('protocol')) : undefined;
  const start = r.at('start').int({ required: true, min: 1, max: 65535 });
  const end = r.at('end').int({ required: true, min: 1, max: 65535 });
  if (start === undefined || end === undefined || (withProtocol && protocol === undefined))
    return undefined;
  if (start >= end) {
    r.error('port.range', `start port ${start} must be less than end port ${end}`);
    return undefined;
  }
  return {
    ...(protocol !== undefined ? { protocol } : {}),
    port: { kind: 'range', range: { start, end } },
  };
}

function namedPort(r: Reader): PortItem | undefined {
  const name = r.string({ required: true, nonEmpty: true });
  // The protocol is the named container port's own.
  return name === undefined ? undefined : { port: { kind: 'named', name } };
}

/** v1alpha2 `protocols`: tcp/udp/sctp with an optional destinationPort, or destinationNamedPort. */
export function readProtocols(r: Reader): PortItem[] | 'all' | undefined {
  const items = r.list({ min: 1, max: 25 });
  if (!items) return r.missing ? 'all' : undefined;
  const out: PortItem[] = [];
  let ok = true;
  for (const item of items) {
    const keys = ['tcp', 'udp', 'sctp', 'destinationNamedPort'];
    item.object(keys);
    const set = keys.filter((k) => !item.at(k).missing);
    if (set.length !== 1) {
      item.error(
        'protocol.oneOf',
        'a protocols item must set exactly one of tcp, udp, sctp or destinationNamedPort',
      );
      ok = false;
      continue;
    }
    const key = set[0] as string;
    const p =
      key === 'destinationNamedPort'
        ? namedPort(item.at(key))
        : protocolPort(item.at(key), PROTOS[key.toUpperCase() as 'TCP']);
    if (p) out.push(p);
    else ok = false;
  }
  return ok ? out : undefined;
}

function protocolPort(r: Reader, protocol: number): PortItem | undefined {
  r.object(['destinationPort']);
  const dp = r.at('destinationPort');
  if (dp.missing) {
    // minProperties: 1 — an empty tcp/udp/sctp match is rejected by the API server.
    r.error('field.required', `${r.label()} needs destinationPort`);
    return undefined;
  }
  dp.object(['number', 'range']);
  const set = ['number', 'range'].filter((k) => !dp.at(k).missing);
  if (set.length !== 1) {
    dp.error('port.oneOf', 'destinationPort must set exactly one of number or range');
    return undefined;
  }
  if (set[0] === 'range') {
    const p = portRange(dp.at('range'), false);
    return p ? { ...p, protocol } : undefined;
  }
  const n = dp.at('number').int({ min: 1, max: 65535 });
  return n === undefined
    ? undefined
    : { protocol, port: { kind: 'range', range: { start: n, end: n } } };
}
