/**
 * @module handler-token — the DMS consume `handler`: which queue/group and which store (normal or dead letters)
 * a delivery came from, wrapped around the core receipt handle.
 *
 * Layout: one kind letter (`N` normal, `D` dead letter), an 11-character route tag (64 bits of SHA-256 over
 * project, queue id and group id, base64url), then the core receipt handle. All URL-safe. The tag lets a wrong
 * queue/group (10540004) and a wrong kind (10542205) be told apart from a dead or forged handler (10542209)
 * without any lookup; unforgeability comes from the core handle's nonce.
 */
import { createHash } from 'node:crypto';

/** Which store a handler belongs to. */
export const HandlerKind = { Normal: 'N', DeadLetter: 'D' } as const;

/** One of the {@link HandlerKind} letters. */
export type HandlerKind = (typeof HandlerKind)[keyof typeof HandlerKind];

/** Length of the route tag. */
const TAG_LENGTH = 11;
const HANDLER_RE = /^[ND][A-Za-z0-9_-]{12,200}$/;

/** The route tag of a group: computed once per group, compared per ack. */
export function routeTag(project: string, queueId: string, groupId: string): string {
  return createHash('sha256')
    .update(`${project}\n${queueId}\n${groupId}`)
    .digest('base64url')
    .slice(0, TAG_LENGTH);
}

/** A parsed handler. */
export interface ParsedHandler {
  readonly kind: HandlerKind;
  readonly tag: string;
  /** The core receipt handle. */
  readonly receipt: string;
}

/** The handler text for a delivery. */
export function encodeHandler(kind: HandlerKind, tag: string, receipt: string): string {
  return kind + tag + receipt;
}

/** Parses handler text; `undefined` when it cannot be one of ours. */
export function parseHandler(text: string): ParsedHandler | undefined {
  if (!HANDLER_RE.test(text)) return undefined;
  return {
    kind: text[0] as HandlerKind,
    tag: text.slice(1, 1 + TAG_LENGTH),
    receipt: text.slice(1 + TAG_LENGTH),
  };
}
