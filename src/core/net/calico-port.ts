// Calico rule ports (projectcalico/api numorstring.Port) and Kubernetes port names.
import { PORT_MAX, type PortRange } from './port-set.js';

/** A port entry of a rule: a numeric range or a named (container) port. */
export type PortSpec = { kind: 'range'; range: PortRange } | { kind: 'named'; name: string };

export type PortSpecParse = { ok: true; spec: PortSpec } | { ok: false; message: string };

/**
 * Problems with a port name per Kubernetes IsValidPortName (IANA_SVC_NAME): at most 15
 * characters of [-a-z0-9], at least one letter, no leading/trailing '-', no "--".
 * Lowercase only, although RFC 6335 is case-insensitive. Empty list = valid.
 */
export function portNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) {
    problems.push('must contain only lowercase letters (a-z), digits (0-9) and hyphens (-)');
  }
  if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
  if (name.includes('--')) problems.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-'))
    problems.push('must not begin or end with a hyphen');
  return problems;
}

/** True for a valid Kubernetes port name (IANA_SVC_NAME). */
export function isValidPortName(name: string): boolean {
  return typeof name === 'string' && portNameProblems(name).length === 0;
}

const fail = (message: string): PortSpecParse => ({ ok: false, message });
const range = (start: number, end: number): PortSpecParse => ({
  ok: true,
  spec: { kind: 'range', range: { start, end } },
});

/**
 * Parses one Calico rule port as Calico's JSON decoding plus validator v3 accept it:
 * - a JSON number: an integer 1..65535 (decoded as uint16, then 0 is rejected);
 * - "80": decimal digits, leading zeros allowed (strconv.ParseUint), 1..65535;
 * - "8000:8080": two such numbers with min <= max (a '-' range is not Calico syntax);
 * - anything else is a named port and must be a valid Kubernetes port name.
 */
export function parseCalicoPort(value: unknown): PortSpecParse {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > PORT_MAX) {
      return fail(`invalid port ${value}: must be an integer from 1 to 65535`);
    }
    return range(value, value);
  }
  if (typeof value !== 'string') {
    const shown = value === undefined ? 'undefined' : JSON.stringify(value);
    return fail(`invalid port ${shown}: must be a number or a string`);
  }
  const quoted = JSON.stringify(value);
  if (/^[0-9]+$/.test(value)) {
    const n = portNumber(value);
    return n > 0 ? range(n, n) : fail(`invalid port ${quoted}: must be from 1 to 65535`);
  }
  const m = /^([0-9]+):([0-9]+)$/.exec(value);
  if (m) return parseColonRange(quoted, m[1]!, m[2]!);
  return parseNamedPort(value, quoted);
}

/** The value of a digit string if it is a port 1..65535, else 0 (Calico rejects port 0). */
function portNumber(digits: string): number {
  const n = Number(digits);
  return n >= 1 && n <= PORT_MAX ? n : 0;
}

function parseColonRange(quoted: string, lo: string, hi: string): PortSpecParse {
  const start = portNumber(lo);
  const end = portNumber(hi);
  if (start === 0)
    return fail(`invalid port range ${quoted}: minimum port must be from 1 to 65535`);
  if (end === 0) return fail(`invalid port range ${quoted}: maximum port must be from 1 to 65535`);
  if (start > end) {
    return fail(
      `invalid port range ${quoted}: minimum port number (${start}) is greater than maximum port number (${end})`,
    );
  }
  return range(start, end);
}

function parseNamedPort(name: string, quoted: string): PortSpecParse {
  const problems = portNameProblems(name);
  if (problems.length === 0) return { ok: true, spec: { kind: 'named', name } };
  const hint = /^[0-9]+-[0-9]+$/.test(name)
    ? `; for a range write ${JSON.stringify(name.replace('-', ':'))}`
    : '';
  return fail(
    `invalid port ${quoted}: not a number, a range "min:max" or a valid port name (${problems.join('; ')})${hint}`,
  );
}
