// One side of a firewall rule (zones, addresses, negation) as ZonePolicy terms: zone references
// narrowed by a workload selector, and externals for addresses outside the cluster. Pods are
// known by label only, so address objects cannot name pods: where a side needs that, an allow
// is narrowed and a deny widened, and a note says so.
import type { CIDR } from '../net/index.js';
import { isDnsLabel } from './map-names.js';
import type { AddressItem } from './types.js';

export type Effect = 'narrowed' | 'widened' | 'unenforced';

/** One approximation, on one field of one rule. */
export interface Note {
  field: string;
  effect: Effect;
  message: string;
}

/** A `from`/`to` list with an optional selector narrowing its zones' workloads. */
export interface SideTerm {
  refs: string[];
  selector?: string;
}

/** Stands for every external of the finished policy (all addresses outside the cluster). */
export const ALL_EXTERNALS = '*externals*';
const ALL_OUTSIDE = ['internet', ALL_EXTERNALS];

export interface SideContext {
  /** The rule's name, for naming what it creates. */
  rule: string;
  field: 'source' | 'destination';
  deny: boolean;
  /** A firewall zone as a ZonePolicy reference: a zone name, "internet" or "any". */
  zoneRef: (fw: string) => string;
  /** A zone named by a `zonewall.zone.<zone>` tag, recorded so the policy declares it. */
  useZone: (name: string) => void;
  /** The external holding these addresses (created once per distinct content). */
  external: (nets: CIDR[], domains: string[], hint: string) => string;
  appLabel: string;
  cluster?: string;
  notes: Note[];
  /** What each member resolves to, computed once per import (members recur across rules). */
  memo: WeakMap<AddressItem, Parts>;
}

interface PodTerm {
  zone?: string;
  selector?: string;
}

export interface Parts {
  pods: PodTerm[];
  nets: CIDR[];
  domains: string[];
  /** Members that name pods by address, or could not be resolved. */
  inexact: string[];
  /** Members that could not be resolved at all. */
  unknown: string[];
  names: string[];
}

const ZW_TAG = /^zonewall\.(zone|ns|app|cluster)\.(.+)$/;

/** The side's terms; an empty list means the side matches nothing zonewall can see. */
export function mapSide(
  zones: string[],
  addrs: AddressItem[] | 'any',
  negate: boolean,
  ctx: SideContext,
): SideTerm[] {
  const refs = (zones.length === 0 ? ['any'] : zones).map(ctx.zoneRef);
  const podZones = refs.includes('any') ? ['any'] : refs.filter((r) => r !== 'internet');
  const outside = refs.includes('any') || refs.includes('internet');
  if (addrs === 'any') {
    if (negate) {
      note(ctx, 'unenforced', `negated "any" matches nothing`);
      return [];
    }
    if (refs.includes('any')) return [{ refs: ['any'] }];
    // An outside zone with any address: every address outside the cluster.
    return [{ refs: dedupe(refs.flatMap((r) => (r === 'internet' ? ALL_OUTSIDE : [r]))) }];
  }
  const parts = collect(addrs, ctx);
  const terms = negate ? negatePods(parts, podZones, ctx) : podTerms(parts, podZones, ctx);
  if (outside) terms.push(...(negate ? negateOutside(parts, ctx) : outsideTerms(parts, ctx)));
  return merge(terms);
}

function note(ctx: SideContext, effect: Effect, message: string): void {
  ctx.notes.push({ field: ctx.field, effect, message });
}

function podTerms(parts: Parts, podZones: string[], ctx: SideContext): SideTerm[] {
  const out: SideTerm[] = [];
  if (podZones.length === 0) return out;
  for (const t of parts.pods) {
    const zs =
      t.zone === undefined
        ? podZones
        : podZones.includes('any') || podZones.includes(t.zone)
          ? [t.zone]
          : [];
    if (zs.length > 0) out.push({ refs: zs, ...(t.selector ? { selector: t.selector } : {}) });
  }
  if (parts.inexact.length > 0) {
    const zones = podZones.join(', ');
    const names = (xs: string[]): string => xs.map((n) => JSON.stringify(n)).join(', ');
    const byAddress = parts.inexact.filter((n) => !parts.unknown.includes(n));
    const why = [
      ...(byAddress.length > 0 ? [`${names(byAddress)} name addresses, not workloads`] : []),
      ...(parts.unknown.length > 0 ? [`${names(parts.unknown)} could not be resolved`] : []),
    ].join('; ');
    if (ctx.deny) {
      note(ctx, 'widened', `${why}: the deny covers every workload of ${zones}`);
      out.push({ refs: podZones });
    } else {
      note(ctx, 'narrowed', `${why}: no workload of ${zones} matches them here`);
    }
  }
  return out;
}

function negatePods(parts: Parts, podZones: string[], ctx: SideContext): SideTerm[] {
  if (podZones.length === 0) return [];
  const exact = parts.inexact.length === 0 && parts.pods.every((p) => p.zone === undefined);
  if (exact) {
    if (parts.pods.some((p) => !p.selector)) return []; // every workload is excluded
    const sel = parts.pods.map((p) => `(${p.selector})`).join(' || ');
    return [{ refs: podZones, ...(sel ? { selector: `!(${sel})` } : {}) }];
  }
  if (ctx.deny) {
    note(
      ctx,
      'widened',
      'the negated members cannot be excluded exactly: the deny covers every workload of the zones',
    );
    return [{ refs: podZones }];
  }
  note(ctx, 'narrowed', 'the negated members cannot be excluded exactly: no workload matches here');
  return [];
}

function outsideTerms(parts: Parts, ctx: SideContext): SideTerm[] {
  let domains = parts.domains;
  if (ctx.field === 'source' && domains.length > 0) {
    if (ctx.deny) {
      note(
        ctx,
        'widened',
        `domain names match connections to them only: the deny covers every address outside the cluster`,
      );
      return [{ refs: ALL_OUTSIDE }];
    }
    note(
      ctx,
      'narrowed',
      `domain names match connections to them only: ${domains.join(', ')} left out as a source`,
    );
    domains = [];
  }
  if (parts.unknown.length > 0) {
    const what = parts.unknown.map((n) => JSON.stringify(n)).join(', ');
    if (ctx.deny) {
      note(
        ctx,
        'widened',
        `${what} could not be resolved: the deny covers every address outside the cluster`,
      );
      return [{ refs: ALL_OUTSIDE }];
    }
    note(ctx, 'narrowed', `${what} could not be resolved: no outside address matches them here`);
  }
  if (parts.nets.length === 0 && domains.length === 0) return [];
  const hint = parts.names.length === 1 ? (parts.names[0] as string) : `${ctx.rule}-${ctx.field}`;
  return [{ refs: [ctx.external(parts.nets, domains, hint)] }];
}

function negateOutside(parts: Parts, ctx: SideContext): SideTerm[] {
  if (parts.nets.length === 0 && parts.domains.length === 0 && parts.unknown.length === 0) {
    return [{ refs: ALL_OUTSIDE }];
  }
  if (ctx.deny) {
    note(
      ctx,
      'widened',
      'addresses outside the cluster cannot be excluded: the deny covers all of them',
    );
    return [{ refs: ALL_OUTSIDE }];
  }
  note(ctx, 'narrowed', 'addresses outside the cluster cannot be excluded: none match here');
  return [];
}

/** Flatten members into workload terms, outside addresses, and what cannot be matched exactly. */
function collect(items: AddressItem[], ctx: SideContext): Parts {
  const each = items.map((i) => partsOf(i, ctx));
  if (each.length === 1) return each[0] as Parts;
  return {
    pods: each.flatMap((p) => p.pods),
    nets: dedupeCidrs(each.flatMap((p) => p.nets)),
    domains: dedupe(each.flatMap((p) => p.domains)),
    inexact: dedupe(each.flatMap((p) => p.inexact)),
    unknown: dedupe(each.flatMap((p) => p.unknown)),
    names: each.flatMap((p) => p.names),
  };
}

function partsOf(item: AddressItem, ctx: SideContext): Parts {
  const known = ctx.memo.get(item);
  if (known) {
    for (const p of known.pods) if (p.zone !== undefined) ctx.useZone(p.zone);
    return known;
  }
  const parts: Parts = {
    pods: [],
    nets: [],
    domains: [],
    inexact: [],
    unknown: [],
    names: [item.name],
  };
  // `tagged`: reached through a dynamic group, whose other tags match no pod (only objects).
  const visit = (i: AddressItem, tagged: boolean): void => {
    switch (i.kind) {
      case 'nets':
        parts.nets.push(...i.cidrs);
        if (!tagged) parts.inexact.push(i.name);
        break;
      case 'fqdn':
        parts.domains.push(i.domain);
        if (!tagged) parts.inexact.push(i.name);
        break;
      case 'group':
        i.members.forEach((m) => visit(m, tagged));
        break;
      case 'unknown':
        parts.inexact.push(i.name);
        parts.unknown.push(i.name);
        break;
      case 'dynamic':
        dynamicTerms(i, ctx, parts);
        i.objects.forEach((o) => visit(o, true));
        break;
    }
  };
  visit(item, false);
  parts.inexact = dedupe(parts.inexact);
  parts.unknown = dedupe(parts.unknown);
  parts.nets = dedupeCidrs(parts.nets);
  parts.domains = dedupe(parts.domains);
  ctx.memo.set(item, parts);
  return parts;
}

/** The workload terms of a dynamic group's filter: one per conjunction of zonewall tags. */
function dynamicTerms(
  item: Extract<AddressItem, { kind: 'dynamic' }>,
  ctx: SideContext,
  parts: Parts,
): void {
  for (const term of item.dnf) {
    const tags = term.map((t) => ZW_TAG.exec(t));
    if (!tags.every((m) => m)) continue; // another tag: matches no pod, only tagged objects
    const byKind = new Map<string, Set<string>>();
    for (const m of tags) {
      const [, kind = '', value = ''] = m as RegExpExecArray;
      if (!byKind.has(kind)) byKind.set(kind, new Set());
      byKind.get(kind)?.add(value);
    }
    const one = (k: string): string | undefined | null => {
      const s = byKind.get(k);
      return s === undefined ? undefined : s.size === 1 ? ([...s][0] as string) : null;
    };
    const zone = one('zone');
    const ns = one('ns');
    const app = one('app');
    const cluster = one('cluster');
    if (zone === null || ns === null || app === null || cluster === null) continue; // two values: nothing
    if (cluster !== undefined && ctx.cluster !== undefined && cluster !== ctx.cluster) continue;
    // No pod is in a zone of that name: not a DNS label, or a reserved word (`internet` means
    // outside the cluster, `any` is no zone).
    if (zone !== undefined && (!isDnsLabel(zone) || zone === 'internet' || zone === 'any'))
      continue;
    if (zone !== undefined) ctx.useZone(zone);
    const sel = [
      ...(ns !== undefined ? [`projectcalico.org/namespace == ${lit(ns)}`] : []),
      ...(app !== undefined ? [`${ctx.appLabel} == ${lit(app)}`] : []),
    ].join(' && ');
    parts.pods.push({ ...(zone !== undefined ? { zone } : {}), ...(sel ? { selector: sel } : {}) });
  }
}

/** A selector string literal. */
function lit(v: string): string {
  return v.includes("'") ? JSON.stringify(v) : `'${v}'`;
}

/**
 * Merge terms: the same selector adds up their refs; the same refs OR their selectors; a term
 * with no selector covers any term of its refs with one.
 */
function merge(terms: SideTerm[]): SideTerm[] {
  const bySel = new Map<string, SideTerm>();
  for (const t of terms) {
    const key = t.selector ?? '';
    const prev = bySel.get(key);
    if (prev) prev.refs = dedupe([...prev.refs, ...t.refs]);
    else bySel.set(key, { refs: dedupe(t.refs), ...(t.selector ? { selector: t.selector } : {}) });
  }
  const byRefs = new Map<string, SideTerm>();
  for (const t of bySel.values()) {
    const refs = t.refs.includes('any') ? ['any'] : t.refs;
    const key = JSON.stringify([...refs].sort());
    const prev = byRefs.get(key);
    if (!prev) byRefs.set(key, { ...t, refs });
    else if (!prev.selector || !t.selector) delete prev.selector;
    else prev.selector = `(${prev.selector}) || (${t.selector})`;
  }
  const out = [...byRefs.values()];
  const plain = out.find((t) => !t.selector);
  return out.filter(
    (t) =>
      !t.selector ||
      !plain ||
      !t.refs.every((r) => plain.refs.includes(r) || plain.refs.includes('any')),
  );
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function dedupeCidrs(cs: CIDR[]): CIDR[] {
  const seen = new Set<string>();
  return cs.filter((c) => {
    const k = `${c.ip.version === 4 ? c.ip.v4 : c.ip.v6}/${c.prefix}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
