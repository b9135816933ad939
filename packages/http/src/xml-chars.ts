/**
 * @module xml-chars — the characters XML 1.0 allows (`Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]), found on the way in and replaced on the way out.
 *
 * WHY: no XML 1.0 document can carry U+0000..U+001F (but tab, LF, CR), U+FFFE, U+FFFF or a lone surrogate, not even
 * as a character reference: a strict parser (expat, libxml2, Java's SAX) refuses the whole document. So such text is
 * refused where it enters (the dialects answer their own error) and never written.
 */

/**
 * Any code unit that may start a character XML 1.0 refuses. Surrogates are included so the common case (no
 * astral characters at all) costs one native scan; pairs are told from lone halves by {@link ILLEGAL}.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SUSPECT = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;
/** A character XML 1.0 refuses: a C0 control but tab/LF/CR, U+FFFE, U+FFFF, or half of a surrogate pair alone. */
const ILLEGAL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ILLEGAL_ALL = new RegExp(ILLEGAL.source, 'g');

/** What replaces a character XML 1.0 cannot carry, in text the writer is given anyway (U+FFFD REPLACEMENT CHARACTER). */
export const XML_REPLACEMENT_CHAR = '\uFFFD';

/** True when `code` (a code point) is an XML 1.0 `Char`. */
export function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The index (UTF-16 code units) of the first character XML 1.0 refuses in `text`, or -1 when there is none. */
export function illegalXmlCharIndex(text: string): number {
  if (!SUSPECT.test(text)) return -1;
  const found = ILLEGAL.exec(text);
  return found === null ? -1 : found.index;
}

/** `text` with every character XML 1.0 refuses replaced by {@link XML_REPLACEMENT_CHAR}; the same string when clean. */
export function replaceIllegalXmlChars(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(ILLEGAL_ALL, XML_REPLACEMENT_CHAR);
}

/** `U+0001`-style name of the code unit at `index`, for error messages (never the character itself). */
export function describeCodeUnit(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}
