// A client from user-facing options: the key from a file or a variable (or generated from a
// user name and a password file), the server certificate trusted by a pinned CA file or a
// pinned SHA-256 fingerprint (or the system's CAs).
import { readFile } from 'node:fs/promises';
import { PanoramaClient } from './client.js';
import type { ClientEvent, RetryPolicy } from './client.js';
import { PanoramaError } from './errors.js';
import type { Secret } from './secret.js';
import { DEFAULT_KEY_ENV, loadApiKey } from './secret.js';
import { normalizeFingerprint } from './transport.js';
import type { TlsTrust } from './transport.js';

export interface ConnectOptions {
  url: string;
  apiKeyFile?: string;
  apiKeyEnv?: string;
  /** Generate the key with this user and the password in `passwordFile`. */
  user?: string;
  passwordFile?: string;
  caFile?: string;
  fingerprint?: string;
  timeoutMs?: number;
  retries?: number;
  target?: string;
  vsys?: string;
  log?: (e: ClientEvent) => void;
  env?: NodeJS.ProcessEnv;
}

async function trust(o: ConnectOptions): Promise<TlsTrust> {
  if (o.caFile !== undefined && o.fingerprint !== undefined)
    throw new PanoramaError('config', 'give either a CA file or a fingerprint, not both');
  if (o.fingerprint !== undefined) {
    const sha256 = normalizeFingerprint(o.fingerprint);
    if (!sha256)
      throw new PanoramaError(
        'config',
        'a fingerprint is 32 hex bytes (SHA-256), with or without colons',
      );
    return { kind: 'fingerprint', sha256 };
  }
  if (o.caFile !== undefined) {
    const pem = await readFile(o.caFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new PanoramaError(
        'config',
        `cannot read the CA file ${o.caFile}: ${e.code ?? 'unreadable'}`,
      );
    });
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new PanoramaError('config', `${o.caFile} holds no PEM certificate`);
    return { kind: 'ca', pem };
  }
  return { kind: 'system' };
}

/** Build a client; with a user name, a key is generated first. */
export async function connectPanorama(o: ConnectOptions): Promise<PanoramaClient> {
  const base = {
    url: o.url,
    trust: await trust(o),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.retries !== undefined ? { retry: retryPolicy(o.retries) } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.vsys !== undefined ? { vsys: o.vsys } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
  let apiKey: Secret;
  if (o.user !== undefined) {
    if (o.passwordFile === undefined)
      throw new PanoramaError('config', 'a user name needs a password file');
    const password = await loadApiKey({ file: o.passwordFile }).catch(() => {
      throw new PanoramaError('config', `cannot read a password from ${o.passwordFile}`);
    });
    apiKey = await new PanoramaClient(base).keygen(o.user, password);
  } else if (o.apiKeyFile !== undefined) apiKey = await loadApiKey({ file: o.apiKeyFile }, o.env);
  else apiKey = await loadApiKey({ env: o.apiKeyEnv ?? DEFAULT_KEY_ENV }, o.env);
  return new PanoramaClient({ ...base, apiKey });
}

function retryPolicy(retries: number): RetryPolicy {
  return { attempts: retries + 1, baseMs: 500, capMs: 8000 };
}
