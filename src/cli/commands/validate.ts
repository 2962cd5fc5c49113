// `zonewall validate`: every issue in the manifests at once; exit 0 when there is no error.
import { validateInputs } from '../load.js';
import { EXIT, plural, printData, println } from '../output.js';
import type { ExitCode, IO, OutputFormat } from '../output.js';

export interface ValidateOptions {
  files: string[];
  output: OutputFormat;
}

/** Run `validate`. */
export async function validate(io: IO, o: ValidateOptions): Promise<ExitCode> {
  // With --output json/yaml the issues go to stdout as data, not to stderr as text.
  const res = await validateInputs(io, o.files, { printIssues: o.output === 'table' });
  if (typeof res === 'number') return res;
  if (o.output !== 'table') {
    printData(
      io,
      { ok: res.ok, objects: res.objects, skipped: res.skipped, issues: res.issues },
      o.output,
    );
  } else if (res.ok) {
    const s = res.set;
    const own = s.policies.filter((p) => p.ref.kind !== 'ZonePolicy').length;
    const zp = res.zonePolicy;
    const parts = [
      plural(s.namespaces.length, 'namespace'),
      plural(s.pods.length, 'pod'),
      own === 1 ? '1 policy' : `${own} policies`,
      ...(zp
        ? [
            `ZonePolicy ${zp.name}: ${plural(zp.zones.length, 'zone')}, ${plural(zp.rules.length, 'rule')}`,
          ]
        : []),
      ...(res.skipped ? [`${res.skipped} skipped`] : []),
    ];
    println(io, `valid: ${plural(res.objects, 'object')} (${parts.join(', ')})`);
  }
  return res.ok ? EXIT.OK : EXIT.BAD_INPUT;
}
