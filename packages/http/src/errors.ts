/** @module errors — the failures the shared layer reports to dialects. */

/** The XML was not well-formed, had a DTD or entity declaration, or was not UTF-8 text. */
export class XmlError extends Error {
  override readonly name: string = 'XmlError';
}

/**
 * The XML holds a character XML 1.0 does not allow (a C0 control but tab/LF/CR, U+FFFE, U+FFFF, a lone surrogate),
 * raw or as a character reference. Dialects answer it as a bad value rather than a syntax error: the document is
 * otherwise fine, but what it carries can never be written back in a well-formed answer.
 */
export class XmlCharError extends XmlError {
  override readonly name: string = 'XmlCharError';
  /** The refused character as `U+XXXX` (never the character itself, so the message is safe to echo). */
  readonly character: string;
  constructor(character: string, where: string) {
    super(`the XML holds ${character}${where}, a character XML 1.0 does not allow`);
    this.character = character;
  }
}

/** A body or request-target went past its limit while being read (the adapters answer with `onTooLarge`). */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
  /** Which limit was broken. */
  readonly kind: 'body' | 'target';
  constructor(kind: 'body' | 'target') {
    super(kind === 'body' ? 'request body too large' : 'request-target too long');
    this.kind = kind;
  }
}

/**
 * Decoded XML text went past the length its reader allows (UTF-16 units); thrown as soon as decoding reaches it.
 * Dialects answer it with their "message too large" error, not as malformed XML.
 */
export class TextTooLongError extends Error {
  override readonly name = 'TextTooLongError';
  /** The limit that was passed, UTF-16 units. */
  readonly limit: number;
  constructor(limit: number) {
    super(`an element's text is longer than ${limit} characters`);
    this.limit = limit;
  }
}
