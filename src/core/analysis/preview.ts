// Preview: what a policy change would do to recorded traffic. Every distinct (source,
// destination, protocol, port) key of the flows is evaluated once before and once after the
// change; a key whose verdict changes is reported with its flow counts and the old and new
// deciding step. A key whose endpoints cannot be resolved in the cluster snapshot, or whose
// pods disagree among themselves, is uncertain: reported, never guessed.
import { Engine, stepRef } from '../engine/index.js';
import type { DecidedByRef, Endpoint, Peer } from '../engine/index.js';
import { parseIP, protocolHasPorts, protocolName } from '../net/index.js';
import type { Policy, PolicyRef, PolicySet } from '../model/types.js';

/** One end of a recorded flow, as flow records name it. */
export type FlowEnd =
  | {
      kind: 'pod';
      namespace: string;
      /** The pod's name when the record has it (aggregation level 0). */
      name?: string;
      /** The workload name prefix (Calico's `name_aggr`), when the name is aggregated away. */
      prefix?: string;
      ip?: string;
    }
  | { kind: 'address'; ip: string }
  /** An end the record cannot place (an aggregated outside network without an address). */
  | { kind: 'unknown'; label: string };

/** A distinct flow key with what was recorded under it. */
export interface PreviewFlow {
  source: FlowEnd;
  dest: FlowEnd;
  /** IANA protocol number. */
  proto: number;
  port?: number;
  /** Stored records and the flows they count. */
  records: number;
  flows: number;
}

export interface PreviewKey {
  /** `namespace/workload-prefix`, `namespace/pod`, or the address. */
  source: string;
  dest: string;
  proto: string;
  port: number | null;
  records: number;
  oldDecidedBy: DecidedByRef | null;
  newDecidedBy: DecidedByRef | null;
  /** Uncertain keys: why. */
  reason?: string;
}

export interface PreviewGroup {
  records: number;
  flows: number;
  keys: PreviewKey[];
}

export interface PreviewResult {
  newlyDenied: PreviewGroup;
  newlyAllowed: PreviewGroup;
  uncertain: PreviewGroup;
  /** Distinct keys evaluated, and records seen. */
  keys: number;
  records: number;
}

/**
 * The policy set after a change: `changes` holds resources that replace those of the same
 * kind, namespace and name (or are added), and `deleted` refs to remove; staged policies (of
 * both) are promoted: a staged Set replaces its target, a staged Delete removes it.
 */
export function applyChanges(
  current: PolicySet,
  changes: PolicySet,
  deleted: readonly PolicyRef[] = [],
): PolicySet {
  const key = (r: PolicyRef): string => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  const replaced = new Set([...changes.policies.map((p) => key(p.ref)), ...deleted.map(key)]);
  let policies: Policy[] = [
    ...current.policies.filter((p) => !replaced.has(key(p.ref))),
    ...changes.policies,
  ];
  // Promote staged policies: each Set becomes its target, each Delete removes it.
  const staged = policies.filter((p) => p.staged);
  if (staged.length > 0) {
    const targets = new Set(
      staged.map((p) => key((p.staged as NonNullable<Policy['staged']>).target)),
    );
    policies = policies.filter((p) => !p.staged && !targets.has(key(p.ref)));
    for (const p of staged) {
      const s = p.staged as NonNullable<Policy['staged']>;
      if (s.action !== 'Set') continue;
      const { staged: _staged, ...rest } = p;
      policies.push({ ...rest, ref: s.target });
    }
  }
  const byName = <T extends { name: string }>(a: readonly T[], b: readonly T[]): T[] => {
    const m = new Map(a.map((x) => [x.name, x]));
    for (const x of b) m.set(x.name, x);
    return [...m.values()];
  };
  return {
    ...current,
    policies,
    tiers: byName(current.tiers, changes.tiers),
    networkSets: [
      ...current.networkSets.filter(
        (n) => !changes.networkSets.some((c) => c.name === n.name && c.namespace === n.namespace),
      ),
      ...changes.networkSets,
    ],
  };
}

/** Replay flow keys through the engine before and after; report what changes. */
export function previewFlows(
  before: PolicySet,
  after: PolicySet,
  flows: Iterable<PreviewFlow>,
  o: { maxKeys?: number } = {},
): PreviewResult {
  const old = Engine.build(before);
  const neu = Engine.build(after);
  // Distinct keys first: a key is evaluated once however many records it has.
  const distinct = new Map<string, PreviewFlow>();
  let records = 0;
  for (const f of flows) {
    records += f.records;
    const k = flowKeyText(f);
    const seen = distinct.get(k);
    if (seen) {
      seen.records += f.records;
      seen.flows += f.flows;
    } else distinct.set(k, { ...f });
  }
  const group = (): PreviewGroup => ({ records: 0, flows: 0, keys: [] });
  const out: PreviewResult = {
    newlyDenied: group(),
    newlyAllowed: group(),
    uncertain: group(),
    keys: distinct.size,
    records,
  };
  const max = o.maxKeys ?? Number.POSITIVE_INFINITY;
  // Every key is kept (with its flows, to rank by) until the groups are sorted and cut.
  const all = new Map<PreviewGroup, Array<{ k: PreviewKey; flows: number }>>();
  const add = (g: PreviewGroup, k: PreviewKey, flows: number): void => {
    g.records += k.records;
    g.flows += flows;
    const list = all.get(g);
    if (list) list.push({ k, flows });
    else all.set(g, [{ k, flows }]);
  };
  for (const f of distinct.values()) {
    const base = {
      source: endText(f.source),
      dest: endText(f.dest),
      proto: protocolName(f.proto),
      port: f.port ?? null,
      records: f.records,
    };
    const a = verdictOf(old, f);
    const b = verdictOf(neu, f);
    if (a.kind === 'uncertain' || b.kind === 'uncertain') {
      const reason = a.kind === 'uncertain' ? a.reason : b.kind === 'uncertain' ? b.reason : '';
      add(
        out.uncertain,
        {
          ...base,
          oldDecidedBy: a.kind === 'known' ? a.decidedBy : null,
          newDecidedBy: b.kind === 'known' ? b.decidedBy : null,
          reason,
        },
        f.flows,
      );
      continue;
    }
    if (a.verdict === b.verdict) continue;
    add(
      b.verdict === 'deny' ? out.newlyDenied : out.newlyAllowed,
      {
        ...base,
        oldDecidedBy: a.decidedBy,
        newDecidedBy: b.decidedBy,
      },
      f.flows,
    );
  }
  // Most flows first; ties in a stable order.
  for (const [g, list] of all) {
    list.sort(
      (x, y) =>
        y.flows - x.flows ||
        cmp(x.k.source, y.k.source) ||
        cmp(x.k.dest, y.k.dest) ||
        cmp(x.k.proto, y.k.proto) ||
        (x.k.port ?? -1) - (y.k.port ?? -1),
    );
    g.keys = list.slice(0, max).map((x) => x.k);
  }
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A flow key as text: the same for a flow and the key it is reported under. */
export function flowKeyText(f: Pick<PreviewFlow, 'source' | 'dest' | 'proto' | 'port'>): string {
  return `${endText(f.source)}|${endText(f.dest)}|${protocolName(f.proto)}|${f.port ?? ''}`;
}

/** A reported key as text (see flowKeyText). */
export function previewKeyText(k: PreviewKey): string {
  return `${k.source}|${k.dest}|${k.proto}|${k.port ?? ''}`;
}

function endText(e: FlowEnd): string {
  if (e.kind === 'address') return e.ip;
  if (e.kind === 'unknown') return e.label;
  return `${e.namespace}/${e.name ?? (e.prefix || '*')}`;
}

type Known = { kind: 'known'; verdict: 'allow' | 'deny'; decidedBy: DecidedByRef | null };
type Outcome = Known | { kind: 'uncertain'; reason: string };

/** The peers a flow end stands for in this engine, or why it cannot be known. */
function peersOf(e: Engine, end: FlowEnd): Peer[] | string {
  if (end.kind === 'unknown') return `${end.label}: the record has no address or workload`;
  if (end.kind === 'address') {
    const ip = parseIP(end.ip);
    if (!ip) return `${end.ip} is not an address`;
    const p = e.eps.peerOfIP(ip);
    // An address that belongs to a pod now was recorded as outside: the snapshot disagrees.
    if (p.endpoint?.kind === 'pod') return `${end.ip} belongs to pod ${p.display} in the snapshot`;
    return [p];
  }
  if (end.name !== undefined) {
    const ep = e.eps.pod(end.namespace, end.name);
    if (!ep) return `pod ${end.namespace}/${end.name} is not in the snapshot`;
    return [peerFor(e, ep, end.ip)];
  }
  const prefix = end.prefix ?? '';
  const pods = e.eps
    .podsIn(end.namespace)
    .filter((p) => p.name.startsWith(prefix) && !p.hostNetwork);
  if (pods.length === 0) return `no pod ${end.namespace}/${prefix}* in the snapshot`;
  return pods.map((p) => peerFor(e, p, undefined));
}

function peerFor(e: Engine, ep: Endpoint, ip: string | undefined): Peer {
  const parsed = ip !== undefined ? parseIP(ip) : undefined;
  return e.eps.peerOf(ep, parsed?.version);
}

function verdictOf(e: Engine, f: PreviewFlow): Outcome {
  if (protocolHasPorts(f.proto) && f.port === undefined)
    return { kind: 'uncertain', reason: `${protocolName(f.proto)} flow without a port` };
  const src = peersOf(e, f.source);
  if (typeof src === 'string') return { kind: 'uncertain', reason: src };
  const dst = peersOf(e, f.dest);
  if (typeof dst === 'string') return { kind: 'uncertain', reason: dst };
  const pkt = { protocol: f.proto, ...(f.port !== undefined ? { port: f.port } : {}) };
  let first: Known | undefined;
  for (const s of src) {
    for (const d of dst) {
      if (s === d) continue;
      const v = e.evaluate(s, d, pkt);
      const k: Known = {
        kind: 'known',
        verdict: v.verdict === 'allow' ? 'allow' : 'deny',
        decidedBy: v.decidedBy ? stepRef(v.decidedBy) : null,
      };
      if (!first) first = k;
      else if (first.verdict !== k.verdict)
        return {
          kind: 'uncertain',
          reason: `the workload's pods disagree (${s.display} -> ${d.display} is ${k.verdict}, another pair ${first.verdict})`,
        };
    }
  }
  return first ?? { kind: 'uncertain', reason: 'source and destination are the same pod' };
}
