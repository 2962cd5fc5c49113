// `zonewall preview` and `zonewall recommend`: policy changes replayed against the stored
// flows, and least-privilege policy learned from them. Both read the flows grouped by their
// distinct (source, destination, protocol, port) keys, so each key is evaluated once however
// many records it has.
import {
  applyChanges,
  flowKeyText,
  learningState,
  previewFlows,
  previewKeyText,
  recommend,
  reachability,
} from '../../core/analysis/index.js';
import type {
  FlowEnd,
  PreviewFlow,
  PreviewGroup,
  PreviewResult,
  RecommendFormat,
} from '../../core/analysis/index.js';
import { toYaml } from '../../core/model/index.js';
import type { PolicyRef, PolicySet } from '../../core/model/index.js';
import { loadCluster } from '../../core/zones/index.js';
import type { ClusterLoad } from '../../core/zones/index.js';
import { protoNumber } from '../../flows/record.js';
import { InputError, readManifestInputs } from '../../integrations/manifests.js';
import { StoreError, openStore } from '../../store/index.js';
import type { FlowQuery, QueryRow, Store } from '../../store/index.js';
import { validateInputs } from '../load.js';
import { EXIT, plural, printData, printIssues, println, table } from '../output.js';
import type { ExitCode, IO } from '../output.js';

/** The record fields that make a flow key. */
export const KEY_FIELDS = [
  'source_type',
  'source_namespace',
  'source_name',
  'source_name_aggr',
  'source_ip',
  'dest_type',
  'dest_namespace',
  'dest_name',
  'dest_name_aggr',
  'dest_ip',
  'proto',
  'dest_port',
  'source_zone',
  'dest_zone',
] as const;

const PAGE = 100_000;

/** Every group of a query, page by page. */
export async function allGroups(store: Store, q: FlowQuery): Promise<QueryRow[]> {
  const out: QueryRow[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const rows = await store.query({ ...q, limit: PAGE, offset });
    out.push(...rows);
    if (rows.length < PAGE) return out;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0);

/** One end of a stored flow key as the analysis names it. */
function endOf(row: QueryRow, side: 'source' | 'dest'): FlowEnd {
  const type = str(row[`${side}_type`]);
  const ns = str(row[`${side}_namespace`]);
  const name = str(row[`${side}_name`]);
  const aggr = str(row[`${side}_name_aggr`]);
  const ip = str(row[`${side}_ip`]);
  if (type === 'wep' && ns !== '' && ns !== '-') {
    const known = (x: string): boolean => x !== '' && x !== '-';
    if (known(name)) return { kind: 'pod', namespace: ns, name };
    return { kind: 'pod', namespace: ns, prefix: known(aggr) ? aggr.replace(/\*$/, '') : '' };
  }
  if (ip !== '' && ip !== '-') return { kind: 'address', ip };
  return { kind: 'unknown', label: aggr !== '' && aggr !== '-' ? aggr : `${side} ${type || '?'}` };
}

/** A stored group as a flow key; undefined when its protocol is not one zonewall knows. */
export function flowOfRow(row: QueryRow): PreviewFlow | undefined {
  const proto = protoNumber(str(row.proto));
  if (proto === undefined) return undefined;
  const port = num(row.dest_port);
  return {
    source: endOf(row, 'source'),
    dest: endOf(row, 'dest'),
    proto,
    ...(port > 0 ? { port } : {}),
    records: num(row.records),
    flows: num(row.flows),
  };
}

interface StoredFlows {
  store: string;
  since?: number;
  until?: number;
}

async function readFlows(
  io: IO,
  o: StoredFlows,
  where: FlowQuery['where'] = [],
  zones?: Map<string, string>,
): Promise<PreviewFlow[] | ExitCode> {
  let store: Store | undefined;
  try {
    store = await openStore(o.store);
    const rows = await allGroups(store, {
      groupBy: [...KEY_FIELDS],
      where,
      ...(o.since !== undefined ? { since: o.since } : {}),
      ...(o.until !== undefined ? { until: o.until } : {}),
    });
    const out: PreviewFlow[] = [];
    for (const row of rows) {
      const f = flowOfRow(row);
      if (!f) continue;
      out.push(f);
      zones?.set(flowKeyText(f), `${str(row.source_zone) || '-'} -> ${str(row.dest_zone) || '-'}`);
    }
    return out;
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    io.err(`error: ${e.message}\n`);
    return e.code === 'store.query' || e.code === 'store.url' ? EXIT.BAD_INPUT : EXIT.FAILURE;
  } finally {
    await store?.close();
  }
}

const DELETABLE: ReadonlySet<string> = new Set([
  'NetworkPolicy',
  'CalicoNetworkPolicy',
  'GlobalNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
]);

/**
 * `KIND/NAMESPACE/NAME` or `KIND/NAME` (cluster-scoped), KIND as traces name it: Kubernetes
 * `NetworkPolicy`, Calico's namespaced `CalicoNetworkPolicy`, `GlobalNetworkPolicy`, ...
 */
export function parseRef(text: string): PolicyRef | undefined {
  const parts = text.split('/');
  if (!parts.every((p) => p !== '') || !DELETABLE.has(parts[0] ?? '')) return undefined;
  const kind = parts[0] as PolicyRef['kind'];
  if (parts.length === 3) return { kind, namespace: parts[1] as string, name: parts[2] as string };
  if (parts.length === 2) return { kind, name: parts[1] as string };
  return undefined;
}

async function loadChanges(io: IO, paths: readonly string[]): Promise<ClusterLoad | ExitCode> {
  if (paths.length === 0) return loadCluster([]);
  try {
    const files = await readManifestInputs(paths, () => io.stdin());
    const res = loadCluster(files);
    printIssues(io, res.issues);
    return res.ok ? res : EXIT.BAD_INPUT;
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`error: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
}

export interface PreviewCliOptions extends StoredFlows {
  files: string[];
  zones?: string;
  changes: string[];
  deletes: string[];
  maxKeys: number;
  output: 'table' | 'json' | 'yaml';
}

/** `zonewall preview`: exit 1 when any recorded flow would become denied. */
export async function preview(io: IO, o: PreviewCliOptions): Promise<ExitCode> {
  const deletes: PolicyRef[] = [];
  for (const d of o.deletes) {
    const ref = parseRef(d);
    if (!ref) {
      io.err(
        `error: --delete ${JSON.stringify(d)}: expected KIND/NAMESPACE/NAME or KIND/NAME, KIND one of ${[...DELETABLE].join(', ')}\n`,
      );
      return EXIT.BAD_INPUT;
    }
    deletes.push(ref);
  }
  const current = await validateInputs(io, [...o.files, ...(o.zones ? [o.zones] : [])]);
  if (typeof current === 'number') return current;
  if (!current.ok) return EXIT.BAD_INPUT;
  const refKey = (r: PolicyRef): string => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  const present = new Set(current.set.policies.map((p) => refKey(p.ref)));
  const missing = deletes.filter((d) => !present.has(refKey(d)));
  if (missing.length > 0) {
    for (const d of missing)
      io.err(
        `error: --delete ${d.kind}/${d.namespace ? `${d.namespace}/` : ''}${d.name}: no such policy in the cluster\n`,
      );
    return EXIT.BAD_INPUT;
  }
  const changes = await loadChanges(io, o.changes);
  if (typeof changes === 'number') return changes;
  // A new ZonePolicy replaces the zones in force, all of them.
  const newZones = changes.zonePolicy !== undefined;
  const before = current.set;
  const base: PolicySet = newZones
    ? { ...before, policies: before.policies.filter((p) => p.ref.kind !== 'ZonePolicy') }
    : before;
  const after = applyChanges(base, changes.set, deletes);
  const zones = new Map<string, string>();
  const flows = await readFlows(io, o, [], zones);
  if (typeof flows === 'number') return flows;
  const r = previewFlows(before, after, flows);
  // Zone pairs over every key; then the keys are cut to --max-keys for showing.
  const byZones = new Map<PreviewGroup, Map<string, number>>();
  for (const g of [r.newlyDenied, r.newlyAllowed, r.uncertain]) {
    const m = new Map<string, number>();
    for (const k of g.keys) {
      const z = zones.get(previewKeyText(k)) ?? '- -> -';
      m.set(z, (m.get(z) ?? 0) + k.records);
    }
    byZones.set(g, m);
    g.keys = g.keys.slice(0, o.maxKeys);
  }
  if (o.output !== 'table') {
    printData(
      io,
      { newlyDenied: r.newlyDenied, newlyAllowed: r.newlyAllowed, uncertain: r.uncertain },
      o.output,
    );
  } else printPreview(io, r, byZones);
  return r.newlyDenied.records > 0 ? EXIT.FINDINGS : EXIT.OK;
}

function printPreview(
  io: IO,
  r: PreviewResult,
  byZones: Map<PreviewGroup, Map<string, number>>,
): void {
  println(
    io,
    `zonewall preview: ${plural(r.keys, 'distinct flow key')} from ${plural(r.records, 'stored record')}`,
  );
  const section = (title: string, g: PreviewGroup, reasons = false): void => {
    println(io, `  ${title}: ${plural(g.records, 'record')}, ${plural(g.flows, 'flow')}`);
    if (g.keys.length === 0) return;
    const zonePairs = [...(byZones.get(g) ?? [])].sort((a, b) => b[1] - a[1]);
    println(
      io,
      `    by zone pair: ${zonePairs.map(([z, n]) => `${z} ${plural(n, 'record')}`).join('; ')}`,
    );
    const rows = g.keys.map((k) => [
      k.source,
      k.dest,
      `${k.proto}${k.port !== null ? `/${k.port}` : ''}`,
      String(k.records),
      reasons ? (k.reason ?? '') : decided(k.oldDecidedBy),
      reasons ? '' : decided(k.newDecidedBy),
    ]);
    const head = reasons
      ? ['source', 'destination', 'port', 'records', 'why', '']
      : ['source', 'destination', 'port', 'records', 'decided before', 'decided after'];
    for (const line of table([head, ...rows]).split('\n')) println(io, `    ${line}`);
  };
  section('newly denied', r.newlyDenied);
  section('newly allowed', r.newlyAllowed);
  section('uncertain', r.uncertain, true);
}

function decided(d: PreviewResult['newlyDenied']['keys'][number]['oldDecidedBy']): string {
  if (!d) return '-';
  return `${d.direction} ${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name} rule ${d.rule}`;
}

export interface RecommendCliOptions extends StoredFlows {
  files: string[];
  zones?: string;
  namespace?: string;
  zone?: string;
  format: RecommendFormat;
  out: string;
  /** Learning: the time range is cut into this many intervals (seconds each). */
  intervalSeconds: number;
  stableAfter: number;
  output: 'table' | 'json' | 'yaml';
}

/** `zonewall recommend`: exit 0, or 1 when zone violations were seen. */
export async function recommendCmd(io: IO, o: RecommendCliOptions): Promise<ExitCode> {
  if ((o.namespace === undefined) === (o.zone === undefined)) {
    io.err('error: give exactly one of --namespace NS or --zone Z\n');
    return EXIT.BAD_INPUT;
  }
  const current = await validateInputs(io, [...o.files, ...(o.zones ? [o.zones] : [])]);
  if (typeof current === 'number') return current;
  if (!current.ok) return EXIT.BAD_INPUT;
  if (o.zone !== undefined && !current.zonePolicy) {
    io.err('error: --zone needs the ZonePolicy (--zones FILE)\n');
    return EXIT.BAD_INPUT;
  }
  const allowed = [{ field: 'action', value: 'allow' }];
  const flows = await readFlows(io, o, allowed);
  if (typeof flows === 'number') return flows;
  // Policy is learned for the cluster's own workloads, above which the zones stay in force.
  const set: PolicySet = {
    ...current.set,
    policies: current.set.policies.filter((p) => p.ref.kind !== 'ZonePolicy'),
  };
  const opts = {
    format: o.format,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(o.zone !== undefined ? { zone: o.zone } : {}),
    ...(current.zonePolicy ? { zonePolicy: current.zonePolicy } : {}),
  };
  const r = recommend(set, flows, opts);
  // Learning state: the recommendation as it stood at the end of each interval up to now.
  const digests: string[] = [];
  if (o.since !== undefined) {
    const until = o.until ?? Date.now() / 1000;
    for (let t = o.since + o.intervalSeconds; t < until; t += o.intervalSeconds) {
      const upTo = await readFlows(io, { ...o, until: t }, allowed);
      if (typeof upTo === 'number') return upTo;
      digests.push(recommend(set, upTo, opts).digest);
    }
  }
  digests.push(r.digest);
  const state = learningState(digests, o.stableAfter);
  const scope = o.namespace !== undefined ? `namespace ${o.namespace}` : `zone ${o.zone}`;
  const text = toYaml(r.manifests);
  if (o.out === '-' && o.output === 'table') io.out(text);
  else if (o.out !== '-') {
    const { writeFile } = await import('node:fs/promises');
    try {
      await writeFile(o.out, text);
    } catch (e) {
      io.err(`error: cannot write ${o.out}: ${(e as Error).message}\n`);
      return EXIT.FAILURE;
    }
  }
  if (o.output !== 'table') {
    printData(
      io,
      {
        scope,
        state: state.state,
        unchangedIntervals: state.unchanged,
        workloads: r.workloads,
        manifests: r.manifests,
        zoneViolations: r.zoneViolations,
        unresolved: r.unresolved,
        notes: r.notes,
      },
      o.output,
    );
  } else {
    const after = applyChanges(set, loadCluster([{ path: 'learned.yaml', text }]).set);
    const b = reachability(set, o.namespace);
    const a = reachability(after, o.namespace);
    const pct = (x: { reachable: number; total: number }): string =>
      x.total === 0 ? '-' : `${((100 * x.reachable) / x.total).toFixed(1)}%`;
    const lines = [
      `zonewall recommend: ${scope}: ${plural(r.workloads.length, 'workload')} from ${plural(flows.length, 'allowed flow key')}; ${state.state} (unchanged for ${plural(state.unchanged, 'interval')}, stable after ${o.stableAfter})`,
      `  reachable (pod pair, declared port) into ${scope === `namespace ${o.namespace}` ? scope : 'the cluster'}: ${pct(b)} now, ${pct(a)} with the recommendation`,
      ...r.zoneViolations.map(
        (v) =>
          `  zone violation (not learned): ${v.source} -> ${v.dest} ${v.proto}${v.port !== null ? `/${v.port}` : ''}, ${plural(v.flows, 'flow')}, denied by ${v.rule}`,
      ),
      ...r.unresolved.map((u) => `  not learned: ${u.source} -> ${u.dest}: ${u.reason}`),
      ...r.notes.map((n) => `  note: ${n}`),
    ];
    for (const l of lines) io.err(`${l}\n`);
  }
  return r.zoneViolations.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}
