// A client for the PAN-OS and Panorama XML API (`/api/`): key generation, configuration reads
// (`type=config`, `action=show|get` with an xpath), operational commands (`type=op`) and User-ID
// messages (`type=user-id`). Requests are form POSTs, so the key never appears in a URL; every
// message that leaves the client has the key redacted. Transient failures are retried with
// capped exponential backoff; authorization failures never are.
import net from 'node:net';
import { envelopeError, parseEnvelope } from './envelope.js';
import type { Envelope } from './envelope.js';
import { PanoramaError } from './errors.js';
import { Secret, redact } from './secret.js';
import { post } from './transport.js';
import type { TlsTrust } from './transport.js';
import type { XmlElement } from './xml.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, capMs: 8000 };

/** What the client reports as it goes (never with the key). */
export type ClientEvent =
  | { kind: 'request'; type: string; attempt: number }
  | { kind: 'retry'; type: string; attempt: number; delayMs: number; error: string };

export interface ClientOptions {
  /** `https://panorama.example.com` (a path, if any, is replaced by `/api/`). */
  url: string;
  apiKey?: Secret;
  trust?: TlsTrust;
  /** Deadline of one attempt, connection included. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  maxResponseBytes?: number;
  /** Redirect through Panorama to the firewall with this serial number. */
  target?: string;
  vsys?: string;
  log?: (e: ClientEvent) => void;
  /** For tests: how to wait, and the jitter source (0..1). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** The API endpoint for a base URL; plain HTTP only to this machine (the key would be readable). */
export function apiUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new PanoramaError('config', `not a URL: ${JSON.stringify(base)}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (
    url.protocol === 'http:' &&
    !LOOPBACK.has(host) &&
    !(net.isIPv4(host) && host.startsWith('127.'))
  )
    throw new PanoramaError(
      'config',
      `plain http:// is accepted only for this machine; use https:// for ${url.host}`,
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new PanoramaError('config', `unsupported scheme ${url.protocol} (use https://)`);
  if (url.username || url.password)
    throw new PanoramaError(
      'config',
      'credentials in the URL are not accepted (use a key file or variable)',
    );
  return new URL('/api/', url);
}

/** One User-ID entry the device rejected (or noted). */
export interface UidEntryResult {
  action: string;
  ip: string;
  message: string;
}

/** Messages the device sends for what is already so: not errors. */
export function benignUidMessage(message: string): boolean {
  return /already exists, ignore$|does not exist, ignore unreg$/.test(message.trim());
}

export class PanoramaClient {
  readonly url: URL;
  private readonly o: ClientOptions;
  private readonly retry: RetryPolicy;
  private readonly maxBytes: number;

  constructor(o: ClientOptions) {
    this.o = o;
    this.url = apiUrl(o.url);
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.maxBytes = o.maxResponseBytes ?? 64 * 1024 * 1024;
  }

  /** Generate an API key from a user name and password (`type=keygen`). */
  async keygen(user: string, password: Secret): Promise<Secret> {
    const env = await this.call('keygen', { type: 'keygen', user, password: password.reveal() }, [
      password,
    ]);
    const key = env.result?.textAt('key');
    if (!key) throw new PanoramaError('malformed', 'the keygen answer holds no <key>');
    return new Secret(key);
  }

  /** `type=config&action=show` (running configuration): the `<result>` element. */
  async configShow(xpath: string): Promise<XmlElement> {
    return this.result(await this.call('config', { type: 'config', action: 'show', xpath }));
  }

  /** `type=config&action=get` (candidate configuration): the `<result>` element. */
  async configGet(xpath: string): Promise<XmlElement> {
    return this.result(await this.call('config', { type: 'config', action: 'get', xpath }));
  }

  /** `type=op` with an XML command such as `<show><devicegroups/></show>`. */
  async op(cmd: string): Promise<XmlElement> {
    return this.result(await this.call('op', { type: 'op', cmd, ...this.scope() }));
  }

  /**
   * Send a `uid-message`. Entries the device rejects are returned (benign ones, "already
   * exists" and "does not exist", are left out); a whole-request error throws.
   */
  async userId(cmd: string): Promise<UidEntryResult[]> {
    const env = await this.call('user-id', { type: 'user-id', cmd, ...this.scope() }, [], true);
    return uidEntries(env).filter((e) => !benignUidMessage(e.message));
  }

  /** The form fields a request with a key adds (for size estimates). */
  keyOverhead(): number {
    return (this.o.apiKey?.reveal().length ?? 0) + '&key='.length + 64;
  }

  private scope(): Record<string, string> {
    return {
      ...(this.o.target ? { target: this.o.target } : {}),
      ...(this.o.vsys ? { vsys: this.o.vsys } : {}),
    };
  }

  private result(env: Envelope): XmlElement {
    if (!env.result) throw new PanoramaError('malformed', 'a success answer without <result>');
    return env.result;
  }

  /** POST with retries; returns a success envelope (or, with `errorOk`, one of per-entry errors). */
  private async call(
    type: string,
    form: Record<string, string>,
    secrets: Secret[] = [],
    errorOk = false,
  ): Promise<Envelope> {
    const full = this.o.apiKey ? { ...form, key: this.o.apiKey.reveal() } : form;
    const { attempts, baseMs, capMs } = this.retry;
    for (let attempt = 1; ; attempt++) {
      this.o.log?.({ kind: 'request', type, attempt });
      try {
        return await this.once(full, errorOk);
      } catch (e) {
        const err = this.redacted(e, secrets);
        if (!err.retryable || attempt >= attempts) throw err;
        const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
        const delayMs = Math.round(ceiling * (0.5 + (this.o.random ?? Math.random)() / 2));
        this.o.log?.({ kind: 'retry', type, attempt, delayMs, error: err.message });
        await (this.o.sleep ?? sleep)(delayMs);
      }
    }
  }

  private async once(form: Record<string, string>, errorOk: boolean): Promise<Envelope> {
    const res = await post({
      url: this.url,
      form,
      trust: this.o.trust ?? { kind: 'system' },
      timeoutMs: this.o.timeoutMs ?? 30_000,
      maxResponseBytes: this.maxBytes,
    });
    let env: Envelope;
    try {
      env = parseEnvelope(res.body, this.maxBytes);
    } catch (e) {
      // A proxy's error page is an HTTP failure, not a malformed answer.
      if (res.status !== 200) throw httpError(res.status, e);
      throw e;
    }
    if (env.status === 'error') {
      // Per-entry results: the request as a whole was taken.
      if (errorOk && res.status === 200 && uidEntries(env).length > 0) return env;
      const err = envelopeError(env);
      if (res.status >= 500 && err.code === 'api' && !err.retryable)
        throw httpError(res.status, err);
      throw err;
    }
    if (res.status !== 200) throw httpError(res.status, undefined);
    return env;
  }

  private redacted(e: unknown, more: Secret[] = []): PanoramaError {
    const err =
      e instanceof PanoramaError
        ? e
        : new PanoramaError('unreachable', (e as Error).message ?? String(e), { cause: e });
    const message = redact(err.message, [this.o.apiKey, ...more]);
    if (message === err.message) return err;
    return new PanoramaError(err.code, message, {
      retryable: err.retryable,
      ...(err.apiCode !== undefined ? { apiCode: err.apiCode } : {}),
      ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    });
  }
}

function httpError(status: number, cause: unknown): PanoramaError {
  const auth = status === 401 || status === 403;
  return new PanoramaError(auth ? 'auth' : 'http', `Panorama answered HTTP ${status}`, {
    httpStatus: status,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** Per-entry results of a uid-message, from `result` (success) or `msg/line` (error). */
function uidEntries(env: Envelope): UidEntryResult[] {
  const out: UidEntryResult[] = [];
  const roots = [
    ...(env.result?.all('uid-response/payload') ?? []),
    ...env.root.all('msg/line/uid-response/payload'),
    ...env.root.all('result/msg/line/uid-response/payload'),
  ];
  for (const payload of roots)
    for (const section of payload.elements)
      for (const e of section.children('entry')) {
        const message = e.attr('message');
        if (message !== undefined)
          out.push({
            action: section.name,
            ip: e.attr('ip') ?? e.attr('user') ?? e.attr('name') ?? '',
            message,
          });
      }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
