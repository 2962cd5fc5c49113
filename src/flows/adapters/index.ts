// The input formats `flows ingest --format` reads, each a parser per file.
import { labParser } from '../lab.js';
import { FORMATS } from '../record.js';
import { calicoParser } from './calico.js';
import type { LineParser } from './common.js';
import { goldmaneParser } from './goldmane.js';
import { hubbleParser } from './hubble.js';
import { vpcParser } from './vpc.js';

export type { LineParser, LineResult } from './common.js';
export { goldmaneDocument } from './goldmane.js';

export { FORMATS };
export type FlowFormat = (typeof FORMATS)[number];

const PARSERS: Record<FlowFormat, () => LineParser> = {
  lab: labParser,
  calico: calicoParser,
  goldmane: goldmaneParser,
  hubble: hubbleParser,
  vpc: vpcParser,
};

/** A fresh parser for one file of a format. */
export function parserFor(format: FlowFormat): LineParser {
  return PARSERS[format]();
}

/**
 * Formats whose sources already aggregate (Calico's flow logs, Goldmane): stored as they
 * come unless an aggregation level is asked for. The others record connections or packets.
 */
export const PRE_AGGREGATED: ReadonlySet<FlowFormat> = new Set(['calico', 'goldmane']);
