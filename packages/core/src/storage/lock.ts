/**
 * @module storage/lock — one broker per data directory, enforced by an OS file lock on `dir/LOCK`.
 *
 * HOW. {@link acquireLock} opens (creating if needed) `dir/LOCK` and takes an exclusive, non-blocking
 * lock on it through `fs-native-extensions`: `fcntl(F_OFD_SETLK)` on Linux, `flock` on macOS,
 * `LockFileEx` on Windows. All three belong to the open file, not to the process, so a second open of
 * the same directory conflicts even inside one process (say, two copies of `@sluice/core`). The file
 * stays open for as long as the lock is held; {@link releaseLock} empties the file, unlocks it and
 * closes it. Once the lock is ours, the file is truncated and our pid is written to it, *only* so that
 * the next broker to find it locked can say who holds it ("locked by another broker (pid N)"); the
 * contents decide nothing. A second open in this process is caught earlier by an in-process set, for a
 * clearer message.
 *
 * WHY an OS lock. The kernel drops the lock the moment the owner dies, whatever the death (SIGKILL,
 * OOM killer, power cut, reboot), and nothing else can hold it. The previous design (a pid in the file,
 * checked with `process.kill(pid, 0)`) failed shut: after a reboot or pid reuse the stale pid named an
 * unrelated live process and Sluice refused to start.
 *
 * WHY the file is never deleted. A lock belongs to an inode, not to a name. If a closing broker
 * unlinked `LOCK`, a second broker that had opened the old file just before could take the lock on the
 * unlinked inode while a third creates a fresh `LOCK` and locks that: two owners, one directory. A file
 * that always exists means every broker locks the same inode. (An empty `LOCK` only means that its last
 * owner closed cleanly.)
 *
 * FALLBACK. `fs-native-extensions` is a native (N-API) addon, loaded lazily on the first
 * {@link acquireLock} so that importing `@sluice/core` never fails where it has no prebuild. When it
 * cannot be loaded, the lock falls back to the old pid check (a live pid in `LOCK` other than ours
 * refuses; an empty file, a dead pid or our own pid is taken over), the process gets one warning with
 * code `SLUICE_LOCK_FALLBACK`, and a refusal says that a stale pid may be to blame and how to clear it.
 * The fallback is weaker in two ways, both documented in that warning: a pid reused by an unrelated
 * process blocks the directory (the original bug), and two brokers starting at the same instant may
 * both pass the check. {@link lockMechanism} tells which one is in use.
 *
 * On Windows the lock is mandatory, so another process cannot read the pid of a locked `LOCK`; the
 * refusal then omits the pid.
 */
import { closeSync, constants, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ErrorCode, SluiceError } from '../errors.js';

/** The part of `fs-native-extensions` this module uses. */
interface NativeLock {
  /** Takes an exclusive lock on the whole file without waiting; `false` when someone else holds one. */
  tryLock(fd: number): boolean;
  /** Drops the lock. */
  unlock(fd: number): void;
}

/** Warning code emitted (once per process) when the pid check stands in for the OS lock. */
export const LOCK_FALLBACK_WARNING = 'SLUICE_LOCK_FALLBACK';

/** Open `LOCK` files of the directories this process holds, by resolved path. */
const held = new Map<string, number>();

/** `undefined`: not loaded yet; `null`: cannot be loaded (see `nativeError`). */
let native: NativeLock | null | undefined;
let nativeError: unknown;
let warned = false;

function loadNative(): NativeLock | null {
  if (native === undefined) {
    try {
      // CommonJS with a native binding: required on first use, so a platform without a prebuild can
      // still import the package (and run the pid fallback) instead of failing at import time.
      native = createRequire(import.meta.url)('fs-native-extensions') as NativeLock;
    } catch (error) {
      native = null;
      nativeError = error;
    }
  }
  return native;
}

/**
 * How {@link acquireLock} guards a directory in this process: `'os'`, an OS file lock released when the
 * process dies, or `'pid'`, the fallback pid check used when `fs-native-extensions` cannot be loaded.
 */
export function lockMechanism(): 'os' | 'pid' {
  return loadNative() === null ? 'pid' : 'os';
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function warnFallback(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `fs-native-extensions could not be loaded (${reason(nativeError)}); Sluice guards data directories ` +
      'with a pid check instead of an OS lock: a stale LOCK file whose pid now belongs to another ' +
      'process blocks the directory (empty the LOCK file if no broker uses it), and two brokers ' +
      'starting at the same instant may both open it',
    { code: LOCK_FALLBACK_WARNING },
  );
}

/** The pid written in `LOCK`, or `undefined` when it cannot be read (empty, garbage, or locked on Windows). */
function readOwner(fd: number): number | undefined {
  try {
    const buffer = Buffer.alloc(32);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('latin1', 0, length).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the contents of `LOCK` with our pid. Best effort: the pid is only there for error messages. */
function writeOwner(fd: number): void {
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, String(process.pid), 0);
  } catch {
    // a full disk, say: the lock holds all the same
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do
  }
}

function cannotLock(dir: string, error: unknown): SluiceError {
  return new SluiceError(
    ErrorCode.StorageError,
    `cannot lock data directory ${dir}: ${reason(error)}`,
    { dir },
    { cause: error },
  );
}

function lockedBy(dir: string, owner: number | undefined, fallback: boolean): SluiceError {
  if (owner === process.pid && !fallback) {
    // Held by another open file of this very process: another path to the directory (a symlink) or
    // another copy of this module.
    return new SluiceError(
      ErrorCode.StorageError,
      `data directory ${dir} is already open in this process (through another path or another copy of @sluice/core)`,
      { dir, pid: owner },
    );
  }
  const who = owner === undefined ? '' : ` (pid ${owner})`;
  const hint = fallback
    ? `; fs-native-extensions could not be loaded, so this is a pid check (${LOCK_FALLBACK_WARNING}), which ` +
      `mistakes an unrelated process reusing that pid for a broker: if no broker uses ${dir}, empty its LOCK file`
    : '';
  return new SluiceError(
    ErrorCode.StorageError,
    `data directory ${dir} is locked by another broker${who}${hint}`,
    owner === undefined ? { dir } : { dir, pid: owner },
  );
}

/**
 * Takes the lock of `dir` (which must exist) and keeps it until {@link releaseLock} or the death of the
 * process. Throws `StorageError` when `dir` is already open in this process, when another broker holds
 * it (naming its pid when `LOCK` tells it), or when `dir/LOCK` cannot be opened or locked.
 */
export function acquireLock(dir: string): void {
  const key = resolve(dir);
  if (held.has(key)) {
    throw new SluiceError(ErrorCode.StorageError, `data directory ${dir} is already open in this process`, {
      dir,
    });
  }
  const path = join(dir, 'LOCK');
  let fd: number;
  try {
    // Neither O_TRUNC nor O_EXCL: the file may hold the current owner's pid, and it is never deleted.
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (error) {
    throw cannotLock(dir, error);
  }
  const lib = loadNative();
  if (lib === null) {
    warnFallback();
    const owner = readOwner(fd);
    if (owner !== undefined && owner !== process.pid && alive(owner)) {
      closeQuietly(fd);
      throw lockedBy(dir, owner, true);
    }
  } else {
    let ok: boolean;
    try {
      ok = lib.tryLock(fd);
    } catch (error) {
      // Not "held elsewhere" (that is `false`), but no lock at all: ENOLCK, a file system without locks.
      closeQuietly(fd);
      throw cannotLock(dir, error);
    }
    if (!ok) {
      const owner = readOwner(fd);
      closeQuietly(fd);
      throw lockedBy(dir, owner, false);
    }
  }
  writeOwner(fd);
  held.set(key, fd);
}

/**
 * Releases the lock of `dir` taken by {@link acquireLock} in this process: empties `LOCK` (so no stale pid
 * outlives us), unlocks and closes it. The file itself stays. Does nothing when this process does not
 * hold `dir`; never throws (it runs in `close()` paths).
 */
export function releaseLock(dir: string): void {
  const key = resolve(dir);
  const fd = held.get(key);
  if (fd === undefined) return;
  held.delete(key);
  try {
    // Emptied while still ours, so no stale pid is left behind (and the pid fallback sees a free file).
    ftruncateSync(fd, 0);
  } catch {
    // best effort, as when it was written
  }
  try {
    native?.unlock(fd);
  } catch {
    // closing drops the lock anyway
  }
  closeQuietly(fd);
}
