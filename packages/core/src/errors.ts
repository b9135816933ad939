/** @module errors — the one error class of the core, and its codes. */

/**
 * Every failure the core reports. Dialects map each code to their own wire status and body
 * (see each dialect's `errors.ts`, which must cover every code: adding one breaks their build).
 */
export const ErrorCode = {
  /** A queue name that does not exist (or was deleted while a receiver was parked on it). */
  QueueNotExist: 'QueueNotExist',
  /** A topic name that does not exist (or was deleted while a receiver was parked on it). */
  TopicNotExist: 'TopicNotExist',
  /** A consumer group that does not exist on its topic (or was deleted while a receiver was parked). */
  GroupNotExist: 'GroupNotExist',
  /** `createQueue` with a name already in use with other options, or in use by a topic. */
  QueueAlreadyExist: 'QueueAlreadyExist',
  /** `createTopic` with a name already in use with other options, or in use by a queue. */
  TopicAlreadyExist: 'TopicAlreadyExist',
  /** `createGroup` with a name already in use on that topic with other options. */
  GroupAlreadyExist: 'GroupAlreadyExist',
  /** The message a handle points to is gone: acked, deleted, dead-lettered or expired. */
  MessageNotExist: 'MessageNotExist',
  /** A receipt handle that is malformed, forged, or from another queue or group. */
  ReceiptHandleError: 'ReceiptHandleError',
  /** A genuine receipt handle whose delivery ended without an ack: nacked, superseded, or past its deadline. */
  ReceiptHandleExpired: 'ReceiptHandleExpired',
  /** A bad argument; the message names the field. */
  InvalidArgument: 'InvalidArgument',
  /** A body longer than the topic's `maxMessageSize`. */
  MessageTooLarge: 'MessageTooLarge',
  /** The broker (or its storage) is closed. */
  BrokerClosed: 'BrokerClosed',
  /** Storage failed: a write or fsync error, a locked or unusable directory, an unreadable log. */
  StorageError: 'StorageError',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The error the core throws (or rejects with) for every expected failure.
 * @example
 * try { await queue.ack(handle) } catch (e) {
 *   if (e instanceof SluiceError && e.code === ErrorCode.ReceiptHandleExpired) { ... }
 * }
 */
export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  /** What went wrong, as a stable code. */
  readonly code: ErrorCode;
  /** Small structured facts about the failure (the field, the limit, the name). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** Shorthand for an `InvalidArgument` naming the field. */
export function invalidArgument(field: string, why: string): SluiceError {
  return new SluiceError(ErrorCode.InvalidArgument, `${field} ${why}`, { field });
}

/** True when `e` is a {@link SluiceError}, optionally with the given code. */
export function isSluiceError(e: unknown, code?: ErrorCode): e is SluiceError {
  return e instanceof SluiceError && (code === undefined || e.code === code);
}
