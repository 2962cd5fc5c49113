import { describe, expect, it } from 'vitest';
import { parseIPRange } from './ip-range.js';
import { formatIP } from './ip-text.js';

describe('parseIPRange', () => {
  it('parses start-end', () => {
    const r = parseIPRange('192.168.1.10-192.168.1.20');
    expect(r.ok && `${formatIP(r.start)} ${formatIP(r.end)}`).toBe('192.168.1.10 192.168.1.20');
    expect(parseIPRange('2001:db8::1-2001:db8::ff').ok).toBe(true);
    expect(parseIPRange('10.0.0.1-10.0.0.1').ok).toBe(true);
  });

  it.each([
    ['10.0.0.1', 'expected "start-end"'],
    ['10.0.0.9-10.0.0.1', 'start is after end'],
    ['10.0.0.1-::1', 'mixes IPv4 and IPv6'],
    ['10.0.0.1 - 10.0.0.9', 'bad start address'],
    ['10.0.0.1-10.0.0.300', 'bad end address'],
    ['10.0.0.0/24-10.0.1.0', 'bad start address'],
  ])('%j: %s', (text, why) => {
    const r = parseIPRange(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe(`invalid address range ${JSON.stringify(text)}: ${why}`);
  });
});
