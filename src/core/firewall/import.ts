// Import a PAN-OS / Panorama configuration as a ZonePolicy: parse the XML (safely), read the
// device group or vsys into the firewall model, map it, and check the result loads.
import { toYaml } from '../model/documents.js';
import { loadCluster } from '../zones/load.js';
import type { Issue } from '../model/issues.js';
import { readPanos } from './panos.js';
import type { PanosOptions } from './panos.js';
import { toZonePolicy } from './to-zone-policy.js';
import type { ImportOptions, ImportReport, ZonePolicyDoc } from './to-zone-policy.js';
import type { FirewallPolicy } from './types.js';
import { XmlElement, tryParseXml } from './xml.js';
import type { XmlLimits } from './xml.js';

export interface PanoramaImportOptions extends PanosOptions, Partial<ImportOptions> {
  limits?: XmlLimits;
}

export interface PanoramaImport {
  /** False when the input could not be read (issues hold the errors). */
  ok: boolean;
  issues: Issue[];
  model?: FirewallPolicy;
  document?: ZonePolicyDoc;
  /** The ZonePolicy as YAML. */
  yaml?: string;
  report?: ImportReport;
}

/**
 * Import one device group (Panorama) or vsys (firewall) from configuration XML, as text or
 * bytes, or already parsed.
 */
export function importPanorama(
  xml: string | Uint8Array | XmlElement,
  opts: PanoramaImportOptions = {},
): PanoramaImport {
  const parsed =
    xml instanceof XmlElement ? { ok: true as const, root: xml } : tryParseXml(xml, opts.limits);
  if (!parsed.ok) {
    const e = parsed.error;
    return {
      ok: false,
      issues: [
        {
          code: e.code,
          severity: 'error',
          message: e.message,
          pos: { line: e.line, col: e.col },
          ...(opts.file ? { file: opts.file } : {}),
        },
      ],
    };
  }
  const model = readPanos(parsed.root, opts);
  if (model.issues.some((i) => i.severity === 'error'))
    return { ok: false, issues: model.issues, model };
  const name = opts.name ?? defaultName(model.scope);
  const { document, report } = toZonePolicy(model, { ...opts, name });
  const yaml = toYaml([document]);
  // The result must mean something to zonewall itself: load it as any ZonePolicy is loaded,
  // validated and compiled to the zone program (the engine's policies are not needed here).
  // It is read from JSON, the model's fast path: the YAML writer is tested separately to be
  // read back unchanged.
  const loaded = loadCluster([{ path: 'import.json', text: JSON.stringify(document) }], {
    enginePolicies: false,
  });
  const problems = loaded.issues.filter((i) => i.severity === 'error');
  if (problems.length > 0 || !loaded.zonePolicy) {
    const issues = [
      ...model.issues,
      ...problems.map((i) => ({
        ...i,
        code: `import.${i.code}`,
        message: `the imported ZonePolicy does not load: ${i.message}`,
      })),
    ];
    return { ok: false, issues, model, document, yaml, report };
  }
  return { ok: true, issues: model.issues, model, document, yaml, report };
}

function defaultName(scope: string): string {
  const s = scope
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return s === '' ? 'panorama' : s.slice(0, 253);
}
