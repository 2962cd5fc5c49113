// Deterministic record ids: the same input (file content and line, or aggregate) always gets
// the same id, so that a store can drop what it already holds (ingesting a file twice must not
// double any count). Two independent 32-bit lanes (cyrb53-style mixing) make 64 bits: for ten
// million records the chance of any collision is about 3 in a million.

/** A 64-bit hash of a string as 16 hex digits. */
export function hash64(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return hex8(h2 >>> 0) + hex8(h1 >>> 0);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Eight hex digits of an unsigned 32-bit number (a table: toString(16) showed in profiles). */
function hex8(n: number): string {
  return (
    (HEX[n >>> 24] as string) +
    (HEX[(n >>> 16) & 255] as string) +
    (HEX[(n >>> 8) & 255] as string) +
    (HEX[n & 255] as string)
  );
}

/** The id of the record read from one line of a file (`part` when a line yields several). */
export function lineId(fileHash: string, line: number, part = 0): string {
  return hash64(`${fileHash}:${line}:${part}`);
}
