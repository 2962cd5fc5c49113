// The API key: read from a file or an environment variable, never printed. A Secret's string
// forms are a placeholder, and every message that leaves the client goes through `redact`.
import { readFile } from 'node:fs/promises';
import { PanoramaError } from './errors.js';

const PLACEHOLDER = '[redacted]';

/** A value that does not print itself. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value, for the one place that sends it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return PLACEHOLDER;
  }

  toJSON(): string {
    return PLACEHOLDER;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${PLACEHOLDER})`;
  }
}

/** Where the API key comes from. */
export type KeySource = { file: string } | { env: string };

/** The default environment variable for the key. */
export const DEFAULT_KEY_ENV = 'ZONEWALL_PANORAMA_API_KEY';

/** Read the API key; an empty or missing key is a `config` error (the message never shows it). */
export async function loadApiKey(
  source: KeySource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Secret> {
  let raw: string | undefined;
  let where: string;
  if ('file' in source) {
    where = `file ${source.file}`;
    try {
      raw = await readFile(source.file, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new PanoramaError('config', `cannot read the API key ${where}: ${reason}`);
    }
  } else {
    where = `environment variable ${source.env}`;
    raw = env[source.env];
  }
  const key = (raw ?? '').trim();
  if (key === '') throw new PanoramaError('config', `no API key in the ${where}`);
  if (/\s/.test(key)) throw new PanoramaError('config', `the API key in the ${where} holds spaces`);
  return new Secret(key);
}

/** Replace every occurrence of the secrets (and their URL-encoded forms) in a text. */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    const v = s.reveal();
    if (v.length === 0) continue;
    for (const form of new Set([v, encodeURIComponent(v)])) out = out.split(form).join(PLACEHOLDER);
  }
  return out;
}
