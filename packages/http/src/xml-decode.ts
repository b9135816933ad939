/**
 * @module xml-decode — XML text decoding: the five predefined entities and numeric character references, one
 * linear pass into a preallocated buffer.
 *
 * WHY not `text.replace(regex, fn)` or `+=`: with a reference every few characters (a 4 MiB body written as
 * `&amp;`, 20 MiB on the wire) both build millions of tiny strings; that took seconds and ~800 MB here. Decoded text
 * is never longer than its source, so UTF-16 units are written into one buffer of the source's length (runs without
 * a reference copied in bulk) and turned into a string once.
 */
import { TextTooLongError, XmlCharError, XmlError } from './errors.js';
import { isXmlChar } from './xml-chars.js';

const AMP = 0x26;
const SEMI = 0x3b;
const HASH = 0x23;
const utf16 = new TextDecoder('utf-16le');
/** Runs at least this long are copied with one native `Buffer.write`; shorter ones unit by unit. */
const BULK = 16;

/** The character of the predefined entity whose name starts at `i` (after `&`, through `;`), or -1. */
function named(text: string, i: number): number {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  const c = text.charCodeAt(i + 2);
  if (b === 0x74 && c === SEMI) {
    if (a === 0x6c) return 0x3c; // lt
    if (a === 0x67) return 0x3e; // gt
    return -1;
  }
  const d = text.charCodeAt(i + 3);
  if (a === 0x61 && b === 0x6d && c === 0x70 && d === SEMI) return AMP; // amp
  if (text.charCodeAt(i + 4) !== SEMI) return -1;
  if (a === 0x71 && b === 0x75 && c === 0x6f && d === 0x74) return 0x22; // quot
  if (a === 0x61 && b === 0x70 && c === 0x6f && d === 0x73) return 0x27; // apos
  return -1;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Why the reference at `amp` is not one of XML's own. */
function badReference(text: string, amp: number): XmlError {
  let j = amp + 1;
  if (isNameStart(text.charCodeAt(j))) {
    j++;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (!(isNameStart(c) || (c >= 0x30 && c <= 0x39))) break;
      j++;
    }
    if (text.charCodeAt(j) === SEMI) return new XmlError(`undeclared entity ${text.slice(amp, j + 1)}`);
  }
  return new XmlError("an '&' starts no reference");
}

/**
 * Decodes XML's five predefined entities and numeric character references in one pass (so `&amp;lt;` stays `&lt;`).
 * An undeclared named entity, a reference past U+10FFFF, or an `&` that starts no reference is not well-formed XML:
 * {@link XmlError}; a reference to a character XML 1.0 does not allow (`&#1;`, `&#xFFFE;`) is {@link XmlCharError}.
 * Past `maxLength` decoded UTF-16 units: {@link TextTooLongError}, as soon as it is reached.
 */
export function decodeText(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  let amp = text.indexOf('&');
  if (amp === -1) {
    if (text.length > maxLength) throw new TextTooLongError(maxLength);
    return text;
  }
  const n = text.length;
  const bytes = Buffer.allocUnsafe(n * 2);
  const out = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  let o = 0;
  let i = 0;
  while (amp !== -1) {
    const run = amp - i;
    if (run >= BULK) {
      bytes.write(text.slice(i, amp), o * 2, 'utf16le');
      o += run;
    } else for (; i < amp; i++) out[o++] = text.charCodeAt(i);
    i = amp + 1;
    if (text.charCodeAt(i) !== HASH) {
      const code = named(text, i);
      if (code === -1) throw badReference(text, amp);
      out[o++] = code;
      i += code === 0x3c || code === 0x3e ? 3 : code === AMP ? 4 : 5;
    } else {
      let j = i + 1;
      let code = 0;
      if (text.charCodeAt(j) === 0x78) {
        // At most 8 digits are read: a longer number is not followed by `;` here, so it is refused below.
        for (j++; j < i + 10; j++) {
          const c = text.charCodeAt(j);
          const v =
            c >= 0x30 && c <= 0x39
              ? c - 0x30
              : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
                ? (c | 0x20) - 0x57
                : -1;
          if (v === -1) break;
          code = code * 16 + v;
        }
        if (j === i + 2) throw new XmlError("an '&' starts no reference");
      } else {
        for (; j < i + 9; j++) {
          const c = text.charCodeAt(j);
          if (c < 0x30 || c > 0x39) break;
          code = code * 10 + c - 0x30;
        }
        if (j === i + 1) throw new XmlError("an '&' starts no reference");
      }
      if (text.charCodeAt(j) !== SEMI) throw new XmlError("an '&' starts no reference");
      if (code > 0x10ffff) throw new XmlError(`invalid character reference ${text.slice(amp, j + 1)}`);
      if (!isXmlChar(code)) {
        throw new XmlCharError(
          `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
          ` (reference ${text.slice(amp, j + 1)})`,
        );
      }
      if (code > 0xffff) {
        code -= 0x10000;
        out[o++] = 0xd800 + (code >> 10);
        out[o++] = 0xdc00 + (code & 0x3ff);
      } else out[o++] = code;
      i = j + 1;
    }
    if (o > maxLength) throw new TextTooLongError(maxLength);
    amp = text.charCodeAt(i) === AMP ? i : text.indexOf('&', i);
  }
  if (i < n) {
    bytes.write(text.slice(i), o * 2, 'utf16le');
    o += n - i;
  }
  if (o > maxLength) throw new TextTooLongError(maxLength);
  return utf16.decode(out.subarray(0, o));
}
