// STAND-IN, NOT PAN-OS. The answers of a PAN-OS / Panorama XML API, for tests and demos where
// no appliance can run. Built only from the vendor's documented requests, envelopes and error
// codes, and nothing else is claimed:
// - request structure, `type=keygen|config|op|user-id`, `action=show|get`, xpath:
//   https://docs.paloaltonetworks.com/pan-os/10-0/pan-os-panorama-api/about-the-pan-os-xml-api/structure-of-a-pan-os-xml-api-request/xml-and-xpath.html
// - error envelope and codes (400, 403, 1-22):
//   https://docs.paloaltonetworks.com/pan-os/10-0/pan-os-panorama-api/get-started-with-the-pan-os-xml-api/pan-os-xml-api-error-codes
// - User-ID API, 5 MB request limit:
//   https://docs.paloaltonetworks.com/ngfw/api/pan-os-xml-api-use-cases/apply-user-id-mapping-and-populate-dynamic-address-groups-api
// - register/unregister entries, `persistent`, member `timeout` (at most 2,592,000 s), at most
//   32 tags per address, tag rules: http://api-lab.paloaltonetworks.com/registered-ip.html
// - `show object registered-ip` with `limit` (500) and `start-point` (1-based), the
//   `uid-response` per-entry `message` on error: PaloAltoNetworks/pan-os-python `panos/userid.py`
//   and PaloAltoNetworks/pango `userid/` (the vendor's own clients).
// Where the documents are silent (the wording of a per-entry error, the order of listed
// addresses), the stand-in's choice is marked "stand-in wording".
import { parseXml, writeXml, escapeXml } from '../xml.js';
import type { XmlElement } from '../xml.js';

export interface Answer {
  status: number;
  body: string;
}

interface Registration {
  persistent: boolean;
  /** tag -> expiry (ms since epoch), undefined for none. */
  tags: Map<string, number | undefined>;
}

export interface StandInState {
  config: XmlElement | undefined;
  keys: Set<string>;
  users: Map<string, string>;
  registered: Map<string, Registration>;
  /** Per-entry rejections to give: ip -> message. */
  rejectIps: Map<string, string>;
  maxTagsPerIp: number;
  now: () => number;
}

const ok = (inner: string, attrs = ''): Answer => ({
  status: 200,
  body: `<response status="success"${attrs}><result>${inner}</result></response>`,
});

/** An error envelope with a documented code. */
export function apiError(code: number | undefined, line: string, status = 200): Answer {
  const c = code !== undefined ? ` code="${code}"` : '';
  return {
    status,
    body: `<response status="error"${c}><msg><line>${escapeXml(line)}</line></msg></response>`,
  };
}

/** The documented answer to a bad key (HTTP 403, envelope code 403). */
export const FORBIDDEN: Answer = {
  status: 403,
  body: "<response status = 'error' code = '403'><result><msg>Invalid Credential</msg></result></response>",
};

/** Answer one request, given its parameters. */
export function answer(
  state: StandInState,
  p: URLSearchParams,
  headerKey: string | undefined,
): Answer {
  const type = p.get('type');
  if (type === 'keygen') return keygen(state, p);
  const key = p.get('key') ?? headerKey;
  if (key === undefined || key === null || !state.keys.has(key)) return FORBIDDEN;
  switch (type) {
    case 'config':
      return config(state, p.get('action'), p.get('xpath'));
    case 'op':
      return op(state, p.get('cmd'));
    case 'user-id':
      return userId(state, p.get('cmd'));
    default:
      return apiError(400, `unknown or missing type ${JSON.stringify(type)}`, 400);
  }
}

function keygen(state: StandInState, p: URLSearchParams): Answer {
  const user = p.get('user');
  const password = p.get('password');
  if (user === null || password === null || state.users.get(user) !== password) return FORBIDDEN;
  const key = [...state.keys][0] ?? '';
  return {
    status: 200,
    body: `<response status = 'success'><result><key>${escapeXml(key)}</key></result></response>`,
  };
}

function config(state: StandInState, action: string | null, xpath: string | null): Answer {
  if (action !== 'show' && action !== 'get')
    return apiError(400, `action ${JSON.stringify(action)} is not supported by the stand-in`, 400);
  if (!xpath || !xpath.startsWith('/')) return apiError(6, 'Bad Xpath');
  const root = state.config;
  const steps = xpath.slice(1).split('/');
  let found: XmlElement[];
  try {
    if (!root || steps[0] !== root.name) found = [];
    else found = steps.length === 1 ? [root] : root.all(steps.slice(1).join('/'));
  } catch {
    return apiError(6, 'Bad Xpath');
  }
  const inner = found.map(writeXml).join('');
  if (action === 'get') return ok(inner, found.length === 0 ? ' code="7"' : ` code="19"`);
  if (found.length === 0) return apiError(7, 'No such node');
  return ok(inner);
}

function op(state: StandInState, cmd: string | null): Answer {
  let c: XmlElement;
  try {
    c = parseXml(cmd ?? '');
  } catch {
    return apiError(18, 'Malformed command');
  }
  if (c.name === 'show' && c.at('system/info'))
    return ok(
      '<system><hostname>stand-in</hostname><model>Panorama</model><sw-version>10.2.0</sw-version></system>',
    );
  if (c.name === 'show' && c.child('devicegroups')) {
    const dgs = state.config?.all('devices/entry/device-group/entry') ?? [];
    return ok(
      `<devicegroups>${dgs.map((d) => `<entry name="${escapeXml(d.attr('name') ?? '')}"><devices/></entry>`).join('')}</devicegroups>`,
    );
  }
  const reg = c.name === 'show' ? c.at('object/registered-ip') : undefined;
  if (reg) return registeredIps(state, reg);
  return apiError(17, `${c.name} -> ${c.elements[0]?.name ?? ''} is unexpected`);
}

function live(state: StandInState, r: Registration): string[] {
  const t = state.now();
  for (const [tag, exp] of r.tags) if (exp !== undefined && exp <= t) r.tags.delete(tag);
  return [...r.tags.keys()];
}

function registeredIps(state: StandInState, cmd: XmlElement): Answer {
  const limit = Number(cmd.textAt('limit') ?? Infinity);
  const start = Number(cmd.textAt('start-point') ?? 1);
  if (!(limit > 0) || limit > 500 || !(start >= 1))
    return apiError(17, 'limit must be 1-500 and start-point at least 1');
  const ipFilter = cmd.textAt('ip');
  const tagFilter = cmd.at('tag/entry')?.attr('name');
  const first = start - 1;
  const end = Number.isFinite(limit) ? first + limit : Infinity;
  const page: string[] = [];
  let matched = 0;
  for (const [ip, r] of state.registered) {
    const tags = live(state, r);
    if (tags.length === 0) {
      state.registered.delete(ip);
      continue;
    }
    if (ipFilter !== undefined && ip !== ipFilter) continue;
    if (tagFilter !== undefined && !tags.includes(tagFilter)) continue;
    if (matched++ < first) continue;
    if (matched > end) break;
    page.push(
      `<entry ip="${escapeXml(ip)}" from_agent="0" persistent="${r.persistent ? 1 : 0}"><tag>${tags.map((t) => `<member>${escapeXml(t)}</member>`).join('')}</tag></entry>`,
    );
  }
  return ok(`${page.join('')}<count>${page.length}</count>`);
}

function userId(state: StandInState, cmd: string | null): Answer {
  let m: XmlElement;
  try {
    m = parseXml(cmd ?? '');
  } catch {
    return apiError(18, 'Malformed command');
  }
  if (m.name !== 'uid-message' || !m.child('payload')) return apiError(17, 'Invalid command');
  const errors: { section: string; ip: string; message: string }[] = [];
  for (const e of m.all('payload/unregister/entry')) {
    const ip = e.attr('ip') ?? '';
    const r = state.registered.get(ip);
    for (const t of e.all('tag/member')) r?.tags.delete(t.value);
  }
  for (const e of m.all('payload/register/entry')) register(state, e, errors);
  if (errors.length === 0)
    return ok(
      '<uid-response><version>2.0</version><payload><unregister/><register/></payload></uid-response>',
    );
  const entries = errors
    .map((e) => `<entry ip="${escapeXml(e.ip)}" message="${escapeXml(e.message)}"/>`)
    .join('');
  return {
    status: 200,
    body: `<response status="error"><msg><line><uid-response><version>2.0</version><payload><register>${entries}</register></payload></uid-response></line></msg></response>`,
  };
}

function register(
  state: StandInState,
  e: XmlElement,
  errors: { section: string; ip: string; message: string }[],
): void {
  const ip = e.attr('ip') ?? '';
  const reject = state.rejectIps.get(ip);
  if (reject !== undefined) {
    errors.push({ section: 'register', ip, message: reject });
    return;
  }
  const r = state.registered.get(ip) ?? { persistent: true, tags: new Map() };
  const members = e.all('tag/member');
  const present = new Set(live(state, r));
  const after = new Set([...present, ...members.map((x) => x.value)]);
  if (after.size > state.maxTagsPerIp) {
    // Stand-in wording.
    errors.push({
      section: 'register',
      ip,
      message: `${ip}: more than ${state.maxTagsPerIp} tags`,
    });
    return;
  }
  r.persistent = e.attr('persistent') !== '0';
  for (const x of members) {
    const timeout = Number(x.attr('timeout') ?? 0);
    if (!(timeout >= 0 && timeout <= 2_592_000)) {
      errors.push({ section: 'register', ip, message: `${x.value}: invalid timeout` });
      continue;
    }
    r.tags.set(x.value, timeout > 0 ? state.now() + timeout * 1000 : undefined);
  }
  state.registered.set(ip, r);
}
