/**
 * @module crash/payload — message bodies that prove themselves: a unique id, a checksum of the content, and content
 * of varied size that looks like binary garbage, within what each dialect's wire format carries.
 *
 * The XML dialects (MNS, RocketMQ) carry any XML 1.0 character; `\r` is left out because a conforming XML parser
 * may turn it into `\n`. DMS bodies are JSON values, so their content may hold every UTF-16 code unit: control
 * characters, NUL and lone surrogates travel as JSON escapes.
 */
import { createHash } from 'node:crypto';
import type { Rng } from './rng.js';

/** A hex digest, for checksums and for comparing a received body with the one sent. */
export const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Upper-case MD5 of a text's UTF-8 bytes: what MNS and RocketMQ answer as `MessageBodyMD5`. */
export const md5Upper = (text: string): string =>
  createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

// Pieces that stress escaping and encodings: markup, entities, CDATA ends, multi-byte and astral characters.
const XML_TRICKS = [
  '<',
  '>',
  '&',
  '&amp;',
  ']]>',
  '"',
  "'",
  '\t',
  '\n',
  ' ',
  '😀',
  '中',
  'é',
  '\uFFFD',
  '</MessageBody>',
];

function xmlChar(rng: Rng): string {
  const r = rng.next();
  if (r < 0.35) return String.fromCharCode(0x20 + rng.int(0, 0x5e)); // printable ASCII
  if (r < 0.6) return String.fromCharCode(0x80 + rng.int(0, 0x7f)); // Latin-1 "binary" bytes, 2 UTF-8 bytes each
  if (r < 0.75) return String.fromCharCode(0x800 + rng.int(0, 0xd7ff - 0x800)); // BMP before the surrogates
  if (r < 0.82) return String.fromCodePoint(0x10000 + rng.int(0, 0xfffff)); // astral, a surrogate pair
  return XML_TRICKS[rng.int(0, XML_TRICKS.length - 1)]!;
}

function jsonChar(rng: Rng): string {
  const r = rng.next();
  if (r < 0.15) return String.fromCharCode(rng.int(0, 0x1f)); // control characters, NUL included
  if (r < 0.2) return String.fromCharCode(0xd800 + rng.int(0, 0x7ff)); // a lone surrogate
  if (r < 0.25) return ['"', '\\', '\r', '\u2028', '\u2029', '\uFEFF'][rng.int(0, 5)]!;
  return xmlChar(rng);
}

/** Content of about `units` UTF-16 code units (a surrogate pair counts two). */
function garbage(rng: Rng, units: number, char: (rng: Rng) => string): string {
  const parts: string[] = [];
  let length = 0;
  while (length < units) {
    const c = char(rng);
    parts.push(c);
    length += c.length;
  }
  return parts.join('');
}

/** A text body for MNS or RocketMQ: `id:checksum:content`. */
export function textBody(uid: string, rng: Rng, units: number): string {
  const content = garbage(rng, Math.max(1, units), xmlChar);
  return `${uid}:${digest(content).slice(0, 32)}:${content}`;
}

/** What a received body says about itself. */
export interface BodyCheck {
  /** The id it carries, if it has the shape of a body this test sent. */
  readonly uid: string | undefined;
  /** True when its content matches its own checksum. */
  readonly intact: boolean;
  /** Digest of the whole body, to compare with the body sent under that id. */
  readonly hash: string;
}

/** Checks a text body made by {@link textBody}. */
export function checkTextBody(body: string): BodyCheck {
  const m = /^([a-z]+-\d+):([0-9a-f]{32}):/.exec(body);
  if (m === null) return { uid: undefined, intact: false, hash: digest(body) };
  const content = body.slice(m[0].length);
  return { uid: m[1], intact: digest(content).slice(0, 32) === m[2], hash: digest(body) };
}

/** A DMS body: a JSON object whose `data` may hold any code unit. */
export interface JsonBody {
  readonly id: string;
  readonly sum: string;
  readonly data: string;
}

/** A JSON body for DMS. The checksum covers the JSON text of `data`, so a lone surrogate counts too. */
export function jsonBody(uid: string, rng: Rng, units: number): JsonBody {
  const data = garbage(rng, Math.max(1, units), jsonChar);
  return { id: uid, sum: digest(JSON.stringify(data)).slice(0, 32), data };
}

/** The canonical text of a JSON body, for comparing what was received with what was sent. */
export const jsonBodyText = (body: JsonBody): string => JSON.stringify([body.id, body.sum, body.data]);

/** Checks a received DMS body (already parsed from the consume answer). */
export function checkJsonBody(body: unknown): BodyCheck {
  const b = body as Partial<JsonBody> | null;
  if (typeof b !== 'object' || b === null || typeof b.id !== 'string' || typeof b.data !== 'string') {
    return { uid: undefined, intact: false, hash: digest(JSON.stringify(body) ?? 'undefined') };
  }
  const text = jsonBodyText(b as JsonBody);
  return { uid: b.id, intact: digest(JSON.stringify(b.data)).slice(0, 32) === b.sum, hash: digest(text) };
}

/**
 * Identifies any body this test may meet in any dialect: a text body, or the JSON text of a DMS body (a body can
 * turn up in another dialect's queue when storage mixes them up, and the report should say whose it is).
 */
export function checkAnyBody(text: string): BodyCheck {
  const asText = checkTextBody(text);
  if (asText.uid !== undefined || !text.startsWith('{')) return asText;
  try {
    return checkJsonBody(JSON.parse(text));
  } catch {
    return asText;
  }
}

/** Escapes element text for the XML dialects. */
export const escapeXmlText = (text: string): string =>
  text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** Decodes the element text of an XML answer (the five named entities and numeric references). */
export function unescapeXmlText(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(
      e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10),
    );
  });
}
