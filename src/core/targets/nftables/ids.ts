// Names in the zonewall table: compact policy ids, chain and set names, and the host-side
// interface name of a workload, all stable for the same input (a short FNV-1a hash of what
// they stand for, never a position that shifts when something else is added).

/** 32-bit FNV-1a of a string (names only, not security). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Eight hex digits of a string's hash. */
export function hex8(s: string): string {
  return fnv1a(s).toString(16).padStart(8, '0');
}

/**
 * The host-side interface of a pod's veth: `zw` and a hash of `namespace/name` (10
 * characters; Linux allows 15). The lab names its interfaces with this, so the ruleset's
 * dispatch maps and the lab agree.
 */
export function workloadInterface(namespace: string, name: string): string {
  return `zw${hex8(`${namespace}/${name}`)}`;
}

/**
 * Hands out one short name per key: the hash of the key, or, on the rare collision, the
 * hash of the key with a counter. Keys must be offered in a deterministic order.
 */
export class NameTable {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly prefix: string) {}

  /** The name for `key` (allocated on first sight). */
  name(key: string): string {
    let n = this.byKey.get(key);
    if (n !== undefined) return n;
    for (let i = 0; ; i++) {
      n = `${this.prefix}${hex8(i === 0 ? key : `${key}#${i}`)}`;
      if (!this.taken.has(n)) break;
    }
    this.byKey.set(key, n);
    this.taken.add(n);
    return n;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }
}
