// The firewall model as a ZonePolicy, rule by rule, in the firewall's order. What cannot be
// enforced exactly fails closed (a deny widened, an allow narrowed or skipped) and is reported
// per rule and field; nothing is left out without a line in the report.
export type {
  ImportOptions,
  ImportReport,
  RuleReport,
  RuleStatus,
  ZonePolicyDoc,
} from './import-types.js';
import { formatCIDR } from '../net/index.js';
import type { CIDR } from '../net/index.js';
import { DEFAULT_ZONE_LABEL, ZONE_API_VERSION } from '../zones/types.js';
import type {
  ImportOptions,
  ImportReport,
  RuleDoc,
  RuleReport,
  ZonePolicyDoc,
} from './import-types.js';
import { NameSet, dnsLabel } from './map-names.js';
import { mapServices } from './map-services.js';
import type { Variant } from './map-services.js';
import { ALL_EXTERNALS, mapSide } from './map-sides.js';
import type { Note, Parts, SideContext, SideTerm } from './map-sides.js';
import { ZoneNames } from './map-zones.js';
import type { AddressItem, DefaultRule, FirewallPolicy, FirewallRule } from './types.js';

/** Map a firewall policy to a ZonePolicy document and a report of what was approximated. */
export function toZonePolicy(
  fw: FirewallPolicy,
  opts: ImportOptions,
): { document: ZonePolicyDoc; report: ImportReport } {
  const m = new Mapper(fw, opts);
  const reports = fw.rules.map((r) => m.rule(r));
  const defaults: Note[] = [];
  const spec: Record<string, unknown> = {
    zoneLabel: DEFAULT_ZONE_LABEL,
    defaults: {
      intraZone: m.defaultAction(fw.intrazone, 'intrazone', defaults),
      interZone: m.defaultAction(fw.interzone, 'interzone', defaults),
    },
  };
  const zones = m.zones.list();
  const renamed = new Map(m.zones.renamed().map((z) => [z.zone, z.firewall]));
  if (zones.length > 0) {
    spec.zones = zones.map((name) => {
      const was = renamed.get(name);
      return was === undefined
        ? { name }
        : { name, description: `firewall zone ${JSON.stringify(was)}` };
    });
  }
  const rules = m.finishRules();
  if (m.externals.length > 0) spec.externals = m.externals;
  spec.rules = rules;
  return {
    // Plain data with no shared parts, so YAML output has no anchors.
    document: clone({
      apiVersion: ZONE_API_VERSION,
      kind: 'ZonePolicy',
      metadata: { name: opts.name },
      spec,
    }),
    report: {
      source: fw.source,
      scope: fw.scope,
      rules: reports,
      defaults,
      zones: [...renamed].map(([zone, firewall]) => ({ firewall, zone })),
      issues: fw.issues,
    },
  };
}

class Mapper {
  externals: Array<{ name: string; nets?: string[]; domains?: string[] }> = [];
  private readonly externalByKey = new Map<string, string>();
  private readonly memo = new WeakMap<AddressItem, Parts>();
  private readonly netKeys = new WeakMap<CIDR[], string>();
  readonly zones: ZoneNames;
  private readonly ruleNames = new NameSet();
  private readonly rules: RuleDoc[] = [];
  private readonly appLabel: string;
  private readonly allow: 'Pass' | 'Allow';

  constructor(
    private readonly fw: FirewallPolicy,
    private readonly opts: ImportOptions,
  ) {
    this.zones = new ZoneNames(fw, opts.internetZones ?? ['internet']);
    this.appLabel = opts.appLabel ?? 'app';
    this.allow = opts.allowAction ?? 'Pass';
  }

  private external = (nets: CIDR[], domains: string[], hint: string): string => {
    let netKey = this.netKeys.get(nets);
    if (netKey === undefined) {
      netKey = nets.map(formatCIDR).join(',');
      this.netKeys.set(nets, netKey);
    }
    const key = `${netKey} ${domains.join(',')}`;
    const known = this.externalByKey.get(key);
    if (known) return EXT + known;
    const netText = nets.map(formatCIDR);
    const name = this.zones.names.take(dnsLabel(hint));
    this.externalByKey.set(key, name);
    this.externals.push({
      name,
      ...(netText.length > 0 ? { nets: netText } : {}),
      ...(domains.length > 0 ? { domains } : {}),
    });
    return EXT + name;
  };

  defaultAction(d: DefaultRule, which: 'intrazone' | 'interzone', notes: Note[]): string {
    const field = `${which}-default`;
    if (d.logStart || d.logEnd) {
      notes.push({
        field,
        effect: 'unenforced',
        message: 'logging of the default rule is not carried over',
      });
    }
    if (d.action !== 'allow') return 'Deny';
    if (which === 'intrazone') return this.allow;
    if (this.allow === 'Allow') {
      notes.push({
        field,
        effect: 'narrowed',
        message: 'interZone can only be Pass or Deny: allow becomes Pass',
      });
    }
    return 'Pass';
  }

  rule(r: FirewallRule): RuleReport {
    const base = { rule: r.name, scope: r.scope, place: r.place };
    const notes: Note[] = [];
    const skip = (reason: string): RuleReport => ({
      ...base,
      status: 'skipped',
      produced: [],
      reason,
      notes,
    });
    if (r.excluded) return skip(r.excluded);
    const action = mapAction(r.action, this.allow);
    if (!action) return skip(`action ${JSON.stringify(r.action)} is not a security rule action`);
    const deny = action === 'Deny';
    const cond = this.conditions(r, deny, notes);
    if (cond) return skip(cond);
    if (!deny && r.inspection.length > 0) {
      notes.push({
        field: 'profile-setting',
        effect: 'unenforced',
        message: `content inspection is not done here: ${r.inspection.join(', ')}`,
      });
    }
    const variants = mapServices(r.applications, r.service, {
      deny,
      appLabel: this.appLabel,
      notes,
    });
    if (variants.length === 0)
      return skip('no application or service of the rule can be expressed');
    const produced: RuleDoc[] = [];
    for (const [from, to] of this.zones.pairs(r)) {
      const ctx = (field: 'source' | 'destination'): SideContext => ({
        rule: r.name,
        field,
        deny,
        zoneRef: this.zones.ref,
        useZone: this.zones.use,
        external: this.external,
        appLabel: this.appLabel,
        ...(this.opts.cluster !== undefined ? { cluster: this.opts.cluster } : {}),
        notes,
        memo: this.memo,
      });
      const src = mapSide(from, r.source, r.negateSource, ctx('source'));
      const dst = mapSide(to, r.destination, r.negateDestination, ctx('destination'));
      for (const s of src) {
        for (const d of dst)
          for (const v of variants) produced.push(...this.docs(r, action, s, d, v, notes));
      }
    }
    dedupeNotes(notes);
    if (produced.length === 0) {
      return skip(
        notes.length > 0
          ? 'nothing zonewall can see matches the rule (see notes)'
          : 'nothing it names can be in its zones (a zone tag or address outside them)',
      );
    }
    const names = this.name(r, produced);
    this.rules.push(...produced);
    return {
      ...base,
      status: notes.length > 0 ? 'approximated' : 'mapped',
      produced: names,
      notes,
    };
  }

  /** Conditions zonewall cannot see: an allow is skipped, a deny widened. */
  private conditions(r: FirewallRule, deny: boolean, notes: Note[]): string | undefined {
    const unseen: Array<{ field: string; values: string[] }> = [...r.unseen];
    const users = r.sourceUser.filter((u) => u !== 'any');
    if (users.length > 0) unseen.unshift({ field: 'source-user', values: users });
    const target = r.target && [
      ...(this.fw.device ? [] : r.target.devices),
      ...r.target.tags.map((t) => `tag ${t}`),
    ];
    if (target && target.length > 0) {
      unseen.push({
        field: 'target',
        values: r.target?.negate ? target.map((t) => `not ${t}`) : target,
      });
    }
    if (unseen.length === 0) return undefined;
    const text = unseen.map((u) => `${u.field} ${u.values.join(', ')}`).join('; ');
    if (!deny) return `it applies only under conditions zonewall cannot see (${text})`;
    for (const u of unseen) {
      notes.push({
        field: u.field,
        effect: 'widened',
        message: `${u.values.join(', ')} cannot be seen: the deny applies regardless`,
      });
    }
    return undefined;
  }

  /** ZonePolicy rules for one source term, destination term and variant. */
  private docs(
    r: FirewallRule,
    action: string,
    s: SideTerm,
    d: SideTerm,
    v: Variant,
    notes: Note[],
  ): RuleDoc[] {
    const make = (to: string[], selector: string | undefined): RuleDoc => ({
      name: '',
      from: s.refs,
      to,
      ...(s.selector ? { source: { selector: s.selector } } : {}),
      ...(selector ? { destination: { selector } } : {}),
      ...(v.services ? { services: v.services } : {}),
      action,
      log: r.logStart || r.logEnd,
      enabled: !r.disabled,
      description: describe(r, this.fw.source),
    });
    if (!v.selector) return [make(d.refs, d.selector)];
    // A custom application means workloads labelled with its name: outside addresses have none.
    const workloads = d.refs.filter((ref) => !this.isOutside(ref));
    if (workloads.length < d.refs.length) {
      notes.push({
        field: 'application',
        effect: 'narrowed',
        message: `${v.apps.join(', ')} means workloads labelled ${this.appLabel}=<name>: addresses outside the cluster do not match`,
      });
    }
    if (workloads.length === 0) return [];
    return [make(workloads, d.selector ? `(${d.selector}) && ${v.selector}` : v.selector)];
  }

  private isOutside(ref: string): boolean {
    return ref === 'internet' || ref === ALL_EXTERNALS || ref.startsWith(EXT);
  }

  private name(r: FirewallRule, produced: RuleDoc[]): string[] {
    const base = dnsLabel(r.name, 55);
    return produced.map((p, i) => {
      p.name = this.ruleNames.take(produced.length === 1 ? base : `${base}--${i + 1}`);
      return p.name;
    });
  }

  /** Rules with the every-external placeholder filled in. */
  finishRules(): RuleDoc[] {
    // Externals no rule names (their rules were skipped) are left out: their addresses are
    // then `internet`, which every rule meaning "all outside addresses" names too.
    const named = new Set(
      this.rules.flatMap((r) => [...r.from, ...r.to]).filter((x) => x.startsWith(EXT)),
    );
    this.externals = this.externals.filter((e) => named.has(EXT + e.name));
    // An external named before a tag named a zone of the same name gives way to the zone.
    const renamed = new Map<string, string>();
    for (const e of this.externals) {
      if (!this.zones.isZone(e.name)) continue;
      const name = this.zones.names.take(dnsLabel(`${e.name}-net`));
      renamed.set(e.name, name);
      e.name = name;
    }
    // Domain names match connections to them only: as a source, every external means those
    // with addresses.
    const all = this.externals.map((e) => e.name);
    const withNets = this.externals.filter((e) => e.nets).map((e) => e.name);
    const fill = (refs: string[], side: 'from' | 'to'): string[] => [
      ...new Set(
        refs.flatMap((x) => {
          if (x === ALL_EXTERNALS) return side === 'from' ? withNets : all;
          if (!x.startsWith(EXT)) return [x];
          const name = x.slice(EXT.length);
          return [renamed.get(name) ?? name];
        }),
      ),
    ];
    return this.rules.map((r) => ({ ...r, from: fill(r.from, 'from'), to: fill(r.to, 'to') }));
  }
}

/** Marks an external's name in rules until the names are final (a tag may name a zone alike). */
const EXT = '\u0000external:';

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function dedupeNotes(notes: Note[]): void {
  const kept = notes.filter(
    (n, i) => notes.findIndex((o) => o.field === n.field && o.message === n.message) === i,
  );
  notes.splice(0, notes.length, ...kept);
}

function mapAction(action: string, allow: 'Pass' | 'Allow'): string | undefined {
  if (action === 'allow') return allow;
  if (['deny', 'drop', 'reset-client', 'reset-server', 'reset-both'].includes(action))
    return 'Deny';
  return undefined;
}

function describe(r: FirewallRule, source: string): string {
  const where = source === 'panorama' ? `${r.scope} ${r.place}-rulebase` : `${r.scope} rulebase`;
  const parts = [
    `${JSON.stringify(r.name)} (${where.replace('shared-pre-', 'pre-').replace('shared-post-', 'post-')}, ${r.action}${r.ruleType !== 'universal' ? `, ${r.ruleType}` : ''})`,
  ];
  if (r.uuid) parts.push(`uuid ${r.uuid}`);
  if (r.tags.length > 0) parts.push(`tags ${r.tags.join(', ')}`);
  if (r.description) parts.push(r.description);
  return parts.join('; ');
}
