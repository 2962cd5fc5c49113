// What zonewall writes, a YAML 1.1 reader (Kubernetes) reads back unchanged: every string that
// would read as something else (a boolean, a number in any YAML 1.1 spelling, null, a date) is
// quoted; numbers, booleans and null keep their types; nothing is shared through anchors.
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYaml } from './documents.js';
import { YAML11_FAST } from './yaml11.js';

/** The full parser, YAML 1.1 with its timestamps: a date-like string must not come back a Date. */
const full = (text: string): unknown[] =>
  parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
const fast = (text: string): unknown[] => jsyaml.loadAll(text, undefined, { schema: YAML11_FAST });

const TRICKY = [
  'y', 'Y', 'n', 'yes', 'No', 'ON', 'off', 'true', 'False', '~', 'null', 'Null', '',
  '012', '08', '0x1F', '0b101', '1_000', '+12', '-0', '190:20:30', '6379:6380', '1:20',
  '.inf', '-.Inf', '.nan', '1e3', 'e5', '1.', '.5', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '::/0', '10.0.0.0/8', '- a', 'a: b', '#c', '@x', '`x', '%x', '!x', '*x', '&x', '{x}', '[x]',
  '"q"', "it's", '  lead', 'trail ', 'multi\nline', '<<', '=', '?', '|', '>', 'é', 'a #b',
]; // prettier-ignore

const scalar = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...TRICKY), fc.string()), tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('toYaml', () => {
  it('is read back unchanged by the full YAML 1.1 parser and by the fast one', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), (docs) => {
        const text = toYaml(docs);
        // -0 reads back as 0 through JSON-like comparison; compare through JSON.
        const norm = (x: unknown): unknown => JSON.parse(JSON.stringify(x) ?? 'null');
        expect(norm(full(text))).toEqual(norm(docs));
        expect(norm(fast(text))).toEqual(norm(docs));
      }),
      { numRuns: 400 },
    );
  });

  it('quotes what YAML 1.1 would read as something else, and shares nothing through anchors', () => {
    const shared = { a: 1 };
    const text = toYaml([
      { ports: ['6379:6380', '1:20'], on: 'off', when: '2001-12-14', x: shared, y: shared },
    ]);
    expect(text).toContain("- '6379:6380'");
    expect(text).toContain("'on': 'off'");
    expect(text).toContain("when: '2001-12-14'");
    expect(text).not.toMatch(/[&*]a?\d/);
  });
});
