// A throwaway self-signed certificate for 127.0.0.1, made with the openssl command (node:crypto
// cannot write X.509 certificates). Undefined when openssl is not installed.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SelfSigned {
  key: string;
  cert: string;
  /** `AB:CD:...`, as node reports `fingerprint256`. */
  fingerprint256: string;
}

/** Whether the openssl command can be run. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A fresh key and certificate (CN and SAN 127.0.0.1), valid for a day. */
export function selfSigned(): SelfSigned | undefined {
  if (!hasOpenssl()) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'zonewall-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const pem = readFileSync(cert, 'utf8');
    return {
      key: readFileSync(key, 'utf8'),
      cert: pem,
      fingerprint256: new X509Certificate(pem).fingerprint256,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
