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
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Hand-rolled base64url over scratch arrays: Buffer's codec plus readUInt32BE/writeUInt32BE calls (and a
// shape regex) cost about twice as much, and handles are made and checked once per message.
const ENCODE = new Uint8Array(64);
// Indexed by UTF-16 code unit, so any character outside the alphabet (Unicode included) maps to -1.
const DECODE = new Int8Array(65536).fill(-1);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const bytes = new Uint8Array(BYTES);
const chars = Buffer.allocUnsafeSlow(HANDLE_LENGTH);

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

function put32(at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

function get32(at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

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
  put32(0, groupUid);
  put32(4, slot);
  put32(8, seqLow);
  bytes[12] = deliveryNo >>> 8;
  bytes[13] = deliveryNo;
  bytes[14] = version >>> 8;
  bytes[15] = version;
  put32(16, nonceA);
  put32(20, nonceB);
  for (let i = 0, c = 0; i < BYTES; i += 3, c += 4) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chars[c] = ENCODE[triple >>> 18]!;
    chars[c + 1] = ENCODE[(triple >>> 12) & 63]!;
    chars[c + 2] = ENCODE[(triple >>> 6) & 63]!;
    chars[c + 3] = ENCODE[triple & 63]!;
  }
  return chars.toString('latin1', 0, HANDLE_LENGTH);
}

/** Decodes `handle` into {@link decoded}; false when it is not a well-formed handle. */
export function decodeHandle(handle: unknown): boolean {
  if (typeof handle !== 'string' || handle.length !== HANDLE_LENGTH) return false;
  for (let i = 0, c = 0; i < BYTES; i += 3, c += 4) {
    const a = DECODE[handle.charCodeAt(c)]!;
    const b = DECODE[handle.charCodeAt(c + 1)]!;
    const d = DECODE[handle.charCodeAt(c + 2)]!;
    const e = DECODE[handle.charCodeAt(c + 3)]!;
    if ((a | b | d | e) < 0) return false; // an invalid character decodes to -1
    const triple = (a << 18) | (b << 12) | (d << 6) | e;
    bytes[i] = triple >>> 16;
    bytes[i + 1] = triple >>> 8;
    bytes[i + 2] = triple;
  }
  decoded.groupUid = get32(0);
  decoded.slot = get32(4);
  decoded.seqLow = get32(8);
  decoded.deliveryNo = (bytes[12]! << 8) | bytes[13]!;
  decoded.version = (bytes[14]! << 8) | bytes[15]!;
  decoded.nonceA = get32(16);
  decoded.nonceB = get32(20);
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
