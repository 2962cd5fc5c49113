// Firewall zones as ZonePolicy names, and the zone pairs a rule type stands for. Zone names
// are case-sensitive and kept where they already are DNS labels; the others are renamed, and
// `any` and the zones that mean "outside the cluster" become `any` and `internet`.
import { NameSet, dnsLabel, isDnsLabel } from './map-names.js';
import type { FirewallPolicy, FirewallRule } from './types.js';

export class ZoneNames {
  /** Every name the policy uses for zones and externals, so they never clash. */
  readonly names = new NameSet(['internet', 'any']);
  private readonly map = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly internet: Set<string>;

  constructor(fw: FirewallPolicy, internetZones: readonly string[]) {
    this.internet = new Set(internetZones);
    const all = [...fw.zones, ...fw.rules.flatMap((r) => [...r.from, ...r.to])].filter(
      (z) => !this.special(z),
    );
    // Names that already fit go first, so a renamed zone never takes one of them.
    for (const z of all) if (isDnsLabel(z) && !this.map.has(z)) this.map.set(z, this.names.take(z));
    for (const z of all) if (!this.map.has(z)) this.map.set(z, this.names.take(dnsLabel(z)));
    for (const z of all) this.used.add(this.ref(z));
  }

  private special(z: string): boolean {
    return z === 'any' || this.internet.has(z);
  }

  /** A firewall zone as a ZonePolicy reference: a zone name, `internet` or `any`. */
  ref = (z: string): string => {
    if (z === 'any') return 'any';
    if (this.internet.has(z)) return 'internet';
    return this.map.get(z) ?? dnsLabel(z);
  };

  /** A zone named by a `zonewall.zone.<zone>` tag: declared as it is. */
  use = (z: string): void => {
    this.used.add(z);
    if (!this.names.has(z)) this.names.take(z);
  };

  isZone(name: string): boolean {
    return this.used.has(name);
  }

  /** The zones to declare, sorted. */
  list(): string[] {
    return [...this.used].sort();
  }

  /** Zones whose names changed (firewall name -> zone). */
  renamed(): Array<{ firewall: string; zone: string }> {
    return [...this.map]
      .filter(([f, z]) => f !== z)
      .map(([firewall, zone]) => ({ firewall, zone }));
  }

  /** The (from, to) firewall zone lists a rule's type expands to. */
  pairs(r: FirewallRule): Array<[string[], string[]]> {
    const from = r.from.length === 0 ? ['any'] : r.from;
    const to = r.to.length === 0 ? ['any'] : r.to;
    if (r.ruleType === 'intrazone') {
      // Outside the cluster to outside the cluster never passes through it.
      return this.expand(from)
        .filter((z) => !this.internet.has(z))
        .map((z) => [[z], [z]]);
    }
    if (r.ruleType === 'interzone') {
      const overlap =
        from.includes('any') || to.includes('any') || from.some((z) => to.includes(z));
      if (!overlap) return [[from, to]];
      return this.expand(from).flatMap((z): Array<[string[], string[]]> => {
        const others = this.expand(to).filter((t) => t !== z);
        return others.length > 0 ? [[[z], others]] : [];
      });
    }
    return [[from, to]];
  }

  /** Zones a list stands for: `any` is every firewall zone known, and outside the cluster. */
  private expand(zones: string[]): string[] {
    if (!zones.includes('any')) return zones;
    return [...new Set([...this.map.keys(), ...this.internet])];
  }
}
