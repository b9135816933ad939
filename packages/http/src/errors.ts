/** @module errors — the failures the shared layer reports to dialects. */

/** The XML was not well-formed, had a DTD or entity declaration, or was not UTF-8 text. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
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
