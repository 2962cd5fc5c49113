// The chains of the zonewall table. Evaluation is the engine's (src/core/engine/evaluate.ts):
// - one base chain per direction on the forward hook, egress first (priority filter), ingress
//   after it (filter + 10); `accept` ends only the current base chain, so an egress Allow
//   goes on to the destination's ingress, and `drop` is final;
// - a policy chain per policy and direction: Allow = accept, Deny = log + drop, Log = log and
//   go on, Pass = set the pass mark and return;
// - a tier chain per (tier, policies selecting the endpoint): jump to each policy in order,
//   return at once when the pass mark is set (clearing it), and end with the tier's default
//   action (Deny: log + drop; Pass: return);
// - an endpoint chain per direction: jump to each tier that selected the endpoint, in order,
//   then the profile's allow. Endpoints with the same policy lists share these chains, so
//   their number follows the distinct policy combinations, not the pods.
import type { Direction, PolicyRef, Rule } from '../../model/types.js';
import type { PolicyEntry } from '../../engine/index.js';
import { matchConditions } from './conditions.js';
import { NameTable } from './ids.js';
import type { SetRegistry } from './sets.js';

/** The packet mark bit that carries a Pass from a policy chain back to its tier chain. */
export const PASS_MARK = 0x00100000;
const MARK = `0x${PASS_MARK.toString(16).padStart(8, '0')}`;
const CLEAR = `0x${(~PASS_MARK >>> 0).toString(16).padStart(8, '0')}`;

export interface Chain {
  name: string;
  /** One comment line shown above the rules. */
  title: string;
  rules: string[];
}

const DIR: Record<Direction, string> = { ingress: 'in', egress: 'eg' };

/** `Kind ns/name`, as the legend and comments show a policy. */
export function refText(r: PolicyRef): string {
  return `${r.kind} ${r.namespace !== undefined ? `${r.namespace}/` : ''}${r.name}`;
}

function refKey(r: PolicyRef): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

interface PolicyChain extends Chain {
  /** The policy's compact id. */
  id: string;
  hasPass: boolean;
}

/** Builds and remembers chains; names are stable hashes of what each chain holds. */
export class ChainBuilder {
  readonly legend = new Map<string, { ref: PolicyRef; tier: string }>();
  private readonly ids = new NameTable('p');
  private readonly policyChains = new Map<readonly Rule[], PolicyChain>();
  private readonly policyChainsIn = new Map<readonly Rule[], PolicyChain>();
  private readonly variants = new Map<string, number>();
  private readonly tierNames = new NameTable('t-');
  private readonly epNames = new NameTable('');
  private readonly tiers = new Map<string, Chain>();
  private readonly endpoints = new Map<string, Chain>();

  constructor(
    private readonly sets: SetRegistry,
    private readonly logGroup: number,
  ) {}

  /** The compact id of a policy (the user's resource). */
  policyId(ref: PolicyRef, tier: string): string {
    const id = this.ids.name(refKey(ref));
    this.legend.set(id, { ref, tier });
    return id;
  }

  /** The endpoint chain for one direction's ordered policy list (undefined: none applies). */
  endpointChain(list: readonly PolicyEntry[], dir: Direction): string | undefined {
    if (list.length === 0) return undefined;
    const tierChains: string[] = [];
    const tierNames: string[] = [];
    for (let i = 0; i < list.length;) {
      const tier = (list[i] as PolicyEntry).tier;
      let j = i;
      while (j < list.length && (list[j] as PolicyEntry).tier === tier) j++;
      tierChains.push(this.tierChain(list.slice(i, j), dir));
      tierNames.push(tier.name);
      i = j;
    }
    const key = `${dir} ${tierChains.join(' ')}`;
    const name = this.epNames.name(key);
    const full = `${DIR[dir]}-${name}`;
    if (!this.endpoints.has(full)) {
      this.endpoints.set(full, {
        name: full,
        title: `${dir}: tiers ${tierChains.join(', ')}, then the profile`,
        rules: [
          // Only a pod's own traffic: the host's other traffic never reaches these chains.
          'ct state established,related counter accept comment "established"',
          'ct state invalid counter drop comment "invalid"',
          ...tierChains.map((t, i) => `counter jump ${t} comment "tier ${tierNames[i] ?? ''}"`),
          `counter accept comment "${DIR[dir]} profile"`,
        ],
      });
    }
    return full;
  }

  /** Every chain, in an order nft can load (callees before callers). */
  chains(): Chain[] {
    const byName = (a: Chain, b: Chain): number => (a.name < b.name ? -1 : 1);
    return [
      ...[...this.policyChains.values(), ...this.policyChainsIn.values()].sort(byName),
      ...[...this.tiers.values()].sort(byName),
      ...[...this.endpoints.values()].sort(byName),
    ];
  }

  private tierChain(entries: readonly PolicyEntry[], dir: Direction): string {
    const tier = (entries[0] as PolicyEntry).tier;
    const policies = entries.map((e) => this.policyChain(e, dir));
    const key = `${dir} ${tier.name} ${policies.map((p) => p.name).join(' ')}`;
    const name = this.tierNames.name(key);
    if (this.tiers.has(name)) return name;
    const rules: string[] = [];
    for (const p of policies) {
      if (p.rules.length === 0) continue; // a policy no rule of which can match
      rules.push(`counter jump ${p.name} comment "${p.id} ${DIR[dir]}"`);
      if (p.hasPass)
        rules.push(
          `meta mark & ${MARK} == ${MARK} meta mark set meta mark & ${CLEAR} counter return comment "${p.id} ${DIR[dir]} pass"`,
        );
    }
    const last = entries[entries.length - 1] as PolicyEntry;
    const lastId = this.policyId(last.ref, tier.name);
    const comment = `comment "${lastId} ${DIR[dir]} default (tier ${tier.name})"`;
    if (tier.defaultAction === 'Pass') rules.push(`counter return ${comment}`);
    else rules.push(`counter ${this.log('D', lastId, dir, 'default')} drop ${comment}`);
    this.tiers.set(name, {
      name,
      title: `tier ${tier.name} (${dir}): ${policies.map((p) => p.name).join(', ')}`,
      rules,
    });
    return name;
  }

  private policyChain(e: PolicyEntry, dir: Direction): PolicyChain {
    const known = dir === 'ingress' ? this.policyChainsIn : this.policyChains;
    const hit = known.get(e.rules);
    if (hit) return hit;
    const id = this.policyId(e.ref, e.tier.name);
    // A resource compiled into several policies (a ZonePolicy's zones) has one chain per rule list.
    const vkey = `${id} ${dir}`;
    const n = this.variants.get(vkey) ?? 0;
    this.variants.set(vkey, n + 1);
    const name = `${id}${n > 0 ? `.${n}` : ''}-${DIR[dir]}`;
    const rules: string[] = [];
    let hasPass = false;
    for (const rule of e.rules) {
      const ruleRef = `${id} ${DIR[dir]} ${rule.index === 'default' ? 'default' : `r${rule.index}`}`;
      const action = this.action(rule, id, dir);
      for (const cond of rule.matches.flatMap((m) => matchConditions(m, this.sets))) {
        rules.push(`${cond ? `${cond} ` : ''}counter ${action} comment "${ruleRef}"`);
        if (rule.action === 'Pass') hasPass = true;
      }
    }
    const chain: PolicyChain = {
      name,
      id,
      title: `${refText(e.ref)} ${dir} (tier ${e.tier.name})`,
      rules,
      hasPass,
    };
    known.set(e.rules, chain);
    return chain;
  }

  private action(rule: Rule, id: string, dir: Direction): string {
    const index = rule.index === 'default' ? 'default' : `r${rule.index}`;
    switch (rule.action) {
      case 'Allow':
        return 'accept';
      case 'Deny':
        return `${this.log('D', id, dir, index)} drop`;
      case 'Log':
        return this.log('L', id, dir, index);
      case 'Pass':
        return `meta mark set meta mark | ${MARK} return`;
    }
  }

  /** An NFLOG statement whose prefix names the verdict, policy, direction and rule. */
  private log(kind: 'D' | 'L', id: string, dir: Direction, rule: string): string {
    return `log prefix "zw ${kind} ${id} ${DIR[dir]} ${rule} " group ${this.logGroup}`;
  }
}
