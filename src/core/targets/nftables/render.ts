// The nftables target: the whole enforced policy (every tier, the compiled zones; staged
// policies are never enforced) for the pods of one host, as one `inet zonewall` table that
// replaces the previous one in a single `nft -f` transaction. zonewall touches no other table.
import { Engine } from '../../engine/index.js';
import type { Endpoint } from '../../engine/index.js';
import type { Issue } from '../../model/issues.js';
import type { PolicySet } from '../../model/types.js';
import { ChainBuilder, refText } from './chains.js';
import type { Chain } from './chains.js';
import { workloadInterface } from './ids.js';
import { SetRegistry } from './sets.js';

/** The table zonewall owns; nothing else is ever changed. */
export const NFT_TABLE = 'inet zonewall';
/** The NFLOG group denies and Log rules are sent to, unless told otherwise. */
export const DEFAULT_LOG_GROUP = 100;

export interface NftablesOptions {
  /** The node whose pods are rendered (a pod's spec.nodeName). */
  host: string;
  logGroup?: number;
  /** An engine already built over the same policy set (saves building one). */
  engine?: Engine;
  /** The host-side interface of a pod (default: workloadInterface). */
  interfaceOf?: (ep: Endpoint) => string;
}

export interface NftablesStats {
  endpoints: number;
  chains: number;
  rules: number;
  sets: number;
  elements: number;
}

export interface NftablesResult {
  /** The ruleset, for `nft -f`. */
  text: string;
  issues: Issue[];
  stats: NftablesStats;
  /** The rendered pods with their interfaces, in output order. */
  endpoints: Array<{ endpoint: Endpoint; iface: string }>;
}

/** The pods of a host that have a workload endpoint (not host-networked, not finished). */
export function hostPods(engine: Engine, host: string): Endpoint[] {
  return engine.eps
    .allPods()
    .filter((ep) => ep.nodeName === host && !ep.hostNetwork)
    .sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Render the ruleset of one host. */
export function renderNftables(set: PolicySet, opts: NftablesOptions): NftablesResult {
  const engine = opts.engine ?? Engine.build(set);
  const logGroup = opts.logGroup ?? DEFAULT_LOG_GROUP;
  const ifaceOf =
    opts.interfaceOf ?? ((ep: Endpoint) => workloadInterface(ep.namespace ?? '', ep.name));
  const sets = new SetRegistry(engine);
  const chains = new ChainBuilder(sets, logGroup);
  const issues: Issue[] = [];
  const pods = hostPods(engine, opts.host);
  const dispatch = { egress: [] as string[], ingress: [] as string[] };
  const endpoints = pods.map((ep) => ({ endpoint: ep, iface: ifaceOf(ep) }));
  for (const { endpoint: ep, iface } of endpoints) {
    for (const dir of ['egress', 'ingress'] as const) {
      const chain = chains.endpointChain(engine.policiesFor(ep, dir), dir);
      if (chain) dispatch[dir].push(`"${iface}" : goto ${chain}`);
    }
  }
  for (const h of set.hostEndpoints.filter((h) => h.node === opts.host)) {
    issues.push({
      code: 'nftables.host-endpoint',
      severity: 'warning',
      message: `host endpoint ${JSON.stringify(h.name)} on ${opts.host} is not rendered: the nftables target enforces pod policy only`,
      file: h.source.file,
      doc: h.source.doc,
    });
  }
  if (pods.length === 0) {
    issues.push({
      code: 'nftables.no-pods',
      severity: 'warning',
      message: `no pods on host ${JSON.stringify(opts.host)} (spec.nodeName): the table forwards everything`,
    });
  }
  const body = tableBody(chains.chains(), sets, dispatch);
  const text = [...header(opts.host, chains, logGroup), ...body.lines].join('\n') + '\n';
  const c = sets.counts();
  return {
    text,
    issues,
    endpoints,
    stats: {
      endpoints: pods.length,
      chains: body.chains,
      rules: body.rules,
      sets: c.sets,
      elements: c.elements,
    },
  };
}

function header(host: string, chains: ChainBuilder, logGroup: number): string[] {
  const legend = [...chains.legend.entries()]
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([id, { ref, tier }]) => `#   ${id}  ${refText(ref)} (tier ${tier})`);
  return [
    `# zonewall ruleset for host ${host}; generated, do not edit. \`nft -f\` replaces the whole`,
    `# table ${NFT_TABLE} in one transaction and touches nothing else.`,
    `# Denies are logged to NFLOG group ${logGroup}; a log prefix "zw D <policy> <in|eg> <rule>"`,
    `# names the policy (ids below), the direction and the rule (or the tier's default).`,
    '# policies:',
    ...legend,
    `table ${NFT_TABLE} {}`,
    `delete table ${NFT_TABLE}`,
  ];
}

function tableBody(
  chains: Chain[],
  sets: SetRegistry,
  dispatch: { egress: string[]; ingress: string[] },
): { lines: string[]; chains: number; rules: number } {
  const lines = [`table ${NFT_TABLE} {`, ...sets.render()];
  let rules = 0;
  for (const c of chains) {
    lines.push(`  # ${c.title}`, `  chain ${c.name} {`, ...c.rules.map((r) => `    ${r}`), '  }');
    rules += c.rules.length;
  }
  for (const dir of ['egress', 'ingress'] as const) {
    const elems = [...dispatch[dir]].sort();
    lines.push(`  map ${dir}-endpoints {`, '    type ifname : verdict');
    if (elems.length > 0) {
      lines.push(
        ...elems.map(
          (e, i) =>
            `${i === 0 ? '    elements = { ' : '      '}${e}${i === elems.length - 1 ? ' }' : ','}`,
        ),
      );
    }
    lines.push('  }');
  }
  // Forwarded traffic, and traffic between a pod and its own node (Calico filters both).
  const base: Array<[string, string, string, string, string]> = [
    ['egress', 'forward', 'filter', 'iifname', 'egress'],
    ['ingress', 'forward', 'filter + 10', 'oifname', 'ingress'],
    ['to-host', 'input', 'filter', 'iifname', 'egress'],
    ['from-host', 'output', 'filter', 'oifname', 'ingress'],
  ];
  for (const [name, hook, prio, key, dir] of base) {
    lines.push(
      `  # ${dir} policy of the pods on this host (${hook} hook): by the interface the packet ${key === 'iifname' ? 'comes from' : 'goes to'}`,
      `  chain ${name} {`,
      `    type filter hook ${hook} priority ${prio}; policy accept;`,
      `    counter ${key} vmap @${dir}-endpoints comment "pods on this host"`,
      '  }',
    );
    rules += 1;
  }
  lines.push('}');
  return { lines, chains: chains.length + base.length, rules };
}
