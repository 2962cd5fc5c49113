// A rule's applications and services as ZonePolicy services, split into variants where a
// custom application narrows the destination workloads (its `app` label) on its own ports.
import type { Note } from './map-sides.js';
import type { AppItem, ServicePorts, ServiceSpec } from './types.js';

/** A ZonePolicy `services` entry, as written in YAML. */
export interface ServiceDoc {
  protocol: string | number;
  ports?: Array<number | string>;
}

export interface Variant {
  /** Selector on the destination workloads (a custom application's label). */
  selector?: string;
  /** undefined: every protocol and port. */
  services?: ServiceDoc[];
  /** Applications this variant stands for (for descriptions). */
  apps: string[];
}

export interface ServiceContext {
  deny: boolean;
  appLabel: string;
  notes: Note[];
}

/** The variants a rule's applications and service expand to; empty: nothing can be allowed. */
export function mapServices(apps: AppItem[], spec: ServiceSpec, ctx: ServiceContext): Variant[] {
  return mergeVariants(variants(apps, spec, ctx));
}

/** Variants with the same selector and services are one (their applications listed together). */
function mergeVariants(vs: Variant[]): Variant[] {
  const byKey = new Map<string, Variant>();
  for (const v of vs) {
    const key = JSON.stringify([v.selector ?? '', v.services ?? null]);
    const prev = byKey.get(key);
    if (prev) prev.apps.push(...v.apps);
    else byKey.set(key, { ...v, apps: [...v.apps] });
  }
  return [...byKey.values()];
}

function variants(apps: AppItem[], spec: ServiceSpec, ctx: ServiceContext): Variant[] {
  const explicit = explicitPorts(spec, ctx); // undefined: any port; null: nothing
  if (explicit === null) return [];
  const appDefault = spec.kind === 'application-default';
  if (apps.some((a) => a.kind === 'any')) {
    return [{ apps: ['any'], ...(explicit ? { services: docs(explicit) } : {}) }];
  }
  const out: Variant[] = [];
  const predefined = apps.filter(
    (a): a is Extract<AppItem, { kind: 'predefined' }> => a.kind === 'predefined',
  );
  if (predefined.length > 0) {
    const names = predefined.map((a) => a.name);
    note(
      ctx,
      'application',
      'unenforced',
      `App-ID identification is reduced to ports for ${names.join(', ')}`,
    );
    const ports =
      appDefault || explicit === undefined ? predefined.flatMap((a) => a.ports) : explicit;
    if (!appDefault && explicit === undefined) {
      if (ctx.deny) {
        note(
          ctx,
          'application',
          'widened',
          `${names.join(', ')} may run on any port: the deny covers every port`,
        );
        out.push({ apps: names });
      } else {
        note(
          ctx,
          'application',
          'narrowed',
          `service "any": ${names.join(', ')} allowed on their standard ports only`,
        );
        out.push({ apps: names, services: docs(ports) });
      }
    } else out.push({ apps: names, services: docs(ports) });
  }
  for (const a of apps) {
    if (a.kind === 'custom') out.push(...customVariant(a, appDefault, explicit, ctx));
    if (a.kind === 'unknown') {
      if (ctx.deny) {
        note(
          ctx,
          'application',
          'widened',
          `${a.reason}: the deny covers every application${explicit ? ' on the service ports' : ' and port'}`,
        );
        out.push({
          apps: [a.name],
          ...(explicit && !appDefault ? { services: docs(explicit) } : {}),
        });
      } else {
        note(ctx, 'application', 'narrowed', `${a.reason}: left out`);
      }
    }
  }
  return out;
}

function customVariant(
  a: Extract<AppItem, { kind: 'custom' }>,
  appDefault: boolean,
  explicit: ServicePorts[] | undefined,
  ctx: ServiceContext,
): Variant[] {
  const selector = `${ctx.appLabel} == ${a.name.includes("'") ? JSON.stringify(a.name) : `'${a.name}'`}`;
  if (!appDefault)
    return [{ apps: [a.name], selector, ...(explicit ? { services: docs(explicit) } : {}) }];
  if (a.ports) return [{ apps: [a.name], selector, services: docs(a.ports) }];
  if (ctx.deny) {
    note(
      ctx,
      'service',
      'widened',
      `custom application "${a.name}" defines no default ports: the deny covers every port`,
    );
    return [{ apps: [a.name], selector }];
  }
  note(
    ctx,
    'service',
    'narrowed',
    `custom application "${a.name}" defines no default ports, so application-default allows nothing for it`,
  );
  return [];
}

/** Explicit service ports; undefined for any port; null when an allow is left with none. */
function explicitPorts(spec: ServiceSpec, ctx: ServiceContext): ServicePorts[] | undefined | null {
  if (spec.kind !== 'ports') return undefined;
  if (spec.unknown.length > 0) {
    const what = spec.unknown.map((n) => `"${n}"`).join(', ');
    if (ctx.deny) {
      note(ctx, 'service', 'widened', `${what} could not be resolved: the deny covers every port`);
      return undefined;
    }
    note(ctx, 'service', 'narrowed', `${what} could not be resolved: left out`);
  }
  const out: ServicePorts[] = [];
  for (const e of spec.entries) {
    if (!e.sourcePorts) {
      out.push(e);
      continue;
    }
    if (ctx.deny) {
      note(
        ctx,
        'service',
        'widened',
        `source ports of ${String(e.protocol)} are not matched: the deny covers every source port`,
      );
      out.push({ protocol: e.protocol, ...(e.ports ? { ports: e.ports } : {}) });
    } else {
      note(
        ctx,
        'service',
        'narrowed',
        `source ports cannot be matched: the ${String(e.protocol)} entry with source ports is left out`,
      );
    }
  }
  return out.length === 0 ? null : out;
}

function note(ctx: ServiceContext, field: string, effect: Note['effect'], message: string): void {
  if (!ctx.notes.some((n) => n.field === field && n.message === message)) {
    ctx.notes.push({ field, effect, message });
  }
}

const PROTOCOL: Readonly<Record<string, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  sctp: 'SCTP',
  icmp: 'ICMP',
  icmp6: 'ICMPv6',
};

/** Merge entries by protocol into ZonePolicy services; ports sorted and joined. */
export function docs(entries: ServicePorts[]): ServiceDoc[] {
  const byProto = new Map<
    string | number,
    ServiceDoc & { all: boolean; ranges: Array<[number, number]> }
  >();
  for (const e of entries) {
    const protocol =
      typeof e.protocol === 'number' ? e.protocol : (PROTOCOL[e.protocol] ?? e.protocol);
    let d = byProto.get(protocol);
    if (!d) {
      d = { protocol, all: false, ranges: [] };
      byProto.set(protocol, d);
    }
    if (!e.ports) d.all = true;
    else for (const r of e.ports) d.ranges.push([r.start, r.end]);
  }
  return [...byProto.values()].map((d) => {
    if (d.all || d.ranges.length === 0) return { protocol: d.protocol };
    const merged = mergeRanges(d.ranges);
    return { protocol: d.protocol, ports: merged.map(([a, b]) => (a === b ? a : `${a}:${b}`)) };
  });
}

function mergeRanges(rs: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...rs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
