// Names in a ZonePolicy are DNS labels (they become label values and parts of policy names);
// firewall names are free text. These turn one into the other, deterministically and uniquely.

/** A DNS label (at most `max` characters) made from free text; "x" when nothing is left. */
export function dnsLabel(text: string, max = 63): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s === '' ? 'x' : s;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when a name is already a DNS label of at most 63 characters. */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

/** Hands out unique names: the wanted one, else with "-2", "-3"... (kept within 63). */
export class NameSet {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }

  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.used.has(name); n++) {
      const suffix = `-${n}`;
      name = `${dnsLabel(wanted, 63 - suffix.length)}${suffix}`;
    }
    this.used.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}
