/** @module options.test — option validation and the error map. */
import { ErrorCode } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { toWire } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';

describe('resolveOptions', () => {
  it('fills the service defaults', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      invisibility: 300_000,
      orderedInvisibility: 60_000,
      maxDeliveries: 288,
      retention: 3 * 86_400_000,
      autoCreate: true,
      transactionCheckLimit: 15,
      maxMessageSize: 4 * 1024 * 1024,
      maxTimedMessageSize: 64 * 1024,
      maxRequestLine: 1024,
    });
    expect(o.lookupSecret).toBeUndefined();
  });

  it('turns a credential list into a lookup', async () => {
    const o = resolveOptions({ credentials: [{ accessKeyId: 'a', accessKeySecret: 's' }] });
    expect(await o.lookupSecret!('a')).toBe('s');
    expect(await o.lookupSecret!('b')).toBeUndefined();
  });

  it('names the bad option in a TypeError', () => {
    expect(() => resolveOptions({ invisibility: 0 })).toThrow(/invisibility/);
    expect(() => resolveOptions({ maxDeliveries: Number.NaN })).toThrow(/maxDeliveries/);
    expect(() => resolveOptions({ retention: 1.5 })).toThrow(TypeError);
    expect(() => resolveOptions({ autoCreate: 'yes' as unknown as boolean })).toThrow(/autoCreate/);
    expect(() => resolveOptions({ credentials: [{ accessKeyId: '', accessKeySecret: 's' }] })).toThrow(
      /credentials/,
    );
  });
});

describe('toWire', () => {
  it('maps every core error code to a 4xx/5xx wire code', () => {
    for (const code of Object.values(ErrorCode)) {
      const wire = toWire[code];
      expect(wire.status).toBeGreaterThanOrEqual(400);
      expect(wire.code).toMatch(/^[A-Za-z]+$/);
    }
    expect(toWire.ReceiptHandleExpired).toEqual({ status: 404, code: 'MessageNotExist' });
    expect(toWire.GroupNotExist.code).toBe('ConsumerNotExist');
  });
});
