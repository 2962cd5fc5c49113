// Reading and validating a ZonePolicy: every problem at once, with field paths and, for
// selectors, character spans (the same issue machinery as every other kind).
import { parseCIDR } from '../net/index.js';
import type { CIDR } from '../net/index.js';
import { quote } from '../model/issues.js';
import { labelKeyProblem, nameProblem, readMeta } from '../model/k8s-meta.js';
import type { Reader } from '../model/reader.js';
import { readSelectorField } from '../model/selector-field.js';
import type { SourceRef } from '../model/types.js';
import { readRules } from './read-rules.js';
import { DEFAULT_ZONE_LABEL, RESERVED_NAMES } from './types.js';
import type {
  External,
  IntraZoneAction,
  InterZoneAction,
  Zone,
  ZonePolicy,
  ZonePool,
} from './types.js';

const SPEC_FIELDS = [
  'zoneLabel',
  'defaultZone',
  'defaults',
  'zones',
  'externals',
  'clusterNets',
  'rules',
];

/** Read a `zonewall.io/v1alpha1 ZonePolicy`; undefined when it has errors (they are reported). */
export function readZonePolicy(root: Reader, source: SourceRef): ZonePolicy | undefined {
  const before = root.ctx.issues.filter((i) => i.severity === 'error').length;
  const meta = readMeta(root, { namespaced: false, nameRule: 'dns-subdomain' });
  const spec = root.at('spec');
  if (!spec.require()) return undefined;
  spec.object(SPEC_FIELDS);
  const zoneLabel = readZoneLabel(spec.at('zoneLabel'));
  const defaultZone = readZoneName(spec.at('defaultZone'), 'zone') ?? 'default';
  const { intraZone, interZone } = readDefaults(spec.at('defaults'));
  const zones = readZones(spec.at('zones'));
  const externals = readExternals(spec.at('externals'), new Set(zones.map((z) => z.name)));
  if (!zones.some((z) => z.name === defaultZone)) {
    zones.push({ name: defaultZone, pools: [], declared: false });
  }
  const clusterNets: CIDR[] = [];
  for (const n of spec.at('clusterNets').list() ?? []) {
    const c = readCidr(n, { strict: false });
    if (c) clusterNets.push(c);
  }
  const rules = readRules(spec.at('rules'), { zones, externals });
  const after = root.ctx.issues.filter((i) => i.severity === 'error').length;
  if (!meta || after > before) return undefined;
  return {
    name: meta.name,
    zoneLabel,
    defaultZone,
    intraZone,
    interZone,
    zones,
    externals,
    clusterNets,
    rules,
    source,
  };
}

function readZoneLabel(r: Reader): string {
  const key = r.string({ nonEmpty: true });
  if (key === undefined) return DEFAULT_ZONE_LABEL;
  const p = labelKeyProblem(key);
  if (p) r.error('label.key', `zoneLabel ${quote(key)} is not a valid label key: ${p}`);
  return key;
}

/** A zone or external name: a DNS label (it becomes a label value and part of policy names). */
export function readZoneName(r: Reader, what: 'zone' | 'external'): string | undefined {
  const name = r.string({ nonEmpty: true });
  if (name === undefined) return undefined;
  const p = nameProblem(name, 'dns-label');
  if (p) {
    r.error('zone.name', `${what} name ${quote(name)} is invalid: it ${p}`);
    return undefined;
  }
  if ((RESERVED_NAMES as readonly string[]).includes(name)) {
    r.error(
      'zone.reserved',
      `${quote(name)} is reserved (it means ${name === 'any' ? 'every zone and address' : 'addresses outside the cluster no external covers'}); choose another ${what} name`,
    );
    return undefined;
  }
  return name;
}

function readDefaults(r: Reader): { intraZone: IntraZoneAction; interZone: InterZoneAction } {
  r.object(['intraZone', 'interZone']);
  const intra = r.at('intraZone').missing
    ? 'Pass'
    : r.at('intraZone').oneOf(['Pass', 'Allow', 'Deny'] as const);
  const inter = r.at('interZone').missing
    ? 'Deny'
    : r.at('interZone').oneOf(['Deny', 'Pass'] as const);
  return { intraZone: intra ?? 'Pass', interZone: inter ?? 'Deny' };
}

function readZones(r: Reader): Zone[] {
  const out: Zone[] = [];
  const seen = new Set<string>();
  for (const z of r.list() ?? []) {
    z.object(['name', 'description', 'trust', 'pools']);
    const name = readZoneName(z.at('name'), 'zone');
    if (!z.at('name').require()) continue;
    const description = z.at('description').string();
    const trust = z.at('trust').string();
    const pools = readPools(z.at('pools'));
    if (name === undefined) continue;
    if (seen.has(name)) {
      z.at('name').error('zone.duplicate', `zone ${quote(name)} is declared twice`);
      continue;
    }
    seen.add(name);
    out.push({
      name,
      ...(description !== undefined ? { description } : {}),
      ...(trust !== undefined ? { trust } : {}),
      pools,
      declared: true,
    });
  }
  return out;
}

function readPools(r: Reader): ZonePool[] {
  const out: ZonePool[] = [];
  for (const p of r.list() ?? []) {
    p.object(['cidr', 'nodeSelector']);
    const cidr = readCidr(p.at('cidr'), { strict: true });
    const nodeSelector = readSelectorField(p.at('nodeSelector'), { whenMissing: 'none' });
    if (cidr) out.push({ cidr, ...(nodeSelector ? { nodeSelector } : {}) });
  }
  return out;
}

/** A CIDR; `strict` (pools) requires the prefix and no host bits, as Calico's IPPool does. */
function readCidr(r: Reader, opts: { strict: boolean }): CIDR | undefined {
  const text = r.string({ required: true, nonEmpty: true });
  if (text === undefined) return undefined;
  const c = parseCIDR(text);
  if (!c.ok) {
    r.error('cidr.invalid', `${quote(text)} is not a valid CIDR: ${c.message}`);
    return undefined;
  }
  if (opts.strict && (!text.includes('/') || c.hostBitsSet)) {
    r.error(
      'cidr.invalid',
      `${quote(text)} must be a network address with its prefix length, e.g. 10.20.0.0/16`,
    );
    return undefined;
  }
  return c.cidr;
}

function readExternals(r: Reader, zoneNames: ReadonlySet<string>): External[] {
  const out: External[] = [];
  const seen = new Set<string>();
  for (const e of r.list() ?? []) {
    e.object(['name', 'nets', 'domains', 'description']);
    e.at('name').require();
    const name = readZoneName(e.at('name'), 'external');
    const nets: CIDR[] = [];
    for (const n of e.at('nets').list() ?? []) {
      const c = readCidr(n, { strict: false });
      if (c) nets.push(c);
    }
    const domains = readDomains(e.at('domains'));
    if (name === undefined) continue;
    if (nets.length === 0 && domains.length === 0) {
      e.error('external.empty', `external ${quote(name)} needs nets, domains or both`);
    }
    if (seen.has(name) || zoneNames.has(name)) {
      e.at('name').error(
        'external.duplicate',
        `${quote(name)} is already the name of a ${zoneNames.has(name) ? 'zone' : 'external'}`,
      );
      continue;
    }
    seen.add(name);
    out.push({ name, nets, domains });
  }
  return out;
}

// A domain name, optionally with a leading "*." wildcard (as Calico's allowedEgressDomains).
const DOMAIN = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

function readDomains(r: Reader): string[] {
  const out: string[] = [];
  for (const d of r.list() ?? []) {
    const s = d.string({ nonEmpty: true });
    if (s === undefined) continue;
    if (!DOMAIN.test(s))
      d.error(
        'domain.invalid',
        `${quote(s)} is not a domain name (a leading "*." wildcard is allowed)`,
      );
    else out.push(s.toLowerCase());
  }
  return out;
}
