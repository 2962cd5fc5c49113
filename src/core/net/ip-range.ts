// "start-end" address ranges, as firewall managers (e.g. Panorama ip-range objects) write them.
import { compareIP, type IP } from './ip.js';
import { parseIP } from './ip-text.js';

export type IPRangeParse = { ok: true; start: IP; end: IP } | { ok: false; message: string };

/** Parses "start-end" (inclusive, same family, start <= end); use rangeToCIDRs to get blocks. */
export function parseIPRange(text: string): IPRangeParse {
  const quoted = JSON.stringify(text);
  const dash = typeof text === 'string' ? text.indexOf('-') : -1;
  if (dash < 0)
    return { ok: false, message: `invalid address range ${quoted}: expected "start-end"` };
  const start = parseIP(text.slice(0, dash));
  const end = parseIP(text.slice(dash + 1));
  if (start === undefined || end === undefined) {
    const which = start === undefined ? 'start' : 'end';
    return { ok: false, message: `invalid address range ${quoted}: bad ${which} address` };
  }
  if (start.version !== end.version) {
    return { ok: false, message: `invalid address range ${quoted}: mixes IPv4 and IPv6` };
  }
  if (compareIP(start, end) > 0) {
    return { ok: false, message: `invalid address range ${quoted}: start is after end` };
  }
  return { ok: true, start, end };
}
