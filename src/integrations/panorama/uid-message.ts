// User-ID messages that register and unregister address tags (the documented `uid-message`:
// `<register><entry ip="..." persistent="1"><tag><member timeout="600">tag</member></tag></entry>`,
// "Register and Unregister - DAG Objects", http://api-lab.paloaltonetworks.com/registered-ip.html),
// cut into batches so that no request body exceeds the API's 5 MB limit ("Apply User-ID Mapping
// and Populate Dynamic Groups (API)": POST between 2 KB and 5 MB).
import { formLength } from './transport.js';
import { escapeXml } from './xml.js';

/** Tags for one address. */
export interface TagEntry {
  ip: string;
  tags: string[];
}

/** The documented request limit. */
export const MAX_REQUEST_BYTES = 5 * 1000 * 1000;
/** The documented largest tag timeout: 30 days. */
export const MAX_TAG_TIMEOUT_S = 2_592_000;
/** The documented most tags one registered address may carry. */
export const MAX_TAGS_PER_IP = 32;

export interface BatchOptions {
  /** Seconds each registered tag lives unless registered again (0: never expires). */
  timeoutS: number;
  /** Keep registrations across a device restart. */
  persistent: boolean;
  /** Largest form body, the other fields (type, key, target) included. */
  maxBytes?: number;
  /** Bytes the other form fields take. */
  overheadBytes?: number;
  /** Most entries (register and unregister together) per message. */
  maxEntries?: number;
}

/** Why a tag cannot be registered, or undefined when it can (the documented tag rules). */
export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'is empty';
  if (tag.length > 127) return `is ${tag.length} characters long (at most 127)`;
  if (/['"]/.test(tag)) return 'holds a quote';
  if (/ {2}/.test(tag)) return 'holds two consecutive spaces';
  if (/^(and|or|not)$/i.test(tag)) return 'is a reserved word (and, or, not)';
  return undefined;
}

function registerEntry(e: TagEntry, o: BatchOptions): string {
  const members = e.tags
    .map((t) => `<member timeout="${o.timeoutS}">${escapeXml(t)}</member>`)
    .join('');
  return `<entry ip="${escapeXml(e.ip)}" persistent="${o.persistent ? 1 : 0}"><tag>${members}</tag></entry>`;
}

function unregisterEntry(e: TagEntry): string {
  const members = e.tags.map((t) => `<member>${escapeXml(t)}</member>`).join('');
  return `<entry ip="${escapeXml(e.ip)}"><tag>${members}</tag></entry>`;
}

function message(unregister: readonly string[], register: readonly string[]): string {
  // Unregistering comes first, so a replaced tag never pushes an address over the tag limit.
  const un = unregister.length > 0 ? `<unregister>${unregister.join('')}</unregister>` : '';
  const re = register.length > 0 ? `<register>${register.join('')}</register>` : '';
  return `<uid-message><version>2.0</version><type>update</type><payload>${un}${re}</payload></uid-message>`;
}

/** The `uid-message` documents for a change, each within the size and entry limits. */
export function uidMessages(
  change: { register: readonly TagEntry[]; unregister: readonly TagEntry[] },
  o: BatchOptions,
): string[] {
  const maxBytes = (o.maxBytes ?? MAX_REQUEST_BYTES) - (o.overheadBytes ?? 0);
  const maxEntries = o.maxEntries ?? 1000;
  const fixed = formLength(message(['x'], ['x'])) + 'cmd='.length;
  const out: string[] = [];
  let un: string[] = [];
  let re: string[] = [];
  let size = fixed;
  const flush = (): void => {
    if (un.length + re.length > 0) out.push(message(un, re));
    un = [];
    re = [];
    size = fixed;
  };
  const add = (xml: string, into: 'un' | 're'): void => {
    const n = formLength(xml);
    if (fixed + n > maxBytes) throw new RangeError(`one entry is larger than ${maxBytes} bytes`);
    if (size + n > maxBytes || un.length + re.length >= maxEntries) flush();
    (into === 'un' ? un : re).push(xml);
    size += n;
  };
  for (const e of change.unregister) if (e.tags.length > 0) add(unregisterEntry(e), 'un');
  for (const e of change.register) if (e.tags.length > 0) add(registerEntry(e, o), 're');
  flush();
  return out;
}
