// A small XML parser for firewall configurations and API responses. It reads elements,
// attributes, text and CDATA; skips comments and processing instructions; knows only the five
// predefined entities and numeric character references. A document type declaration is
// rejected outright, so no entity is ever defined, expanded or fetched (billion laughs and
// external entities fail before anything is read), and input size and nesting depth are bounded.

import { XmlElement } from './xml-element.js';

export { XmlElement };

export type XmlErrorCode = 'xml.syntax' | 'xml.doctype' | 'xml.entity' | 'xml.size' | 'xml.depth';

/** A parse failure, at a 1-based line and column of the input. */
export class XmlError extends Error {
  readonly code: XmlErrorCode;
  readonly line: number;
  readonly col: number;

  constructor(code: XmlErrorCode, message: string, line: number, col: number) {
    super(`${message} (line ${line}, column ${col})`);
    this.name = 'XmlError';
    this.code = code;
    this.line = line;
    this.col = col;
  }
}

export interface XmlLimits {
  /** Largest input accepted, in bytes for byte input and UTF-16 units for strings. */
  maxBytes?: number;
  /** Deepest element nesting accepted. */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 256;

/** Parse a whole document and return its root element; throws XmlError. */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) {
    throw new XmlError(
      'xml.size',
      `input is ${size} bytes, more than the limit of ${maxBytes}`,
      1,
      1,
    );
  }
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  return new Parser(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH).document();
}

/** Parse, returning the error as data instead of throwing it. */
export function tryParseXml(
  input: string | Uint8Array,
  limits: XmlLimits = {},
): { ok: true; root: XmlElement } | { ok: false; error: XmlError } {
  try {
    return { ok: true, root: parseXml(input, limits) };
  } catch (e) {
    if (e instanceof XmlError) return { ok: false, error: e };
    throw e;
  }
}

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};

// Name characters: XML's NameStartChar/NameChar, simplified to "not a delimiter".
function isNameStart(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0xb7;
}

class Parser {
  private pos = 0;
  private lineStarts: number[] | undefined;

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  document(): XmlElement {
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1;
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      if (!this.src.startsWith('<', this.pos)) {
        this.fail(
          'xml.syntax',
          root ? 'text after the root element' : 'text before the root element',
        );
      }
      if (this.skipMisc()) continue;
      if (root) this.fail('xml.syntax', 'a second root element');
      root = this.element();
    }
    if (!root) this.fail('xml.syntax', 'no root element');
    return root;
  }

  /** Comments, processing instructions, and the declarations we refuse. True if one was skipped. */
  private skipMisc(): boolean {
    const s = this.src;
    if (s.startsWith('<!--', this.pos)) {
      const end = s.indexOf('-->', this.pos + 4);
      if (end < 0) this.fail('xml.syntax', 'unterminated comment');
      this.pos = end + 3;
      return true;
    }
    if (s.startsWith('<?', this.pos)) {
      const end = s.indexOf('?>', this.pos + 2);
      if (end < 0) this.fail('xml.syntax', 'unterminated processing instruction');
      this.pos = end + 2;
      return true;
    }
    if (/^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.test(s.slice(this.pos, this.pos + 10))) {
      this.fail(
        'xml.doctype',
        'document type and entity declarations are not accepted (entities are never expanded or fetched)',
      );
    }
    return false;
  }

  private element(): XmlElement {
    // Iterative, so depth is bounded by the limit and not by the call stack.
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    const s = this.src;
    for (;;) {
      if (stack.length > 0) this.text(stack[stack.length - 1] as XmlElement);
      if (this.pos >= s.length) {
        const open = stack[stack.length - 1] as XmlElement;
        this.fail('xml.syntax', `element <${open.name}> (line ${open.line}) is not closed`);
      }
      if (s.startsWith('</', this.pos)) {
        const at = this.pos;
        this.pos += 2;
        const name = this.name();
        this.skipSpace();
        this.expect('>');
        const open = stack.pop();
        if (!open || open.name !== name) {
          this.pos = at;
          this.fail(
            'xml.syntax',
            open
              ? `</${name}> closes <${open.name}> (line ${open.line})`
              : `</${name}> has no open element`,
          );
        }
        if (stack.length === 0) return open;
        continue;
      }
      if (stack.length > 0 && this.skipMisc()) continue;
      if (s.startsWith('<![CDATA[', this.pos)) {
        const end = s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('xml.syntax', 'unterminated CDATA section');
        (stack[stack.length - 1] as XmlElement).text += s.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      const { el, selfClosing } = this.startTag();
      const parent = stack[stack.length - 1];
      if (parent) {
        if (parent.elements.length === 0 && parent.text.trim() === '') parent.text = '';
        parent.elements.push(el);
      } else root = el;
      if (selfClosing) {
        if (stack.length === 0) return root as XmlElement;
        continue;
      }
      if (stack.length >= this.maxDepth) {
        this.fail('xml.depth', `elements are nested more than ${this.maxDepth} deep`);
      }
      stack.push(el);
    }
  }

  private startTag(): { el: XmlElement; selfClosing: boolean } {
    const start = this.pos;
    this.expect('<');
    const name = this.name();
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
    for (;;) {
      const hadSpace = this.skipSpace();
      const c = this.src[this.pos];
      if (c === '>' || c === '/') break;
      if (c === undefined) this.fail('xml.syntax', `unterminated tag <${name}>`);
      if (!hadSpace) this.fail('xml.syntax', 'expected whitespace between attributes');
      const attrAt = this.pos;
      const key = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const value = this.attrValue();
      if (Object.prototype.hasOwnProperty.call(attrs, key)) {
        this.pos = attrAt;
        this.fail('xml.syntax', `attribute ${key} appears twice`);
      }
      attrs[key] = value;
    }
    const selfClosing = this.src[this.pos] === '/';
    if (selfClosing) this.pos++;
    this.expect('>');
    const { line, col } = this.position(start);
    return { el: new XmlElement(name, attrs, line, col), selfClosing };
  }

  private attrValue(): string {
    const q = this.src[this.pos];
    if (q !== '"' && q !== "'") this.fail('xml.syntax', 'attribute value must be quoted');
    const end = this.src.indexOf(q, this.pos + 1);
    if (end < 0) this.fail('xml.syntax', 'unterminated attribute value');
    const raw = this.src.slice(this.pos + 1, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) {
      this.pos += 1 + lt;
      this.fail('xml.syntax', "'<' is not allowed in an attribute value");
    }
    const value = this.decode(raw, this.pos + 1).replace(/[\t\n\r]/g, ' ');
    this.pos = end + 1;
    return value;
  }

  /** Text up to the next markup, appended to the element. */
  private text(el: XmlElement): void {
    const next = this.src.indexOf('<', this.pos);
    const end = next < 0 ? this.src.length : next;
    if (end > this.pos) {
      // Indentation between child elements is not content: skip it (most of a config's text).
      if (el.elements.length === 0 || !isSpace(this.src, this.pos, end)) {
        el.text += this.decode(this.src.slice(this.pos, end), this.pos);
      }
      this.pos = end;
    }
  }

  /** Resolve references in text that starts at `offset` of the input. */
  private decode(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&<\s]*);?/g, (whole, ref: string, at: number) => {
      const where = offset + at;
      if (!whole.endsWith(';'))
        this.failAt(where, 'xml.entity', `'&' must start a reference ending in ';'`);
      if (ref.startsWith('#')) return this.charRef(ref, where);
      const v = PREDEFINED[ref];
      if (v === undefined) {
        this.failAt(
          where,
          'xml.entity',
          `unknown entity &${ref}; (only &lt; &gt; &amp; &apos; &quot; and numeric references are accepted)`,
        );
      }
      return v;
    });
  }

  private charRef(ref: string, where: number): string {
    const hex = ref.startsWith('#x');
    const digits = ref.slice(hex ? 2 : 1);
    const ok = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
    const cp = ok ? parseInt(digits, hex ? 16 : 10) : -1;
    const valid =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff);
    if (!valid) this.failAt(where, 'xml.entity', `&${ref}; is not a valid character reference`);
    return String.fromCodePoint(cp);
  }

  private name(): string {
    const s = this.src;
    const start = this.pos;
    if (!isNameStart(s.charCodeAt(this.pos))) this.fail('xml.syntax', 'expected a name');
    this.pos++;
    while (this.pos < s.length && isNameChar(s.charCodeAt(this.pos))) this.pos++;
    return s.slice(start, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x9 || c === 0xa || c === 0xd) this.pos++;
      else return this.pos > start;
    }
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) {
      const got = this.src[this.pos];
      this.fail(
        'xml.syntax',
        `expected '${ch}', found ${got === undefined ? 'the end' : `'${got}'`}`,
      );
    }
    this.pos++;
  }

  private fail(code: XmlErrorCode, message: string): never {
    this.failAt(this.pos, code, message);
  }

  private failAt(offset: number, code: XmlErrorCode, message: string): never {
    const { line, col } = this.position(offset);
    throw new XmlError(code, message, line, col);
  }

  private position(offset: number): { line: number; col: number } {
    const starts = (this.lineStarts ??= lineStarts(this.src));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
  }
}

function isSpace(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) return false;
  }
  return true;
}

function lineStarts(s: string): number[] {
  const out = [0];
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
