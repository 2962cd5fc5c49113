// The XML the XML API speaks, over core's safe parser (no entities, bounded size and depth):
// parsing, and the two things core does not need: writing XML and escaping text for it.
import { XmlElement, XmlError, parseXml } from '../../core/firewall/xml.js';

export { XmlElement, XmlError, parseXml };

/** Escape text for element content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Write an element (and everything below it) as XML; text is written before child elements. */
export function writeXml(el: XmlElement): string {
  const parts: string[] = [];
  write(el, parts);
  return parts.join('');
}

function write(el: XmlElement, out: string[]): void {
  out.push('<', el.name);
  for (const [k, v] of Object.entries(el.attrs)) out.push(' ', k, '="', escapeXml(v), '"');
  const text = el.elements.length > 0 ? el.text.trim() : el.text;
  if (el.elements.length === 0 && text === '') {
    out.push('/>');
    return;
  }
  out.push('>', escapeXml(text));
  for (const c of el.elements) write(c, out);
  out.push('</', el.name, '>');
}
