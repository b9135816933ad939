/**
 * @module xml — safe XML reading (fast-xml-parser, no DTDs, no custom entities) and a tiny escaping writer.
 *
 * Reading: a request body is first checked for `<!DOCTYPE` / `<!ENTITY` (refused outright: no DTD means no entity
 * bombs and no external entities) and for characters XML 1.0 does not allow (refused: no answer could carry them),
 * then validated for well-formedness, then parsed. Only XML's predefined entities and
 * numeric character references are decoded (in one pass, by `decodeText`); CDATA content is kept verbatim. Namespaces and attributes are dropped, so `<Message xmlns="…">`,
 * `<mns:Message>` and a bare `<Message>` read the same. Text is kept verbatim (never trimmed, never turned into numbers).
 *
 * Writing: responses are concatenated strings, element by element in the service's order ({@link xmlElement},
 * {@link xmlDocument}); that beats any builder and keeps the byte layout obvious. {@link escapeXml} never lets a
 * character XML 1.0 refuses through (it becomes U+FFFD), so no answer is ever ill-formed, whatever text reaches it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { TextTooLongError, XmlCharError, XmlError } from './errors.js';
import { describeCodeUnit, illegalXmlCharIndex, replaceIllegalXmlChars } from './xml-chars.js';
import { decodeText } from './xml-decode.js';
import { fastParseXml } from './xml-fast.js';

const CDATA = '#cdata';
const TEXT = '#text';
/**
 * Turns the parser's raw output into {@link XmlNode}s: entities decoded, CDATA merged into the element's text;
 * text past `max` UTF-16 units is {@link TextTooLongError}.
 */
function normalize(node: unknown, max: number): XmlNode | XmlNode[] {
  if (typeof node === 'string') return decodeText(node, max);
  if (Array.isArray(node)) return node.map((n) => normalize(n, max) as XmlNode);
  const object = node as Record<string, unknown>;
  const cdata = object[CDATA];
  let onlyText = true;
  for (const key in object) {
    if (key !== CDATA && key !== TEXT) {
      onlyText = false;
      break;
    }
  }
  if (onlyText) {
    const raw = object[TEXT];
    const text = raw === undefined ? '' : decodeText(Array.isArray(raw) ? raw.join('') : String(raw), max);
    if (cdata === undefined) return text;
    const data = Array.isArray(cdata) ? cdata.join('') : String(cdata);
    if (text.length + data.length > max) throw new TextTooLongError(max);
    // Whitespace around a CDATA section is layout, not content (`<Body>\n  <![CDATA[x]]>\n</Body>`).
    return text.trim() === '' ? data : text + data;
  }
  const out: Record<string, XmlNode | XmlNode[]> = {};
  for (const key in object) {
    if (key === CDATA) continue;
    out[key] = normalize(object[key], max);
  }
  return out;
}

/**
 * A parsed XML node: a string for a text-only (or empty) element, or an object of child elements where a child that
 * appears more than once is an array. Mixed-in text (such as indentation between children) sits under `#text`.
 */
export type XmlNode = string | XmlObject;
/** An element with child elements; see {@link XmlNode}. */
export interface XmlObject {
  readonly [name: string]: XmlNode | XmlNode[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by `decodeText` in one pass after parsing: the parser's own entity handling runs a regex per
  // known entity on every value (several times slower), and no DTD is ever accepted, so no custom entity can exist.
  processEntities: false,
  htmlEntities: false,
  // CDATA is kept apart so its content is never entity-decoded.
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

const decoder = new TextDecoder('utf-8', { fatal: true });
const FORBIDDEN = /<!(?:DOCTYPE|ENTITY)/i;

/** Options of {@link parseXml}. */
export interface ParseXmlOptions {
  /**
   * Longest text of one element once decoded (entities, CDATA), UTF-16 units: past it, {@link TextTooLongError} as
   * soon as decoding reaches it. Default: no limit (decoded text is never longer than the document).
   */
  readonly maxTextLength?: number;
  /**
   * Largest document (characters) handed to fast-xml-parser when the one-pass reader does not handle it (comments,
   * processing instructions, unusual names): larger ones are {@link XmlError}. WHY: fast-xml-parser takes ~1 s per
   * 10 MiB even on an idle machine, all of it blocking; no SDK sends such documents. Default 1 MiB.
   */
  readonly maxFullParseLength?: number;
}

/** Default of {@link ParseXmlOptions.maxFullParseLength}. */
export const DEFAULT_MAX_FULL_PARSE_LENGTH = 1024 * 1024;

/**
 * Parses an XML document into an {@link XmlObject} keyed by the root element's name.
 * Throws {@link XmlError} on bytes that are not UTF-8, on any DTD or entity declaration, and on anything not
 * well-formed (including an empty body and two root elements); {@link XmlCharError} (a kind of XmlError) on a
 * character XML 1.0 does not allow, raw or as a character reference (`\u0000` in CDATA, `&#1;`);
 * {@link TextTooLongError} past `maxTextLength`.
 * @example
 * parseXml('<Message xmlns="x"><MessageBody>hi</MessageBody></Message>') // { Message: { MessageBody: 'hi' } }
 */
export function parseXml(input: string | Uint8Array, options?: ParseXmlOptions): XmlObject {
  const max = options?.maxTextLength ?? Number.POSITIVE_INFINITY;
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = decoder.decode(input);
    } catch {
      throw new XmlError('the body is not valid UTF-8');
    }
  }
  if (FORBIDDEN.test(text)) throw new XmlError('DTDs and entity declarations are not accepted');
  const illegal = illegalXmlCharIndex(text);
  if (illegal !== -1) throw new XmlCharError(describeCodeUnit(text, illegal), ` at character ${illegal}`);
  const fast = fastParseXml(text, max);
  if (fast !== undefined) return fast;
  const fullMax = options?.maxFullParseLength ?? DEFAULT_MAX_FULL_PARSE_LENGTH;
  if (text.length > fullMax) {
    throw new XmlError(
      `a document over ${fullMax} characters must hold only elements, text and CDATA (no comments or processing instructions)`,
    );
  }
  return parseWithFastXmlParser(text, max);
}

/** @internal The full path (validator + fast-xml-parser), for documents the fast reader leaves alone and for tests. */
export function parseWithFastXmlParser(text: string, max = Number.POSITIVE_INFINITY): XmlObject {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw new XmlError(`malformed XML: ${(error as Error).message}`);
  }
  return normalize(parsed, max) as XmlObject;
}

/**
 * The single root element of a parsed document: its name and content (an empty element reads as `{}`).
 * Throws {@link XmlError} when there is no root element.
 */
export function xmlRoot(doc: XmlObject): { name: string; node: XmlObject } {
  for (const name in doc) {
    if (name === '#text') continue;
    const node = doc[name];
    if (Array.isArray(node)) throw new XmlError('more than one root element');
    return { name, node: typeof node === 'string' || node === undefined ? {} : node };
  }
  throw new XmlError('no root element');
}

/**
 * The text of child `name`: `undefined` when absent, its text when it is a text-only element, and
 * {@link XmlError} when it is repeated or has child elements of its own.
 */
export function xmlText(node: XmlObject, name: string): string | undefined {
  const child = node[name];
  if (child === undefined) return undefined;
  if (typeof child === 'string') return child;
  if (Array.isArray(child)) throw new XmlError(`element ${name} appears more than once`);
  // An element holding only indentation/text around nothing else parses to { '#text': ... } in rare shapes.
  const keys = Object.keys(child);
  if (keys.length === 1 && keys[0] === '#text') return child['#text'] as string;
  throw new XmlError(`element ${name} must hold text, not elements`);
}

/** Every child named `name`, as a list (absent: `[]`). A text-only child reads as `{}` unless it is text you asked for. */
export function xmlChildren(node: XmlObject, name: string): XmlNode[] {
  const child = node[name];
  if (child === undefined) return [];
  return Array.isArray(child) ? child : [child];
}

/** What needs work on the way out: the five specials, CR, and whatever may start a character XML 1.0 refuses. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPABLE = /[&<>"'\r\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;
const SPECIALS = /[&<>"'\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  // A raw CR reaches a conformant reader as LF (XML 1.0 §2.11 end-of-line handling); a reference keeps it.
  '\r': '&#13;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes `& < > " '` for element text or attribute values, writes CR as `&#13;` (a raw CR would read back as LF in
 * any conformant parser, changing the text under its MD5), and replaces every character XML 1.0 does not allow
 * (C0 controls but tab/LF/CR, U+FFFE, U+FFFF, lone surrogates) with U+FFFD: there is no way to write them in a
 * well-formed document, and the dialects refuse them at the door, so this is the last line of defence (for text
 * that came some other way, such as the core API). Returns the same string when nothing needs doing.
 */
export function escapeXml(text: string): string {
  if (!ESCAPABLE.test(text)) return text;
  return replaceIllegalXmlChars(text).replace(SPECIALS, (c) => ESCAPES[c]!);
}

/** `<name>escaped text</name>`. Numbers are written as integers as given (`String(n)`). */
export function xmlElement(name: string, value: string | number): string {
  return `<${name}>${typeof value === 'number' ? String(value) : escapeXml(value)}</${name}>`;
}

/** `<name>` + already-rendered children + `</name>` (children are not escaped: build them with {@link xmlElement}). */
export function xmlContainer(name: string, children: string): string {
  return `<${name}>${children}</${name}>`;
}

/** The XML declaration the Alibaba services put before every body. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * A whole document: declaration, root element with an optional default namespace, and the rendered children.
 * An empty `children` renders a self-closing root (`<Queues xmlns="…"/>`), as the services do.
 */
export function xmlDocument(root: string, children: string, namespace?: string): string {
  const open = namespace === undefined ? `<${root}` : `<${root} xmlns="${namespace}"`;
  return children === '' ? `${XML_DECLARATION}${open}/>` : `${XML_DECLARATION}${open}>${children}</${root}>`;
}
