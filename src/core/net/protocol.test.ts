import { describe, expect, it } from 'vitest';
import {
  calicoProtocolSupportsPorts,
  parseCalicoProtocol,
  PROTO,
  protocolHasPorts,
  protocolName,
} from './protocol.js';

describe('parseCalicoProtocol accepts', () => {
  it.each<[unknown, number]>([
    ['TCP', 6],
    ['UDP', 17],
    ['ICMP', 1],
    ['ICMPv6', 58],
    ['SCTP', 132],
    ['UDPLite', 136],
    [6, 6],
    [1, 1],
    [255, 255],
    [123, 123],
    ['6', 6], // a digit string decodes as a number (Uint8OrString)
    ['255', 255],
    ['006', 6],
  ])('%j -> %d', (value, proto) => {
    expect(parseCalicoProtocol(value)).toEqual({ ok: true, proto });
  });
});

describe('parseCalicoProtocol rejects, quoting the value', () => {
  it.each<[unknown, string]>([
    [0, 'invalid protocol 0: must be from 1 to 255'],
    ['0', 'invalid protocol "0": must be from 1 to 255'],
    [256, 'invalid protocol 256: must be an integer from 1 to 255'],
    [-1, 'invalid protocol -1: must be an integer from 1 to 255'],
    [6.5, 'invalid protocol 6.5: must be an integer from 1 to 255'],
    [true, 'invalid protocol true: must be a name or number'],
    [null, 'invalid protocol null: must be a name or number'],
    ['256', 'invalid protocol "256": must be one of'],
    ['tcp', 'names are case-sensitive: use "TCP"'],
    ['Tcp', 'names are case-sensitive: use "TCP"'],
    ['icmpv6', 'names are case-sensitive: use "ICMPv6"'],
    ['ICMPV6', 'names are case-sensitive: use "ICMPv6"'],
    ['udplite', 'names are case-sensitive: use "UDPLite"'],
    ['any', 'must be one of'],
    ['GRE', 'must be one of'],
    ['', 'must be one of'],
    [' TCP', 'must be one of'],
    ['toString', 'must be one of'],
    ['-6', 'must be one of'],
  ])('%j', (value, why) => {
    const r = parseCalicoProtocol(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });
});

describe('protocol helpers', () => {
  it('names', () => {
    expect([6, 17, 1, 58, 132, 136, 47, 0].map(protocolName)).toEqual([
      'TCP',
      'UDP',
      'ICMP',
      'ICMPv6',
      'SCTP',
      'UDPLite',
      '47',
      '0',
    ]);
  });

  it('ports: on the wire vs in Calico rules', () => {
    const all = Object.values(PROTO);
    expect(all.filter(protocolHasPorts)).toEqual([6, 17, 132, 136]);
    expect(all.filter(calicoProtocolSupportsPorts)).toEqual([6, 17, 132]);
    expect(protocolHasPorts(47)).toBe(false);
  });
});
