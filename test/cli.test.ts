// The zonewall command, in-process: verbs, output formats and exit codes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';
import { REPO_ROOT } from './support/shared.js';

const BANK = path.join(REPO_ROOT, 'examples/bank');
const WEB = 'payments-web/payments-web-7d9f8b6c4-q7m4p';
const API = 'payments-api/payments-api-5c9d8f7b6-j7x4r';
const DB = 'payments-db/payments-db-0';

const BAD = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: broken}
spec:
  selector: "app == 'web' && tier =="
  ingress:
  - action: Allow
    source: {selector: "role in {'a', 'b'"}
  egress:
  - action: Maybe
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: Bad_Name, namespace: x}
spec:
  podSelector: {matchLabels: {app: "has space"}}
  ingres: []
`;

describe('validate', () => {
  it('accepts the bank example', async () => {
    const r = await cli(['validate', '-f', BANK]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'valid: 69 objects (13 namespaces, 39 pods, 16 policies, ZonePolicy bank: 6 zones, 13 rules)\n',
    );
  });

  it('reports every issue at once with position, path and a caret under the selector', async () => {
    const r = await cli(['validate', '-f', '-'], BAD);
    expect(r.code).toBe(2);
    expect(r.err).toContain('<stdin>:5:13 spec.selector: invalid selector:');
    expect(r.err).toContain("    app == 'web' && tier ==\n");
    expect(r.err).toMatch(/\n {4} {23}\^\n/);
    expect(r.err).toContain('spec.ingress[0].source.selector');
    expect(r.err).toContain('spec.egress[0].action');
    expect(r.err).toContain('"Maybe"');
    expect(r.err).toContain('(document 2) metadata.name: "Bad_Name" is not a valid name');
    expect(r.err).toContain('label "app" has invalid value "has space"');
    expect(r.err).toContain('unknown field "ingres" in spec (did you mean "ingress"?)');
    expect(r.err).toMatch(/\n6 errors, 0 warnings\n$/);
  });

  it('prints issues as data with --output json', async () => {
    const r = await cli(['validate', '-f', '-', '-o', 'json'], BAD);
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    const data = JSON.parse(r.out) as {
      ok: boolean;
      issues: Array<{ code: string; span?: unknown }>;
    };
    expect(data.ok).toBe(false);
    expect(data.issues.find((i) => i.code === 'selector.syntax')?.span).toEqual({
      start: 23,
      end: 23,
    });
  });

  it('names a missing path', async () => {
    const r = await cli(['validate', '-f', '/nonexistent/x.yaml']);
    expect([r.code, r.err]).toEqual([
      2,
      'error: cannot read /nonexistent/x.yaml: no such file or directory\n',
    ]);
  });

  it('needs at least one path', async () => {
    const r = await cli(['validate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no manifests given');
  });
});

describe('explain', () => {
  it('shows the verdict and every step, exit 0 when allowed', async () => {
    const r = await cli(['explain', '-f', BANK, '--from', WEB, '--to', API, '--port', '8080']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(
      new RegExp(
        `^${WEB} \\(10\\.20\\.[0-9.]+\\) -> ${API} \\(10\\.30\\.[0-9.]+\\) TCP/8080: ALLOW$`,
      ),
    );
    expect(r.out).toContain('tier security: ZonePolicy bank, rule 6 "dmz-to-api" -> PASS');
    expect(r.out).toContain('decided by:');
  });

  it('exits 1 when denied and names the deciding rule', async () => {
    const r = await cli(['explain', '-f', BANK, '--from', WEB, '--to', DB, '--port', '5432']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'decided by: egress tier security: ZonePolicy bank, rule 2 "deny-to-restricted" -> DENY',
    );
  });

  it('prints a JSON explanation', async () => {
    const r = await cli([
      'explain',
      '-f',
      BANK,
      '--from',
      WEB,
      '--to',
      DB,
      '--port',
      '5432',
      '-o',
      'json',
    ]);
    const data = JSON.parse(r.out) as Record<string, unknown>;
    expect(data).toMatchObject({
      from: { name: WEB, ip: '10.20.0.70', kind: 'pod' },
      to: { name: DB, kind: 'pod' },
      protocol: 'TCP',
      port: 5432,
      verdict: 'deny',
      decidedBy: {
        direction: 'egress',
        kind: 'ZonePolicy',
        name: 'bank',
        rule: 2,
      },
    });
  });

  it('explains traffic from outside the cluster', async () => {
    const r = await cli([
      'explain',
      '-f',
      BANK,
      '--from',
      '203.0.113.7',
      '--to',
      WEB,
      '--port',
      '8443',
    ]);
    expect(r.out).toContain('egress at 203.0.113.7: ALLOW\n    not enforced: outside the cluster');
  });

  it('helps with an unknown pod', async () => {
    const r = await cli([
      'explain',
      '-f',
      BANK,
      '--from',
      'payments-web/nope',
      '--to',
      DB,
      '--port',
      '5432',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /--from: no pod "nope" in namespace "payments-web" \(pods there: payments-web-/,
    );
  });

  it('requires a port for TCP', async () => {
    const r = await cli(['explain', '-f', BANK, '--from', WEB, '--to', DB]);
    expect([r.code, r.err]).toEqual([2, 'error: a port is needed for this protocol\n']);
  });

  it('rejects an out-of-range port as a usage error', async () => {
    const r = await cli(['explain', '-f', BANK, '--from', WEB, '--to', DB, '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('a port is a number from 1 to 65535');
  });
});

describe('matrix', () => {
  it('prints the grid for one port and namespaces', async () => {
    const r = await cli([
      'matrix',
      '-f',
      BANK,
      '--port',
      '5432/TCP',
      '-n',
      'payments-db',
      '-n',
      'batch',
    ]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^Reachability, TCP\/5432 \(\. allowed, X denied\): \d+ of \d+ pairs reachable$/,
    );
    const rows = lines.filter((l) => /^\s*\d+ \S+\/\S+\s+[.X]+$/.test(l));
    expect(rows.length).toBeGreaterThan(3);
  });

  it('prints JSON with one cell per pair', async () => {
    const r = await cli([
      'matrix',
      '-f',
      BANK,
      '--port',
      '53/UDP',
      '-n',
      'kube-system',
      '-o',
      'json',
    ]);
    const g = JSON.parse(r.out) as {
      rows: string[];
      cols: string[];
      cells: string[][];
      protocol: string;
      port: number;
    };
    expect(g.protocol).toBe('UDP');
    expect(g.cells.length).toBe(g.rows.length);
    expect(g.cells.every((row) => row.length === g.cols.length)).toBe(true);
  });

  it('rejects a bad port and an unknown namespace', async () => {
    expect((await cli(['matrix', '-f', BANK, '--port', 'http'])).err).toContain('is not a port');
    expect((await cli(['matrix', '-f', BANK, '-n', 'nope'])).err).toContain(
      'unknown namespace(s): nope',
    );
  });
});

describe('check', () => {
  const queries = path.join(BANK, 'expectations.jsonl');

  it('prints one JSON line per query and a summary; exit 0 when all match', async () => {
    const r = await cli(['check', '--manifests', BANK, '--queries', queries]);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(r.code).toBe(0);
    expect(lines.at(-1)).toEqual({
      summary: { total: 115, matched: 115, mismatched: 0, errors: 0 },
    });
    expect(Object.keys(lines[0] ?? {})).toEqual([
      'id',
      'verdict',
      'expect',
      'match',
      'decidedBy',
      'trace',
    ]);
  });

  it('exits 1 on a mismatch (verdict or decidedBy)', async () => {
    const q = [
      { id: 'wrong-verdict', from: WEB, to: DB, protocol: 'TCP', port: 5432, expect: 'allow' },
      {
        id: 'wrong-decider',
        from: WEB,
        to: DB,
        protocol: 'TCP',
        port: 5432,
        expect: 'deny',
        decidedBy: { direction: 'ingress' },
      },
    ];
    const r = await cli(
      ['check', '--manifests', BANK, '--queries', '-'],
      q.map((x) => JSON.stringify(x)).join('\n'),
    );
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      '{"summary":{"total":2,"matched":0,"mismatched":2,"errors":0}}',
    );
  });

  it('exits 2 on malformed queries or unknown endpoints', async () => {
    const bad = await cli(['check', '--manifests', BANK, '--queries', '-'], '{"id": 1}\nnot json');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('<stdin>:1:1');
    const unknown = await cli(
      ['check', '--manifests', BANK, '--queries', '-'],
      JSON.stringify({ id: 'x', from: 'a/b', to: DB, protocol: 'TCP', port: 1, expect: 'deny' }),
    );
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('"error":"from: no pod \\"b\\" in namespace \\"a\\"');
  });
});

describe('demo and help', () => {
  it('runs the bank example', async () => {
    const r = await cli(['demo']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '13 namespaces, 39 pods, 16 policies, ZonePolicy bank (6 zones, 13 rules); tiers security (order 100), default (order 1000000)',
    );
    expect(r.out).toContain('Zone to zone: reachable pod pairs / pairs');
    expect(r.out).toMatch(/\nReachability, each destination on the ports it declares/);
    expect(r.out).toMatch(
      /Proof: the zones compiled for Calico enforce exactly what bank means: [\d,]+ connection classes checked, with the developers' guardrail too; 0 differences/,
    );
  });

  it.each(['validate', 'explain', 'matrix', 'check', 'demo'])(
    '%s --help explains the verb',
    async (verb) => {
      const r = await cli([verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: zonewall ${verb}`);
    },
  );

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(r.out.trim()).toBe(pkg.version);
  });

  it.each(['preview', 'recommend', 'flows', 'lab', 'import', 'sync', 'push-tags'])(
    '%s --help explains the verb',
    async (verb) => {
      const r = await cli([verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: zonewall ${verb}`);
    },
  );

  it('an unknown verb is a usage error', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });
});

describe('the installed command', () => {
  it('runs as a program (bin entry, shebang, ESM)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [
      path.join(REPO_ROOT, 'dist/src/cli/main.js'),
      'validate',
      '-f',
      BANK,
    ]);
    expect(stdout).toContain('valid: 69 objects');
  });
});

describe('zones, compile and verify', () => {
  const ZONES = path.join(BANK, 'zones.yaml');

  it('zones lists every pod with its zone and where it came from', async () => {
    const r = await cli(['zones', '-f', BANK, '-o', 'json']);
    const data = JSON.parse(r.out) as {
      zoneLabel: string;
      defaultZone: string;
      pods: Array<{ pod: string; zone: string | null; from: string }>;
    };
    expect(r.code).toBe(0);
    expect(data.zoneLabel).toBe('zonewall.io/zone');
    const from = new Set(data.pods.map((p) => p.from));
    expect(from).toEqual(new Set(['pod label', 'namespace label', 'default']));
    expect(data.pods.find((p) => p.pod.startsWith('fraud-scoring/'))).toMatchObject({
      zone: data.defaultZone,
      from: 'default',
    });
    const table = await cli(['zones', '-f', BANK]);
    expect(table.out).toMatch(
      /fraud-scoring\/\S+\s+unclassified\s+default {2}<- no zone label on pod or namespace/,
    );
  });

  it('compile writes one file per object, deterministically, and removes stale ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zw-compile-'));
    try {
      await writeFile(
        path.join(dir, '999-old.yaml'),
        '# Generated by zonewall compile; do not edit (change the ZonePolicy and compile again).\nstale\n',
      );
      await writeFile(path.join(dir, 'mine.yaml'), 'kept: true\n');
      const r = await cli(['compile', '--zones', ZONES, '--target', 'calico', '-o', dir]);
      expect(r.code).toBe(0);
      const files = (await readdir(dir)).sort();
      expect(files).toContain('000-tier-security.yaml');
      expect(files).toContain('mine.yaml');
      expect(files).not.toContain('999-old.yaml');
      const first = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
      await cli(['compile', '--zones', ZONES, '--target', 'calico', '-o', dir]);
      expect(await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).toEqual(
        first,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compile to standard output gives YAML documents the model reads back', async () => {
    const r = await cli(['compile', '--zones', ZONES]);
    expect(r.code).toBe(0);
    const back = await cli(['validate', '-f', '-'], r.out);
    expect(back.code).toBe(0);
  });

  it('verify proves the bank (exit 0)', async () => {
    const r = await cli(['verify', '--zones', ZONES, '-f', BANK]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /with the cluster's own policies: enforced = intended for all [\d,]+ connection classes checked/,
    );
    expect(r.out).toMatch(
      /guardrail: every namespace's developers allow everything: enforced = intended/,
    );
  });

  it('verify catches a hand-written security-tier policy that opens what the zones deny', async () => {
    const sneaky = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.allow-db-debug}
spec:
  tier: security
  order: 10
  selector: app == 'payments-db'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [5432]}}]
  egress: [{action: Allow}]
`;
    const dir = await mkdtemp(path.join(tmpdir(), 'zw-verify-'));
    try {
      await writeFile(path.join(dir, 'sneaky.yaml'), sneaky);
      const r = await cli([
        'verify',
        '--zones',
        ZONES,
        '-f',
        BANK,
        '-f',
        dir,
        '--max-differences',
        '2',
      ]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/connection classes differ/);
      expect(r.out).toMatch(/enforced ALLOW, intended DENY/);
      expect(r.out).toContain('GlobalNetworkPolicy security.allow-db-debug, rule 0 -> ALLOW');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
