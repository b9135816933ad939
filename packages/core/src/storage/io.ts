/**
 * @module storage/io — the file writes and syncs a log storage performs, behind one small interface.
 *
 * WHY: a full disk, an I/O error on write or on fsync, a torn write and a crash in the middle of a write are
 * what durable storage must survive, and none of them can be produced on demand with a real disk. Tests wrap
 * {@link nodeIo} to fail, delay or cut a call, or to copy the data directory at that moment (a crash image).
 */
import { fdatasync, fsync, statfsSync, write } from 'node:fs';

/** The asynchronous file operations of a log storage: every byte written and every sync goes through it. */
export interface LogIo {
  /**
   * Writes `length` bytes of `buffer` from `offset` at file `position` of `fd` (the file at `path`); resolves
   * with the bytes written, which may be fewer (the storage writes the rest with another call).
   */
  write(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
    path: string,
  ): Promise<number>;
  /** Makes what was written to `fd` durable: `fsync` when `full` (also metadata), else `fdatasync`. */
  sync(fd: number, full: boolean, path: string): Promise<void>;
  /**
   * Bytes free for this process on the file system of `dir`, or undefined when unknown. The log writes its
   * reserve again only when there is room for it twice over, so that writing it never fills the disk.
   */
  free?(dir: string): number | undefined;
}

/** {@link LogIo} on node:fs. */
export const nodeIo: LogIo = {
  write(fd, buffer, offset, length, position) {
    return new Promise((resolve, reject) => {
      write(fd, buffer, offset, length, position, (error, n) => (error ? reject(error) : resolve(n)));
    });
  },
  sync(fd, full) {
    return new Promise((resolve, reject) => {
      (full ? fsync : fdatasync)(fd, (error) => (error ? reject(error) : resolve()));
    });
  },
  free(dir) {
    try {
      const fs = statfsSync(dir);
      return fs.bavail * fs.bsize;
    } catch {
      return undefined;
    }
  },
};
