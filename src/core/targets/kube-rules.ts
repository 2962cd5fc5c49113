// A side's program rules (one direction) as Kubernetes rules, approximated only when asked to
// be and always in the safe direction:
// - an Allow is narrowed (what is left out falls to later rules: at most Allow anyway);
// - a Deny is widened (more is denied than the rule names);
// - a Pass is narrowed; what is left out falls to later rules, which is safe only when none of
//   them allows; otherwise it is denied instead (Deny is below Pass, Pass below Allow).
// Egress renders every pod rule before any address rule: `networks` also match pod addresses,
// so an address rule must only ever see traffic to addresses. That keeps the order exact
// because the program ends with a rule for everyone, whose pod part then decides every pod.
import type { Direction } from '../model/types.js';
import type { ProgramRule, RuleOrigin, SideProgram } from '../zones/program.js';
import type { ZoneAction } from '../zones/types.js';
import { convertSelector } from './k8s-selectors.js';
import type { Conj, SelectorForms } from './k8s-selectors.js';
import { chunk, mergeReasons } from './kube-ir.js';
import type { Forms, KubePeer, KubePorts, KubeRule, Outcome, Problem } from './kube-ir.js';
import { concatForms, partyForms, serviceForms } from './kube-peers.js';
import type { PeerContext } from './kube-peers.js';
import { safeName } from './names.js';

/** The rule `name` field holds at most 100 characters. */
const MAX_RULE_NAME = 100;
const EVERY: SelectorForms = { under: [[]], over: [[]], reasons: [] };

interface Part {
  local: SelectorForms;
  peers: Forms<KubePeer[]>;
  ports: Forms<KubePorts>;
}

type Report = (reason: string, outcome: Outcome) => void;

interface Emit {
  ctx: PeerContext;
  name: string;
  action: ZoneAction;
  /** A later rule of the same side and direction allows pods (`pods`) or addresses (`nets`). */
  laterAllow: { pods: boolean; nets: boolean };
  report: Report;
}

/** Whether a rule can match pods, or addresses outside the pods. */
function reaches(r: ProgramRule): { pods: boolean; nets: boolean } {
  const nets = (p: ProgramRule['peers'][number]): boolean =>
    p.kind === 'internet' || p.kind === 'external' || (p.kind === 'anyone' && !p.selector);
  return {
    pods: r.peers.some((p) => p.kind === 'members' || p.kind === 'anyone'),
    nets: r.peers.some(nets),
  };
}

function laterAllows(later: readonly ProgramRule[]): { pods: boolean; nets: boolean } {
  const allows = later.filter((r) => r.action === 'Allow').map(reaches);
  return { pods: allows.some((a) => a.pods), nets: allows.some((a) => a.nets) };
}

/** The name a rule carries: the zone rule's, or `intra-zone-default` / `inter-zone-default`. */
export function ruleName(o: RuleOrigin): string {
  return safeName(o.kind === 'rule' ? o.name : `${o.kind}-default`, MAX_RULE_NAME);
}

function dedupe<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((x) => [JSON.stringify(x), x])).values()];
}

/** Rules for one match; several when peers or ports exceed what one rule may hold. */
function make(
  e: Emit,
  action: ZoneAction,
  m: { local: readonly Conj[]; peers: readonly KubePeer[] | undefined; ports?: KubePorts },
): KubeRule[] {
  const { local, peers, ports } = m;
  if (!peers || ports === undefined || local.length === 0 || peers.length === 0) return [];
  if (ports !== 'all' && ports.length === 0) return [];
  const { maxPeers, maxPorts } = e.ctx.flavor;
  const portSets = ports === 'all' ? ['all' as const] : chunk(dedupe(ports), maxPorts);
  return chunk(dedupe(peers), maxPeers).flatMap((p) =>
    portSets.map((q): KubeRule => ({ name: e.name, action, local, peers: p, ports: q })),
  );
}

function renderPart(e: Emit, part: Part, laterAllow: boolean): KubeRule[] {
  const { local, peers, ports } = part;
  const under = { local: local.under, peers: peers.under, ports: ports.under };
  const over = {
    local: local.over,
    peers: peers.over,
    ...(ports.over ? { ports: ports.over } : {}),
  };
  const reasons = mergeReasons(local.reasons, peers.reasons, ports.reasons);
  const outcome = ((): Outcome | undefined => {
    if (reasons.length === 0) return undefined;
    if (e.action === 'Allow') return 'narrowed';
    if (e.action === 'Deny') return peers.over ? 'widened' : 'unenforced';
    if (!laterAllow) return 'pass-narrowed';
    return peers.over ? 'pass-split' : 'unenforced';
  })();
  for (const r of reasons) if (outcome) e.report(r, outcome);
  if (outcome === 'widened') return make(e, 'Deny', over);
  const rules = make(e, e.action, under);
  return outcome === 'pass-split' ? [...rules, ...make(e, 'Deny', over)] : rules;
}

function isEmpty(f: Forms<KubePeer[]>): boolean {
  return f.under.length === 0 && (f.over?.length ?? 0) === 0 && f.reasons.length === 0;
}

/** Sources an ingress peer cannot name: a Pass is exact (the tier passes them anyway). */
function outside(e: Emit, sources: readonly string[]): void {
  if (e.action === 'Pass' || sources.length === 0) return;
  const from = sources.join(', ');
  const reason = `traffic from ${from}: ${e.ctx.flavor.kind} ingress peers can only be pods and namespaces`;
  e.report(reason, e.action === 'Allow' ? 'outside-allow' : 'unenforced');
}

function isCatchAll(r: ProgramRule | undefined): boolean {
  const p = r?.peers[0];
  return (
    !!r &&
    !r.local &&
    !r.services &&
    r.action !== 'Log' &&
    r.peers.length === 1 &&
    p?.kind === 'anyone' &&
    !p.selector
  );
}

/** One program rule as pod rules and address rules (reporting what it cannot express). */
function renderRule(
  e: Emit,
  r: ProgramRule,
  dir: Direction,
): { pods: KubeRule[]; nets: KubeRule[] } {
  const parties = r.peers.map((p) => partyForms(e.ctx, p, dir, e.action));
  const local = r.local ? convertSelector(r.local.ast) : EVERY;
  const podPeers = concatForms(parties.map((x) => x.pods));
  const netPeers = concatForms(parties.map((x) => x.nets));
  outside(
    e,
    parties.flatMap((x) => x.outside),
  );
  const part = (peers: Forms<KubePeer[]>, forAddresses: boolean): KubeRule[] => {
    if (isEmpty(peers)) return [];
    const ports = serviceForms(r.services, forAddresses);
    return renderPart(e, { local, peers, ports }, e.laterAllow[forAddresses ? 'nets' : 'pods']);
  };
  return { pods: part(podPeers, false), nets: part(netPeers, true) };
}

/** The Kubernetes rules of one side in one direction, in evaluation order. */
export function directionRules(
  ctx: PeerContext,
  side: SideProgram,
  dir: Direction,
  problems: Problem[],
): KubeRule[] {
  const rules = side[dir];
  const pods: KubeRule[] = [];
  const nets: KubeRule[] = [];
  rules.forEach((r, i) => {
    const report: Report = (reason, outcome) =>
      problems.push({ origin: r.origin, dir, zone: side.zone, reason, outcome });
    if (r.action === 'Log') return report('', 'log');
    const laterAllow = laterAllows(rules.slice(i + 1));
    const e: Emit = { ctx, name: ruleName(r.origin), action: r.action, laterAllow, report };
    const out = renderRule(e, r, dir);
    pods.push(...out.pods);
    nets.push(...out.nets);
  });
  if (nets.length > 0 && !isCatchAll(rules[rules.length - 1])) {
    throw new Error(
      `zone program: the egress rules of ${side.zone ?? 'no zone'} must end with a rule for everyone`,
    );
  }
  return mergeAdjacent([...pods, ...nets], ctx.flavor.maxPeers);
}

/**
 * Adjacent rules of one zone rule that differ only in their peers, as one rule (exact: the
 * first would act on its peers, the second on the rest, alike). Named ports never go with
 * address peers, which the CRDs reject.
 */
function mergeAdjacent(rules: readonly KubeRule[], maxPeers: number): KubeRule[] {
  const out: KubeRule[] = [];
  for (const r of rules) {
    const last = out[out.length - 1];
    if (last && mergeable(last, r, maxPeers)) {
      out[out.length - 1] = { ...last, peers: [...last.peers, ...r.peers] };
    } else out.push(r);
  }
  return out;
}

function mergeable(a: KubeRule, b: KubeRule, maxPeers: number): boolean {
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  if (a.name !== b.name || a.action !== b.action) return false;
  if (!same(a.local, b.local) || !same(a.ports, b.ports)) return false;
  if (a.peers.length + b.peers.length > maxPeers) return false;
  const named = a.ports !== 'all' && a.ports.some((p) => p.kind === 'named');
  return !named || [...a.peers, ...b.peers].every((p) => p.kind === 'pods');
}
