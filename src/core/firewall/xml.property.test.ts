// The XML parser on random input: any text either parses or fails with an XmlError (never
// another exception, never a hang), and random element trees written out read back the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XmlError, parseXml, tryParseXml } from './xml.js';
import type { XmlElement } from './xml.js';

interface Tree {
  name: string;
  attrs: Array<[string, string]>;
  text: string;
  children: Tree[];
}

const name = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/);
const value = fc.string({ maxLength: 12 });
const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// XML 1.0 characters only, and no carriage return (a parser normalises line ends).
const xmlText = value.map((s) => s.replace(/[^\t\n\u0020-\ud7ff\ue000-\ufffd]/g, ''));

function treeOf(depth: number): fc.Arbitrary<Tree> {
  return fc.record({
    name,
    attrs: fc.uniqueArray(
      fc.tuple(
        name,
        xmlText.map((s) => s.replace(/[\t\n]/g, ' ')),
      ),
      {
        selector: ([k]) => k,
        maxLength: 3,
      },
    ),
    // Text that is not only whitespace (indentation between children is not kept).
    text: xmlText.map((s) => (s.trim() === '' ? '' : s)),
    children: depth === 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
  });
}

const tree = treeOf(3);

function write(t: Tree): string {
  const attrs = t.attrs.map(([k, v]) => ` ${k}="${escape(v)}"`).join('');
  const inner = escape(t.text) + t.children.map(write).join('');
  return inner === '' ? `<${t.name}${attrs}/>` : `<${t.name}${attrs}>${inner}</${t.name}>`;
}

function read(el: XmlElement): Tree {
  return {
    name: el.name,
    attrs: Object.entries(el.attrs),
    text: el.text,
    children: el.children().map(read),
  };
}

describe('parseXml on random input', () => {
  it('reads back any tree it is given', () => {
    fc.assert(
      fc.property(tree, (t) => {
        expect(read(parseXml(write(t)))).toEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it('fails only with XmlError, whatever the text', () => {
    const chunks = fc.constantFrom(
      '<',
      '>',
      '/',
      '&',
      ';',
      '#',
      'x',
      '"',
      "'",
      '=',
      ' ',
      '!',
      '?',
      '-',
      '[',
      ']',
      'a',
      'CDATA',
      'DOCTYPE',
      '&amp;',
      '&#65;',
      '<a>',
      '</a>',
      '<!--',
      '-->',
      '<?',
      '?>',
    );
    fc.assert(
      fc.property(fc.array(chunks, { maxLength: 40 }), (parts) => {
        const r = tryParseXml(parts.join(''));
        if (!r.ok) expect(r.error).toBeInstanceOf(XmlError);
      }),
      { numRuns: 1000 },
    );
  });
});
