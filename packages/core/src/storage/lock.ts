/**
 * @module storage/lock — one broker per data directory: a `LOCK` file holding the owner's pid.
 *
 * A lock whose pid is no longer running (the owner was killed) is taken over; a live owner, in this
 * process or another, makes opening fail with a clear error instead of two brokers corrupting one log.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, SluiceError } from '../errors.js';

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `dir`, or throws `StorageError` naming who holds it. */
export function acquireLock(dir: string): void {
  const key = resolve(dir);
  if (held.has(key)) {
    throw new SluiceError(ErrorCode.StorageError, `data directory ${dir} is already open in this process`);
  }
  const path = join(dir, 'LOCK');
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SluiceError(
        ErrorCode.StorageError,
        `cannot lock data directory ${dir}: ${(error as Error).message}`,
      );
    }
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
      throw new SluiceError(
        ErrorCode.StorageError,
        `data directory ${dir} is locked by another broker (pid ${owner})`,
        {
          pid: owner,
        },
      );
    }
    // The owner is gone (killed, or an earlier broker of this process that was never closed).
    writeFileSync(path, String(process.pid));
  }
  held.add(key);
}

/** Releases the lock of `dir`. */
export function releaseLock(dir: string): void {
  held.delete(resolve(dir));
  try {
    unlinkSync(join(dir, 'LOCK'));
  } catch {
    // already gone
  }
}
