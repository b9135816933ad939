/**
 * @module receipt — the dialect's receipt handles: `<MessageId>-<kind><token>`, like the service's `<id>-<token>`.
 *
 * The token is the core's own handle (32 URL-safe characters: group, slot and a random per-delivery nonce, so it is
 * unforgeable and single-use) or, for a transactional publish, a random 128-bit nonce kept with the half message.
 * The kind letter says which core object the token belongs to, because an ack names only the consumer, and the
 * same GID may consume a topic both normally and in order (two core groups).
 */

/** Which core object a handle's token belongs to. */
export const HandleKind = {
  /** A delivery of the consumer's normal core group. */
  Normal: 'N',
  /** A delivery of the consumer's ordered core group (`trans=order`). */
  Ordered: 'O',
  /** A check-back delivery of the topic's half-message queue (`trans=pop`). */
  Check: 'T',
  /** The handle a transactional publish answers with. */
  Publish: 'P',
} as const;

/** One of the {@link HandleKind} letters. */
export type HandleKind = (typeof HandleKind)[keyof typeof HandleKind];

/** A handle taken apart. */
export interface ParsedHandle {
  readonly messageId: string;
  readonly kind: HandleKind;
  readonly token: string;
}

// Core handles are 32 URL-safe characters today; accept a range so a longer core handle needs no change here.
const HANDLE = /^([0-9A-F]{32})-(?:([NOT])([A-Za-z0-9_-]{24,64})|(P)([A-Za-z0-9_-]{22}))$/;

/** Builds a handle. */
export function formatHandle(messageId: string, kind: HandleKind, token: string): string {
  return `${messageId}-${kind}${token}`;
}

/** Takes a handle apart; `undefined` when it is not one of ours (malformed or forged). */
export function parseHandle(handle: string): ParsedHandle | undefined {
  const m = HANDLE.exec(handle);
  if (m === null) return undefined;
  if (m[2] !== undefined) return { messageId: m[1]!, kind: m[2] as HandleKind, token: m[3]! };
  return { messageId: m[1]!, kind: HandleKind.Publish, token: m[5]! };
}
