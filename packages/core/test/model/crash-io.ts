/**
 * Crash images: a {@link LogIo} over `nodeIo` that, at a chosen write, calls back so the test can copy
 * the data directory as it is at that instant (a crash image, what `kill -9` would leave behind).
 *
 * The image is taken either BEFORE the write, or after a random prefix of it reached the file (a torn
 * write: the prefix is written, the image taken, then the rest written). The copy happens
 * synchronously inside the write, so nothing else of the broker runs in between (a write already
 * handed to the thread pool may land in the copy or not, like on a real crash).
 */
import { basename } from 'node:path';
import { type LogIo, nodeIo } from '../../src/index.js';

/** Which writes count towards `nth`: all, the log segments, or the snapshot parts of a compaction. */
export type CrashTarget = 'any' | 'segment' | 'snapshot';

/** Where to take the image. */
export interface CrashPoint {
  /** The nth matching write from the moment the point is armed (1 = the first). */
  readonly nth: number;
  readonly target: CrashTarget;
  /** Per mille of the write that reaches the file before the image; undefined: the image is taken before it. */
  readonly torn: number | undefined;
}

export function describePoint(point: CrashPoint): string {
  const target = point.target === 'any' ? 'write' : `${point.target} write`;
  const how = point.torn === undefined ? 'before' : `torn at ${(point.torn / 10).toFixed(1)}% of`;
  return `${how} ${target} #${point.nth}`;
}

function matches(target: CrashTarget, path: string): boolean {
  if (target === 'any') return true;
  const name = basename(path);
  return target === 'segment' ? name.startsWith('seg-') : name.startsWith('snap-');
}

export class CrashIo implements LogIo {
  #point: CrashPoint | undefined;
  #take: ((what: string) => void) | undefined;
  #count = 0;

  /** Calls `take` (synchronously, inside the write) at `point`; only once. */
  arm(point: CrashPoint, take: (what: string) => void): void {
    this.#point = point;
    this.#take = take;
    this.#count = 0;
  }

  /** Forgets an armed point that has not fired. */
  disarm(): void {
    this.#point = undefined;
    this.#take = undefined;
  }

  async write(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
    path: string,
  ): Promise<number> {
    const point = this.#point;
    const take = this.#take;
    if (point === undefined || take === undefined || !matches(point.target, path)) {
      return nodeIo.write(fd, buffer, offset, length, position, path);
    }
    this.#count++;
    if (this.#count < point.nth) return nodeIo.write(fd, buffer, offset, length, position, path);
    this.disarm();
    const where = `${basename(path)} @${position} (${length} bytes)`;
    if (point.torn === undefined || length < 2) {
      take(`before the write of ${where}`);
      return nodeIo.write(fd, buffer, offset, length, position, path);
    }
    const prefix = Math.min(length - 1, Math.max(1, Math.floor((length * point.torn) / 1000)));
    let done = 0;
    while (done < prefix) {
      done += await nodeIo.write(fd, buffer, offset + done, prefix - done, position + done, path);
    }
    take(`after ${prefix} of ${length} bytes of the write of ${where} (torn)`);
    while (done < length) {
      done += await nodeIo.write(fd, buffer, offset + done, length - done, position + done, path);
    }
    return length;
  }

  sync(fd: number, full: boolean, path: string): Promise<void> {
    return nodeIo.sync(fd, full, path);
  }
}
