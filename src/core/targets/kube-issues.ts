// What a Kubernetes target could not express, as issues pointing at the ZonePolicy rule (or
// default): one issue per rule, direction, reason and outcome, naming every zone it touched.
import type { Issue } from '../model/issues.js';
import type { RuleOrigin } from '../zones/program.js';
import type { ZonePolicy } from '../zones/types.js';
import type { KubeFlavor, Outcome, Problem } from './kube-ir.js';

const CONSEQUENCE: Record<Exclude<Outcome, 'log'>, string> = {
  narrowed: 'approximated: the Allow is narrowed to what can be expressed',
  widened: 'approximated: the Deny is widened to what can be expressed',
  'pass-narrowed':
    'approximated: the Pass is narrowed; what is left out falls to later rules, none of which allows',
  'pass-split':
    'approximated: the Pass is narrowed and what is left out is denied (a later rule allows, so falling through would not be safe)',
  'outside-allow':
    "approximated: that traffic is not allowed here but passed to the developers' NetworkPolicies",
  unenforced:
    "left unenforced: that traffic is passed to the developers' NetworkPolicies instead of denied",
};

function originText(o: RuleOrigin): string {
  return o.kind === 'rule' ? `rule ${JSON.stringify(o.name)}` : `the ${o.kind} default`;
}

function originPath(o: RuleOrigin): string {
  if (o.kind === 'rule') return `spec.rules[${o.index}]`;
  return o.kind === 'intra-zone' ? 'spec.defaults.intraZone' : 'spec.defaults.interZone';
}

function originRank(o: RuleOrigin): number {
  return o.kind === 'rule' ? o.index : o.kind === 'intra-zone' ? 1e9 : 1e9 + 1;
}

interface Group {
  first: Problem;
  zones: Array<string | undefined>;
}

function group(problems: readonly Problem[], approximate: boolean): Group[] {
  const groups = new Map<string, Group>();
  for (const p of problems) {
    const o = p.origin;
    // How a rule was approximated matters only when it was; a dropped log, once per rule.
    const log = p.outcome === 'log';
    const outcome = approximate || log ? p.outcome : '';
    const key = JSON.stringify([originRank(o), log ? '' : p.dir, outcome, p.reason]);
    const g = groups.get(key) ?? { first: p, zones: [] };
    if (!g.zones.includes(p.zone)) g.zones.push(p.zone);
    groups.set(key, g);
  }
  // Problems arrive side by side; issues read best rule by rule.
  return [...groups.values()].sort(
    (a, b) => originRank(a.first.origin) - originRank(b.first.origin),
  );
}

function zonesText(zones: ReadonlyArray<string | undefined>): string {
  const names = zones.map((z) => (z === undefined ? 'pods in no declared zone' : z));
  return `${zones.length > 1 ? 'zones' : 'zone'} ${names.join(', ')}`;
}

function message(g: Group, flavor: KubeFlavor, approximate: boolean): string {
  const p = g.first;
  if (p.outcome === 'log') {
    return `${flavor.kind} has no Log action: the log of ${originText(p.origin)} is dropped; its action is kept`;
  }
  const what = `${originText(p.origin)} (${p.dir} of ${zonesText(g.zones)})`;
  const head = `${flavor.kind} cannot express ${what}: ${p.reason}`;
  return approximate ? `${head}; ${CONSEQUENCE[p.outcome]}` : head;
}

/** Issues for the problems met rendering a zone program for one target. */
export function problemIssues(
  zp: ZonePolicy,
  problems: readonly Problem[],
  o: { flavor: KubeFlavor; approximate: boolean },
): Issue[] {
  return group(problems, o.approximate).map((g): Issue => {
    const p = g.first;
    const log = p.outcome === 'log';
    const code = log
      ? 'target.log'
      : !o.approximate
        ? 'target.inexpressible'
        : p.outcome === 'unenforced'
          ? 'target.unenforced'
          : 'target.approximated';
    return {
      code,
      severity: log || o.approximate ? 'warning' : 'error',
      message: message(g, o.flavor, o.approximate),
      file: zp.source.file,
      doc: zp.source.doc,
      path: originPath(p.origin),
    };
  });
}
