/**
 * @module storage/reserve — disk space held back for a full disk: the `RESERVE` file.
 *
 * WHY: when the disk fills up, the calls that would free space (receives and acks, which let consumers
 * drain the queues, and the compactions that follow) must still be written. A log that refuses every
 * write once the disk is full can never recover by itself. So the log keeps a file of `reserveBytes` next
 * to it and deletes it the moment a write fails for lack of space: what it held is the room in which
 * acks and receives go on (new messages are refused) until space returns and the reserve is written again.
 * The file holds a non-zero pattern, so a file system that compresses or deduplicates zeros still
 * allocates its blocks.
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type LogIo, nodeIo } from './io.js';
import { RESERVE_FILE, TMP_SUFFIX } from './layout.js';

const CHUNK = Buffer.alloc(1 << 20, 0xa5);

/**
 * Writes the reserve of `bytes` in `dir` (through `io`, so faults can be injected) and makes it durable.
 * Resolves false when there is no room for it now (nothing is left behind).
 */
export async function writeReserve(dir: string, dirFd: number, bytes: number, io: LogIo): Promise<boolean> {
  // Only with room for it twice over: writing the reserve must never be what fills the disk.
  const free = (io.free ?? nodeIo.free)?.(dir);
  if (free !== undefined && free < bytes * 2) return false;
  const tmp = join(dir, RESERVE_FILE + TMP_SUFFIX);
  const fd = openSync(tmp, 'w');
  try {
    for (let at = 0; at < bytes; ) {
      const n = await io.write(fd, CHUNK, 0, Math.min(CHUNK.length, bytes - at), at, tmp);
      at += n;
    }
    await io.sync(fd, true, tmp);
  } catch {
    closeSync(fd);
    unlinkSync(tmp);
    return false;
  }
  closeSync(fd);
  renameSync(tmp, join(dir, RESERVE_FILE));
  await io.sync(dirFd, true, dir);
  return true;
}

/** Deletes the reserve (its space is free at once); true when there was one. */
export function releaseReserve(dir: string): boolean {
  try {
    unlinkSync(join(dir, RESERVE_FILE));
    return true;
  } catch {
    return false;
  }
}

/** The size of the reserve in `dir`, or -1 when there is none. */
export function reserveSize(dir: string): number {
  try {
    return statSync(join(dir, RESERVE_FILE)).size;
  } catch {
    return -1;
  }
}
