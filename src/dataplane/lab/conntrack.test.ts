// conntrack event lines as the kernel's tools print them, followed into flow records.
import { describe, expect, it } from 'vitest';
import { ConntrackTracker, parseConntrack } from './conntrack.js';

const NEW =
  '[1796303447.435975]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT src=10.30.0.81 dst=10.10.0.2 sport=43488 dport=53 [UNREPLIED] src=10.10.0.2 dst=10.30.0.81 sport=53 dport=43488';
const UPDATE =
  '[1796303447.492651]\t [UPDATE] ipv4     2 tcp      6 120 TIME_WAIT src=10.30.0.81 dst=10.10.0.2 sport=43488 dport=53 src=10.10.0.2 dst=10.30.0.81 sport=53 dport=43488 [ASSURED]';
const DESTROY =
  '[1796303449.100000]\t[DESTROY] ipv4     2 tcp      6 TIME_WAIT src=10.30.0.81 dst=10.10.0.2 sport=43488 dport=53 packets=5 bytes=268 src=10.10.0.2 dst=10.30.0.81 sport=53 dport=43488 packets=4 bytes=247 [ASSURED] delta-time=2';
const LIST =
  'ipv4     2 udp      17 25 src=10.30.0.81 dst=10.10.0.2 sport=5000 dport=53 packets=2 bytes=70 src=10.10.0.2 dst=10.30.0.81 sport=53 dport=5000 packets=2 bytes=90 mark=0 delta-time=5 use=1';

describe('conntrack capture', () => {
  it('parses events and listings', () => {
    expect(parseConntrack(NEW, 0)).toMatchObject({
      event: 'NEW',
      proto: 'tcp',
      state: 'SYN_SENT',
      replied: false,
      src: '10.30.0.81',
      dport: 53,
      counters: undefined,
    });
    expect(parseConntrack(DESTROY, 0)).toMatchObject({
      event: 'DESTROY',
      counters: [5, 268, 4, 247],
    });
    expect(parseConntrack(LIST, 42)).toMatchObject({
      event: 'LIST',
      time: 42,
      proto: 'udp',
      replied: true,
    });
    expect(
      parseConntrack('conntrack v1.4.7 (conntrack-tools): 2 flow events have been shown.', 0),
    ).toBeUndefined();
  });

  it('reports a connection from its start to its close, with the counters of its DESTROY', () => {
    const out: object[] = [];
    const t = new ConntrackTracker('node-a', new Set(['10.30.0.81']), (r) => out.push(r));
    for (const l of [NEW, UPDATE, DESTROY]) t.event(parseConntrack(l, 0)!);
    expect(out).toEqual([
      expect.objectContaining({
        kind: 'conntrack',
        node: 'node-a',
        start: '2026-12-03T13:10:47.435Z',
        end: '2026-12-03T13:10:47.492Z',
        bytes_orig: 268,
        bytes_reply: 247,
        packets_orig: 5,
        packets_reply: 4,
        state: 'closed',
        reporter: 'src',
      }),
    ]);
  });

  it('reports what is still open from the final listing, and nothing never answered or older', () => {
    const out: Array<Record<string, unknown>> = [];
    const t = new ConntrackTracker('node-b', new Set(), (r) =>
      out.push(r as Record<string, unknown>),
    );
    t.event(parseConntrack(NEW, 0)!); // never answered
    t.event(parseConntrack(DESTROY.replace('43488', '40000'), 0)!); // began before capture
    const udpNew =
      '[1796303450.0]\t    [NEW] ipv4     2 udp      17 30 src=10.30.0.81 dst=10.10.0.2 sport=5000 dport=53 [UNREPLIED] src=10.10.0.2 dst=10.30.0.81 sport=53 dport=5000';
    const udpUpd =
      '[1796303450.1]\t [UPDATE] ipv4     2 udp      17 30 src=10.30.0.81 dst=10.10.0.2 sport=5000 dport=53 src=10.10.0.2 dst=10.30.0.81 sport=53 dport=5000';
    t.event(parseConntrack(udpNew, 0)!);
    t.event(parseConntrack(udpUpd, 0)!);
    t.finish([parseConntrack(LIST, 1796303460)!], 1796303460);
    expect(out.map((r) => [r.proto, r.state, r.reporter, r.bytes_reply])).toEqual([
      ['udp', 'established', 'dst', 90],
    ]);
  });
});
