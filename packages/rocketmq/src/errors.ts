/** @module errors — every failure as RocketMQ HTTP puts it on the wire: code, status, message. */
import type { ErrorCode } from '@sluice/core';

/** A wire error: the `<Code>` and the HTTP status it travels with. */
export interface WireError {
  readonly status: number;
  readonly code: string;
}

/**
 * Each core error code as the service reports it. `satisfies Record<ErrorCode, …>`: a new core code breaks this
 * build until it is mapped here (elasticmq's exhaustive match, in TypeScript).
 */
export const toWire = {
  // Internal queues (half messages, dead letters) are deleted only through the core API; report as the topic.
  QueueNotExist: { status: 404, code: 'TopicNotExist' },
  TopicNotExist: { status: 404, code: 'TopicNotExist' },
  GroupNotExist: { status: 404, code: 'ConsumerNotExist' },
  // Only reachable when an application created the core objects itself with other options.
  QueueAlreadyExist: { status: 409, code: 'TopicAlreadyExist' },
  TopicAlreadyExist: { status: 409, code: 'TopicAlreadyExist' },
  GroupAlreadyExist: { status: 409, code: 'ConsumerAlreadyExist' },
  MessageNotExist: { status: 404, code: 'MessageNotExist' },
  ReceiptHandleError: { status: 404, code: 'ReceiptHandleError' },
  // The service has no separate code: a stale handle "has expired", MessageNotExist.
  ReceiptHandleExpired: { status: 404, code: 'MessageNotExist' },
  InvalidArgument: { status: 400, code: 'InvalidArgument' },
  MessageTooLarge: { status: 400, code: 'InvalidArgument' },
  BrokerClosed: { status: 503, code: 'ServiceUnavailable' },
  StorageError: { status: 500, code: 'InternalError' },
} as const satisfies Record<ErrorCode, WireError>;

/** Failures that exist only on the wire (never in the core), with their status. */
export const WireCode = {
  InvalidRequestURL: { status: 400, code: 'InvalidRequestURL' },
  InvalidArgument: { status: 400, code: 'InvalidArgument' },
  MalformedXML: { status: 400, code: 'MalformedXML' },
  InvalidDigest: { status: 400, code: 'InvalidDigest' },
  MissingReceiptHandle: { status: 404, code: 'MissingReceiptHandle' },
  MessageNotExist: { status: 404, code: 'MessageNotExist' },
  TopicNotExist: { status: 404, code: 'TopicNotExist' },
  ConsumerNotExist: { status: 404, code: 'ConsumerNotExist' },
  MissingAuthorizationHeader: { status: 400, code: 'MissingAuthorizationHeader' },
  InvalidAuthorizationHeader: { status: 400, code: 'InvalidAuthorizationHeader' },
  MissingDateHeader: { status: 400, code: 'MissingDateHeader' },
  InvalidDateHeader: { status: 400, code: 'InvalidDateHeader' },
  InvalidAccessKeyId: { status: 403, code: 'InvalidAccessKeyId' },
  SignatureDoesNotMatch: { status: 403, code: 'SignatureDoesNotMatch' },
  TimeExpired: { status: 408, code: 'TimeExpired' },
  InternalError: { status: 500, code: 'InternalError' },
} as const satisfies Record<string, WireError>;

/**
 * A request the dialect refuses before (or instead of) reaching the core. Thrown inside an op and rendered by the
 * handler as an `<Error>` document; never carries a stack to the client.
 */
export class RocketMqError extends Error {
  override readonly name = 'RocketMqError';
  /** The wire code and status. */
  readonly wire: WireError;
  constructor(wire: WireError, message: string) {
    super(message);
    this.wire = wire;
  }
}

/** Shorthand for a 400 `InvalidArgument` naming the parameter. */
export function invalidArgument(message: string): RocketMqError {
  return new RocketMqError(WireCode.InvalidArgument, message);
}

/** The per-handle failure texts of `<Errors>` (the service's own wording, from the ack reference). */
export const HandleFailure = {
  ReceiptHandleError: { code: 'ReceiptHandleError', message: 'The receipt handle you provide is not valid.' },
  MessageNotExist: { code: 'MessageNotExist', message: 'The receipt handle you provided has expired.' },
} as const;

/** One item of an `<Errors>` document. */
export type HandleFailure = (typeof HandleFailure)[keyof typeof HandleFailure];
