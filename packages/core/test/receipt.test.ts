import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decoded, decodeHandle, encodeHandle, HANDLE_LENGTH, SEQ_MODULUS } from '../src/receipt.js';

describe('receipt handle codec', () => {
  it('round-trips every field and stays URL-safe', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const seq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        u32,
        u32,
        seq,
        u32,
        u32,
        u32,
        u32,
        (groupUid, slot, s, deliveryNo, version, nonceA, nonceB) => {
          const handle = encodeHandle(groupUid, slot, s, deliveryNo, version, nonceA, nonceB);
          expect(handle).toMatch(/^[A-Za-z0-9_-]{40}$/);
          expect(decodeHandle(handle)).toBe(true);
          expect(decoded).toEqual({
            groupUid,
            slot,
            seq: s % SEQ_MODULUS,
            seqModulus: SEQ_MODULUS,
            deliveryNo,
            version,
            nonceA,
            nonceB,
          });
          expect(handle).toBe(Buffer.from(handle, 'base64url').toString('base64url'));
        },
      ),
    );
  });

  it('reads the 32-character handles of Sluice 0.1', () => {
    // uid 1 | slot 2 | seqLow 3 | deliveryNo 4 (u16) | version 5 (u16) | nonceA 6 | nonceB 7
    const bytes = Buffer.alloc(24);
    bytes.writeUInt32BE(1, 0);
    bytes.writeUInt32BE(2, 4);
    bytes.writeUInt32BE(3, 8);
    bytes.writeUInt16BE(4, 12);
    bytes.writeUInt16BE(5, 14);
    bytes.writeUInt32BE(6, 16);
    bytes.writeUInt32BE(7, 20);
    expect(decodeHandle(bytes.toString('base64url'))).toBe(true);
    expect(decoded).toEqual({
      groupUid: 1,
      slot: 2,
      seq: 3,
      seqModulus: 2 ** 32,
      deliveryNo: 4,
      version: 5,
      nonceA: 6,
      nonceB: 7,
    });
  });

  it('refuses anything that is not 40 (or 32) base64url characters', () => {
    const good = encodeHandle(1, 2, 3, 4, 5, 6, 7);
    expect(decodeHandle(good)).toBe(true);
    for (const bad of [
      good.slice(1),
      `${good}A`,
      `${good.slice(0, 39)}=`,
      `${good.slice(0, 39)}+`,
      `${good.slice(0, 39)}é`,
      `${good.slice(0, 39)}\u0141`,
      `${good.slice(0, 31)}=`,
      42,
      undefined,
      null,
    ]) {
      expect(decodeHandle(bad)).toBe(false);
    }
    expect(HANDLE_LENGTH).toBe(40);
  });
});
