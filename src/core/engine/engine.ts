// The engine: endpoints indexed by label, per-endpoint ordered policy lists per direction
// (enforced, and pending when staged policies exist), rules compiled to fixed shapes with
// their selector results memoised per peer, and a verdict cache invalidated by version
// whenever anything changes.
import type { Direction, Labels, Policy, PolicySet, Tier } from '../model/types.js';
import { EP_HOST, EP_POD } from '../model/types.js';
import { selectorFromNode } from '../selector/index.js';
import type { Selector, SelectorNode } from '../selector/index.js';
import { SelectorSlots } from './compiled.js';
import { Endpoints } from './endpoint-set.js';
import { LABEL_NAMESPACE } from './endpoints.js';
import type { Endpoint, Peer } from './endpoints.js';
import { directionVerdict, evaluateDirection, tiersOutcome } from './evaluate.js';
import type { PolicyEntry, WalkContext } from './evaluate.js';
import { LabelIndex } from './label-index.js';
import type { NamespaceView, Packet } from './match.js';
import { selects } from './match.js';
import { PacketFilter } from './sweep.js';
import { enforcedPolicies, pendingPolicies, rankPolicies } from './policy-table.js';
import type { RankedPolicy } from './policy-table.js';
import { combine } from './trace.js';
import type { DirectionResult, Evaluation, Verdict } from './trace.js';

/** What the tiers decide in one direction (see Engine.tierOutcomes). */
export type TierOutcome = 'allow' | 'deny' | 'none' | 'open';

type Mode = 'enforced' | 'pending';

/** Cached verdicts kept before the cache starts over (bounds memory on huge sweeps). */
export const VERDICT_CACHE_LIMIT = 500_000;

interface Lists {
  ingress: PolicyEntry[];
  egress: PolicyEntry[];
}

interface Ranked {
  all: RankedPolicy[];
  /** Policies that can only apply in one namespace, by namespace; the rest are global. */
  byNamespace: Map<string, RankedPolicy[]>;
  global: RankedPolicy[];
}

/** A packet with every field present (one object shape on the hot path). */
function normalise(p: Packet): Packet {
  return {
    protocol: p.protocol,
    port: p.port,
    srcPort: p.srcPort,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    ipVersion: p.ipVersion,
  };
}

export class Engine implements NamespaceView {
  readonly eps: Endpoints;
  private readonly index = new LabelIndex();
  private readonly tiers: Map<string, Tier>;
  private readonly ranked: Record<Mode, Ranked | undefined>;
  private readonly lists: Record<Mode, Map<number, Lists>> = {
    enforced: new Map(),
    pending: new Map(),
  };
  private readonly entries = new Map<
    RankedPolicy,
    { ingress?: PolicyEntry; egress?: PolicyEntry }
  >();
  private readonly nsCache = new Map<Selector, Map<string, boolean>>();
  private readonly slots: SelectorSlots;
  private cache = new Map<number, Map<number, Verdict>>();
  private externalCache = new Map<string, Verdict>();
  private versionNo = 0;
  private cached = 0;

  private constructor(set: PolicySet) {
    this.eps = new Endpoints(set);
    this.slots = new SelectorSlots(() => this.eps.all.length * 2 + 2);
    this.tiers = new Map(set.tiers.map((t) => [t.name, t]));
    for (const ep of this.eps.subjects()) this.index.add(ep.id, ep.labels);
    const pending = pendingPolicies(set.policies);
    this.ranked = {
      enforced: indexRanked(rankPolicies(enforcedPolicies(set.policies), this.tiers)),
      pending: pending ? indexRanked(rankPolicies(pending, this.tiers)) : undefined,
    };
    this.place('enforced');
    if (this.ranked.pending) this.place('pending');
  }

  /** Build an engine over a validated policy set. */
  static build(set: PolicySet): Engine {
    return new Engine(set);
  }

  /** Changes whenever labels or policies change; cached verdicts of older versions are gone. */
  get version(): number {
    return this.versionNo;
  }

  /** Whether staged policies exist (verdicts then carry a pending evaluation). */
  get hasPending(): boolean {
    return this.ranked.pending !== undefined;
  }

  nsSelects(sel: Selector, namespace: string | undefined): boolean {
    // global() stands for "not namespaced" (GlobalNetworkSets, host endpoints).
    if (sel.usesGlobal) return namespace === undefined;
    if (namespace === undefined) return matchesNoNamespace(sel);
    let byNs = this.nsCache.get(sel);
    if (!byNs) this.nsCache.set(sel, (byNs = new Map()));
    let hit = byNs.get(namespace);
    if (hit === undefined) {
      const labels = this.eps.namespaceLabels(namespace);
      hit = labels !== undefined && sel.matches(labels);
      byNs.set(namespace, hit);
    }
    return hit;
  }

  /** Place every ranked policy on the endpoints it selects, in rank order. */
  private place(mode: Mode): void {
    const lists = this.lists[mode];
    lists.clear();
    for (const rp of this.ranked[mode]?.all ?? []) {
      for (const ep of this.subjectsOf(rp.policy)) this.addEntry(lists, ep.id, rp);
    }
  }

  /** The endpoints a policy applies to, starting from the narrowest candidate set. */
  private subjectsOf(policy: Policy): Endpoint[] {
    const out: Endpoint[] = [];
    for (const ep of this.candidatesOf(policy.subject)) {
      if ((ep.kindBit & (EP_POD | EP_HOST)) !== 0 && selects(policy.subject, ep, this))
        out.push(ep);
    }
    return out;
  }

  /** The smallest known superset of a subject: its namespace, its index hits, or its namespaces' pods. */
  private candidatesOf(s: Policy['subject']): Iterable<Endpoint> {
    if (s.namespace !== undefined) return this.eps.podsIn(s.namespace);
    const ids = s.selector ? this.index.candidates(s.selector.ast) : undefined;
    const nsSel =
      s.namespaceSelector && !s.namespaceSelector.usesGlobal && (s.kinds & EP_HOST) === 0
        ? s.namespaceSelector
        : undefined;
    if (nsSel) {
      const namespaces = this.eps.namespaceNames().filter((ns) => this.nsSelects(nsSel, ns));
      const size = namespaces.reduce((n, ns) => n + this.eps.podsIn(ns).length, 0);
      if (!ids || size < ids.size) return namespaces.flatMap((ns) => this.eps.podsIn(ns));
    }
    return ids ? this.eps.byIds(ids) : this.eps.subjects();
  }

  private addEntry(lists: Map<number, Lists>, id: number, rp: RankedPolicy): void {
    let l = lists.get(id);
    if (!l) lists.set(id, (l = { ingress: [], egress: [] }));
    const e = this.entriesOf(rp);
    if (e.ingress) l.ingress.push(e.ingress);
    if (e.egress) l.egress.push(e.egress);
  }

  /** One entry object per policy and direction, shared by every endpoint it applies to. */
  private entriesOf(rp: RankedPolicy): { ingress?: PolicyEntry; egress?: PolicyEntry } {
    let e = this.entries.get(rp);
    if (!e) {
      const { ref, ingress, egress } = rp.policy;
      const entry = (rules: Policy['ingress'] & object): PolicyEntry => ({
        ref,
        tier: rp.tier,
        rank: rp.rank,
        rules,
        compiled: rules.map((r) => this.slots.compile(r)),
      });
      e = {
        ...(ingress ? { ingress: entry(ingress) } : {}),
        ...(egress ? { egress: entry(egress) } : {}),
      };
      this.entries.set(rp, e);
    }
    return e;
  }

  /**
   * Ids of the policy subjects (pods with a workload endpoint, host endpoints) a selector can
   * match, from the label index: a superset; undefined when the index cannot narrow it.
   */
  subjectCandidates(node: SelectorNode): ReadonlySet<number> | undefined {
    return this.index.candidates(node);
  }

  /** The ordered policies that apply to an endpoint in one direction. */
  policiesFor(ep: Endpoint, direction: Direction, mode: Mode = 'enforced'): readonly PolicyEntry[] {
    return this.lists[mode].get(ep.id)?.[direction] ?? [];
  }

  /** Evaluate a connection (cached by endpoints, protocol and port). */
  evaluate(src: Peer, dst: Peer, pkt: Packet): Verdict {
    const sid = src.cacheId;
    const did = dst.cacheId;
    if (
      sid === undefined ||
      did === undefined ||
      pkt.srcPort !== undefined ||
      pkt.icmpType !== undefined
    ) {
      const key = `${src.key}|${dst.key}|${pkt.protocol}|${pkt.port ?? ''}|${pkt.srcPort ?? ''}|${pkt.icmpType ?? ''}|${pkt.icmpCode ?? ''}|${pkt.ipVersion ?? ''}`;
      let v = this.externalCache.get(key);
      if (!v)
        this.externalCache.set(key, (v = this.remember(this.evaluateUncached(src, dst, pkt))));
      return v;
    }
    // Endpoint peers have small integer ids: one number keys the pair, another the port.
    const pair = sid * 4_194_304 + did;
    let inner = this.cache.get(pair);
    if (!inner) this.cache.set(pair, (inner = new Map()));
    const k = pkt.protocol * 65_536 + (pkt.port ?? 0);
    let v = inner.get(k);
    if (!v) inner.set(k, (v = this.remember(this.evaluateUncached(src, dst, pkt))));
    return v;
  }

  /** Count a new cache entry; past the limit, start the cache over (same version). */
  private remember(v: Verdict): Verdict {
    if (++this.cached > VERDICT_CACHE_LIMIT) {
      this.cache = new Map();
      this.externalCache = new Map();
      this.cached = 1;
    }
    return v;
  }

  /** Evaluate without the cache (the enforced verdict, and the pending one when staged policies exist). */
  evaluateUncached(src: Peer, dst: Peer, pkt: Packet): Verdict {
    const p = normalise(pkt);
    const enforced = this.evaluateMode('enforced', src, dst, p);
    if (!this.ranked.pending) return enforced;
    return { ...enforced, pending: this.evaluateMode('pending', src, dst, p) };
  }

  /** The enforced verdict only, without a trace or the cache (for exhaustive sweeps). */
  verdictOf(src: Peer, dst: Peer, pkt: Packet): 'allow' | 'deny' {
    const p = normalise(pkt);
    for (const [direction, at] of [
      ['egress', src],
      ['ingress', dst],
    ] as const) {
      const ctx = this.context('enforced', direction, at, src, dst, p);
      if (ctx && directionVerdict(ctx.list, direction, ctx) === 'deny') return 'deny';
    }
    return 'allow';
  }

  /**
   * What the tiers decide in each direction, without the profile: `none` when no tier decided
   * (the profile would), `open` when nothing is enforced at that end (an address outside the
   * cluster, a host-networked pod). For layering: with these policies placed above others,
   * `none` and `open` are where the others decide.
   */
  tierOutcomes(src: Peer, dst: Peer, pkt: Packet): [TierOutcome, TierOutcome] {
    const p = normalise(pkt);
    const out = (direction: Direction, at: Peer): TierOutcome => {
      const ctx = this.context('enforced', direction, at, src, dst, p);
      return ctx ? tiersOutcome(ctx.list, direction, ctx) : 'open';
    };
    return [out('egress', src), out('ingress', dst)];
  }

  /**
   * Verdicts for many pairs sharing one packet shape (a matrix): rule lists are filtered once
   * for the packet and no trace is built. Invalid after any change to the engine.
   */
  sweep(pkt: Packet): (src: Peer, dst: Peer) => 'allow' | 'deny' {
    const p = normalise(pkt);
    const filter = new PacketFilter(p);
    const lists = new Map<number, PolicyEntry[]>();
    const listOf = (local: Endpoint, direction: Direction): PolicyEntry[] => {
      const key = local.id * 2 + (direction === 'egress' ? 0 : 1);
      let l = lists.get(key);
      if (!l)
        lists.set(key, (l = filter.list(this.lists.enforced.get(local.id)?.[direction] ?? [])));
      return l;
    };
    return (src, dst) => {
      for (const [direction, at] of [
        ['egress', src],
        ['ingress', dst],
      ] as const) {
        const local = this.eps.enforcingEndpoint(at);
        if (!local) continue;
        const ctx = { local, src, dst, pkt: p, ns: this, slots: this.slots };
        if (directionVerdict(listOf(local, direction), direction, ctx) === 'deny') return 'deny';
      }
      return 'allow';
    };
  }

  private context(
    mode: Mode,
    direction: Direction,
    at: Peer,
    src: Peer,
    dst: Peer,
    pkt: Packet,
  ): (WalkContext & { list: readonly PolicyEntry[] }) | undefined {
    const local = this.eps.enforcingEndpoint(at);
    if (!local) return undefined;
    const list = this.lists[mode].get(local.id)?.[direction] ?? [];
    return { local, src, dst, pkt, ns: this, slots: this.slots, list };
  }

  private evaluateMode(mode: Mode, src: Peer, dst: Peer, pkt: Packet): Evaluation {
    return combine(
      this.direction(mode, 'egress', src, src, dst, pkt),
      this.direction(mode, 'ingress', dst, src, dst, pkt),
    );
  }

  private direction(
    mode: Mode,
    direction: Direction,
    at: Peer,
    src: Peer,
    dst: Peer,
    pkt: Packet,
  ): DirectionResult {
    const ctx = this.context(mode, direction, at, src, dst, pkt);
    if (!ctx) {
      const note = at.endpoint?.hostNetwork
        ? 'host-networked pod: no workload endpoint, and no host endpoint has its address'
        : at.endpoint
          ? `${at.endpoint.kind} has no policy enforcement of its own`
          : 'outside the cluster: no policy is enforced there';
      return { direction, enforced: false, verdict: 'allow', steps: [], note };
    }
    return evaluateDirection(ctx.list, direction, ctx);
  }

  /** Replace a pod's labels: re-index it and re-place policies on it (sub-millisecond). */
  relabelPod(namespace: string, name: string, labels: Labels): void {
    const ep = this.eps.pod(namespace, name);
    if (!ep) throw new Error(`no pod ${namespace}/${name}`);
    this.index.remove(ep.id, ep.labels);
    this.eps.setPodLabels(ep, labels);
    this.index.add(ep.id, ep.labels);
    this.replaceOn([ep]);
  }

  /** Replace a namespace's labels: pods in it are re-evaluated against namespace selectors. */
  relabelNamespace(namespace: string, labels: Labels): void {
    this.eps.setNamespaceLabels(namespace, labels);
    this.nsCache.clear();
    this.replaceOn([...this.eps.podsIn(namespace)]);
  }

  private replaceOn(eps: readonly Endpoint[]): void {
    for (const mode of ['enforced', 'pending'] as const) {
      const ranked = this.ranked[mode];
      if (!ranked) continue;
      const lists = this.lists[mode];
      for (const ep of eps) {
        lists.delete(ep.id);
        // Only global policies and those of the pod's own namespace can select it.
        for (const rp of mergeByRank(
          ranked.global,
          ranked.byNamespace.get(ep.namespace ?? '') ?? [],
        )) {
          if (selects(rp.policy.subject, ep, this)) this.addEntry(lists, ep.id, rp);
        }
      }
    }
    this.invalidate();
  }

  /** Drop every cached verdict and memoised selector result (bump the version). */
  invalidate(): void {
    this.versionNo++;
    this.cached = 0;
    this.slots.clear();
    this.cache = new Map();
    this.externalCache = new Map();
  }
}

function indexRanked(all: RankedPolicy[]): Ranked {
  const byNamespace = new Map<string, RankedPolicy[]>();
  const global: RankedPolicy[] = [];
  for (const rp of all) {
    const ns = rp.policy.subject.namespace;
    if (ns === undefined) global.push(rp);
    else {
      const list = byNamespace.get(ns);
      if (list) list.push(rp);
      else byNamespace.set(ns, [rp]);
    }
  }
  return { all, byNamespace, global };
}

/** Two rank-sorted lists merged into one. */
function mergeByRank(a: readonly RankedPolicy[], b: readonly RankedPolicy[]): RankedPolicy[] {
  const out: RankedPolicy[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.rank < y.rank)) {
      out.push(x as RankedPolicy);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

const noNamespace = new WeakMap<Selector, boolean>();

/**
 * Does a namespaceSelector reach an endpoint without a namespace? Calico rewrites it onto
 * `pcns.` labels such endpoints lack, turning `all()` into "has a namespace": so only a
 * selector that matches an empty label set once `all()` is false reaches them.
 */
function matchesNoNamespace(sel: Selector): boolean {
  let hit = noNamespace.get(sel);
  if (hit === undefined) {
    hit = selectorFromNode(withoutAll(sel.ast)).matches(new Map());
    noNamespace.set(sel, hit);
  }
  return hit;
}

function withoutAll(n: SelectorNode): SelectorNode {
  switch (n.kind) {
    case 'all':
      return { kind: 'has', key: LABEL_NAMESPACE };
    case 'not':
      return { kind: 'not', operand: withoutAll(n.operand) };
    case 'and':
    case 'or':
      return { kind: n.kind, operands: n.operands.map(withoutAll) };
    default:
      return n;
  }
}
