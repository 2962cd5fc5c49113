// A ClickHouse server of our own on loopback: Debian's `clickhouse-server` started as a child
// process with a temporary configuration and data directory on free ports, for the contract
// tests and the benchmark. Stopped and restarted in place (same data, same ports) to test
// what happens when the store goes away mid-ingest.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = [
  '/usr/sbin/clickhouse-server',
  '/usr/bin/clickhouse-server',
  '/usr/bin/clickhouse',
];

/** The server binary, or undefined when none is installed. */
export function findClickHouseServer(): string | undefined {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v clickhouse-server'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class LocalClickHouse {
  private child: ChildProcess | undefined;

  private constructor(
    readonly binary: string,
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  /** Start a fresh server; resolves when it answers. */
  static async start(binary: string): Promise<LocalClickHouse> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zw-clickhouse-'));
    const [httpPort, tcpPort, interPort] = [await freePort(), await freePort(), await freePort()];
    for (const d of ['data', 'tmp', 'log', 'user_files']) mkdirSync(path.join(dir, d));
    writeFileSync(
      path.join(dir, 'config.xml'),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interPort}</interserver_http_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
`,
    );
    writeFileSync(
      path.join(dir, 'users.xml'),
      `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
    );
    const s = new LocalClickHouse(binary, dir, httpPort);
    await s.resume();
    return s;
  }

  /** `clickhouse://127.0.0.1:PORT/DB` */
  url(database = 'zonewall'): string {
    return `clickhouse://127.0.0.1:${this.httpPort}/${database}`;
  }

  /** Start (again) on the same data and ports; resolves when it answers. */
  async resume(timeoutMs = 60_000): Promise<void> {
    const args = path.basename(this.binary) === 'clickhouse' ? ['server'] : [];
    const child = spawn(this.binary, [...args, `--config-file=${this.dir}/config.xml`], {
      cwd: this.dir,
      stdio: 'ignore',
    });
    this.child = child;
    // A test run that dies leaves no server behind.
    const reap = (): void => void child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`clickhouse-server exited (${this.child.exitCode}); see ${this.dir}/log`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.httpPort}/?query=SELECT%201`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`clickhouse-server did not answer within ${timeoutMs} ms`);
  }

  // From Linux's /proc, in clock ticks of 1/100 s; undefined when not running or not on Linux.
  /** CPU seconds (user and system, all its threads) the running server has used. */
  cpuSeconds(): number | undefined {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) return undefined;
    try {
      // The fields after the command name (which may hold spaces, so cut at its last `)`):
      // state is the 3rd field of the line, utime and stime the 14th and 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /** Stop the server (SIGTERM, then SIGKILL after a grace period); the data stays. */
  async stop(graceMs = 15_000): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** Stop and remove the data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
