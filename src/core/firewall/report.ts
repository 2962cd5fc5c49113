// The import report as text: every rule with what became of it (mapped, approximated,
// skipped) and why, then the defaults, renamed zones and reading warnings.
import type { ImportReport } from './to-zone-policy.js';

const PLACE: Readonly<Record<string, string>> = {
  'shared-pre': 'pre-rulebase',
  pre: 'pre-rulebase',
  local: 'rulebase',
  post: 'post-rulebase',
  'shared-post': 'post-rulebase',
};

/** Render the report, one line per rule and one per note. */
export function formatReport(r: ImportReport): string {
  const count = (s: string): number => r.rules.filter((x) => x.status === s).length;
  const where =
    r.source === 'panorama'
      ? `device group ${JSON.stringify(r.scope)}`
      : `vsys ${JSON.stringify(r.scope)}`;
  const lines = [
    `${where}: ${r.rules.length} security rules: ${count('mapped')} mapped, ${count('approximated')} approximated, ${count('skipped')} skipped`,
  ];
  for (const rule of r.rules) {
    const head = `${rule.status.padEnd(12)} ${JSON.stringify(rule.rule)} (${rule.scope} ${PLACE[rule.place] ?? rule.place})`;
    lines.push(
      rule.status === 'skipped'
        ? `${head}: ${rule.reason ?? ''}`
        : `${head} -> ${rule.produced.join(', ')}`,
    );
    for (const n of rule.notes) lines.push(`  ${n.field} ${n.effect}: ${n.message}`);
  }
  for (const n of r.defaults) lines.push(`defaults     ${n.field} ${n.effect}: ${n.message}`);
  for (const z of r.zones) {
    lines.push(
      `zone         ${JSON.stringify(z.firewall)} is named ${z.zone} (zone names are DNS labels): label pods ${z.zone}`,
    );
  }
  for (const i of r.issues)
    lines.push(
      `${i.severity.padEnd(12)} ${i.code}: ${i.message}${i.path ? ` (at ${i.path})` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}
