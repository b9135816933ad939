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
