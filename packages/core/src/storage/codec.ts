/**
 * @module storage/codec — framing of log records.
 *
 * A file starts with a 16-byte header: the magic `SLUICELG`, the format version (u32 LE) and 4 zero
 * bytes. Then frames, each:
 *
 *   length u32 | crc32 u32 | metaLength u32 | meta (msgpack array) | body bytes
 *
 * `length` counts everything after the CRC; the CRC (zlib's CRC-32) covers the same bytes. The body is
 * raw and last, so its place in the file is known without decoding it: a message body on disk is
 * addressed as (file, offset, length) and read back with one `pread`.
 */
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import type { LogRecord } from './records.js';

/** Current format version, written in every file header. */
export const FORMAT_VERSION = 1;
/** Bytes of the file header. */
export const FILE_HEADER_BYTES = 16;
/** Bytes of a frame header (length, crc, metaLength). */
export const FRAME_HEADER_BYTES = 12;
const MAGIC = Buffer.from('SLUICELG', 'latin1');

// One reused Packr; records are fixed-position arrays, so no msgpack structures need saving with the log.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** The file header. */
export function fileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  return header;
}

/** The format version of a file header, or -1 when it is not a Sluice log file. */
export function headerVersion(bytes: Uint8Array): number {
  if (bytes.length < FILE_HEADER_BYTES) return -1;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return -1;
  return Buffer.from(bytes.buffer, bytes.byteOffset, FILE_HEADER_BYTES).readUInt32LE(8);
}

/** Encodes a record's fields (valid until the next call). */
export function encodeMeta(record: LogRecord): Uint8Array {
  return packr.pack(record);
}

/** Decodes a record's fields. */
export function decodeMeta(bytes: Uint8Array): LogRecord {
  return packr.unpack(bytes) as LogRecord;
}

/**
 * Writes a frame header at `at` in `buffer` for `meta` and a body of `bodyLength` bytes already in place
 * after it; computes the CRC over metaLength, meta and body.
 */
export function sealFrame(buffer: Buffer, at: number, metaLength: number, bodyLength: number): void {
  const length = 4 + metaLength + bodyLength;
  buffer.writeUInt32LE(length, at);
  buffer.writeUInt32LE(metaLength, at + 8);
  buffer.writeUInt32LE(crc32Range(buffer, at + 8, at + 8 + length), at + 4);
}

/** A frame read back: where its meta and body are, or why it is not a good frame. */
export interface FrameAt {
  ok: boolean;
  /** Bytes of the whole frame (header included). */
  size: number;
  metaStart: number;
  metaLength: number;
  bodyStart: number;
  bodyLength: number;
}

/** Checks the frame at `at` (length in range, CRC matches); fills `out`. */
export function readFrame(bytes: Buffer, at: number, out: FrameAt): boolean {
  out.ok = false;
  if (at + FRAME_HEADER_BYTES > bytes.length) return false;
  const length = bytes.readUInt32LE(at);
  const metaLength = bytes.readUInt32LE(at + 8);
  if (length < 4 || metaLength > length - 4 || at + 8 + length > bytes.length) return false;
  if (crc32Range(bytes, at + 8, at + 8 + length) !== bytes.readUInt32LE(at + 4)) return false;
  out.ok = true;
  out.size = 8 + length;
  out.metaStart = at + FRAME_HEADER_BYTES;
  out.metaLength = metaLength;
  out.bodyStart = at + FRAME_HEADER_BYTES + metaLength;
  out.bodyLength = length - 4 - metaLength;
  return true;
}

// ---------------------------------------------------------------------------- fast paths
//
// Most records are short arrays of numbers (a delivery, an ack) or of numbers, nulls and a short string
// (a message without keys or properties). For those, msgpack is written and read by hand, straight into
// and out of the log buffer: msgpackr's general encoder and decoder cost several times more per record,
// and the journal writes about three records per message. The bytes are standard msgpack, so
// `decodeMeta` reads them too; anything else (options objects, keys, properties) goes through msgpackr.

/** Largest meta the fast encoder may write for `record`, or -1 when the record needs msgpackr. */
export function simpleMetaBound(record: LogRecord): number {
  const n = record.length;
  if (n > 0xffff) return -1;
  let bound = 3;
  for (let i = 0; i < n; i++) {
    const v = record[i];
    if (typeof v === 'number') bound += 9;
    else if (v === null) bound += 1;
    else if (typeof v === 'string' && v.length <= 85) bound += 2 + 3 * v.length;
    else return -1;
  }
  return bound;
}

/** Writes `record` as msgpack at `at` (room for `simpleMetaBound` bytes); answers the bytes written, or -1. */
export function encodeSimpleMeta(record: LogRecord, out: Buffer, at: number): number {
  const n = record.length;
  let p = at;
  if (n < 16) out[p++] = 0x90 | n;
  else {
    out[p] = 0xdc;
    out.writeUInt16BE(n, p + 1);
    p += 3;
  }
  for (let i = 0; i < n; i++) {
    const v = record[i];
    if (v === null) out[p++] = 0xc0;
    else if (typeof v === 'string') {
      const length = out.write(v, p + 2, 'utf8');
      if (length > 255) return -1;
      out[p] = 0xd9;
      out[p + 1] = length;
      p += 2 + length;
    } else {
      const x = v as number;
      if (Number.isInteger(x) && x >= 0) {
        if (x < 0x80) out[p++] = x;
        else if (x <= 0xff) {
          out[p] = 0xcc;
          out[p + 1] = x;
          p += 2;
        } else if (x <= 0xffff) {
          out[p] = 0xcd;
          out.writeUInt16BE(x, p + 1);
          p += 3;
        } else if (x <= 0xffffffff) {
          out[p] = 0xce;
          out.writeUInt32BE(x, p + 1);
          p += 5;
        } else {
          // Past 32 bits a float64, as msgpackr writes it: its reader would turn a uint64 into a BigInt.
          out[p] = 0xcb;
          out.writeDoubleBE(x, p + 1);
          p += 9;
        }
      } else {
        out[p] = 0xcb;
        out.writeDoubleBE(x, p + 1);
        p += 9;
      }
    }
  }
  return p - at;
}

/**
 * Reads a meta written by the fast encoder (an array of numbers, nulls and short strings) into `out`,
 * which is reused between records; false when the meta needs msgpackr.
 */
export function decodeSimpleMeta(bytes: Buffer, start: number, end: number, out: unknown[]): boolean {
  const head = bytes[start]!;
  let n: number;
  let p: number;
  if ((head & 0xf0) === 0x90) {
    n = head & 0x0f;
    p = start + 1;
  } else if (head === 0xdc) {
    n = bytes.readUInt16BE(start + 1);
    p = start + 3;
  } else return false;
  out.length = n;
  for (let i = 0; i < n; i++) {
    if (p >= end) return false;
    const b = bytes[p]!;
    if (b < 0x80) {
      out[i] = b;
      p += 1;
    } else if (b === 0xc0) {
      out[i] = null;
      p += 1;
    } else if (b === 0xcc) {
      out[i] = bytes[p + 1];
      p += 2;
    } else if (b === 0xcd) {
      out[i] = bytes.readUInt16BE(p + 1);
      p += 3;
    } else if (b === 0xce) {
      out[i] = bytes.readUInt32BE(p + 1);
      p += 5;
    } else if (b === 0xcf) {
      out[i] = bytes.readUInt32BE(p + 1) * 0x100000000 + bytes.readUInt32BE(p + 5);
      p += 9;
    } else if (b === 0xcb) {
      out[i] = bytes.readDoubleBE(p + 1);
      p += 9;
    } else if (b === 0xd9) {
      const length = bytes[p + 1]!;
      out[i] = bytes.toString('utf8', p + 2, p + 2 + length);
      p += 2 + length;
    } else if ((b & 0xe0) === 0xa0) {
      const length = b & 0x1f;
      out[i] = bytes.toString('utf8', p + 1, p + 1 + length);
      p += 1 + length;
    } else return false;
  }
  return p === end;
}

// CRC-32 (IEEE, as zlib), slicing-by-8 over the range: zlib's native crc32 wins on long inputs, but on a
// frame of a few hundred bytes the subarray the native call needs costs more than the hashing itself, and
// replay checks one frame per record.
const CRC = Array.from({ length: 8 }, () => new Int32Array(256));
const [C0, C1, C2, C3, C4, C5, C6, C7] = CRC as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
];
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  C0[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = C0[n]!;
  for (let k = 1; k < 8; k++) {
    c = C0[c & 0xff]! ^ (c >>> 8);
    CRC[k]![n] = c;
  }
}

/** CRC-32 of `bytes[start, end)`, the same value as zlib's `crc32`. */
export function crc32Range(bytes: Buffer, start: number, end: number): number {
  if (end - start > 1024) return crc32(bytes.subarray(start, end));
  let c = -1;
  let i = start;
  for (const stop = end - ((end - start) & 7); i < stop; i += 8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ c;
    const b = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      C7[a & 0xff]! ^
      C6[(a >>> 8) & 0xff]! ^
      C5[(a >>> 16) & 0xff]! ^
      C4[a >>> 24]! ^
      C3[b & 0xff]! ^
      C2[(b >>> 8) & 0xff]! ^
      C1[(b >>> 16) & 0xff]! ^
      C0[b >>> 24]!;
  }
  for (; i < end; i++) c = C0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
