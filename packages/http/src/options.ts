/** @module options — the options of `createDialectHandler`, validated once and resolved to plain functions. */
import type { BodyBudget } from './body-budget.js';
import type { DialectLimits, RequestHead, TooLargeKind, WireRequest, WireResponse } from './wire.js';

/** Default body limit: 5 MiB, room for RocketMQ's 4 MB message plus its XML envelope. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Default request-target limit, characters: far above any SDK's URL (16 receipt handles never go in a URL). */
export const DEFAULT_MAX_TARGET_LENGTH = 8192;

/** Options of {@link createDialectHandler}. */
export interface DialectHandlerOptions {
  /** Largest body accepted, bytes, or a function of the request head (per-route limits). Default 5 MiB. */
  maxBodyBytes?: number | ((head: RequestHead) => number);
  /**
   * Which requests are this dialect's, judged from the head alone. The node adapter calls `next()` (or answers 404)
   * for the others before reading a byte of their body, so the next handler can still read it. Default: all.
   */
  claims?: (head: RequestHead) => boolean;
  /** Longest request-target (`req.url`) accepted, characters. Default 8192. */
  maxTargetLength?: number;
  /** The dialect's answer to a request over a limit. Default: 413 / 414 with a plain-text body. */
  onTooLarge?: (kind: TooLargeKind, head: RequestHead) => WireResponse;
  /**
   * The dialect's answer when its handler throws unexpectedly (a bug, never an expected failure).
   * Must not leak the error's stack. Default: 500 `Internal Server Error` as plain text.
   */
  onError?: (error: unknown, request: WireRequest) => WireResponse;
  /**
   * A budget of large-body bytes read and decoded at once, shared across handlers (node adapter only): a large body
   * waits for it, unread, before it is read. Default: none.
   */
  bodyBudget?: BodyBudget;
}

/** Resolved options: every field set. */
export interface ResolvedDialectOptions extends DialectLimits {
  readonly claims: ((head: RequestHead) => boolean) | undefined;
  readonly onError: (error: unknown, request: WireRequest) => WireResponse;
  readonly bodyBudget: BodyBudget | undefined;
}

const plain = (status: number, text: string): WireResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: text,
});

/** The plain 404 the adapters answer when no handler claims a request and there is no `next`. */
export const NOT_FOUND: WireResponse = plain(404, 'Not Found');

const defaultTooLarge = (kind: TooLargeKind): WireResponse =>
  kind === 'body' ? plain(413, 'Payload Too Large') : plain(414, 'URI Too Long');
const defaultError = (): WireResponse => plain(500, 'Internal Server Error');

/** Validates and resolves {@link DialectHandlerOptions}; throws a `TypeError` naming the bad option. */
export function resolveDialectOptions(options: DialectHandlerOptions = {}): ResolvedDialectOptions {
  const { maxBodyBytes = DEFAULT_MAX_BODY_BYTES, maxTargetLength = DEFAULT_MAX_TARGET_LENGTH } = options;
  if (typeof maxBodyBytes === 'number' && !(Number.isInteger(maxBodyBytes) && maxBodyBytes >= 0)) {
    throw new TypeError('maxBodyBytes must be a non-negative integer or a function');
  }
  if (!(Number.isInteger(maxTargetLength) && maxTargetLength >= 1)) {
    throw new TypeError('maxTargetLength must be a positive integer');
  }
  return {
    maxBodyBytes: typeof maxBodyBytes === 'number' ? () => maxBodyBytes : maxBodyBytes,
    maxTargetLength,
    claims: options.claims,
    onTooLarge: options.onTooLarge ?? defaultTooLarge,
    onError: options.onError ?? defaultError,
    bodyBudget: options.bodyBudget,
  };
}
