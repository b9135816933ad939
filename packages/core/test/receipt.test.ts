import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decoded, decodeHandle, encodeHandle, HANDLE_LENGTH } from '../src/receipt.js';

describe('receipt handle codec', () => {
  it('round-trips every field and stays URL-safe', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const u16 = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(
        u32,
        u32,
        u32,
        u16,
        u16,
        u32,
        u32,
        (groupUid, slot, seqLow, deliveryNo, version, nonceA, nonceB) => {
          const handle = encodeHandle(groupUid, slot, seqLow, deliveryNo, version, nonceA, nonceB);
          expect(handle).toMatch(/^[A-Za-z0-9_-]{32}$/);
          expect(decodeHandle(handle)).toBe(true);
          expect(decoded).toEqual({ groupUid, slot, seqLow, deliveryNo, version, nonceA, nonceB });
          expect(handle).toBe(Buffer.from(handle, 'base64url').toString('base64url'));
        },
      ),
    );
  });

  it('refuses anything that is not 32 base64url characters', () => {
    const good = encodeHandle(1, 2, 3, 4, 5, 6, 7);
    expect(decodeHandle(good)).toBe(true);
    for (const bad of [
      good.slice(1),
      `${good}A`,
      `${good.slice(0, 31)}=`,
      `${good.slice(0, 31)}+`,
      `${good.slice(0, 31)}é`,
      `${good.slice(0, 31)}\u0141`,
      42,
      undefined,
      null,
    ]) {
      expect(decodeHandle(bad)).toBe(false);
    }
    expect(HANDLE_LENGTH).toBe(32);
  });
});
