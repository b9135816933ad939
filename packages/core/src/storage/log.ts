/**
 * @module storage/log — durable storage: a segmented append-only log of msgpack records.
 *
 * HOW: every change of broker state is a record (see `records.ts`) framed with its lengths and a CRC (see
 * `codec.ts`) and appended to the active segment (`seg-<n>.log`). A segment is sealed at `segmentBytes`:
 * its last record names the next segment, and it is fsynced before anything is written to the next one.
 * Records are buffered in memory and written by one pump: callers wait on `flush()`, and every caller
 * waiting when a write + fsync starts is answered by that one fsync (group commit). Opening reads the
 * latest committed snapshot (its manifest lists each part with size and CRC) and the chain of segments
 * after it, checking everything (see `read.ts`); any damage stops the open with the file and offset, and
 * nothing is deleted that a committed snapshot did not make redundant. Compaction seals the segment and
 * copies the live state at that instant, writes it as a new snapshot in the background, commits its
 * manifest with an atomic rename, and only then deletes the files it replaces.
 *
 * WHY: a message body is written once, inside its `Appended` record, and addressed afterwards as
 * (file, offset, length): bodies stay on disk and only a bounded LRU cache of them is kept in memory, so
 * queued messages cost their columns in RAM, not their bodies. A file id is never reused, so a cached
 * body can never be mistaken for one in a newer file.
 *
 * What each fsync policy can lose:
 * - `always`: a call resolves only after its record is written and fsynced. Nothing acknowledged is
 *   lost on a process crash or on power loss.
 * - `interval`: a call resolves once its record is written to the OS (so a process crash loses nothing
 *   acknowledged); fsync runs every `fsyncIntervalMs`, so power loss can lose the last interval.
 * - `never`: as `interval` for a process crash; power loss loses whatever the OS had not written back.
 *
 * A full disk or a failing write is an answer, not a crash: see {@link LogStorage.status}.
 */

import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  truncateSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { EventEmitter } from 'eventemitter3';
import { LRUCache } from 'lru-cache';
import { ErrorCode, SluiceError } from '../errors.js';
import type { Compaction, DurableStorage, SnapshotItem, StorageStatus } from './adapter.js';
import {
  encodeMeta,
  encodeSimpleMeta,
  FILE_HEADER_BYTES,
  FileKind,
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  fileHeader,
  sealFrame,
  simpleMetaBound,
} from './codec.js';
import { type LogIo, nodeIo } from './io.js';
import {
  encodeManifest,
  type Manifest,
  manifestName,
  parseName,
  partName,
  segmentName,
  TMP_SUFFIX,
} from './layout.js';
import { acquireLock, releaseLock } from './lock.js';
import { readLog } from './read.js';
import {
  type BodyStore,
  type Journal,
  type LogRecord,
  Need,
  NO_SLOT,
  Rec,
  type ReplaySink,
} from './records.js';
import { releaseReserve, reserveSize, writeReserve } from './reserve.js';
import { type Damage, type LogPlan, type PlannedFile, scanDirectory } from './scan.js';

/** Options of {@link logStorage}. */
export interface LogStorageOptions {
  /** Directory of the log (created if missing). */
  dir: string;
  /** When a write is acknowledged; see the module doc for what each loses. Default `'always'`. */
  fsync?: 'always' | 'interval' | 'never';
  /** fsync period for `'interval'`, ms. Default 100. */
  fsyncIntervalMs?: number;
  /** Size at which a segment is sealed and a new one started, bytes. Default 64 MiB. */
  segmentBytes?: number;
  /** Memory for message bodies read back from disk (LRU), bytes. Default 64 MiB. */
  bodyCacheBytes?: number;
  /** Never compact a log smaller than this, bytes. Default 64 MiB. */
  compactMinBytes?: number;
  /** Compact when the live data is less than this share of the log. Default 0.5. */
  compactRatio?: number;
  /** Disk space held back for a full disk (the `RESERVE` file), bytes; 0 for none. Default 16 MiB. */
  reserveBytes?: number;
  /** How often writes are retried while the disk is full or failing, ms. Default 1000. */
  retryIntervalMs?: number;
  /** File writes and syncs (default node:fs); tests wrap it to inject faults. */
  io?: LogIo;
  /**
   * @internal For `repairLog`: read whatever can be read (damage is listed in `salvaged`, not thrown),
   * write nothing but a compaction, which then moves every file it replaces to a `damaged-*` directory.
   */
  salvage?: boolean;
}

/** Something opening dealt with, or a fault met while running, for the operator's log. */
export interface LogWarning {
  readonly kind: 'torn-tail' | 'cleanup' | 'disk';
  readonly file: string;
  readonly offset: number;
  /** Bytes cut, for a torn tail. */
  readonly bytes: number;
  readonly message: string;
}

/** Events of a log storage. */
export interface LogStorageEvents {
  warning: (warning: LogWarning) => void;
  /** The storage's {@link StorageStatus} changed. */
  status: (status: StorageStatus) => void;
}

interface LogFile {
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly fd: number;
  /** Bytes written to the file (or read from it). */
  size: number;
  /** Segment number, or the snapshot's base segment for a part. */
  readonly index: number;
  readonly kind: 'segment' | 'part';
}

/** Bytes to write at a place in a file, or (no buffer) a segment to seal: fsync the directory, then it. */
interface Job {
  readonly file: LogFile;
  readonly buffer: Buffer | undefined;
  readonly length: number;
  readonly position: number;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** How writing goes: `low` = the reserve is in use; `full` = no room at all; `failing` = writes error. */
type Health = 'ok' | 'low' | 'full' | 'failing' | 'failed';

/** Estimated bytes of records per live message beyond its body (Appended meta, a delivery, an ack). */
const RECORD_OVERHEAD = 96;
/** Bytes a bulk body reader reads at once. */
const BULK_WINDOW = 1 << 20;
/** File ids stay below this so (file, offset) makes an exact number key for the body cache. */
const MAX_FILE_ID = 2 ** 21;
const OK: StorageStatus = Object.freeze({ state: 'ok' });
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);

/** A failed write or sync, with which it was. */
class IoFault extends Error {
  constructor(
    readonly phase: 'write' | 'sync',
    readonly error: NodeJS.ErrnoException,
  ) {
    super(error.message);
  }
}

/**
 * Durable storage in `dir`. Pass it to `createBroker({ storage })`; the broker replays it on open.
 * @example
 * const broker = await createBroker({ storage: logStorage({ dir: './data', fsync: 'always' }) });
 */
export function logStorage(options: LogStorageOptions): LogStorage {
  return new LogStorage(options);
}

/** The storage {@link logStorage} returns. Emits `warning` (what opening repaired, disk faults) and `status`. */
export class LogStorage extends EventEmitter<LogStorageEvents> implements DurableStorage, Journal, BodyStore {
  readonly durable = true as const;
  readonly dir: string;
  readonly #policy: 'always' | 'interval' | 'never';
  readonly #intervalMs: number;
  readonly #segmentBytes: number;
  readonly #compactMinBytes: number;
  readonly #compactRatio: number;
  readonly #reserveBytes: number;
  readonly #retryMs: number;
  readonly #io: LogIo;
  readonly #salvage: boolean;
  /** With `salvage`: the damage read past, and where the replaced files went. */
  salvaged: readonly Damage[] = [];
  backup: string | undefined;
  readonly #cache: LRUCache<number, Uint8Array>;
  readonly #cacheEntryLimit: number;
  /** What opening repaired and faults met, for callers who open first and listen later. */
  readonly warnings: LogWarning[] = [];

  #plan: LogPlan | undefined;
  #files = new Map<number, LogFile>();
  #nextFileId = 0;
  #dirFd = -1;
  #manifest: Manifest | undefined;
  /** Format 1 was read: a snapshot must rewrite it before anything else. */
  #upgrade = false;
  #active: LogFile | undefined;
  #buffer = Buffer.allocUnsafe(1 << 20);
  #used = 0;
  /** File offset of `#buffer[0]` in the active segment. */
  #bufferAt = 0;
  #jobs: Job[] = [];
  /** The last written buffers, kept to answer reads of recent bodies without a syscall. */
  #recent: Job[] = [];
  #recentBytes = 0;
  readonly #recentLimit: number;
  #appended = 0;
  #durable = 0;
  #waiters: FlushWaiter[] = [];
  #pumping = false;
  #dirty = new Set<LogFile>();
  #syncing: Promise<void> = Promise.resolve();
  #interval: ReturnType<typeof setInterval> | undefined;
  #liveBodyBytes = 0;
  #liveCount = 0;
  #logBytes = 0;
  #opened = false;
  #closed = false;
  #health: Health = 'ok';
  #healthError: SluiceError | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #reserved = false;
  lastChunk = 0;
  lastOffset = 0;

  constructor(options: LogStorageOptions) {
    super();
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      throw new TypeError('logStorage: dir must be a directory path');
    }
    const policy = options.fsync ?? 'always';
    if (policy !== 'always' && policy !== 'interval' && policy !== 'never') {
      throw new TypeError("logStorage: fsync must be 'always', 'interval' or 'never'");
    }
    const positive = (name: string, value: number | undefined, fallback: number, min = 1) => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !(value >= min) || !Number.isFinite(value)) {
        throw new TypeError(`logStorage: ${name} must be a number >= ${min}`);
      }
      return value;
    };
    this.dir = options.dir;
    this.#policy = policy;
    this.#intervalMs = positive('fsyncIntervalMs', options.fsyncIntervalMs, 100);
    this.#segmentBytes = positive('segmentBytes', options.segmentBytes, 64 << 20, 4096);
    this.#compactMinBytes = positive('compactMinBytes', options.compactMinBytes, 64 << 20, 0);
    this.#compactRatio = positive('compactRatio', options.compactRatio, 0.5, 0);
    this.#reserveBytes = positive('reserveBytes', options.reserveBytes, 16 << 20, 0);
    this.#retryMs = positive('retryIntervalMs', options.retryIntervalMs, 1000);
    this.#io = options.io ?? nodeIo;
    this.#salvage = options.salvage === true;
    const cacheBytes = positive('bodyCacheBytes', options.bodyCacheBytes, 64 << 20);
    this.#cache = new LRUCache({ maxSize: cacheBytes, sizeCalculation: (body) => body.length || 1 });
    this.#cacheEntryLimit = Math.max(1, cacheBytes >>> 4);
    this.#recentLimit = Math.min(cacheBytes, 16 << 20);
  }

  /** This storage is its own journal. */
  get journal(): Journal {
    return this;
  }

  /** Bodies are read back from the log files. */
  get bodies(): BodyStore {
    return this;
  }

  /** Bytes of the log files. */
  get bytes(): number {
    return this.#logBytes;
  }

  /** Number of log files (segments and snapshot parts). */
  get files(): number {
    return this.#files.size;
  }

  // ---------------------------------------------------------------- open and replay

  /** Takes the directory's lock and reads what it holds; nothing is written until replay is done. */
  async open(): Promise<void> {
    if (this.#opened) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      accessSync(this.dir, constants.W_OK | constants.R_OK);
    } catch (error) {
      throw storageError(
        `cannot use data directory ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        error,
      );
    }
    acquireLock(this.dir);
    try {
      const plan = scanDirectory(this.dir, this.#salvage);
      if (plan.newer !== undefined) {
        throw storageError(
          `${plan.newer.file} has log format version ${plan.newer.version}, newer than this Sluice (${FORMAT_VERSION}); upgrade Sluice to open it (nothing was changed)`,
        );
      }
      this.#plan = plan;
      this.#dirFd = openSync(this.dir, 'r');
    } catch (error) {
      releaseLock(this.dir);
      throw error;
    }
    this.#opened = true;
  }

  /**
   * Feeds every record to `sink` and checks the whole log (see `read.ts`). Only when all of it checks does
   * it change the directory: cut a torn tail, delete what a committed snapshot made redundant, start a new
   * segment and seal the last one.
   */
  async replay(sink: ReplaySink): Promise<void> {
    const plan = this.#plan!;
    const ids = new Map<string, number>();
    try {
      for (const file of [...plan.parts, ...plan.segments]) {
        const opened = this.#openFile(file.name, file.kind === 'part' ? 'r' : 'r+', file.kind, file.index);
        opened.size = file.size;
        ids.set(file.name, opened.id);
      }
      let fileOf: PlannedFile | undefined;
      let idOf = 0;
      const read = readLog(
        plan,
        (record, file, frame) => {
          if (record[0] === Rec.Appended && record[9] !== NO_SLOT) {
            this.#liveBodyBytes += frame.bodyLength;
            this.#liveCount++;
          }
          if (file !== fileOf) {
            fileOf = file;
            idOf = ids.get(file.name)!;
          }
          sink(record, idOf, frame.bodyStart, frame.bodyLength, file.version);
        },
        !this.#salvage,
      );
      if (this.#salvage) {
        this.salvaged = read.damage;
        return;
      }
      // (Only when the whole chain was read: a read stopped at damage has not seen it all.)
      for (const [base, names] of read.damage.length > 0 ? [] : plan.uncommitted) {
        if (!read.chained.has(base + 1)) {
          read.damage.push({
            file: names[0]!,
            problem: `snapshot parts without a manifest (${manifestName(base)}), and the segments they would replace are gone`,
          });
        }
      }
      if (read.damage.length > 0) throw damageError(this.dir, read.damage);
      for (const file of this.#files.values()) this.#logBytes += file.size;
      await this.#settleDirectory(plan, read);
    } catch (error) {
      this.#closeFiles();
      if (error instanceof IoFault)
        throw storageError(`cannot write to data directory ${this.dir}: ${error.message}`, error.error);
      throw error;
    }
    if (this.#policy === 'interval') {
      this.#interval = setInterval(() => this.#syncDirty(), this.#intervalMs);
      this.#interval.unref();
    }
  }

  /** After a read without damage: makes the directory what the log says, and starts a new segment. */
  async #settleDirectory(plan: LogPlan, read: ReturnType<typeof readLog>): Promise<void> {
    // A reserve of the right size is kept; on a disk too full for one it is deleted first, so that its room
    // lets this open write at all (and it is written again when there is room).
    const kept = this.#reserveBytes > 0 && reserveSize(this.dir) === this.#reserveBytes;
    const room = (this.#io.free ?? nodeIo.free)?.(this.dir);
    if (!kept || (room !== undefined && room < this.#reserveBytes)) releaseReserve(this.dir);
    else this.#reserved = true;
    const remove = (name: string) => {
      const open = this.#fileNamed(name);
      if (open === undefined) return unlinkQuietly(join(this.dir, name));
      this.#logBytes -= open.size;
      this.#dropFile(open);
    };
    for (const file of read.leftovers) remove(file.name);
    for (const name of plan.superseded) remove(name);
    for (const names of plan.uncommitted.values()) for (const name of names) remove(name);
    for (const name of readdirSync(this.dir)) if (parseName(name)?.kind === 'tmp') remove(name);
    const tail = read.tail === undefined ? undefined : this.#fileNamed(read.tail.name);
    if (tail !== undefined && read.tailCut) {
      const cut = tail.size - read.tailEnd;
      truncateSync(tail.path, read.tailEnd);
      this.#logBytes -= cut;
      tail.size = read.tailEnd;
      this.#warn({
        kind: 'torn-tail',
        file: tail.name,
        offset: read.tailEnd,
        bytes: cut,
        message: `${tail.name}: a write cut by a crash at offset ${read.tailEnd}; its ${cut} unacknowledged bytes were cut`,
      });
    }
    // Never reuse a segment number, even of a file deleted just now.
    const index = plan.lastIndex + 1;
    this.#begin(this.#openFile(segmentName(index), 'wx+', 'segment', index));
    this.#queueBuffer();
    await this.#writeJobs();
    await this.#io.sync(this.#dirFd, true, this.dir);
    this.#durable = this.#appended;
    // The last segment is sealed only now that the one it names exists (a crash between leaves it unsealed,
    // with an empty segment after it: a state the next open reads as it reads this one).
    if (tail !== undefined && read.tail!.version !== 1 && !read.tailSealed)
      await this.#sealFile(tail, read, index);
    if (plan.mode === 'fresh') await this.#commitManifest({ format: 2, base: 0, next: index, parts: [] });
    this.#manifest ??= plan.manifest;
    this.#upgrade = plan.mode === 'legacy';
    if (this.#reserveBytes > 0 && !this.#reserved) {
      this.#reserved = await writeReserve(this.dir, this.#dirFd, this.#reserveBytes, this.#io);
      if (!this.#reserved) this.#setHealth('low', undefined);
    }
  }

  /** Appends the seal naming `next` to the segment that was the last one (its header too, if a crash left none). */
  async #sealFile(file: LogFile, read: ReturnType<typeof readLog>, next: number): Promise<void> {
    const header = read.tailEnd === 0 ? fileHeader(FileKind.Segment, file.index, 0) : undefined;
    const frame = frameOf([Rec.Sealed, next]);
    const bytes = header === undefined ? frame : Buffer.concat([header, frame]);
    await this.#writeAt(file, bytes, bytes.length, read.tailEnd);
    await this.#io.sync(file.fd, false, file.path);
    file.size = read.tailEnd + bytes.length;
    this.#logBytes += bytes.length;
  }

  // ---------------------------------------------------------------- writing (Journal)

  /** Buffers a record without a body. */
  record(record: LogRecord): void {
    this.#append(record, undefined, 0);
  }

  /** Buffers an `Appended` record and its body; the body's place is left in `lastChunk` / `lastOffset`. */
  message(record: LogRecord, body: string | Uint8Array, length: number): void {
    this.#append(record, body, length);
    this.#liveBodyBytes += length;
    this.#liveCount++;
  }

  /** Why a change that needs `need` cannot be taken now (the disk is full or failing), or undefined. */
  refusal(need: Need): Error | undefined {
    if (this.#closed) return new SluiceError(ErrorCode.BrokerClosed, 'the storage is closed');
    const health = this.#health;
    if (health === 'ok' || (health === 'low' && need === Need.Record)) return undefined;
    return (
      this.#healthError ?? diskFull('new messages are refused until space is freed (receives and acks go on)')
    );
  }

  /** Resolves once everything appended so far is written (and fsynced, with `always`). */
  flush(): Promise<void> {
    if (this.#appended === this.#durable && this.#jobs.length === 0 && this.#used === 0)
      return Promise.resolve();
    if (this.#health === 'full' || this.#health === 'failing' || this.#health === 'failed') {
      return Promise.reject(this.#healthError);
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ target: this.#appended, resolve, reject });
      this.#kick();
    });
  }

  /**
   * Whether writes succeed. `degraded` while the disk is full (the reserve takes receives and acks; when it
   * is used up every change is refused) or writes fail with an I/O error: writes are retried every
   * `retryIntervalMs` and the status turns `ok` by itself once they succeed. `failed` after an fsync
   * failed: what the disk holds is then unknown (the kernel may have dropped the pages), so nothing more is
   * written until the storage is reopened, which reads back what is really there.
   */
  status(): StorageStatus {
    switch (this.#health) {
      case 'ok':
        return OK;
      case 'failed':
        return { state: 'failed', reason: this.#healthError!.message };
      case 'low':
        return {
          state: 'degraded',
          reason: 'the disk is full: new messages are refused, receives and acks go on',
        };
      default:
        return { state: 'degraded', reason: this.#healthError!.message };
    }
  }

  /** True when a snapshot should replace the log: most of it is dead, or it is in format 1. */
  wantsCompaction(): boolean {
    if (this.#salvage) return false;
    if (this.#upgrade) return true;
    return (
      (this.#health === 'ok' || this.#health === 'low') &&
      this.#logBytes > this.#compactMinBytes &&
      this.#liveBodyBytes + this.#liveCount * RECORD_OVERHEAD < this.#logBytes * this.#compactRatio
    );
  }

  // ---------------------------------------------------------------- bodies (BodyStore)

  /**
   * A body: a view of a write buffer still in memory (bodies sent lately are usually received soon),
   * else from the LRU cache, else read from its file (and cached).
   */
  view(chunk: number, offset: number, length: number): Uint8Array {
    const recent = this.#inMemory(chunk, offset, length);
    if (recent !== undefined) return recent;
    const key = chunk * 0x100000000 + offset;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const out = Buffer.allocUnsafe(length);
    const file = this.#files.get(chunk);
    if (file === undefined) throw storageError('a message body is in no open log file');
    let read = 0;
    try {
      while (read < length) {
        const n = readSync(file.fd, out, read, length - read, offset + read);
        if (n === 0) throw new Error(`${file.name}: body at offset ${offset} is past the end of the file`);
        read += n;
      }
    } catch (error) {
      this.#warn({
        kind: 'disk',
        file: file.name,
        offset,
        bytes: length,
        message: `reading a body: ${(error as Error).message}`,
      });
      throw storageError('a message body could not be read from the data directory', error);
    }
    if (length <= this.#cacheEntryLimit) this.#cache.set(key, out);
    return out;
  }

  /** See {@link DurableStorage.bulkBodies}: bodies read through windows of `BULK_WINDOW` bytes. */
  bulkBodies(): BodyStore {
    let file: LogFile | undefined;
    let window = Buffer.alloc(0);
    let windowAt = 0;
    return {
      view: (chunk, offset, length) => {
        const recent = this.#inMemory(chunk, offset, length);
        if (recent !== undefined) return recent;
        const source = this.#files.get(chunk);
        if (source === undefined) throw storageError('a message body is in no open log file');
        if (source !== file || offset < windowAt || offset + length > windowAt + window.length) {
          // A new window from this body on; a fresh buffer, so a view handed out before stays intact.
          file = source;
          windowAt = offset;
          window = Buffer.allocUnsafe(Math.max(length, Math.min(BULK_WINDOW, source.size - offset)));
          let read = 0;
          while (read < length) {
            const n = readSync(source.fd, window, read, window.length - read, offset + read);
            if (n === 0) throw storageError(`${source.name}: a body runs past the end of the file`);
            read += n;
          }
          if (read < window.length) window = window.subarray(0, read);
        }
        return new Uint8Array(window.buffer, window.byteOffset + offset - windowAt, length);
      },
      free: () => {},
    };
  }

  /** A message is gone: its body no longer counts as live. */
  free(chunk: number, offset: number, length: number): void {
    this.#cache.delete(chunk * 0x100000000 + offset);
    this.#liveBodyBytes -= length;
    this.#liveCount--;
  }

  // ---------------------------------------------------------------- compaction

  /** Writes a snapshot as the new base of the log; see {@link DurableStorage.compact}. */
  async compact(capture: () => AsyncIterable<SnapshotItem>, signal?: AbortSignal): Promise<Compaction> {
    if (this.#closed) throw new SluiceError(ErrorCode.BrokerClosed, 'the storage is closed');
    if (this.#health === 'failed') throw this.#healthError!;
    // The segment sealed here and everything before it is what the snapshot replaces; `capture` copies the
    // state at this same instant, so the segments after it hold exactly the later changes. A salvage seals
    // nothing: its snapshot replaces every file there is.
    const base = this.#salvage ? this.#plan!.lastIndex + 1 : this.#active!.index;
    if (this.#salvage) this.#begin(this.#openFile(segmentName(base + 1), 'wx+', 'segment', base + 1));
    else this.#roll();
    const items = capture();
    const parts: LogFile[] = [];
    const listed: { name: string; bytes: number; crc32: number }[] = [];
    const chunks: number[] = [];
    const offsets: number[] = [];
    let part: LogFile | undefined;
    let buffer = Buffer.allocUnsafe(1 << 20);
    let used = 0;
    let written = 0;
    let crc = 0;
    const writeOut = async () => {
      if (used > 0) await this.#writeAt(part!, buffer, used, written);
      crc = crc32(buffer.subarray(0, used), crc);
      written += used;
      part!.size = written;
      used = 0;
    };
    const endPart = async () => {
      await writeOut();
      await this.#io.sync(part!.fd, true, part!.path);
      listed.push({ name: part!.name, bytes: written, crc32: crc });
    };
    const newPart = async () => {
      if (part !== undefined) await endPart();
      const name = partName(base, parts.length);
      part = this.#openFile(name, 'wx+', 'part', base);
      parts.push(part);
      written = 0;
      crc = 0;
      fileHeader(FileKind.SnapshotPart, base, parts.length - 1).copy(buffer, 0);
      used = FILE_HEADER_BYTES;
    };
    try {
      await this.flush();
      await newPart();
      for await (const [record, body] of items) {
        if (signal?.aborted) throw signal.reason;
        const bodyLength = body?.length ?? 0;
        const bound = simpleMetaBound(record);
        const meta = bound < 0 ? encodeMeta(record) : undefined;
        const maxSize = FRAME_HEADER_BYTES + (meta === undefined ? bound : meta.length) + bodyLength;
        if (written + used + maxSize > this.#segmentBytes && written + used > FILE_HEADER_BYTES)
          await newPart();
        if (used + maxSize > buffer.length) {
          await writeOut();
          if (maxSize > buffer.length) buffer = Buffer.allocUnsafe(maxSize);
        }
        const metaLength = writeMeta(record, meta, buffer, used + FRAME_HEADER_BYTES);
        const bodyAt = used + FRAME_HEADER_BYTES + metaLength;
        if (body !== undefined) buffer.set(body, bodyAt);
        sealFrame(buffer, used, metaLength, bodyLength);
        if (record[0] === Rec.Appended) {
          chunks.push(part!.id);
          offsets.push(written + bodyAt);
        }
        used = bodyAt + bodyLength;
      }
      await endPart();
      await this.#io.sync(this.#dirFd, true, this.dir);
      if (signal?.aborted) throw signal.reason;
      await this.#commitManifest({ format: 2, base, next: base + 1, parts: listed });
    } catch (error) {
      for (const p of parts) this.#dropFile(p);
      throw error instanceof IoFault
        ? storageError(`compaction failed: ${error.message}`, error.error)
        : error;
    }
    for (const p of parts) this.#logBytes += p.size;
    this.#upgrade = false;
    return {
      chunks,
      offsets,
      release: async () => {
        await this.#syncing;
        this.#deleteBefore(base + 1, base);
      },
    };
  }

  /**
   * Deletes every file the snapshot based on `base` (whose log goes on at `next`) made redundant; a salvage
   * moves them to a `damaged-<time>` directory instead (a repair keeps what it replaced).
   */
  #deleteBefore(next: number, base: number): void {
    if (this.#salvage) {
      this.backup = join(this.dir, `damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(this.backup);
    }
    for (const name of readdirSync(this.dir)) {
      const named = parseName(name);
      if (named === undefined || named.kind === 'tmp') continue;
      const redundant =
        (named.kind === 'segment' && named.index < next) ||
        (named.kind === 'part' && named.base < base) ||
        (named.kind === 'manifest' && named.base < base);
      if (!redundant) continue;
      const open = this.#fileNamed(name);
      if (open !== undefined) {
        this.#logBytes -= open.size;
        if (this.backup === undefined) this.#dropFile(open);
        else this.#closeFile(open);
      } else if (this.backup === undefined) unlinkQuietly(join(this.dir, name));
      if (this.backup !== undefined) renameSync(join(this.dir, name), join(this.backup, name));
    }
  }

  /** Writes a manifest: to a temporary file, fsynced, renamed over its name, directory fsynced. */
  async #commitManifest(manifest: Manifest): Promise<void> {
    const name = manifestName(manifest.base);
    const tmp = join(this.dir, name + TMP_SUFFIX);
    const bytes = encodeManifest(manifest);
    const fd = openSync(tmp, 'w');
    try {
      for (let at = 0; at < bytes.length; )
        at += await this.#io.write(fd, bytes, at, bytes.length - at, at, tmp);
      await this.#io.sync(fd, true, tmp);
    } catch (error) {
      closeSync(fd);
      unlinkQuietly(tmp);
      throw new IoFault('write', error as NodeJS.ErrnoException);
    }
    closeSync(fd);
    renameSync(tmp, join(this.dir, name));
    this.#manifest = manifest;
    // Committed in the namespace: from here on nothing it names may be deleted, whatever fails.
    await this.#sync(this.#dirFd, true, this.dir).catch((error: unknown) => this.#fault(error));
  }

  // ---------------------------------------------------------------- close

  /**
   * Writes and fsyncs everything, closes the files and releases the lock. When the disk refuses the last
   * writes (full or failing), it still closes: those bytes belong to calls that were never answered
   * (nothing acknowledged is lost), and a `warning` says how many there were.
   */
  async close(): Promise<void> {
    if (this.#closed || !this.#opened) return;
    this.#closed = true;
    if (this.#interval !== undefined) clearInterval(this.#interval);
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    try {
      if (this.#health === 'full' || this.#health === 'failing') this.#health = 'low';
      if (this.#health !== 'failed') {
        await this.flush();
        await this.#syncing;
        for (const file of this.#files.values()) fsyncSync(file.fd);
      }
    } catch (error) {
      const pending = this.#appended - this.#durable;
      this.#warn({
        kind: 'disk',
        file: this.#active?.name ?? '',
        offset: 0,
        bytes: pending,
        message: `closed with ${pending} bytes of unanswered changes not written: ${(error as Error).message}`,
      });
    } finally {
      this.#closeFiles();
      releaseLock(this.dir);
    }
  }

  // ---------------------------------------------------------------- internals

  #warn(warning: LogWarning): void {
    this.warnings.push(warning);
    this.emit('warning', warning);
  }

  #fileNamed(name: string): LogFile | undefined {
    for (const file of this.#files.values()) if (file.name === name) return file;
    return undefined;
  }

  #openFile(name: string, flags: string, kind: 'segment' | 'part', index: number): LogFile {
    const id = this.#nextFileId++;
    if (id >= MAX_FILE_ID) throw storageError('too many log files opened by this process');
    const path = join(this.dir, name);
    let fd: number;
    try {
      fd = openSync(path, flags);
    } catch (error) {
      throw storageError(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, error);
    }
    const file: LogFile = { id, name, path, fd, size: 0, index, kind };
    this.#files.set(id, file);
    return file;
  }

  /** Closes and deletes a file; its id is never used again. */
  #dropFile(file: LogFile): void {
    this.#closeFile(file);
    unlinkQuietly(file.path);
  }

  #closeFile(file: LogFile): void {
    this.#dirty.delete(file);
    this.#recent = this.#recent.filter((job) => job.file !== file);
    this.#recentBytes = this.#recent.reduce((n, job) => n + job.buffer!.length, 0);
    closeSync(file.fd);
    this.#files.delete(file.id);
  }

  #closeFiles(): void {
    for (const file of this.#files.values()) closeSync(file.fd);
    this.#files.clear();
    if (this.#dirFd >= 0) closeSync(this.#dirFd);
    this.#dirFd = -1;
  }

  /** Makes `file` (a new segment) the active one: its header is the first bytes of the buffer. */
  #begin(file: LogFile): void {
    this.#active = file;
    this.#bufferAt = 0;
    fileHeader(FileKind.Segment, file.index, 0).copy(this.#buffer, 0);
    this.#used = FILE_HEADER_BYTES;
    this.#appended += FILE_HEADER_BYTES;
    this.#logBytes += FILE_HEADER_BYTES;
  }

  /**
   * Seals the active segment (its last record names the next one; a job fsyncs the directory and then it,
   * before anything of the next one is written) and starts the next. Throws when the next cannot be created.
   */
  #roll(): void {
    const sealed = this.#active!;
    const next = sealed.index + 1;
    const file = this.#openFile(segmentName(next), 'wx+', 'segment', next);
    this.#appendFrame([Rec.Sealed, next], undefined, 0);
    this.#queueBuffer();
    this.#jobs.push({ file: sealed, buffer: undefined, length: 0, position: 0 });
    this.#begin(file);
  }

  /** Buffers a record; never throws (a change the storage cannot take was refused before it was made). */
  #append(record: LogRecord, body: string | Uint8Array | undefined, bodyLength: number): void {
    if (this.#closed || this.#salvage) return;
    const full = this.#bufferAt + this.#used + FRAME_HEADER_BYTES + bodyLength > this.#segmentBytes;
    if (full && this.#bufferAt + this.#used > FILE_HEADER_BYTES) {
      try {
        this.#roll();
      } catch (error) {
        // No new segment now (no inode, I/O error): this one grows past its size until one can be made.
        this.#warn({
          kind: 'disk',
          file: this.#active!.name,
          offset: 0,
          bytes: 0,
          message: (error as Error).message,
        });
      }
    }
    this.#appendFrame(record, body, bodyLength);
  }

  #appendFrame(record: LogRecord, body: string | Uint8Array | undefined, bodyLength: number): void {
    const bound = simpleMetaBound(record);
    const meta = bound < 0 ? encodeMeta(record) : undefined;
    const maxSize = FRAME_HEADER_BYTES + (meta === undefined ? bound : meta.length) + bodyLength;
    if (this.#used + maxSize > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#used + maxSize));
      this.#buffer.copy(grown, 0, 0, this.#used);
      this.#buffer = grown;
    }
    const at = this.#used;
    const buffer = this.#buffer;
    const metaLength = writeMeta(record, meta, buffer, at + FRAME_HEADER_BYTES);
    const bodyAt = at + FRAME_HEADER_BYTES + metaLength;
    if (typeof body === 'string') buffer.write(body, bodyAt, bodyLength, 'utf8');
    else if (body !== undefined) buffer.set(body, bodyAt);
    sealFrame(buffer, at, metaLength, bodyLength);
    const size = FRAME_HEADER_BYTES + metaLength + bodyLength;
    this.lastChunk = this.#active!.id;
    this.lastOffset = this.#bufferAt + bodyAt;
    this.#used += size;
    this.#appended += size;
    this.#logBytes += size;
  }

  /** Moves the buffered bytes into a write job for the active segment. */
  #queueBuffer(): void {
    if (this.#used === 0) return;
    this.#jobs.push({
      file: this.#active!,
      buffer: this.#buffer,
      length: this.#used,
      position: this.#bufferAt,
    });
    this.#bufferAt += this.#used;
    this.#buffer = Buffer.allocUnsafe(this.#buffer.length);
    this.#used = 0;
  }

  #remember(job: Job): void {
    this.#recent.push(job);
    // A kept job keeps its whole buffer alive, not only the bytes it wrote: that is what counts.
    this.#recentBytes += job.buffer!.length;
    while (this.#recentBytes > this.#recentLimit && this.#recent.length > 1) {
      this.#recentBytes -= this.#recent.shift()!.buffer!.length;
    }
  }

  #kick(): void {
    if (this.#pumping || this.#health === 'full' || this.#health === 'failing' || this.#health === 'failed')
      return;
    this.#pumping = true;
    // setImmediate, not a microtask: callers of this turn join the same write and fsync (group commit).
    setImmediate(() => this.#runPump());
  }

  #runPump(): void {
    this.#pump().then(
      () => {
        this.#pumping = false;
      },
      (error: unknown) => {
        this.#pumping = false;
        this.#fault(error);
      },
    );
  }

  async #pump(): Promise<void> {
    while (this.#waiters.length > 0 || this.#used > 0 || this.#jobs.length > 0) {
      this.#queueBuffer();
      const target = this.#appended;
      await this.#writeJobs();
      if (this.#policy === 'always') await this.#syncDirtyNow();
      this.#durable = target;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) {
        if (waiter.target <= target) waiter.resolve();
        else this.#waiters.push(waiter);
      }
      if (this.#waiters.length === 0 && this.#used === 0) break;
    }
  }

  /** Writes the queued jobs in order; a sealed segment is fsynced (after the directory) before the next. */
  async #writeJobs(): Promise<void> {
    while (this.#jobs.length > 0) {
      const job = this.#jobs[0]!;
      if (job.buffer === undefined) {
        await this.#sync(this.#dirFd, true, this.dir);
        await this.#sync(job.file.fd, false, job.file.path);
        this.#dirty.delete(job.file);
      } else {
        await this.#writeAt(job.file, job.buffer, job.length, job.position);
        job.file.size = Math.max(job.file.size, job.position + job.length);
        this.#dirty.add(job.file);
        this.#remember(job);
      }
      this.#jobs.shift();
    }
  }

  async #writeAt(file: LogFile, buffer: Buffer, length: number, position: number): Promise<void> {
    try {
      for (let done = 0; done < length; ) {
        done += await this.#io.write(file.fd, buffer, done, length - done, position + done, file.path);
      }
    } catch (error) {
      throw new IoFault('write', error as NodeJS.ErrnoException);
    }
  }

  async #sync(fd: number, full: boolean, path: string): Promise<void> {
    try {
      await this.#io.sync(fd, full, path);
    } catch (error) {
      throw new IoFault('sync', error as NodeJS.ErrnoException);
    }
  }

  #syncDirtyNow(): Promise<void> {
    const files = [...this.#dirty];
    this.#dirty.clear();
    const done = Promise.all(files.map((file) => this.#sync(file.fd, false, file.path))).then(() => {});
    // Compaction waits for this before it closes (and deletes) files: no fsync of a closed descriptor.
    this.#syncing = done.catch(() => {});
    return done;
  }

  #syncDirty(): void {
    if (this.#dirty.size === 0 || this.#closed || this.#health === 'failed') return;
    this.#syncDirtyNow().catch((error: unknown) => this.#fault(error));
  }

  /**
   * A write or sync failed. No room: the reserve is given up and the write retried at once; without a
   * reserve, waiters fail and writing stops until a retry succeeds. An I/O error on write: the same,
   * without the reserve. A failed fsync: the storage fails for good (see {@link status}).
   */
  #fault(error: unknown): void {
    const fault = error instanceof IoFault ? error : new IoFault('write', error as NodeJS.ErrnoException);
    const code = fault.error.code ?? '';
    this.#warn({
      kind: 'disk',
      file: '',
      offset: 0,
      bytes: 0,
      message: `${fault.phase} failed: ${fault.error.message}`,
    });
    if (fault.phase === 'sync') {
      this.#setHealth(
        'failed',
        new SluiceError(
          ErrorCode.StorageError,
          'an fsync of the data directory failed, so what the disk holds is uncertain: restart Sluice to recover from it',
          undefined,
          { cause: fault.error },
        ),
      );
    } else if (NO_ROOM.has(code)) {
      if (this.#reserved && releaseReserve(this.dir)) {
        this.#reserved = false;
        this.#setHealth('low', undefined);
        this.#kick();
        this.#scheduleRetry();
        return;
      }
      this.#setHealth('full', diskFull('every change is refused until space is freed', fault.error));
    } else {
      this.#setHealth(
        'failing',
        new SluiceError(
          ErrorCode.StorageError,
          'writing to the data directory fails (an I/O error): changes are refused until a write succeeds again',
          undefined,
          { cause: fault.error },
        ),
      );
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(this.#healthError);
    if (this.#health !== 'failed') this.#scheduleRetry();
  }

  #setHealth(health: Health, error: SluiceError | undefined): void {
    if (this.#health === 'failed') return;
    const changed = health !== this.#health;
    this.#health = health;
    this.#healthError = error;
    if (changed) this.emit('status', this.status());
  }

  #scheduleRetry(): void {
    if (this.#retry !== undefined || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#retryWrites().catch(() => {});
    }, this.#retryMs);
    this.#retry.unref();
  }

  /** Tries again: the writes left over, then the reserve. */
  async #retryWrites(): Promise<void> {
    if (this.#closed || this.#health === 'ok' || this.#health === 'failed') return;
    if (this.#health === 'full' || this.#health === 'failing') {
      if (this.#pumping) return this.#scheduleRetry();
      this.#pumping = true;
      try {
        await this.#pump();
      } catch (error) {
        this.#pumping = false;
        return this.#fault(error);
      }
      this.#pumping = false;
      if (this.#reserved || this.#reserveBytes === 0) return this.#setHealth('ok', undefined);
      this.#setHealth('low', undefined);
    }
    this.#reserved = await writeReserve(this.dir, this.#dirFd, this.#reserveBytes, this.#io).catch(
      () => false,
    );
    if (this.#reserved) this.#setHealth('ok', undefined);
    else this.#scheduleRetry();
  }

  /**
   * A view of a body still held by a write buffer: the one being filled, one being written, or one of
   * the last written. Bytes of a write buffer are never changed once appended (a full buffer is
   * replaced, not reused), so the view stays valid.
   */
  #inMemory(chunk: number, offset: number, length: number): Uint8Array | undefined {
    const active = this.#active;
    if (active !== undefined && chunk === active.id && offset >= this.#bufferAt) {
      const buffer = this.#buffer;
      return new Uint8Array(buffer.buffer, buffer.byteOffset + offset - this.#bufferAt, length);
    }
    const file = this.#files.get(chunk);
    const jobs = this.#jobs;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (
        job.buffer !== undefined &&
        job.file === file &&
        offset >= job.position &&
        offset + length <= job.position + job.length
      ) {
        return new Uint8Array(job.buffer.buffer, job.buffer.byteOffset + offset - job.position, length);
      }
    }
    const recent = this.#recent;
    for (let i = recent.length - 1; i >= 0; i--) {
      const job = recent[i]!;
      if (job.file === file && offset >= job.position && offset + length <= job.position + job.length) {
        return new Uint8Array(job.buffer!.buffer, job.buffer!.byteOffset + offset - job.position, length);
      }
    }
    return undefined;
  }
}

/** Writes a record's meta at `at` (msgpackr's bytes when given, else the fast encoder); answers its length. */
function writeMeta(record: LogRecord, meta: Uint8Array | undefined, buffer: Buffer, at: number): number {
  if (meta === undefined) {
    const length = encodeSimpleMeta(record, buffer, at);
    if (length >= 0) return length;
    meta = encodeMeta(record);
  }
  buffer.set(meta, at);
  return meta.length;
}

/** One record as a whole frame. */
function frameOf(record: LogRecord): Buffer {
  const meta = Buffer.from(encodeMeta(record));
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + meta.length);
  meta.copy(frame, FRAME_HEADER_BYTES);
  sealFrame(frame, 0, meta.length, 0);
  return frame;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function storageError(message: string, cause?: unknown): SluiceError {
  return new SluiceError(ErrorCode.StorageError, message, undefined, { cause });
}

function diskFull(consequence: string, cause?: unknown): SluiceError {
  return new SluiceError(
    ErrorCode.StorageError,
    `the disk of the data directory is full: ${consequence}`,
    undefined,
    {
      cause,
    },
  );
}

/** Opening found damage: nothing was changed; the message names every damaged file. */
function damageError(dir: string, damage: readonly Damage[]): SluiceError {
  const lines = damage.map(
    (d) => `  ${d.file}${d.offset === undefined ? '' : ` at offset ${d.offset}`}: ${d.problem}`,
  );
  return new SluiceError(
    ErrorCode.StorageError,
    `the log in ${dir} is damaged, so it was not opened (nothing was changed):\n${lines.join('\n')}\n` +
      `\`sluice repair ${dir}\` shows what a repair would drop; \`sluice repair --apply ${dir}\` does it.`,
    { damage },
  );
}
