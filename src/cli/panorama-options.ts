// The options every Panorama verb shares (where it is, how it is trusted, the key) and the
// duration syntax (`30s`, `5m`, `1h`, `500ms`, or plain seconds).
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { ConnectOptions } from '../integrations/panorama/connect.js';
import { DEFAULT_KEY_ENV } from '../integrations/panorama/secret.js';
import { MAX_TAG_TIMEOUT_S } from '../integrations/panorama/uid-message.js';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds from `30s`, `5m`, `1h`, `500ms`, `2d` or a number of seconds. */
export function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m)
    throw new InvalidArgumentError('a duration is a number with a unit: 500ms, 30s, 5m, 1h, 2d');
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] as number));
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

/** A tag lease in whole seconds, within the documented 30 days. */
export function lease(v: string): number {
  const s = Math.ceil(duration(v) / 1000);
  if (s > MAX_TAG_TIMEOUT_S)
    throw new InvalidArgumentError('a lease is at most 30d (the API limit)');
  return s;
}

/** Add the connection options to a verb. */
export function connectionOptions(c: Command): Command {
  return c
    .requiredOption('--url <url>', 'Panorama or firewall, https://HOST[:PORT]')
    .option('--api-key-file <path>', 'file holding the API key')
    .option(
      '--api-key-env <name>',
      `environment variable holding the API key (default ${DEFAULT_KEY_ENV})`,
    )
    .option('--user <name>', 'generate a key for this administrator (with --password-file)')
    .option('--password-file <path>', "file holding the administrator's password")
    .addOption(new Option('--ca-file <path>', 'trust only this CA (PEM)').conflicts('fingerprint'))
    .option('--fingerprint <sha256>', 'trust only the certificate with this SHA-256 fingerprint')
    .option('--timeout <duration>', 'deadline of one request', duration, 30_000)
    .option(
      '--retries <n>',
      'retries of a failed request (never of an authorization error)',
      (v) => Number(v),
      3,
    )
    .option('--target <serial>', 'through Panorama, the firewall with this serial number')
    .option('--vsys <name>', 'virtual system (User-ID and operational commands)');
}

export interface ConnectionFlags {
  url: string;
  apiKeyFile?: string;
  apiKeyEnv?: string;
  user?: string;
  passwordFile?: string;
  caFile?: string;
  fingerprint?: string;
  timeout: number;
  retries: number;
  target?: string;
  vsys?: string;
}

/** The parsed flags as client options. */
export function connectOptions(f: ConnectionFlags): ConnectOptions {
  const pick = <K extends keyof ConnectionFlags>(k: K): Partial<Pick<ConnectionFlags, K>> =>
    f[k] !== undefined ? ({ [k]: f[k] } as Pick<ConnectionFlags, K>) : {};
  return {
    url: f.url,
    timeoutMs: f.timeout,
    retries: f.retries,
    ...pick('apiKeyFile'),
    ...pick('apiKeyEnv'),
    ...pick('user'),
    ...pick('passwordFile'),
    ...pick('caFile'),
    ...pick('fingerprint'),
    ...pick('target'),
    ...pick('vsys'),
  };
}

/** Add the tag options (push-tags, and sync with --push-tags). */
export function tagOptions(c: Command, defaultLease: string): Command {
  return c
    .option(
      '--cluster <name>',
      'tag zonewall.cluster.NAME, and change only addresses tagged for this cluster',
    )
    .option('--app-label <key>', 'the pod label whose value is tagged zonewall.app.VALUE', 'app')
    .option(
      '--lease <duration>',
      'how long a tag lives unless registered again (0: forever; at most 30d)',
      lease,
      lease(defaultLease),
    )
    .option('--no-persistent', 'registrations do not survive a restart of the device')
    .option(
      '--batch-entries <n>',
      'addresses per User-ID request (each request also stays under 5 MB)',
      positiveInt,
      1000,
    )
    .option(
      '--allow-empty',
      'with no pod addresses, remove every registration this cluster made',
      false,
    );
}
