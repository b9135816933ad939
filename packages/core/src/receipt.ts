/**
 * @module receipt — receipt handles: a short URL-safe string that names one delivery.
 *
 * A handle is 30 bytes in base64url (40 characters, `[A-Za-z0-9_-]`):
 *
 *   groupUid u32 | slot u32 | seq u48 | deliveryNo u32 | version u32 | nonce u32 x2
 *
 * Decoding is O(1) and needs no lookup table of strings: `slot` indexes the group's columns directly.
 * The 64-bit random nonce is what makes a handle unforgeable; the other fields let the group tell the
 * three failures apart without remembering old handles: another group or garbage (`ReceiptHandleError`),
 * a message no longer there (`seq` differs or the group finished it: `MessageNotExist`), and a genuine
 * handle whose delivery ended (`deliveryNo` / `version` older than the live ones: `ReceiptHandleExpired`).
 * Delivery numbers and versions are 32-bit, so no count a message can reach makes an old handle look new.
 *
 * Handles of Sluice 0.1 (32 characters: a 32-bit seq, 16-bit delivery number and version) are still
 * read, so a consumer holding one across an upgrade can still ack.
 */
import { randomFillSync } from 'node:crypto';

/** Length of a handle string. */
export const HANDLE_LENGTH = 40;
/** Length of a Sluice 0.1 handle. */
const LEGACY_LENGTH = 32;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** 2^48: a handle carries the low 48 bits of a message's sequence number. */
export const SEQ_MODULUS = 2 ** 48;

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
const words = new Uint32Array(10);

/** The fields of a decoded handle; valid until the next {@link decodeHandle}. */
export const decoded = {
  groupUid: 0,
  slot: 0,
  /** The message's sequence number modulo `seqModulus`. */
  seq: 0,
  /** 2^48, or 2^32 for a Sluice 0.1 handle. */
  seqModulus: SEQ_MODULUS,
  deliveryNo: 0,
  version: 0,
  nonceA: 0,
  nonceB: 0,
};

/** Builds the handle string of a delivery: 10 groups of 24 bits, 4 characters each. */
export function encodeHandle(
  groupUid: number,
  slot: number,
  seq: number,
  deliveryNo: number,
  version: number,
  nonceA: number,
  nonceB: number,
): string {
  const s = seq % SEQ_MODULUS;
  const high = Math.floor(s / 0x100000000);
  const low = s >>> 0;
  // Bits, in order: uid 32, slot 32, seq 48, deliveryNo 32, version 32, nonceA 32, nonceB 32.
  words[0] = groupUid >>> 8;
  words[1] = ((groupUid & 0xff) << 16) | (slot >>> 16);
  words[2] = ((slot & 0xffff) << 8) | (high >>> 8);
  words[3] = ((high & 0xff) << 16) | (low >>> 16);
  words[4] = ((low & 0xffff) << 8) | (deliveryNo >>> 24);
  words[5] = deliveryNo & 0xffffff;
  words[6] = version >>> 8;
  words[7] = ((version & 0xff) << 16) | (nonceA >>> 16);
  words[8] = ((nonceA & 0xffff) << 8) | (nonceB >>> 24);
  words[9] = nonceB & 0xffffff;
  for (let i = 0; i < 10; i++) {
    const w = words[i]!;
    const c = i * 4;
    chars[c] = ENCODE[w >>> 18]!;
    chars[c + 1] = ENCODE[(w >>> 12) & 63]!;
    chars[c + 2] = ENCODE[(w >>> 6) & 63]!;
    chars[c + 3] = ENCODE[w & 63]!;
  }
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
  if (typeof handle !== 'string') return false;
  if (handle.length === LEGACY_LENGTH) return decodeLegacy(handle);
  if (handle.length !== HANDLE_LENGTH) return false;
  let bad = 0;
  for (let i = 0; i < 10; i++) {
    const w = get(handle, i * 4);
    bad |= w;
    words[i] = w;
  }
  if (bad < 0) return false;
  const [w0, w1, w2, w3, w4, w5, w6, w7, w8, w9] = words as unknown as number[];
  decoded.groupUid = ((w0! << 8) | (w1! >>> 16)) >>> 0;
  decoded.slot = (((w1! & 0xffff) << 16) | (w2! >>> 8)) >>> 0;
  const high = ((w2! & 0xff) << 8) | (w3! >>> 16);
  const low = (((w3! & 0xffff) << 16) | (w4! >>> 8)) >>> 0;
  decoded.seq = high * 0x100000000 + low;
  decoded.seqModulus = SEQ_MODULUS;
  decoded.deliveryNo = (((w4! & 0xff) << 24) | w5!) >>> 0;
  decoded.version = ((w6! << 8) | (w7! >>> 16)) >>> 0;
  decoded.nonceA = (((w7! & 0xffff) << 16) | (w8! >>> 8)) >>> 0;
  decoded.nonceB = (((w8! & 0xff) << 24) | w9!) >>> 0;
  return true;
}

/** A Sluice 0.1 handle: uid 32 | slot 32 | seqLow 32 | deliveryNo 16 | version 16 | nonceA 32 | nonceB 32. */
function decodeLegacy(handle: string): boolean {
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
  decoded.seq = (((t2 & 0xff) << 24) | t3) >>> 0;
  decoded.seqModulus = 0x100000000;
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
