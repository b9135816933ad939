/** @module xml-decode — XML text decoding: the five predefined entities and numeric character references, one pass. */
import { XmlCharError, XmlError } from './errors.js';
import { isXmlChar } from './xml-chars.js';

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*)?;?/g;

/**
 * Decodes XML's five predefined entities and numeric character references in one pass (so `&amp;lt;` stays `&lt;`).
 * An undeclared named entity, a reference to a non-character, or an `&` that starts no reference is not well-formed
 * XML: {@link XmlError}; a reference to a character XML 1.0 does not allow (`&#1;`, `&#xFFFE;`) is
 * {@link XmlCharError}.
 */
export function decodeText(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(REFERENCE, (match, ref: string | undefined) => {
    if (ref === undefined || match.charCodeAt(match.length - 1) !== 0x3b)
      throw new XmlError("an '&' starts no reference");
    if (ref.charCodeAt(0) !== 0x23) {
      const named = PREDEFINED[ref];
      if (named === undefined) throw new XmlError(`undeclared entity &${ref};`);
      return named;
    }
    const code =
      ref.charCodeAt(1) === 0x78 ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) throw new XmlError(`invalid character reference &${ref};`);
    if (!isXmlChar(code)) {
      throw new XmlCharError(
        `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
        ` (reference &${ref};)`,
      );
    }
    return String.fromCodePoint(code);
  });
}
