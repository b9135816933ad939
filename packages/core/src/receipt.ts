/**
 * @module receipt — receipt handles: a short URL-safe string that names one delivery.
 *
 * A handle is 24 bytes in base64url (32 characters, `[A-Za-z0-9_-]`):
 *
 *   groupUid u32 | slot u32 | seqLow u32 | deliveryNo u16 | version u16 | nonce u32 x2
 *
 * Decoding is O(1) and needs no lookup table of strings: `slot` indexes the group's columns directly.
 * The 64-bit random nonce is what makes a handle unforgeable; the other fields let the group tell the
 * three failures apart without remembering old handles: another group or garbage (`ReceiptHandleError`),
 * a message no longer there (`seqLow` differs or the group finished it: `MessageNotExist`), and a genuine
 * handle whose delivery ended (`deliveryNo` / `version` older than the live ones: `ReceiptHandleExpired`).
 */
import { randomFillSync } from 'node:crypto';

/** Length of a handle string. */
export const HANDLE_LENGTH = 32;
const BYTES = 24;
const HANDLE_SHAPE = /^[A-Za-z0-9_-]{32}$/;

// One scratch buffer for encoding and decoding: handles are built and read synchronously.
const scratch = Buffer.allocUnsafeSlow(BYTES);

/** The fields of a decoded handle; valid until the next {@link decodeHandle}. */
export const decoded = {
  groupUid: 0,
  slot: 0,
  seqLow: 0,
  deliveryNo: 0,
  version: 0,
  nonceA: 0,
  nonceB: 0,
};

/** Builds the handle string of a delivery. */
export function encodeHandle(
  groupUid: number,
  slot: number,
  seqLow: number,
  deliveryNo: number,
  version: number,
  nonceA: number,
  nonceB: number,
): string {
  scratch.writeUInt32BE(groupUid, 0);
  scratch.writeUInt32BE(slot, 4);
  scratch.writeUInt32BE(seqLow, 8);
  scratch.writeUInt16BE(deliveryNo, 12);
  scratch.writeUInt16BE(version, 14);
  scratch.writeUInt32BE(nonceA, 16);
  scratch.writeUInt32BE(nonceB, 20);
  return scratch.toString('base64url', 0, BYTES);
}

/** Decodes `handle` into {@link decoded}; false when it is not a well-formed handle. */
export function decodeHandle(handle: unknown): boolean {
  if (typeof handle !== 'string' || handle.length !== HANDLE_LENGTH || !HANDLE_SHAPE.test(handle))
    return false;
  if (scratch.write(handle, 0, BYTES, 'base64url') !== BYTES) return false;
  decoded.groupUid = scratch.readUInt32BE(0);
  decoded.slot = scratch.readUInt32BE(4);
  decoded.seqLow = scratch.readUInt32BE(8);
  decoded.deliveryNo = scratch.readUInt16BE(12);
  decoded.version = scratch.readUInt16BE(14);
  decoded.nonceA = scratch.readUInt32BE(16);
  decoded.nonceB = scratch.readUInt32BE(20);
  return true;
}

// Random words come from a pooled buffer refilled 4 096 words at a time: one syscall per 2 048 deliveries.
const pool = new Uint32Array(4096);
let poolAt = pool.length;

/** A random 32-bit word (cryptographic quality). */
export function randomWord(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}
