// Flow capture in the lab, as the flow records' lab format (src/flows/lab.ts), one JSON object
// per line:
// - allowed connections from conntrack events in each node namespace: start at NEW, end at
//   the first closing state, the accounting counters per direction at DESTROY or, for
//   connections still in the table when capture stops, from a final listing (the kernel reaps
//   finished entries lazily);
// - denied packets from the ruleset's NFLOG group (Log rules' packets are left out: they go on
//   to a verdict of their own), read by ulogd2 (JSON output) in
//   each node namespace; the log prefix carries the compact policy id, which the ruleset's own
//   legend turns back into the policy and its tier.
// Connections that were never answered (denied further on, at the destination's node) are not
// reported as allowed: the denying node's NFLOG record reports them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_LOG_GROUP } from '../../core/targets/nftables/index.js';
import { hasTool, must } from '../exec.js';
import type { LabNode, LabPlan } from './plan.js';
import { labDir } from './state.js';
import { ConntrackTracker, iso, parseConntrack } from './conntrack.js';

const ULOGD_PLUGINS = ['/usr/lib/x86_64-linux-gnu/ulogd', '/usr/lib/ulogd', '/usr/lib64/ulogd'];
/**
 * Lab-only conntrack settings: accounting, start times, and finished or idle entries kept two
 * minutes, so that a connection is still listed (with its counters) when capture stops.
 */
const SYSCTLS: Array<[string, string]> = [
  ['nf_conntrack_acct', '1'],
  ['nf_conntrack_timestamp', '1'],
  ['nf_conntrack_tcp_timeout_time_wait', '120'],
  ['nf_conntrack_tcp_timeout_close', '120'],
  ['nf_conntrack_udp_timeout', '120'],
];

export interface Capture {
  /** Wait for connections that just ended to be reported, then stop. */
  stop(settleMs?: number): Promise<void>;
  /** What could not be captured here, and why. */
  missing: string[];
}

type Legend = Map<string, { policy: string; kind: string; tier: string }>;

/** Policy ids of a rendered ruleset, from its header. */
export function rulesetLegend(text: string): Legend {
  const out: Legend = new Map();
  for (const m of text.matchAll(/^# {3}(p[0-9a-f]{8}) {2}(\S+) (\S+) \(tier (\S+)\)$/gm)) {
    out.set(m[1] as string, { kind: m[2] as string, policy: m[3] as string, tier: m[4] as string });
  }
  return out;
}

/** One ulogd JSON line (an NFLOG packet) as a lab record. */
export function nflogRecord(line: string, node: string, legend: Legend): object | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const prefix = String(o['oob.prefix'] ?? '').trim();
  // Denies only: a Log rule's packet goes on to a verdict of its own, recorded elsewhere.
  const id = /^zw D (\S+) /.exec(prefix)?.[1];
  if (id === undefined) return undefined;
  const known = legend.get(id);
  const time = Number(o['oob.time.sec'] ?? 0) + Number(o['oob.time.usec'] ?? 0) / 1e6;
  return {
    v: 1,
    kind: 'nflog',
    node,
    time: iso(time),
    proto: Number(o['ip.protocol'] ?? 0),
    src: o.src_ip,
    sport: Number(o.src_port ?? 0),
    dst: o.dest_ip,
    dport: Number(o.dest_port ?? 0),
    length: Number(o['raw.pktlen'] ?? 0),
    prefix,
    ...(known ? { policy: known.policy, tier: known.tier } : {}),
  };
}

function ulogdConfig(dir: string, node: LabNode, plugins: string): string {
  return [
    '[global]',
    `logfile="${path.join(dir, `${node.name}.ulogd.log`)}"`,
    'loglevel=5',
    ...['inppkt_NFLOG', 'raw2packet_BASE', 'filter_IP2STR', 'output_JSON'].map(
      (p) => `plugin="${plugins}/ulogd_${p}.so"`,
    ),
    'stack=log1:NFLOG,base1:BASE,ip2str1:IP2STR,json1:JSON',
    '[log1]',
    `group=${DEFAULT_LOG_GROUP}`,
    '[json1]',
    `file="${path.join(dir, `${node.name}.nflog.json`)}"`,
    'sync=1',
    '',
  ].join('\n');
}

/** Follow a growing file, line by line. */
function follow(file: string, onLine: (l: string) => void): { poll(): void } {
  let offset = 0;
  let rest = '';
  return {
    poll(): void {
      if (!existsSync(file)) return;
      const fd = openSync(file, 'r');
      try {
        const buf = Buffer.alloc(1 << 16);
        for (
          let n = readSync(fd, buf, 0, buf.length, offset);
          n > 0;
          n = readSync(fd, buf, 0, buf.length, offset)
        ) {
          offset += n;
          rest += buf.subarray(0, n).toString('utf8');
        }
      } finally {
        closeSync(fd);
      }
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onLine(l);
    },
  };
}

/** Start capturing in every node of a lab; records go to `emit` as JSON text lines. */
export async function startCapture(plan: LabPlan, emit: (line: string) => void): Promise<Capture> {
  const dir = path.join(labDir(plan.name), 'capture');
  await must('mkdir', ['-p', dir]);
  const missing: string[] = [];
  const children: ChildProcess[] = [];
  const followers: Array<{ poll(): void }> = [];
  const trackers: Array<[LabNode, ConntrackTracker]> = [];
  const plugins = ULOGD_PLUGINS.find((p) => existsSync(path.join(p, 'ulogd_inppkt_NFLOG.so')));
  const ulogd =
    hasTool('ulogd') &&
    plugins !== undefined &&
    existsSync(path.join(plugins, 'ulogd_output_JSON.so'));
  if (!hasTool('conntrack'))
    missing.push('allowed connections: conntrack is not installed (apt-get install conntrack)');
  if (!ulogd)
    missing.push(
      'denied packets: ulogd2 with JSON output is not installed (apt-get install ulogd2 ulogd2-json)',
    );
  for (const node of plan.nodes) {
    const settings = SYSCTLS.map(([k, v]) => `echo ${v} > /proc/sys/net/netfilter/${k}`).join(
      ' && ',
    );
    await must('ip', ['netns', 'exec', node.netns, 'sh', '-c', settings]);
    const local = new Set(plan.pods.filter((p) => p.node === node.name).map((p) => p.ip));
    if (hasTool('conntrack')) {
      const tracker = new ConntrackTracker(node.name, local, (r) => emit(JSON.stringify(r)));
      trackers.push([node, tracker]);
      const ct = spawn(
        'ip',
        ['netns', 'exec', node.netns, 'conntrack', '-E', '-o', 'extended,timestamp'],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      children.push(ct);
      createInterface({ input: ct.stdout as NodeJS.ReadableStream }).on('line', (l) => {
        const e = parseConntrack(l, Date.now() / 1000);
        if (e) tracker.event(e);
      });
    }
    if (ulogd && plugins) {
      const legendText = await readFile(
        path.join(labDir(plan.name), 'rulesets', `${node.name}.nft`),
        'utf8',
      );
      const legend = rulesetLegend(legendText);
      const conf = path.join(dir, `${node.name}.ulogd.conf`);
      const out = path.join(dir, `${node.name}.nflog.json`);
      await writeFile(out, '');
      await writeFile(conf, ulogdConfig(dir, node, plugins));
      children.push(
        spawn('ip', ['netns', 'exec', node.netns, 'ulogd', '-c', conf], { stdio: 'ignore' }),
      );
      followers.push(
        follow(out, (l) => {
          const r = nflogRecord(l, node.name, legend);
          if (r) emit(JSON.stringify(r));
        }),
      );
    }
  }
  const timer = setInterval(() => followers.forEach((f) => f.poll()), 200);
  // Give the listeners a moment to subscribe before traffic starts.
  await new Promise((r) => setTimeout(r, 500));
  return {
    missing,
    async stop(settleMs = 1500): Promise<void> {
      await new Promise((r) => setTimeout(r, settleMs));
      clearInterval(timer);
      followers.forEach((f) => f.poll());
      for (const c of children) c.kill('SIGTERM');
      for (const [node, tracker] of trackers) {
        const now = Date.now() / 1000;
        const text = await must('ip', [
          'netns',
          'exec',
          node.netns,
          'conntrack',
          '-L',
          '-o',
          'extended',
        ]);
        tracker.finish(
          text.split('\n').flatMap((l) => parseConntrack(l, now) ?? []),
          now,
        );
      }
      await Promise.all(
        children.map(
          (c) =>
            new Promise((r) =>
              c.exitCode !== null || c.signalCode !== null ? r(null) : c.on('exit', r),
            ),
        ),
      );
    },
  };
}
