// One HTTP(S) POST to the XML API, with the certificate checked before anything is sent: the
// TLS connection is made first (trusting the system CAs, a pinned CA file, or only a
// certificate with a pinned SHA-256 fingerprint), and only then is the request, with its key,
// written to it. Every attempt has a deadline and a bound on the answer's size.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { PanoramaError } from './errors.js';

/** Which server certificates are trusted. */
export type TlsTrust =
  { kind: 'system' } | { kind: 'ca'; pem: string } | { kind: 'fingerprint'; sha256: string };

export interface PostRequest {
  url: URL;
  form: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
  trust: TlsTrust;
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface PostResponse {
  status: number;
  body: string;
}

/** `AB:CD:...` (upper case, colons) from a fingerprint written with or without colons. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}

/** The length of `text` once form-encoded (what counts against a request size limit). */
export function formLength(text: string): number {
  return new URLSearchParams([['', text]]).toString().length - 1;
}

/** Encode a form body. */
export function formBody(form: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(form)).toString();
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

function classify(e: unknown, url: URL): PanoramaError {
  if (e instanceof PanoramaError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  if (NETWORK_CODES.has(code))
    return new PanoramaError('unreachable', `cannot reach ${url.host}: ${code}`, { cause: e });
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ALTNAME/.test(code))
    return new PanoramaError('tls', `TLS with ${url.host} failed: ${code || err.message}`, {
      cause: e,
    });
  return new PanoramaError('unreachable', `request to ${url.host} failed: ${code || err.message}`, {
    cause: e,
  });
}

function connect(url: URL, trust: TlsTrust): Promise<net.Socket> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    if (url.protocol === 'http:') {
      const s = net.connect({ host, port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
      return;
    }
    const pinned = trust.kind === 'fingerprint' ? trust.sha256 : undefined;
    const s = tls.connect({
      host,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(trust.kind === 'ca' ? { ca: trust.pem } : {}),
      // A pinned fingerprint replaces chain validation; it is checked below before any write.
      rejectUnauthorized: pinned === undefined,
    });
    s.once('secureConnect', () => {
      if (pinned !== undefined) {
        const got = s.getPeerCertificate().fingerprint256;
        if (got !== pinned) {
          s.destroy();
          reject(
            new PanoramaError(
              'tls',
              `the certificate of ${url.host} is not the pinned one (SHA-256 ${got ?? 'none'})`,
            ),
          );
          return;
        }
      }
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** POST a form; resolves with the status and body, or rejects with a PanoramaError. */
export async function post(req: PostRequest): Promise<PostResponse> {
  const { url } = req;
  const body = formBody(req.form);
  let socket: net.Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket?.destroy();
      reject(new PanoramaError('timeout', `no answer from ${url.host} within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
  });
  const attempt = (async () => {
    socket = await connect(url, req.trust);
    return await exchange(socket, url, body, req);
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } catch (e) {
    socket?.destroy();
    throw classify(e, url);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined);
  }
}

function exchange(
  socket: net.Socket,
  url: URL,
  body: string,
  req: PostRequest,
): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...req.headers,
        },
        createConnection: () => socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > req.maxResponseBytes) {
            res.destroy();
            reject(
              new PanoramaError(
                'too-large',
                `the answer from ${url.host} is larger than ${req.maxResponseBytes} bytes`,
              ),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          if (!res.complete) {
            reject(
              new PanoramaError('unreachable', `the connection to ${url.host} closed mid-answer`),
            );
            return;
          }
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          socket.destroy();
        });
        res.on('aborted', () =>
          reject(
            new PanoramaError('unreachable', `the connection to ${url.host} closed mid-answer`),
          ),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}
