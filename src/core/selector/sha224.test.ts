import { describe, expect, it } from 'vitest';
import { base64UrlNoPad, makeUniqueId, sha224 } from './sha224.js';

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sha224', () => {
  // FIPS 180-4 examples, plus lengths either side of the one- and two-block padding boundaries
  // (reference values from Python's hashlib).
  it.each([
    ['', 'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f'],
    ['abc', '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525',
    ],
    ['a'.repeat(55), 'fb0bd626a70c28541dfa781bb5cc4d7d7f56622a58f01a0b1ddd646f'],
    ['a'.repeat(56), 'd40854fc9caf172067136f2e29e1380b14626bf6f0dd06779f820dcd'],
    ['a'.repeat(63), '1d4e051f4d6fed2a63fd2421e65834cec00d64456553de3496ae8b1d'],
    ['a'.repeat(64), 'a88cd5cde6d6fe9136a4e58b49167461ea95d388ca2bdb7afdc3cbf4'],
    ['a'.repeat(65), 'ff8716f600af42959d0efb52e1f21b01bb328733009344d511c299fb'],
    ['a'.repeat(119), 'e000e6709d26667b631faa7fc1bd404eb4774003c5fb4f51a0184875'],
    ['a'.repeat(120), '66924e30a9929327e7a6cf03747397226ed2efc180ebe3dea7132a79'],
    ['a'.repeat(1000), '4e8f0ce90b64661a2b5e84be6d93a7d9b76871062f1814433d04a03d'],
    ['ä€😀 selector', '9b326acbedb63c9de2e5e41b4a79303c92ac08e47bcb0972a339562d'],
  ])('hashes %j', (input, digest) => {
    expect(hex(sha224(utf8(input)))).toBe(digest);
  });

  it('hashes a million a (FIPS 180-4 long message)', () => {
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(hex(sha224(million))).toBe('20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67');
  });
});

describe('base64UrlNoPad', () => {
  it.each([
    [[], ''],
    [[0xfb], '-w'],
    [[0xfb, 0xff], '-_8'],
    [[0xfb, 0xff, 0xfe], '-__-'],
    [[0, 1, 2, 3], 'AAECAw'],
    [[104, 101, 108, 108, 111], 'aGVsbG8'],
  ])('encodes %j', (bytes, text) => {
    expect(base64UrlNoPad(Uint8Array.from(bytes))).toBe(text);
  });
});

describe('makeUniqueId', () => {
  it("matches Calico's ids for selectors", () => {
    expect(makeUniqueId('s', 'all()')).toBe('s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug');
    expect(makeUniqueId('s', '!(has(b) || !has(a))')).toBe(
      's:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q',
    );
  });

  it('is 38 characters after the prefix (28 bytes, unpadded)', () => {
    expect(makeUniqueId('test', 'content')).toMatch(/^test:[A-Za-z0-9_-]{38}$/);
  });
});
