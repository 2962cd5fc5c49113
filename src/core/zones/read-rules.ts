// The `rules` of a ZonePolicy: sides naming zones, externals, `internet` or `any`, optional
// workload selectors, services, and the action.
import { calicoProtocolSupportsPorts, parseCalicoPort, parseCalicoProtocol } from '../net/index.js';
import { quote } from '../model/issues.js';
import type { Reader } from '../model/reader.js';
import type { PortMatch } from '../model/types.js';
import { readSelectorField } from '../model/selector-field.js';
import type { Selector } from '../selector/index.js';
import type { External, Zone, ZoneRef, ZoneRule, ZoneService } from './types.js';

const RULE_FIELDS = [
  'name',
  'from',
  'to',
  'source',
  'destination',
  'services',
  'action',
  'log',
  'enabled',
  'description',
];

interface Names {
  zones: readonly Zone[];
  externals: readonly External[];
}

/** Every rule, in order; rules with errors are reported and left out. */
export function readRules(r: Reader, names: Names): ZoneRule[] {
  const out: ZoneRule[] = [];
  const seen = new Set<string>();
  (r.list() ?? []).forEach((item, index) => {
    const rule = readRule(item, index, names);
    if (!rule) return;
    if (seen.has(rule.name)) {
      item.at('name').error('rule.duplicate', `rule name ${quote(rule.name)} is used twice`);
      return;
    }
    seen.add(rule.name);
    out.push(rule);
  });
  return out;
}

function readRule(r: Reader, index: number, names: Names): ZoneRule | undefined {
  r.object(RULE_FIELDS);
  const name = readRuleName(r.at('name'));
  const from = readSide(r.at('from'), names, 'from');
  const to = readSide(r.at('to'), names, 'to');
  const sourceSelector = readNarrowing(r.at('source'), from);
  const destinationSelector = readNarrowing(r.at('destination'), to);
  const services = readServices(r.at('services'));
  const action = r.at('action').oneOf(['Allow', 'Pass', 'Deny'] as const, { required: true });
  const log = r.at('log').bool() ?? false;
  const enabled = r.at('enabled').bool() ?? true;
  const description = r.at('description').string();
  if (name === undefined || !from || !to || action === undefined) return undefined;
  if (sourceSelector === null || destinationSelector === null || services === null)
    return undefined;
  return {
    index,
    name,
    from,
    to,
    ...(sourceSelector ? { sourceSelector } : {}),
    ...(destinationSelector ? { destinationSelector } : {}),
    ...(services ? { services } : {}),
    action,
    log,
    enabled,
    ...(description !== undefined ? { description } : {}),
  };
}

// Rule names become part of compiled object and rule names: a DNS label, as zones are.
const RULE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function readRuleName(r: Reader): string | undefined {
  const name = r.string({ required: true, nonEmpty: true });
  if (name === undefined) return undefined;
  if (name.length > 63 || !RULE_NAME.test(name)) {
    r.error(
      'rule.name',
      `rule name ${quote(name)} must be at most 63 lower case letters, digits and '-', starting and ending with a letter or digit`,
    );
    return undefined;
  }
  return name;
}

function readSide(r: Reader, names: Names, which: 'from' | 'to'): ZoneRef[] | undefined {
  const items = r.list({ required: true, min: 1 });
  if (!items) return undefined;
  const out: ZoneRef[] = [];
  let ok = true;
  for (const item of items) {
    const text = item.string({ nonEmpty: true });
    if (text === undefined) {
      ok = false;
      continue;
    }
    const ref = resolveRef(text, names);
    if (!ref) {
      const known = [
        ...names.zones.map((z) => z.name),
        ...names.externals.map((e) => e.name),
        'internet',
        'any',
      ];
      item.error(
        'zone.unknown',
        `${quote(text)} is not a zone or external of this policy (known: ${known.join(', ')})`,
      );
      ok = false;
      continue;
    }
    if (
      which === 'from' &&
      ref.kind === 'external' &&
      names.externals.find((e) => e.name === ref.name)?.nets.length === 0
    ) {
      item.error(
        'external.domainsOnly',
        `external ${quote(text)} has only domains, which match egress only: it cannot be a source`,
      );
      ok = false;
      continue;
    }
    out.push(ref);
  }
  return ok ? out : undefined;
}

function resolveRef(text: string, names: Names): ZoneRef | undefined {
  if (text === 'internet' || text === 'any') return { kind: text };
  if (names.zones.some((z) => z.name === text)) return { kind: 'zone', name: text };
  if (names.externals.some((e) => e.name === text)) return { kind: 'external', name: text };
  return undefined;
}

/** `source`/`destination: {selector}`; null on error; a selector narrows workloads only. */
function readNarrowing(r: Reader, side: ZoneRef[] | undefined): Selector | undefined | null {
  if (r.missing) return undefined;
  r.object(['selector']);
  const sel = readSelectorField(r.at('selector'), { whenMissing: 'none' });
  if (!r.at('selector').missing && !sel) return null;
  if (sel && side?.some((s) => s.kind === 'external' || s.kind === 'internet')) {
    r.at('selector').error(
      'selector.notWorkloads',
      'a selector narrows workloads (pods); this side also names an external or internet, which have none: split the rule',
    );
    return null;
  }
  return sel;
}

function readServices(r: Reader): ZoneService[] | undefined | null {
  const items = r.list({ min: 1 });
  if (!items) return r.missing ? undefined : null;
  const out: ZoneService[] = [];
  let ok = true;
  for (const item of items) {
    item.object(['protocol', 'ports']);
    const protocol = readServiceProtocol(item.at('protocol'));
    const ports =
      protocol === undefined || item.at('ports').missing
        ? undefined
        : readServicePorts(item.at('ports'), protocol);
    if (protocol === undefined || (!item.at('ports').missing && !ports)) {
      ok = false;
      continue;
    }
    out.push({ protocol, ...(ports ? { ports } : {}) });
  }
  return ok ? out : null;
}

/** Service ports: numbers, "a:b" ranges (Calico's syntax) and port names (the destination's). */
function readServicePorts(r: Reader, protocol: number): PortMatch[] | undefined {
  const items = r.list({ min: 1 });
  if (!items) return undefined;
  if (!calicoProtocolSupportsPorts(protocol)) {
    r.error('service.ports', 'ports are only allowed with TCP, UDP or SCTP');
    return undefined;
  }
  const out: PortMatch[] = [];
  for (const item of items) {
    const p = parseCalicoPort(item.value);
    if (!p.ok) item.error('port.invalid', p.message);
    else if (p.spec.kind === 'named') out.push({ kind: 'named', name: p.spec.name, protocol });
    else out.push({ kind: 'range', range: p.spec.range });
  }
  return out;
}

/** A service protocol: TCP, UDP, SCTP, ICMP, ICMPv6 (Calico's names) or a number. */
function readServiceProtocol(r: Reader): number | undefined {
  if (!r.require()) return undefined;
  const p = parseCalicoProtocol(r.value);
  if (!p.ok) {
    r.error('protocol.invalid', p.message);
    return undefined;
  }
  return p.proto;
}
