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
  buffer.writeUInt32LE(crc32(buffer.subarray(at + 8, at + 8 + length)), at + 4);
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
  if (crc32(bytes.subarray(at + 8, at + 8 + length)) !== bytes.readUInt32LE(at + 4)) return false;
  out.ok = true;
  out.size = 8 + length;
  out.metaStart = at + FRAME_HEADER_BYTES;
  out.metaLength = metaLength;
  out.bodyStart = at + FRAME_HEADER_BYTES + metaLength;
  out.bodyLength = length - 4 - metaLength;
  return true;
}
