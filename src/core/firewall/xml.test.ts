// The XML parser: what it reads, what it refuses (entity declarations, oversize and overdeep
// input), and where it says the problem is.
import { describe, expect, it } from 'vitest';
import { XmlError, parseXml, tryParseXml } from './xml.js';

const fail = (text: string, limits = {}): XmlError => {
  const r = tryParseXml(text, limits);
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
};

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA; skips comments and processing instructions', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0"?>\n<!-- head -->\n<config version="10.0.0" urldb='paloaltonetworks'>` +
        `<a x="1">one<!-- c -->two<?pi skip?></a><b><![CDATA[<raw> & ]]></b><c/>\n</config>\n<!-- tail -->`,
    );
    expect(root.name).toBe('config');
    expect(root.attrs).toEqual({ version: '10.0.0', urldb: 'paloaltonetworks' });
    expect(root.children().map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(root.child('a')?.text).toBe('onetwo');
    expect(root.child('a')?.attr('x')).toBe('1');
    expect(root.child('a')?.attr('toString')).toBeUndefined();
    expect(root.child('b')?.text).toBe('<raw> & ');
    expect(root.child('c')?.value).toBe('');
    expect(root.child('missing')).toBeUndefined();
  });

  it('resolves the five predefined entities and numeric references, in text and attributes', () => {
    const root = parseXml(`<r a="&lt;&#x41;&#66;&quot;">&amp;&gt;&apos;&#233;&#x1F600;</r>`);
    expect(root.attr('a')).toBe('<AB"');
    expect(root.text).toBe("&>'é\u{1F600}");
  });

  it('keeps text around child elements but not indentation', () => {
    expect(parseXml('<r>\n  <a/>\n</r>').text).toBe('');
    expect(parseXml('<r> x <a/> y </r>').text).toBe(' x  y ');
    expect(parseXml('<r>  </r>').text).toBe('  ');
    expect(parseXml('<r> <![CDATA[ ]]> <a/></r>').text).toBe('');
  });

  it('normalises whitespace in attribute values', () => {
    expect(parseXml('<r a="x\ny\tz"/>').attr('a')).toBe('x y z');
  });

  it('records where each element starts', () => {
    const root = parseXml('<r>\n  <a/>\n    <b>x</b></r>');
    expect([root.child('a')?.line, root.child('a')?.col]).toEqual([2, 3]);
    expect([root.child('b')?.line, root.child('b')?.col]).toEqual([3, 5]);
  });

  it('looks up paths, with * and attribute predicates', () => {
    const root = parseXml(
      `<config><devices><entry name="localhost.localdomain"><device-group>` +
        `<entry name="dg1"><address><entry name="a"/></address></entry>` +
        `<entry name="dg/2"><address><entry name="b"/><entry name="c"/></address></entry>` +
        `</device-group></entry></devices></config>`,
    );
    expect(root.all('devices/entry/device-group/entry').map((e) => e.attr('name'))).toEqual([
      'dg1',
      'dg/2',
    ]);
    expect(
      root
        .all(`devices/entry/device-group/entry[@name='dg/2']/address/entry`)
        .map((e) => e.attr('name')),
    ).toEqual(['b', 'c']);
    expect(root.all('devices/*/device-group/*/address/entry')).toHaveLength(3);
    expect(root.at(`devices/entry/device-group/entry[@name="dg1"]`)?.attr('name')).toBe('dg1');
    expect(root.at('devices/nothing/here')).toBeUndefined();
    expect(root.children('devices')).toHaveLength(1);
  });
});

describe('parseXml refuses', () => {
  it('a DOCTYPE, so billion laughs is never expanded', () => {
    const laughs =
      `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n` +
      Array.from(
        { length: 9 },
        (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">\n`,
      ).join('') +
      `]>\n<lolz>&lol9;</lolz>`;
    const e = fail(laughs);
    expect(e).toBeInstanceOf(XmlError);
    expect([e.code, e.line, e.col]).toEqual(['xml.doctype', 2, 1]);
  });

  it('an external entity, so nothing is fetched', () => {
    const e = fail(
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>`,
    );
    expect(e.code).toBe('xml.doctype');
  });

  it('declarations inside an element', () => {
    expect(fail('<r><!ENTITY x "y"></r>').code).toBe('xml.doctype');
  });

  it('undefined entities, bad and invalid character references', () => {
    expect(fail('<r>&xxe;</r>')).toMatchObject({ code: 'xml.entity', line: 1, col: 4 });
    expect(fail('<r a="&nbsp;"/>').code).toBe('xml.entity');
    expect(fail('<r>a & b</r>').code).toBe('xml.entity');
    expect(fail('<r>&#0;</r>').code).toBe('xml.entity');
    expect(fail('<r>&#xD800;</r>').code).toBe('xml.entity');
    expect(fail('<r>&#x110000;</r>').code).toBe('xml.entity');
    expect(fail('<r>&#xZZ;</r>').code).toBe('xml.entity');
  });

  it('input over the size limit, before reading it', () => {
    expect(fail('<r>0123456789</r>', { maxBytes: 10 }).code).toBe('xml.size');
    const bytes = new TextEncoder().encode('<r>0123456789</r>');
    expect(tryParseXml(bytes, { maxBytes: 10 }).ok).toBe(false);
    expect(tryParseXml(bytes).ok).toBe(true);
  });

  it('nesting deeper than the limit, without exhausting the stack', () => {
    const deep = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
    expect(tryParseXml(deep(10), { maxDepth: 10 }).ok).toBe(true);
    expect(fail(deep(11), { maxDepth: 10 }).code).toBe('xml.depth');
    expect(fail(deep(100_000)).code).toBe('xml.depth');
  });

  it.each([
    ['', 'no root element'],
    ['text', 'text before the root element'],
    ['<r>', 'is not closed'],
    ['<r></s>', '</s> closes <r>'],
    ['<r/><s/>', 'a second root element'],
    ['<r/>x', 'text after the root element'],
    ['<r a=1/>', 'must be quoted'],
    ['<r a="1" a="2"/>', 'appears twice'],
    ['<r a="<"/>', "'<' is not allowed"],
    ['<r a="1"b="2"/>', 'whitespace between attributes'],
    ['<r><!-- x</r>', 'unterminated comment'],
    ['<r><![CDATA[x</r>', 'unterminated CDATA'],
    ['<r><1/></r>', 'expected a name'],
  ])('malformed %j', (text, message) => {
    const e = fail(text);
    expect(e.code).toBe('xml.syntax');
    expect(e.message).toContain(message);
    expect(e.message).toMatch(/\(line \d+, column \d+\)$/);
  });

  it('truncated input, at any point', () => {
    const doc =
      '<config version="11.0"><shared><address><entry name="a"><ip-netmask>10.0.0.0/8</ip-netmask></entry></address></shared></config>';
    for (let n = 0; n < doc.length; n++) {
      expect(tryParseXml(doc.slice(0, n)).ok, `cut at ${n}`).toBe(false);
    }
    expect(tryParseXml(doc).ok).toBe(true);
  });
});
