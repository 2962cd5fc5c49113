// Public surface of core/firewall: the safe XML parser, the vendor-neutral firewall model, the
// PAN-OS / Panorama reader, and the mapping to a ZonePolicy.
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  parseXml,
  tryParseXml,
  XmlElement,
  XmlError,
  type XmlErrorCode,
  type XmlLimits,
} from './xml.js';
export type * from './types.js';
export { parseTagFilter, type TagFilterParse } from './tag-filter.js';
export { deviceGroups, readPanos, type PanosOptions } from './panos.js';
export {
  toZonePolicy,
  type ImportOptions,
  type ImportReport,
  type RuleReport,
  type RuleStatus,
  type ZonePolicyDoc,
} from './to-zone-policy.js';
export type { Note, Effect } from './map-sides.js';
export { importPanorama, type PanoramaImport, type PanoramaImportOptions } from './import.js';
export { formatReport } from './report.js';
