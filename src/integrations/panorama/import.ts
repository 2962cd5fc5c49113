// Sync's view of the import (core/firewall): a configuration export in, ZonePolicy YAML and
// issues out. The options are the import's own, fixed for the life of a sync.
import { importPanorama } from '../../core/firewall/index.js';
import type { PanoramaImportOptions } from '../../core/firewall/index.js';
import type { BuildZonePolicy } from './sync.js';

export type SyncImportOptions = Omit<PanoramaImportOptions, 'deviceGroup' | 'device' | 'file'>;

/** The import as sync calls it. */
export function panoramaImport(o: SyncImportOptions = {}): BuildZonePolicy {
  return (xml, { deviceGroup, device }) => {
    const r = importPanorama(xml, {
      ...o,
      deviceGroup,
      ...(device !== undefined ? { device } : {}),
      file: `panorama:${deviceGroup}`,
    });
    return {
      zonePolicyYaml: r.ok ? r.yaml : undefined,
      issues: r.issues.map((i) => ({ severity: i.severity, message: i.message, code: i.code })),
    };
  };
}
