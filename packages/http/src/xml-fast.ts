/**
 * @module xml-fast — a strict reader for the small documents the dialects receive, in front of fast-xml-parser.
 *
 * WHY: fast-xml-parser (validate + parse) costs ~150 µs for a 16-message batch, most of a request's budget. The
 * bodies SDKs send are tiny and plain: a declaration, nested elements with text or CDATA, namespace attributes.
 * This reader handles exactly that in one pass and gives up (`undefined`) on anything else — comments, processing
 * instructions past the declaration, DTDs, odd names — so fast-xml-parser remains the parser of record for every
 * document it does not fully understand. It never expands anything but the five predefined entities and numeric
 * character references, and it throws XmlError only for what is certainly malformed (mismatched or unclosed tags,
 * text outside the root, bad references).
 */
import { TextTooLongError, XmlError } from './errors.js';
import type { XmlNode, XmlObject } from './xml.js';
import { decodeText } from './xml-decode.js';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QMARK = 0x3f;
const BANG = 0x21;

function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x3a
  );
}
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** An element being read: its name (prefix stripped), children in order of first appearance, text. */
interface Frame {
  readonly name: string;
  readonly raw: string;
  children: Record<string, XmlNode | XmlNode[]> | undefined;
  text: string;
  cdata: string | undefined;
}

function add(frame: Frame, name: string, value: XmlNode): void {
  let children = frame.children;
  if (children === undefined) {
    children = {};
    frame.children = children;
  }
  const existing = children[name];
  if (existing === undefined) children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else children[name] = [existing, value];
}

function close(frame: Frame): XmlNode {
  if (frame.children === undefined) {
    if (frame.cdata === undefined) return frame.text;
    return frame.text.trim() === '' ? frame.cdata : frame.text + frame.cdata;
  }
  if (frame.text !== '') frame.children['#text'] = frame.text;
  return frame.children;
}

/**
 * Reads `text`, or answers `undefined` when it uses anything this reader does not handle. An element whose text
 * (decoded, CDATA included) passes `maxText` UTF-16 units throws {@link TextTooLongError} as soon as it does.
 */
export function fastParseXml(text: string, maxText = Number.POSITIVE_INFINITY): XmlObject | undefined {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end === -1) return undefined;
    i = end + 2;
  }
  const stack: Frame[] = [];
  let root: XmlObject | undefined;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? n : lt;
    if (end > i) {
      const chunk = text.slice(i, end);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        for (let k = 0; k < chunk.length; k++)
          if (!isSpace(chunk.charCodeAt(k))) throw new XmlError('text outside the root element');
      } else {
        top.text += decodeText(chunk, maxText - top.text.length - (top.cdata?.length ?? 0));
      }
    }
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    if (c === BANG) {
      // Only CDATA inside an element; comments, DTDs and the rest go to the full parser.
      if (!text.startsWith('<![CDATA[', lt) || stack.length === 0) return undefined;
      const close = text.indexOf(']]>', lt + 9);
      if (close === -1) throw new XmlError('unclosed CDATA section');
      const top = stack[stack.length - 1]!;
      top.cdata = (top.cdata ?? '') + text.slice(lt + 9, close);
      if (top.cdata.length + top.text.length > maxText) throw new TextTooLongError(maxText);
      i = close + 3;
      continue;
    }
    if (c === QMARK) return undefined;
    if (c === SLASH) {
      let j = lt + 2;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      const raw = text.slice(lt + 2, j);
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== GT) throw new XmlError('malformed end tag');
      const top = stack.pop();
      if (top === undefined || top.raw !== raw) throw new XmlError(`end tag </${raw}> does not match`);
      const value = close(top);
      const parent = stack[stack.length - 1];
      if (parent === undefined) root = { [top.name]: value };
      else add(parent, top.name, value);
      i = j + 1;
      if (root !== undefined) break;
      continue;
    }
    // Start tag: name, then attributes (ignored, as the full parser ignores them), then `>` or `/>`.
    let j = lt + 1;
    const first = text.charCodeAt(j);
    if (!((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f))
      return undefined;
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    const raw = text.slice(lt + 1, j);
    const colon = raw.indexOf(':');
    const name = colon === -1 ? raw : raw.slice(colon + 1);
    if (name === '' || raw.indexOf(':', colon + 1) !== -1) return undefined;
    for (;;) {
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const d = text.charCodeAt(j);
      if (d === GT || d === SLASH) break;
      const attrStart = j;
      while (j < n && isNameChar(text.charCodeAt(j))) j++;
      if (j === attrStart || text.charCodeAt(j) !== 0x3d) return undefined;
      const quote = text.charCodeAt(j + 1);
      if (quote !== 0x22 && quote !== 0x27) return undefined;
      const q = text.indexOf(quote === 0x22 ? '"' : "'", j + 2);
      if (q === -1) throw new XmlError('unclosed attribute value');
      const value = text.slice(j + 2, q);
      if (value.indexOf('<') !== -1 || value.indexOf('&') !== -1) return undefined;
      j = q + 1;
      if (!isSpace(text.charCodeAt(j)) && text.charCodeAt(j) !== GT && text.charCodeAt(j) !== SLASH)
        return undefined;
    }
    if (stack.length === 0 && root !== undefined) throw new XmlError('more than one root element');
    if (text.charCodeAt(j) === SLASH) {
      if (text.charCodeAt(j + 1) !== GT) throw new XmlError('malformed empty-element tag');
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        root = { [name]: '' };
        i = j + 2;
        break;
      }
      add(parent, name, '');
      i = j + 2;
      continue;
    }
    stack.push({ name, raw, children: undefined, text: '', cdata: undefined });
    i = j + 1;
  }
  if (stack.length > 0) throw new XmlError('unclosed element');
  if (root === undefined) throw new XmlError('no root element');
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === LT) {
      // A comment or PI after the root: let the full parser judge. Anything else is a second root.
      const next = text.charCodeAt(i + 1);
      if (next === BANG || next === QMARK) return undefined;
      throw new XmlError('more than one root element');
    }
    if (!isSpace(c)) throw new XmlError('text after the root element');
  }
  return root;
}
