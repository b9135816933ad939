/** @module errors.test — every core code has an MNS answer; unknown failures never leak. */
import { ErrorCode, SluiceError } from '@sluice/core';
import { XmlError } from '@sluice/http';
import { describe, expect, it } from 'vitest';
import { faultOf, toFault, toWire } from '../src/errors.js';
import { MnsFault } from '../src/fault.js';

describe('toWire', () => {
  it('maps every core ErrorCode', () => {
    expect(Object.keys(toWire).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('uses the service codes and statuses of the spec', () => {
    expect(toWire.QueueNotExist).toMatchObject({ status: 404, code: 'QueueNotExist' });
    expect(toWire.MessageNotExist).toMatchObject({
      status: 404,
      code: 'MessageNotExist',
      message: 'Message not exist.',
    });
    expect(toWire.ReceiptHandleError).toMatchObject({ status: 400, code: 'ReceiptHandleError' });
    expect(toWire.ReceiptHandleExpired).toMatchObject({ status: 400, code: 'ReceiptHandleError' });
    expect(toWire.QueueAlreadyExist.status).toBe(409);
    expect(toWire.GroupNotExist.code).toBe('SubscriptionNotExist');
    expect(toWire.MessageTooLarge).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(toWire.StorageError).toMatchObject({ status: 500, code: 'InternalError' });
  });
});

describe('toFault', () => {
  it('keeps faults, maps core errors and XML errors, and leaves the unknown to the 500 path', () => {
    const f = new MnsFault(400, 'X', 'y');
    expect(toFault(f)).toBe(f);
    expect(toFault(new SluiceError(ErrorCode.QueueNotExist, 'gone'))).toMatchObject({
      status: 404,
      code: 'QueueNotExist',
    });
    expect(toFault(new SluiceError(ErrorCode.InvalidArgument, 'delay must be...'))).toMatchObject({
      status: 400,
      code: 'InvalidArgument',
      message: 'delay must be...',
    });
    expect(toFault(new XmlError('bad'))).toMatchObject({ status: 400, code: 'MalformedXML' });
    expect(toFault(new Error('boom'))).toBeUndefined();
    expect(faultOf('MessageNotExist').status).toBe(404);
  });
});
