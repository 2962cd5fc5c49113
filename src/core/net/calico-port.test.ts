import { describe, expect, it } from 'vitest';
import { isValidPortName, parseCalicoPort, type PortSpec } from './calico-port.js';

describe('parseCalicoPort accepts', () => {
  it.each<[unknown, PortSpec]>([
    [80, { kind: 'range', range: { start: 80, end: 80 } }],
    [1, { kind: 'range', range: { start: 1, end: 1 } }],
    [65535, { kind: 'range', range: { start: 65535, end: 65535 } }],
    ['80', { kind: 'range', range: { start: 80, end: 80 } }],
    ['0080', { kind: 'range', range: { start: 80, end: 80 } }], // strconv.ParseUint allows leading zeros
    ['8000:8080', { kind: 'range', range: { start: 8000, end: 8080 } }],
    ['80:80', { kind: 'range', range: { start: 80, end: 80 } }],
    ['1:65535', { kind: 'range', range: { start: 1, end: 65535 } }],
    ['http', { kind: 'named', name: 'http' }],
    ['http-alt', { kind: 'named', name: 'http-alt' }],
    ['a', { kind: 'named', name: 'a' }],
    ['123456789012abc', { kind: 'named', name: '123456789012abc' }], // 15 chars
    ['h2c', { kind: 'named', name: 'h2c' }],
  ])('%j', (value, spec) => {
    expect(parseCalicoPort(value)).toEqual({ ok: true, spec });
  });
});

describe('parseCalicoPort rejects, quoting the value', () => {
  it.each<[unknown, string]>([
    [0, 'invalid port 0: must be an integer from 1 to 65535'],
    [65536, 'invalid port 65536: must be an integer from 1 to 65535'],
    [-1, 'invalid port -1: must be an integer from 1 to 65535'],
    [80.5, 'invalid port 80.5: must be an integer from 1 to 65535'],
    ['0', 'invalid port "0": must be from 1 to 65535'],
    ['65536', 'invalid port "65536": must be from 1 to 65535'],
    ['99999999999999999999999', 'invalid port "99999999999999999999999": must be from 1 to 65535'],
    [
      '8080:80',
      'invalid port range "8080:80": minimum port number (8080) is greater than maximum port number (80)',
    ],
    ['0:80', 'invalid port range "0:80": minimum port must be from 1 to 65535'],
    ['80:70000', 'invalid port range "80:70000": maximum port must be from 1 to 65535'],
    [true, 'invalid port true: must be a number or a string'],
    [null, 'invalid port null: must be a number or a string'],
    [undefined, 'invalid port undefined: must be a number or a string'],
    [{ port: 80 }, 'invalid port {"port":80}: must be a number or a string'],
  ])('%j', (value, message) => {
    expect(parseCalicoPort(value)).toEqual({ ok: false, message });
  });

  it.each<[string, string]>([
    ['', 'must contain at least one letter'],
    ['HTTP', 'must contain only lowercase letters'],
    ['my_port', 'must contain only lowercase letters'],
    ['-http', 'must not begin or end with a hyphen'],
    ['http-', 'must not begin or end with a hyphen'],
    ['my--port', 'must not contain consecutive hyphens'],
    ['1234567890abcdef', 'must be no more than 15 characters'],
    ['8000-8080', 'for a range write "8000:8080"'],
    [' 80', 'must contain only lowercase letters'],
    ['80 ', 'must contain only lowercase letters'],
    ['+80', 'must contain only lowercase letters'],
    ['80:', 'must contain only lowercase letters'],
    [':80', 'must contain only lowercase letters'],
    ['1:2:3', 'must contain only lowercase letters'],
    ['٨٠', 'must contain only lowercase letters'], // non-ASCII digits are not digits to Go's \d
  ])('named port %j: %s', (value, why) => {
    const r = parseCalicoPort(value);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(`invalid port ${JSON.stringify(value)}`);
      expect(r.message).toContain(why);
    }
  });
});

describe('isValidPortName (Kubernetes IANA_SVC_NAME)', () => {
  it.each<[string, boolean]>([
    ['http', true],
    ['a', true],
    ['a1', true],
    ['1a', true],
    ['web-8080', true],
    ['abcdefghijklmno', true],
    ['abcdefghijklmnop', false],
    ['', false],
    ['80', false],
    ['1-2', false],
    ['Http', false],
    ['http_1', false],
    ['http.1', false],
    ['-a', false],
    ['a-', false],
    ['a--b', false],
    ['é', false],
  ])('%j: %s', (name, valid) => {
    expect(isValidPortName(name)).toBe(valid);
  });
});
