// Generated object names: DNS labels of at most 63 characters, stable for the same input.

/** `base` if it is a valid length; else its first part plus a short stable hash. */
export function safeName(base: string, max = 63): string {
  if (base.length <= max) return base;
  const hash = fnv1a(base).toString(16).padStart(8, '0');
  return `${base.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

/** 32-bit FNV-1a: a small, deterministic hash for names (not for security). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
