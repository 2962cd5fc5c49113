// The XML API's response envelope: `<response status="success|error" code="N">` around a
// `<result>` or a `<msg>` ("PAN-OS XML API Error Codes" and "Structure of a PAN-OS XML API
// Request" in the PAN-OS and Panorama API guide). Anything else is `malformed`.
import { PanoramaError, apiError } from './errors.js';
import { XmlError, parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

export interface Envelope {
  status: 'success' | 'error';
  code: number | undefined;
  root: XmlElement;
  result: XmlElement | undefined;
  /** The human-readable lines of `msg` (under the root or the result). */
  messages: string[];
}

/** Parse a response body; throws `malformed` for anything that is not an envelope. */
export function parseEnvelope(body: string, maxBytes: number): Envelope {
  let root: XmlElement;
  try {
    root = parseXml(body, { maxBytes });
  } catch (e) {
    if (e instanceof XmlError) {
      const what = body.trim() === '' ? 'an empty answer' : `not well-formed XML: ${e.message}`;
      throw new PanoramaError('malformed', `Panorama sent ${what}`, { cause: e });
    }
    throw e;
  }
  if (root.name !== 'response')
    throw new PanoramaError('malformed', `Panorama sent <${root.name}>, not a <response>`);
  const status = root.attr('status');
  if (status !== 'success' && status !== 'error')
    throw new PanoramaError(
      'malformed',
      `Panorama sent a response with status ${JSON.stringify(status)}`,
    );
  const rawCode = root.attr('code');
  const code = rawCode !== undefined && /^\d+$/.test(rawCode) ? Number(rawCode) : undefined;
  const result = root.child('result');
  return { status, code, root, result, messages: messages(root) };
}

function messages(root: XmlElement): string[] {
  const out: string[] = [];
  for (const msg of [...root.children('msg'), ...(root.child('result')?.children('msg') ?? [])]) {
    const lines = msg.children('line');
    if (lines.length === 0 && msg.value) out.push(msg.value);
    for (const l of lines) {
      // A line may wrap its text in another element (`<line><![CDATA[...]]></line>` or nested).
      const text =
        l.value || l.elements.map((e) => (e.elements.length === 0 ? e.value : '')).join(' ');
      if (text.trim()) out.push(text.trim());
    }
  }
  return out;
}

/** The envelope's error as a PanoramaError (for status="error"). */
export function envelopeError(env: Envelope): PanoramaError {
  return apiError(env.code, env.messages.join('; '));
}
