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

/** Writes the 24-bit group `triple` as 4 characters at `c`. */
function put(c: number, triple: number): void {
  chars[c] = ENCODE[triple >>> 18]!;
  chars[c + 1] = ENCODE[(triple >>> 12) & 63]!;
  chars[c + 2] = ENCODE[(triple >>> 6) & 63]!;
  chars[c + 3] = ENCODE[triple & 63]!;
}

/** Builds the handle string of a delivery. Fields go straight to 24-bit groups of 4 characters. */
export function encodeHandle(
  groupUid: number,
  slot: number,
  seqLow: number,
  deliveryNo: number,
  version: number,
  nonceA: number,
  nonceB: number,
): string {
  put(0, groupUid >>> 8);
  put(4, ((groupUid & 0xff) << 16) | (slot >>> 16));
  put(8, ((slot & 0xffff) << 8) | (seqLow >>> 24));
  put(12, seqLow & 0xffffff);
  put(16, ((deliveryNo & 0xffff) << 8) | ((version >>> 8) & 0xff));
  put(20, ((version & 0xff) << 16) | (nonceA >>> 16));
  put(24, ((nonceA & 0xffff) << 8) | (nonceB >>> 24));
  put(28, nonceB & 0xffffff);
  return chars.toString('latin1', 0, HANDLE_LENGTH);
}

/** The 24-bit group of the 4 characters at `c`, or -1 when one of them is not base64url. */
function get(handle: string, c: number): number {
  const a = DECODE[handle.charCodeAt(c)]!;
  const b = DECODE[handle.charCodeAt(c + 1)]!;
  const d = DECODE[handle.charCodeAt(c + 2)]!;
  const e = DECODE[handle.charCodeAt(c + 3)]!;
  // An invalid character decodes to -1, which makes the OR negative.
  return (a | b | d | e) < 0 ? -1 : (a << 18) | (b << 12) | (d << 6) | e;
}

/** Decodes `handle` into {@link decoded}; false when it is not a well-formed handle. */
export function decodeHandle(handle: unknown): boolean {
  if (typeof handle !== 'string' || handle.length !== HANDLE_LENGTH) return false;
  const t0 = get(handle, 0);
  const t1 = get(handle, 4);
  const t2 = get(handle, 8);
  const t3 = get(handle, 12);
  const t4 = get(handle, 16);
  const t5 = get(handle, 20);
  const t6 = get(handle, 24);
  const t7 = get(handle, 28);
  if ((t0 | t1 | t2 | t3 | t4 | t5 | t6 | t7) < 0) return false;
  decoded.groupUid = ((t0 << 8) | (t1 >>> 16)) >>> 0;
  decoded.slot = (((t1 & 0xffff) << 16) | (t2 >>> 8)) >>> 0;
  decoded.seqLow = (((t2 & 0xff) << 24) | t3) >>> 0;
  decoded.deliveryNo = t4 >>> 8;
  decoded.version = ((t4 & 0xff) << 8) | (t5 >>> 16);
  decoded.nonceA = (((t5 & 0xffff) << 16) | (t6 >>> 8)) >>> 0;
  decoded.nonceB = (((t6 & 0xff) << 24) | t7) >>> 0;
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
