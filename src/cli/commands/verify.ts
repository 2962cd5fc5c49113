// `zonewall verify`: prove that what a target enforces equals what the ZonePolicy means, with
// the cluster's own policies, and that developers cannot override the zones.
import {
  compiledZones,
  verifyZonesTogether,
  withDevelopersAllowingEverything,
  withZones,
} from '../../core/analysis/index.js';
import type { CompiledZones, VerifyResult } from '../../core/analysis/index.js';
import type { PolicySet } from '../../core/model/index.js';
import type { TargetName } from '../../core/targets/index.js';
import { stepText } from './explain.js';
import { loadZonesOrExit } from '../load.js';
import { EXIT, printData, printIssues, println } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';
import { RENDERERS } from '../targets.js';

export interface VerifyCliOptions {
  zones: string;
  files: string[];
  target: TargetName | 'native';
  approximate: boolean;
  maxDifferences: number;
  exhaustive?: boolean;
  output: OutputFormat;
}

/** Run `verify`; exit 1 on any difference. */
export async function verify(io: IO, o: VerifyCliOptions): Promise<ExitCode> {
  const loaded = await loadZonesOrExit(io, o.zones, o.files);
  if (typeof loaded === 'number') return loaded;
  const set = loaded.result.set;
  const cluster: PolicySet = {
    ...set,
    policies: set.policies.filter((p) => p.ref.kind !== 'ZonePolicy'),
  };
  const renderer = o.target === 'native' ? undefined : RENDERERS[o.target];
  if (o.target !== 'native' && !renderer) {
    io.err(
      `error: verify cannot use the ${o.target} target: it renders per host (use the lab to check it against the kernel)\n`,
    );
    return EXIT.BAD_INPUT;
  }
  const render = renderer
    ? { renderer, options: { approximate: o.approximate }, name: o.target }
    : undefined;
  const compiled = compiledZones(loaded.program, render);
  printIssues(io, compiled.issues);
  if (!compiled.zones) return EXIT.BAD_INPUT;
  const scenarios = [
    ['cluster', cluster],
    ['guardrail', withDevelopersAllowingEverything(cluster)],
  ] as const;
  const verified = verifyZonesTogether(
    scenarios.map(([, base]) => ({
      cluster: base,
      enforced: withZones(base, compiled.zones as CompiledZones),
      zonePolicy: loaded.zonePolicy,
      maxDifferences: o.maxDifferences,
      ...(o.exhaustive ? { exhaustive: true } : {}),
    })),
  );
  const results = scenarios.map(([name], i) => ({
    name,
    result: verified[i] as VerifyResult,
  }));
  const different = results.some((r) => r.result.differenceCount > 0);
  if (o.output !== 'table') {
    printData(
      io,
      {
        zonePolicy: loaded.zonePolicy.name,
        target: o.target,
        ok: !different,
        ...Object.fromEntries(results.map((r) => [r.name, r.result])),
      },
      o.output,
    );
  } else printReport(io, loaded.zonePolicy.name, o.target, results);
  return different ? EXIT.FINDINGS : EXIT.OK;
}

const LABEL: Record<string, string> = {
  cluster: "with the cluster's own policies",
  guardrail: "guardrail: every namespace's developers allow everything",
};

function printReport(
  io: IO,
  zp: string,
  target: string,
  results: Array<{ name: string; result: VerifyResult }>,
): void {
  const first = results[0]?.result.stats;
  println(io, `zonewall verify: ZonePolicy ${zp} as the ${target} target enforces it`);
  if (first) {
    const classes =
      first.method === 'layered'
        ? `${first.zoneSourceClasses} source and ${first.zoneDestinationClasses} destination classes as the zones tell pods apart (${first.podClasses} classes in full where the cluster's policies decide); ${first.zoneAddressClasses} address classes`
        : `${first.podClasses} classes; ${first.addressClasses} address classes`;
    println(
      io,
      `  ${first.pods} pods (${first.identicalGroups} groups of identical pods) in ${classes}; ${first.protocols} protocols, ${first.portIntervals} port intervals`,
    );
  }
  for (const { name, result } of results) {
    const n = (result.stats.zoneConnections + result.stats.connections).toLocaleString('en-US');
    if (result.differenceCount === 0)
      println(io, `  ${LABEL[name]}: enforced = intended for all ${n} connection classes checked`);
    else {
      println(
        io,
        `  ${LABEL[name]}: ${result.differenceCount} of ${n} connection classes differ: ${result.opened} allowed that should be denied, ${result.closed} denied that should be allowed`,
      );
    }
    for (const note of result.notes) println(io, `    note: ${note}`);
    for (const d of result.differences) {
      println(
        io,
        `    ${d.from} -> ${d.to} ${d.protocol}${d.port !== null ? `/${d.port}` : ''}: enforced ${d.actual.toUpperCase()}, intended ${d.expected.toUpperCase()} (${d.intent})`,
      );
      d.trace.forEach((s) => println(io, `      ${s.direction}: ${stepText(s)}`));
    }
    if (result.differenceCount > result.differences.length)
      println(
        io,
        `    ... and ${result.differenceCount - result.differences.length} more (--max-differences)`,
      );
  }
}
