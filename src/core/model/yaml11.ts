// YAML 1.1 scalar resolution for the fast parser, as Kubernetes reads manifests (go-yaml v2):
// unquoted y/yes/on/... are booleans, 0-prefixed integers are octal, `1_000` and `190:20:30`
// are numbers. The rules mirror the full parser's YAML 1.1 schema (a test checks they agree),
// except that timestamps stay strings: a Kubernetes field never wants a date object.
import jsyaml from 'js-yaml';

const { FAILSAFE_SCHEMA, Type } = jsyaml;
// js-yaml's built-in types (exported at run time; missing from its type declarations).
const types = (
  jsyaml as unknown as { types: Record<'merge' | 'binary' | 'omap' | 'pairs' | 'set', jsyaml.Type> }
).types;

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const BIN = /^[-+]?0b[0-1_]+$/;
const OCT = /^[-+]?0[0-7_]+$/;
const DEC = /^[-+]?[0-9][0-9_]*$/;
const HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const SEXA_INT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/;
const INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FIXED = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
const SEXA_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/;

function signed(text: string): [number, string] {
  const neg = text.startsWith('-');
  const body = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  return [neg ? -1 : 1, body.replaceAll('_', '')];
}

/** Base-60 numbers: `190:20:30` is 190*3600 + 20*60 + 30. */
function sexagesimal(text: string): number {
  const [sign, body] = signed(text);
  return sign * body.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

function toInt(text: string): number {
  if (SEXA_INT.test(text)) return sexagesimal(text);
  // As the full parser does: drop the sign and the radix prefix, then underscores.
  const neg = text.startsWith('-');
  const rest = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  const [offset, radix] = BIN.test(text)
    ? [2, 2]
    : HEX.test(text)
      ? [2, 16]
      : OCT.test(text)
        ? [1, 8]
        : [0, 10];
  const n = parseInt(rest.slice(offset).replaceAll('_', ''), radix);
  return neg ? -n : n;
}

function toFloat(text: string): number {
  if (SEXA_FLOAT.test(text)) return sexagesimal(text);
  if (INF_NAN.test(text))
    return text.toLowerCase().includes('nan') ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  const [sign, body] = signed(text);
  return sign * parseFloat(body);
}

// First characters each type can start with: most scalars (names, labels) are ruled out
// with one comparison instead of a dozen regular expressions.
const NUMERIC_START = new Set('+-.0123456789');
// The full parser's exponent form has optional digits before it: `e5` is a float there.
const FLOAT_START = new Set('+-.0123456789eE');
const BOOL_START = new Set('YyNnTtFfOo');
const first = (d: string): string => d.charAt(0);

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (d: string | null) =>
    d === null || d === '' || ('~nN'.includes(first(d)) && NULL.test(d)),
  construct: () => null,
  predicate: (o: unknown) => o === null,
  represent: () => 'null',
});

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (d: string | null) =>
    d !== null && BOOL_START.has(first(d)) && (TRUE.test(d) || FALSE.test(d)),
  construct: (d: string) => TRUE.test(d),
  predicate: (o: unknown) => typeof o === 'boolean',
  represent: (o: object) => (o ? 'true' : 'false'),
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (d: string | null) =>
    d !== null &&
    NUMERIC_START.has(first(d)) &&
    [BIN, OCT, DEC, HEX, SEXA_INT].some((r) => r.test(d)),
  construct: toInt,
  predicate: (o: unknown) => typeof o === 'number' && Number.isInteger(o) && !Object.is(o, -0),
  represent: (o: object) => String(o),
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (d: string | null) =>
    d !== null &&
    FLOAT_START.has(first(d)) &&
    [INF_NAN, EXP, FIXED, SEXA_FLOAT].some((r) => r.test(d)),
  construct: toFloat,
  predicate: (o: unknown) => typeof o === 'number' && !(Number.isInteger(o) && !Object.is(o, -0)),
  represent: (o: object) => {
    const n = o as unknown as number;
    if (Number.isNaN(n)) return '.nan';
    if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
    if (Object.is(n, -0)) return '-0.0';
    // Always with a point or an exponent, so it reads back as a float.
    const t = String(n);
    return /[.eE]/.test(t) ? t : `${t}.0`;
  },
});

/** The YAML 1.1 schema for the fast parser (no timestamps: they stay strings). */
export const YAML11_FAST = FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, types.merge],
  explicit: [types.binary, types.omap, types.pairs, types.set],
});

// YAML 1.1 timestamps (as the full parser reads them): written quoted so that no reader takes a
// date-like string for a date. Only for writing; reading keeps them as strings.
const TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;
const timestampType = new Type('tag:yaml.org,2002:timestamp', {
  kind: 'scalar',
  resolve: (d: string | null) => d !== null && /^[0-9]{4}-/.test(d) && TIMESTAMP.test(d),
  construct: (d: string) => d,
  predicate: () => false,
  represent: (o: object) => String(o),
});

/**
 * The schema for writing YAML that YAML 1.1 readers (Kubernetes) read back unchanged: a
 * string that would read as anything else (`yes`, `off`, `0777`, `1:20`, a date) is quoted.
 */
export const YAML11_DUMP = YAML11_FAST.extend({ implicit: [timestampType] });
