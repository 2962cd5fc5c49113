// What the import takes and gives: its options, the ZonePolicy document, and the report.
import type { Issue } from '../model/issues.js';
import type { ServiceDoc } from './map-services.js';
import type { Note } from './map-sides.js';

export interface ImportOptions {
  /** `metadata.name` of the ZonePolicy. */
  name: string;
  /** What a firewall `allow` becomes: Pass (default; the developers' policies must also allow) or Allow. */
  allowAction?: 'Pass' | 'Allow';
  /** The label a `zonewall.app.<value>` tag and a custom application name (default `app`). */
  appLabel?: string;
  /** Firewall zones that stand for addresses outside the cluster (default: `internet`). */
  internetZones?: string[];
  /** This cluster's name, for `zonewall.cluster.<name>` tags (unset: every such tag matches). */
  cluster?: string;
}

export type RuleStatus = 'mapped' | 'approximated' | 'skipped';

export interface RuleReport {
  rule: string;
  scope: string;
  place: string;
  status: RuleStatus;
  /** Names of the ZonePolicy rules produced. */
  produced: string[];
  /** Why a skipped rule produced nothing. */
  reason?: string;
  notes: Note[];
}

export interface ImportReport {
  source: string;
  scope: string;
  rules: RuleReport[];
  defaults: Note[];
  /** Zone names changed to fit the ZonePolicy (firewall name -> zone). */
  zones: Array<{ firewall: string; zone: string }>;
  issues: Issue[];
}

export interface ZonePolicyDoc {
  apiVersion: string;
  kind: 'ZonePolicy';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface RuleDoc {
  name: string;
  from: string[];
  to: string[];
  source?: { selector: string };
  destination?: { selector: string };
  services?: ServiceDoc[];
  action: string;
  log: boolean;
  enabled: boolean;
  description: string;
}
