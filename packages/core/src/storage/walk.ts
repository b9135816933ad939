/**
 * @module storage/walk — the frames of one log file, found by walking their lengths from the header.
 *
 * WHY: a frame's place is known only from the frame before it. Bytes after a frame that does not check are
 * never searched for something that looks like a frame: a message body may hold such bytes (a client chose
 * them), so a search could replay a body as a record. How the file ends after its last good frame tells
 * a crash apart from damage, and the caller (which knows whether the file is the last of the log) decides.
 */
import { Frame, type FrameAt, isZero, readFrame, readFrameV1 } from './codec.js';

/** How a file ends after its last good frame. */
export type FileEnd =
  /** At the end of the file. */
  | 'clean'
  /** Inside a frame whose lengths check but whose bytes run past the end: a write cut by a crash. */
  | 'cut'
  /** Zero bytes only: space the file system allocated but no write reached. */
  | 'zeros'
  /** A frame whose lengths or CRC do not check, with other bytes after it: damage. */
  | 'damaged'
  /** The caller stopped the walk at a frame (`onFrame` answered false). */
  | 'stopped';

/** Where a walk ended: `end` is the offset after the last good frame (of the stopping frame, for `stopped`). */
export interface WalkEnd {
  readonly end: FileEnd;
  readonly offset: number;
}

/**
 * Calls `onFrame` for each frame of `bytes` from `start` (the end of the file header), in order; stops when
 * it answers false. `version` is the file's format (1 or 2); `verified`: the whole file was checked against a
 * CRC already (frames' own CRCs are skipped). The `frame` object is reused between calls.
 */
export function walkFrames(
  bytes: Buffer,
  start: number,
  version: number,
  onFrame: (frame: FrameAt, at: number) => boolean,
  verified = false,
): WalkEnd {
  const frame: FrameAt = { size: 0, metaStart: 0, metaLength: 0, bodyStart: 0, bodyLength: 0 };
  let at = start;
  while (at < bytes.length) {
    const code = version === 1 ? readFrameV1(bytes, at, frame) : readFrame(bytes, at, frame, verified);
    if (code !== Frame.Ok) {
      if (isZero(bytes, at, bytes.length)) return { end: 'zeros', offset: at };
      return { end: code === Frame.Cut ? 'cut' : 'damaged', offset: at };
    }
    if (!onFrame(frame, at)) return { end: 'stopped', offset: at };
    at += frame.size;
  }
  return { end: 'clean', offset: at };
}
