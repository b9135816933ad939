/** @module errors — DMS wire errors: the JSON error shape, the dialect's own codes, and the map from every core code. */
import { type ErrorCode, SluiceError } from '@sluice/core';
import { STORAGE_FAILURE_MESSAGE, WireFault, type WireResponse } from '@sluice/http';
import { jsonResponse } from './json.js';

/** A failure answered with DMS's JSON error body; thrown by ops and rendered once by the handler. */
export class DmsError extends WireFault {
  override name = 'DmsError';
}

/**
 * The documented DMS error codes, by what they mean. Ops raise them with {@link dmsError};
 * the messages are the service's wording where the reference gives one.
 */
export const DmsCode = {
  TooManyQueuesRequested: {
    status: 400,
    code: '10240002',
    message: 'Too many queues are requested in a query.',
  },
  InvalidProjectId: { status: 400, code: '10240005', message: 'The project ID format is invalid.' },
  InvalidName: { status: 400, code: '10240007', message: 'The name contains invalid characters.' },
  InvalidBody: {
    status: 400,
    code: '10240009',
    message: 'The message body is not in JSON format or contains invalid characters.',
  },
  InvalidDescription: {
    status: 400,
    code: '10240010',
    message: 'The description contains invalid characters.',
  },
  QueueNameLength: {
    status: 400,
    code: '10240011',
    message: 'The queue name must be 1 to 64 characters long.',
  },
  GroupNameLength: {
    status: 400,
    code: '10240012',
    message: 'The consumer group name must be 1 to 32 characters long.',
  },
  DescriptionLength: {
    status: 400,
    code: '10240013',
    message: 'The description cannot exceed 160 characters.',
  },
  MaxMsgsRange: { status: 400, code: '10240014', message: 'The value of max_msgs must range from 1 to 10.' },
  InvalidQueueId: { status: 400, code: '10240015', message: 'The queue ID format is invalid.' },
  InvalidGroupId: { status: 400, code: '10240016', message: 'The consumer group ID format is invalid.' },
  QueueNameExists: { status: 400, code: '10240017', message: 'The queue name already exists.' },
  GroupNameExists: { status: 400, code: '10240018', message: 'The consumer group name already exists.' },
  TooManyGroups: { status: 400, code: '10240019', message: 'Too many consumer groups.' },
  QueueQuota: { status: 400, code: '10240020', message: 'The queue quota has been used up.' },
  TimeWaitRange: {
    status: 400,
    code: '10240021',
    message: 'The value of time_wait must range from 1 to 60.',
  },
  MaxConsumeCountRange: {
    status: 400,
    code: '10240022',
    message: 'The value of max_consume_count must range from 1 to 100.',
  },
  RetentionRange: {
    status: 400,
    code: '10240027',
    message: 'The value of retention_hours must be an integer from 1 to 72.',
  },
  RetentionNotKafka: {
    status: 400,
    code: '10240028',
    message: 'retention_hours can be set only for Kafka queues.',
  },
  QueueCreating: { status: 400, code: '10240032', message: 'The queue is being created.' },
  TokenInvalid: { status: 401, code: '10240101', message: 'The token is invalid.' },
  TokenExpired: { status: 401, code: '10240102', message: 'The token has expired.' },
  TokenMissing: { status: 401, code: '10240103', message: 'The token is missing.' },
  TokenProjectMismatch: {
    status: 401,
    code: '10240104',
    message: 'The project ID does not match the token.',
  },
  AccessDenied: { status: 403, code: '10240309', message: 'Access denied.' },
  QueueNotFound: { status: 404, code: '10240401', message: 'The queue ID is incorrect or not found.' },
  GroupNotFound: {
    status: 404,
    code: '10240405',
    message: 'The consumer group ID is incorrect or not found.',
  },
  UrlNotFound: { status: 404, code: '10240406', message: 'The URL does not exist.' },
  InvalidMessageFields: {
    status: 400,
    code: '10540001',
    message: 'The message body contains invalid fields.',
  },
  AckStatus: {
    status: 400,
    code: '10540003',
    message: "Message ack status must be either 'success' or 'fail'.",
  },
  HandlerNotOwned: {
    status: 400,
    code: '10540004',
    message: 'The handler does not belong to this queue or consumer group.',
  },
  RequestFormat: { status: 400, code: '10540010', message: 'The request format is incorrect.' },
  MessageTooLarge: { status: 400, code: '10540011', message: 'The message is larger than the size limit.' },
  MessageNotJson: { status: 400, code: '10540012', message: 'The message body is not in JSON format.' },
  InvalidUrlParameter: { status: 400, code: '10540014', message: 'The URL contains invalid parameters.' },
  HandlerWrongKind: {
    status: 400,
    code: '10542205',
    message: 'The handler is of the wrong kind for this request.',
  },
  AckWaitRange: {
    status: 400,
    code: '10542206',
    message: 'The value of ack_wait must range from 15 to 300.',
  },
  HandlerNotExist: { status: 400, code: '10542209', message: 'The handler does not exist.' },
  Internal: { status: 500, code: '10250002', message: 'Internal error.' },
  // The same code, worded for a failed write (a full disk): the client may retry, and learns nothing more.
  StorageFailed: { status: 500, code: '10250002', message: STORAGE_FAILURE_MESSAGE },
} as const satisfies Record<string, { status: number; code: string; message: string }>;

/** One entry of {@link DmsCode}. */
export type DmsCode = (typeof DmsCode)[keyof typeof DmsCode];

/** A {@link DmsError} for a documented code, with the service's message or a more precise one. */
export function dmsError(kind: DmsCode, message: string = kind.message): DmsError {
  return new DmsError(kind.status, kind.code, message);
}

/**
 * Every core failure as DMS answers it. `satisfies Record<ErrorCode, …>` makes a new core code a build error
 * here until it is mapped. Handle failures all read as "handler does not exist" (10542209): DMS has one code for
 * unparsable, forged, expired and already-used handlers.
 */
export const toWire = {
  QueueNotExist: DmsCode.QueueNotFound,
  TopicNotExist: DmsCode.QueueNotFound,
  GroupNotExist: DmsCode.GroupNotFound,
  QueueAlreadyExist: DmsCode.QueueNameExists,
  TopicAlreadyExist: DmsCode.QueueNameExists,
  GroupAlreadyExist: DmsCode.GroupNameExists,
  MessageNotExist: DmsCode.HandlerNotExist,
  ReceiptHandleError: DmsCode.HandlerNotExist,
  ReceiptHandleExpired: DmsCode.HandlerNotExist,
  InvalidArgument: DmsCode.InvalidMessageFields,
  MessageTooLarge: DmsCode.MessageTooLarge,
  BrokerClosed: DmsCode.Internal,
  StorageError: DmsCode.StorageFailed,
} as const satisfies Record<ErrorCode, DmsCode>;

/**
 * Normalizes anything thrown into a {@link DmsError}: dialect errors pass through, core errors go through
 * {@link toWire} (a 5xx with the fixed message of its kind, never the core's text: errno, paths), and anything else
 * becomes 500 `10250002` with a generic message (never a stack).
 */
export function toDmsError(error: unknown): DmsError {
  if (error instanceof DmsError) return error;
  if (error instanceof SluiceError) {
    const kind = toWire[error.code] ?? DmsCode.Internal;
    return dmsError(kind, kind.status >= 500 ? kind.message : error.message || kind.message);
  }
  return dmsError(DmsCode.Internal);
}

/** Renders a {@link DmsError} in both JSON shapes the Huawei clients read (`error.code` and `error_code`). */
export function renderError(error: DmsError): WireResponse {
  const body = `{"error":{"code":"${error.code}","message":${JSON.stringify(error.message)}},"error_code":"${error.code}","error_msg":${JSON.stringify(error.message)}}`;
  return jsonResponse(error.status, body);
}

/** The API Gateway's AK/SK failure (401 `APIGW.0301`), in the shape the Huawei core SDK reads. */
export function renderSignatureError(): WireResponse {
  const requestId = crypto.randomUUID();
  const body = `{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301","request_id":"${requestId}"}`;
  return jsonResponse(401, body, requestId);
}
