/**
 * @module storage/codec — the bytes of a log file: its header, the frames of its records, msgpack metas.
 *
 * A file starts with a 32-byte header: the magic `SLUICELG`, the format version (u32 LE), the file's kind
 * (u32: 1 segment, 2 snapshot part), its index (f64: the segment number, or the snapshot's base segment)
 * and its part number (u32), then 4 zero bytes. The header names the file, so a file copied or renamed
 * into the wrong place is told apart from the one the manifest or the chain of segments expects.
 *
 * Then frames, each:
 *
 *   crc u32 | check u32 | metaLength u32 | bodyLength u32 | meta (msgpack array) | body bytes
 *
 * `check` is a hash of the two lengths, so a length that is damaged is told apart from a frame that is
 * cut short by a crash (a torn write leaves a frame whose lengths are right but whose bytes run past the
 * end of the file). The CRC (zlib's CRC-32) covers everything after it. The body is raw and last, so its
 * place in the file is known without decoding it: a message body on disk is addressed as (file, offset,
 * length) and read back with one `pread`.
 *
 * Recovery reads frames only by walking their lengths from the header: never by searching for something
 * that looks like a frame, which a client could have put inside a message body.
 *
 * Format 1 (Sluice 0.1) had a 16-byte file header and 12-byte frames (`length | crc | metaLength`); it is
 * still read, and a directory in format 1 is rewritten in format 2 when it is opened.
 */
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import type { LogRecord } from './records.js';

/** Current format version, written in every file header. */
export const FORMAT_VERSION = 2;
/** Bytes of the file header (format 2). */
export const FILE_HEADER_BYTES = 32;
/** Bytes of a frame header (format 2). */
export const FRAME_HEADER_BYTES = 16;
/** Bytes of a format-1 file header and frame header. */
export const V1_FILE_HEADER_BYTES = 16;
export const V1_FRAME_HEADER_BYTES = 12;
const MAGIC = Buffer.from('SLUICELG', 'latin1');

/** What a log file holds. */
export const FileKind = { Segment: 1, SnapshotPart: 2 } as const;

// One reused Packr; records are fixed-position arrays, so no msgpack structures need saving with the log.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** A file header: format 2, with the file's kind, index and part. */
export function fileHeader(kind: number, index: number, part: number): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(kind, 12);
  header.writeDoubleLE(index, 16);
  header.writeUInt32LE(part, 24);
  return header;
}

/** A file header read back. */
export interface FileHeader {
  version: number;
  kind: number;
  index: number;
  part: number;
  /** Bytes of the header: where the first frame starts. */
  bytes: number;
}

/**
 * The header of a log file, or why it has none: `short` when the file ends before its header does (a file
 * created just before a crash), `foreign` when the bytes are not a Sluice log header.
 */
export function readFileHeader(bytes: Uint8Array): FileHeader | 'short' | 'foreign' {
  const n = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== MAGIC[i]) return 'foreign';
  if (bytes.length < V1_FILE_HEADER_BYTES) return 'short';
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = view.readUInt32LE(8);
  if (version === 1) return { version, kind: 0, index: -1, part: -1, bytes: V1_FILE_HEADER_BYTES };
  if (version !== FORMAT_VERSION) return { version, kind: 0, index: -1, part: -1, bytes: 0 };
  if (bytes.length < FILE_HEADER_BYTES) return 'short';
  return {
    version,
    kind: view.readUInt32LE(12),
    index: view.readDoubleLE(16),
    part: view.readUInt32LE(24),
    bytes: FILE_HEADER_BYTES,
  };
}

/** Encodes a record's fields (valid until the next call). */
export function encodeMeta(record: LogRecord): Uint8Array {
  return packr.pack(record);
}

/** Decodes a record's fields. */
export function decodeMeta(bytes: Uint8Array): LogRecord {
  return packr.unpack(bytes) as LogRecord;
}

/** The check word of a frame's two lengths; never 0 for a frame, so a zeroed header is no frame. */
function lengthCheck(metaLength: number, bodyLength: number): number {
  return (
    (Math.imul(metaLength ^ 0x5bd1e995, 0x9e3779b1) ^
      Math.imul(bodyLength ^ 0x27d4eb2f, 0x85ebca77) ^
      0x736c7563) >>>
      0 || 1
  );
}

/**
 * Writes the frame header at `at` in `buffer` for a meta of `metaLength` bytes and a body of `bodyLength`
 * bytes already in place after it; computes the CRC over everything after the CRC field.
 */
export function sealFrame(buffer: Buffer, at: number, metaLength: number, bodyLength: number): void {
  buffer.writeUInt32LE(lengthCheck(metaLength, bodyLength), at + 4);
  buffer.writeUInt32LE(metaLength, at + 8);
  buffer.writeUInt32LE(bodyLength, at + 12);
  const end = at + FRAME_HEADER_BYTES + metaLength + bodyLength;
  buffer.writeUInt32LE(crc32Range(buffer, at + 4, end), at);
}

/** What {@link readFrame} found at an offset. */
export const Frame = {
  /** A whole frame whose lengths and CRC check. */
  Ok: 0,
  /** The file ends inside the frame: its header, or the bytes its (checked) lengths promise. */
  Cut: 1,
  /** The frame header is all zeros (space the file system allocated but nothing was written to). */
  Zero: 2,
  /** The lengths do not match their check word: a damaged header. */
  BadHeader: 3,
  /** The lengths check but the CRC does not: damaged bytes. */
  BadCrc: 4,
} as const;

/** Where a frame's meta and body are. */
export interface FrameAt {
  /** Bytes of the whole frame (header included). */
  size: number;
  metaStart: number;
  metaLength: number;
  bodyStart: number;
  bodyLength: number;
}

/**
 * Reads the frame at `at` (format 2) into `out`; answers a {@link Frame} code. `verified`: the bytes were
 * already checked whole (a snapshot part against its manifest's CRC), so the frame's own CRC is not computed.
 */
export function readFrame(bytes: Buffer, at: number, out: FrameAt, verified = false): number {
  const left = bytes.length - at;
  if (left < FRAME_HEADER_BYTES) return isZero(bytes, at, bytes.length) ? Frame.Zero : Frame.Cut;
  const check = u32(bytes, at + 4);
  const metaLength = u32(bytes, at + 8);
  const bodyLength = u32(bytes, at + 12);
  if (check !== lengthCheck(metaLength, bodyLength)) {
    return check === 0 && metaLength === 0 && bodyLength === 0 && u32(bytes, at) === 0
      ? Frame.Zero
      : Frame.BadHeader;
  }
  const size = FRAME_HEADER_BYTES + metaLength + bodyLength;
  if (size > left) return Frame.Cut;
  if (!verified && crc32Range(bytes, at + 4, at + size) !== u32(bytes, at)) return Frame.BadCrc;
  out.size = size;
  out.metaStart = at + FRAME_HEADER_BYTES;
  out.metaLength = metaLength;
  out.bodyStart = at + FRAME_HEADER_BYTES + metaLength;
  out.bodyLength = bodyLength;
  return Frame.Ok;
}

/** The u32 (little-endian) at `at`, read by hand: replay reads four per record, and the bounds are checked. */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Reads a format-1 frame (`length | crc | metaLength`, the CRC over the bytes after it) at `at`. */
export function readFrameV1(bytes: Buffer, at: number, out: FrameAt): number {
  const left = bytes.length - at;
  if (left < V1_FRAME_HEADER_BYTES) return isZero(bytes, at, bytes.length) ? Frame.Zero : Frame.Cut;
  const length = bytes.readUInt32LE(at);
  const metaLength = bytes.readUInt32LE(at + 8);
  if (length === 0 && isZero(bytes, at, at + V1_FRAME_HEADER_BYTES)) return Frame.Zero;
  if (length < 4 || metaLength > length - 4) return Frame.BadHeader;
  if (8 + length > left) return Frame.Cut;
  if (crc32Range(bytes, at + 8, at + 8 + length) !== bytes.readUInt32LE(at + 4)) return Frame.BadCrc;
  out.size = 8 + length;
  out.metaStart = at + V1_FRAME_HEADER_BYTES;
  out.metaLength = metaLength;
  out.bodyStart = at + V1_FRAME_HEADER_BYTES + metaLength;
  out.bodyLength = length - 4 - metaLength;
  return Frame.Ok;
}

/** True when `bytes[start, end)` are all zero. */
export function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
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
