/** @module errors — every core ErrorCode mapped to its MNS status, code and message; unknown failures normalized once. */
import { type ErrorCode, SluiceError } from '@sluice/core';
import { STORAGE_FAILURE_MESSAGE, XmlCharError, XmlError } from '@sluice/http';
import { illegalCharacter, MnsFault, malformedXml } from './fault.js';

/** The MNS answer of each core error code. Adding a core code breaks this build until it is mapped here. */
export const toWire = {
  QueueNotExist: { status: 404, code: 'QueueNotExist', message: 'The queue name you provided is not exist.' },
  TopicNotExist: { status: 404, code: 'TopicNotExist', message: 'The topic name you provided is not exist.' },
  GroupNotExist: {
    status: 404,
    code: 'SubscriptionNotExist',
    message: 'The subscription name you provided is not exist.',
  },
  QueueAlreadyExist: {
    status: 409,
    code: 'QueueAlreadyExist',
    message: 'The queue you want to create is already exist.',
  },
  TopicAlreadyExist: {
    status: 409,
    code: 'TopicAlreadyExist',
    message: 'The topic you want to create is already exist.',
  },
  GroupAlreadyExist: {
    status: 409,
    code: 'SubscriptionAlreadyExist',
    message: 'The subscription you want to create is already exist.',
  },
  MessageNotExist: { status: 404, code: 'MessageNotExist', message: 'Message not exist.' },
  ReceiptHandleError: {
    status: 400,
    code: 'ReceiptHandleError',
    message: 'The receipt handle you provide is not valid.',
  },
  // MNS has one code for a stale handle and a forged one.
  ReceiptHandleExpired: {
    status: 400,
    code: 'ReceiptHandleError',
    message: 'The receipt handle you provide is not valid.',
  },
  InvalidArgument: { status: 400, code: 'InvalidArgument', message: 'The value of an element is not valid.' },
  MessageTooLarge: {
    status: 400,
    code: 'InvalidArgument',
    message: 'The value of MessageBody should between 1 and MaximumMessageSize bytes.',
  },
  BrokerClosed: { status: 500, code: 'InternalError', message: 'The service is shutting down.' },
  StorageError: { status: 500, code: 'InternalError', message: STORAGE_FAILURE_MESSAGE },
} as const satisfies Record<ErrorCode, { status: number; code: string; message: string }>;

/** The fault a core error code stands for. */
export function faultOf(code: ErrorCode): MnsFault {
  const w = toWire[code];
  return new MnsFault(w.status, w.code, w.message);
}

/** 500 InternalError: what anything unexpected becomes (no stack, no detail reaches the client). */
export const internalError = (): MnsFault => new MnsFault(500, 'InternalError', 'Internal error.');

/**
 * Turns anything thrown inside an operation into a fault: a fault stays itself, a core error is mapped by
 * {@link toWire} (a 5xx with its fixed message, never the core's text), a character XML 1.0 does not allow is
 * InvalidArgument, any other XML error is MalformedXML, and anything else is `undefined` (the caller answers 500).
 */
export function toFault(error: unknown): MnsFault | undefined {
  if (error instanceof MnsFault) return error;
  if (error instanceof SluiceError) {
    // Keep the core's field-naming message for bad arguments: it says which value was wrong.
    if (error.code === 'InvalidArgument') return new MnsFault(400, 'InvalidArgument', error.message);
    return faultOf(error.code);
  }
  if (error instanceof XmlCharError) return illegalCharacter(error.character);
  if (error instanceof XmlError) return malformedXml();
  return undefined;
}
