/**
 * @module storage/log — durable storage: a segmented append-only log of msgpack records.
 *
 * HOW: every change of broker state is a record (see `records.ts`) framed with length + CRC-32 (see
 * `codec.ts`) and appended to the active segment file (`seg-<n>.log`); a segment is sealed at
 * `segmentBytes`. Records are buffered in memory and written by one pump: callers wait on `flush()`,
 * and every caller waiting when a write + fsync starts is answered by that one fsync (group commit).
 * Opening replays the latest snapshot (`snap-<n>-<part>.log`, complete only once `snap-<n>.manifest`
 * exists) and the segments after it. Compaction writes a new snapshot of the live state while traffic
 * goes on, then deletes the segments it replaces: write new, fsync, rename, then delete old.
 *
 * WHY: a message body is written once, inside its `Appended` record, and addressed afterwards as
 * (file, offset, length): bodies stay on disk and only a bounded LRU cache of them is kept in memory, so
 * queued messages cost their columns in RAM, not their bodies.
 *
 * What each fsync policy can lose:
 * - `always`: a call resolves only after its record is written and fsynced. Nothing acknowledged is
 *   lost on a process crash or on power loss.
 * - `interval`: a call resolves once its record is written to the OS (so a process crash loses nothing
 *   acknowledged); fsync runs every `fsyncIntervalMs`, so power loss can lose the last interval.
 * - `never`: as `interval` for a process crash; power loss loses whatever the OS had not written back.
 */

import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'eventemitter3';
import { LRUCache } from 'lru-cache';
import { ErrorCode, SluiceError } from '../errors.js';
import type { Compaction, DurableStorage, StorageStatus } from './adapter.js';
import {
  decodeMeta,
  decodeSimpleMeta,
  encodeMeta,
  encodeSimpleMeta,
  FILE_HEADER_BYTES,
  FORMAT_VERSION,
  FRAME_HEADER_BYTES,
  type FrameAt,
  fileHeader,
  headerVersion,
  readFrame,
  sealFrame,
  simpleMetaBound,
} from './codec.js';
import { type LogIo, nodeIo } from './io.js';
import { acquireLock, releaseLock } from './lock.js';
import { type BodyStore, type Journal, type LogRecord, Rec, type ReplaySink } from './records.js';

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
  /** File writes and syncs (default node:fs); tests wrap it to inject faults. */
  io?: LogIo;
  /** Never compact a log smaller than this, bytes. Default 64 MiB. */
  compactMinBytes?: number;
  /** Compact when the live data is less than this share of the log. Default 0.5. */
  compactRatio?: number;
}

/** Something replay found and dealt with: a torn tail it cut, or a corrupt range it skipped. */
export interface LogWarning {
  readonly kind: 'torn-tail' | 'corruption' | 'bad-file';
  readonly file: string;
  readonly offset: number;
  /** Bytes cut or skipped. */
  readonly bytes: number;
  readonly message: string;
}

/** Events of a log storage. */
export interface LogStorageEvents {
  warning: (warning: LogWarning) => void;
}

interface LogFile {
  readonly id: number;
  name: string;
  readonly path: string;
  readonly fd: number;
  /** Bytes written to the file (or read from it). */
  size: number;
  readonly segment: number;
}

interface WriteJob {
  readonly file: LogFile;
  readonly buffer: Buffer;
  readonly length: number;
  readonly position: number;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SEGMENT = /^seg-(\d{16})\.log$/;
const SNAPSHOT_PART = /^snap-(\d{16})-(\d{4})\.log$/;
const MANIFEST = /^snap-(\d{16})\.manifest$/;
/** Estimated bytes of records per live message beyond its body (Appended meta, a delivery, an ack). */
const RECORD_OVERHEAD = 96;

const OK: StorageStatus = Object.freeze({ state: 'ok' });

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Durable storage in `dir`. Pass it to `createBroker({ storage })`; the broker replays it on open.
 * @example
 * const broker = await createBroker({ storage: logStorage({ dir: './data', fsync: 'always' }) });
 */
export function logStorage(options: LogStorageOptions): LogStorage {
  return new LogStorage(options);
}

/** The storage {@link logStorage} returns. Emits `warning` for what replay repaired. */
export class LogStorage extends EventEmitter<LogStorageEvents> implements DurableStorage, Journal, BodyStore {
  readonly durable = true as const;
  readonly dir: string;
  readonly #policy: 'always' | 'interval' | 'never';
  readonly #intervalMs: number;
  readonly #segmentBytes: number;
  readonly #compactMinBytes: number;
  readonly #compactRatio: number;
  readonly #io: LogIo;
  readonly #cache: LRUCache<number, Uint8Array>;
  readonly #cacheEntryLimit: number;
  /** What replay repaired, for callers who open first and listen later. */
  readonly warnings: LogWarning[] = [];

  #files: (LogFile | undefined)[] = [];
  #freeIds: number[] = [];
  #replayList: LogFile[] = [];
  #snapshotIndex = -1;
  #active: LogFile | undefined;
  #buffer = Buffer.allocUnsafe(1 << 20);
  #used = 0;
  /** File offset of `#buffer[0]` in the active segment. */
  #bufferAt = 0;
  #inflight: WriteJob[] = [];
  /** The last written buffers, kept to answer reads of recent bodies without a syscall. */
  #recent: WriteJob[] = [];
  #recentBytes = 0;
  readonly #recentLimit: number;
  #appended = 0;
  #durable = 0;
  #waiters: FlushWaiter[] = [];
  #pumping = false;
  #dirty = new Set<LogFile>();
  #dirDirty = false;
  #syncing: Promise<void> = Promise.resolve();
  #interval: ReturnType<typeof setInterval> | undefined;
  #liveBodyBytes = 0;
  #liveCount = 0;
  #logBytes = 0;
  #opened = false;
  #closed = false;
  #failure: unknown;
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
    this.#io = options.io ?? nodeIo;
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
    return this.#files.filter((f) => f !== undefined).length;
  }

  // ---------------------------------------------------------------- open and replay

  /** Takes the directory's lock and checks its files; nothing is written until replay is done. */
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
      this.#scan();
    } catch (error) {
      this.#closeFiles();
      releaseLock(this.dir);
      throw error;
    }
    this.#opened = true;
  }

  /** Feeds every record to `sink`, cuts a torn tail, then starts a fresh segment for new writes. */
  async replay(sink: ReplaySink): Promise<void> {
    const frame: FrameAt = { ok: false, size: 0, metaStart: 0, metaLength: 0, bodyStart: 0, bodyLength: 0 };
    // Records read by the fast decoder reuse this array: the sink must not keep a record it is given.
    const scratch: unknown[] = [];
    const list = this.#replayList;
    for (let i = 0; i < list.length; i++) {
      const file = list[i]!;
      const bytes = readFileSync(file.path);
      let at = FILE_HEADER_BYTES;
      while (at < bytes.length) {
        if (readFrame(bytes, at, frame)) {
          const metaEnd = frame.metaStart + frame.metaLength;
          const record = decodeSimpleMeta(bytes, frame.metaStart, metaEnd, scratch)
            ? scratch
            : decodeMeta(bytes.subarray(frame.metaStart, metaEnd));
          if (record[0] === Rec.Appended) {
            this.#liveBodyBytes += frame.bodyLength;
            this.#liveCount++;
          }
          sink(record, file.id, frame.bodyStart, frame.bodyLength);
          at += frame.size;
          continue;
        }
        const next = resync(bytes, at + 1, frame);
        if (next < 0) {
          const isTail = i === list.length - 1;
          this.#warn({
            kind: isTail ? 'torn-tail' : 'corruption',
            file: file.name,
            offset: at,
            bytes: bytes.length - at,
            message: isTail
              ? `${file.name}: torn tail at offset ${at}, ${bytes.length - at} bytes cut`
              : `${file.name}: unreadable from offset ${at} to the end (${bytes.length - at} bytes); later files are replayed`,
          });
          if (isTail) truncateSync(file.path, at);
          break;
        }
        this.#warn({
          kind: 'corruption',
          file: file.name,
          offset: at,
          bytes: next - at,
          message: `${file.name}: corrupt bytes at offset ${at} (${next - at} bytes skipped); replay resumed at ${next}`,
        });
        at = next;
      }
      file.size = Math.min(bytes.length, at);
      this.#logBytes += file.size;
    }
    this.#deleteSuperseded();
    this.#startSegment(this.#nextSegmentIndex());
    if (this.#policy === 'interval') {
      this.#interval = setInterval(() => this.#syncDirty(), this.#intervalMs);
      this.#interval.unref();
    }
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

  /** Resolves once everything appended so far is written (and fsynced, with `always`). */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#appended === this.#durable && this.#inflight.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ target: this.#appended, resolve, reject });
      this.#kick();
    });
  }

  /** `failed` once a write or fsync failed (nothing later is trusted), else `ok`. */
  status(): StorageStatus {
    return this.#failure === undefined
      ? OK
      : { state: 'failed', reason: 'a write to the data directory failed' };
  }

  /** True when the live data is a small share of a large log. */
  wantsCompaction(): boolean {
    return (
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
    const key = cacheKey(chunk, offset);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const out = Buffer.allocUnsafe(length);
    const file = this.#files[chunk];
    if (file === undefined) throw storageError(`body at ${chunk}:${offset} is in no open log file`);
    let read = 0;
    while (read < length) {
      const n = readSync(file.fd, out, read, length - read, offset + read);
      if (n === 0) throw storageError(`${file.name}: body at offset ${offset} is past the end of the file`);
      read += n;
    }
    if (length <= this.#cacheEntryLimit) this.#cache.set(key, out);
    return out;
  }

  /** A message is gone: its body no longer counts as live. */
  free(chunk: number, offset: number, length: number): void {
    this.#cache.delete(cacheKey(chunk, offset));
    this.#liveBodyBytes -= length;
    this.#liveCount--;
  }

  // ---------------------------------------------------------------- compaction

  /** Writes `snapshot` as the new base of the log; see {@link Compaction}. */
  async compact(
    snapshot: () => AsyncIterable<readonly [LogRecord, Uint8Array | undefined, ...unknown[]]>,
  ): Promise<Compaction> {
    this.#checkOpen();
    // Everything so far goes to segments <= base; the snapshot replaces them.
    const base = this.#active!.segment;
    this.#startSegment(base + 1);
    await this.flush();
    const parts: LogFile[] = [];
    const chunks: number[] = [];
    const offsets: number[] = [];
    let part: LogFile | undefined;
    let buffer = Buffer.allocUnsafe(1 << 20);
    let used = 0;
    let written = 0;
    const writeOut = async () => {
      if (used > 0) await this.#writeAll(part!, buffer, used, written);
      written += used;
      part!.size = written;
      used = 0;
    };
    const newPart = async () => {
      if (part !== undefined) await writeOut();
      const name = `snap-${pad(base, 16)}-${pad(parts.length, 4)}.log`;
      part = this.#openFile(`${name}.tmp`, join(this.dir, `${name}.tmp`), 'w+', base);
      part.name = name;
      parts.push(part);
      written = 0;
      fileHeader().copy(buffer, 0);
      used = FILE_HEADER_BYTES;
    };
    try {
      await newPart();
      for await (const [record, body] of snapshot()) {
        const meta = encodeMeta(record);
        const bodyLength = body?.length ?? 0;
        const size = FRAME_HEADER_BYTES + meta.length + bodyLength;
        if (written + used + size > this.#segmentBytes && written + used > FILE_HEADER_BYTES) await newPart();
        if (used + size > buffer.length) {
          await writeOut();
          if (size > buffer.length) buffer = Buffer.allocUnsafe(size);
        }
        buffer.set(meta, used + FRAME_HEADER_BYTES);
        if (body !== undefined) buffer.set(body, used + FRAME_HEADER_BYTES + meta.length);
        sealFrame(buffer, used, meta.length, bodyLength);
        if (record[0] === Rec.Appended) {
          chunks.push(part!.id);
          offsets.push(written + used + FRAME_HEADER_BYTES + meta.length);
        }
        used += size;
      }
      await writeOut();
      for (const p of parts) await this.#io.sync(p.fd, true, p.path);
      for (const p of parts) renameSync(join(this.dir, `${p.name}.tmp`), join(this.dir, p.name));
      const manifest = `snap-${pad(base, 16)}.manifest`;
      writeFileSync(
        join(this.dir, `${manifest}.tmp`),
        JSON.stringify({ version: FORMAT_VERSION, parts: parts.length }),
        {
          flush: true,
        },
      );
      renameSync(join(this.dir, `${manifest}.tmp`), join(this.dir, manifest));
      this.#syncDir();
    } catch (error) {
      for (const p of parts) this.#dropFile(p, `${p.name}.tmp`);
      throw error;
    }
    for (const p of parts) this.#logBytes += p.size;
    return {
      chunks,
      offsets,
      release: async () => {
        await this.#syncing;
        for (const file of this.#files) {
          if (file !== undefined && file.segment <= base && !parts.includes(file) && file !== this.#active) {
            this.#logBytes -= file.size;
            this.#dropFile(file, file.name);
          }
        }
        this.#snapshotIndex = base;
        this.#deleteSuperseded();
      },
    };
  }

  // ---------------------------------------------------------------- close

  /** Writes and fsyncs everything, closes the files and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed || !this.#opened) return;
    this.#closed = true;
    if (this.#interval !== undefined) clearInterval(this.#interval);
    try {
      await this.flush();
      for (const file of this.#files) if (file !== undefined) fsyncSync(file.fd);
    } finally {
      this.#closeFiles();
      releaseLock(this.dir);
    }
  }

  // ---------------------------------------------------------------- internals

  #checkOpen(): void {
    if (this.#closed) throw new SluiceError(ErrorCode.BrokerClosed, 'the storage is closed');
    if (this.#failure !== undefined) throw this.#failure;
  }

  #warn(warning: LogWarning): void {
    this.warnings.push(warning);
    this.emit('warning', warning);
  }

  /** Lists the directory: picks the latest complete snapshot, checks every file to replay. */
  #scan(): void {
    const names = readdirSync(this.dir);
    let snapshot = -1;
    let snapshotParts = 0;
    for (const name of names) {
      const m = MANIFEST.exec(name);
      if (m === null) continue;
      const index = Number(m[1]);
      if (index <= snapshot) continue;
      const manifest = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as {
        version: number;
        parts: number;
      };
      if (manifest.version > FORMAT_VERSION) throw newerFormat(name, manifest.version);
      snapshot = index;
      snapshotParts = manifest.parts;
    }
    this.#snapshotIndex = snapshot;
    const list: [number, number, string][] = [];
    for (const name of names) {
      const part = SNAPSHOT_PART.exec(name);
      if (part !== null && Number(part[1]) === snapshot && Number(part[2]) < snapshotParts) {
        list.push([snapshot, Number(part[2]) - 1e4, name]);
        continue;
      }
      const segment = SEGMENT.exec(name);
      if (segment !== null && Number(segment[1]) > snapshot) list.push([Number(segment[1]), 0, name]);
    }
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [index, , name] of list) {
      const file = this.#openFile(name, join(this.dir, name), 'r+', index);
      const header = Buffer.alloc(FILE_HEADER_BYTES);
      const n = readSync(file.fd, header, 0, FILE_HEADER_BYTES, 0);
      const version = n === FILE_HEADER_BYTES ? headerVersion(header) : -1;
      if (version > FORMAT_VERSION) throw newerFormat(name, version);
      if (version < 0) {
        // A segment whose header never reached the disk holds nothing acknowledged.
        this.#warn({
          kind: 'bad-file',
          file: name,
          offset: 0,
          bytes: n,
          message: `${name}: no valid header; skipped`,
        });
        continue;
      }
      this.#replayList.push(file);
    }
  }

  #nextSegmentIndex(): number {
    let max = this.#snapshotIndex;
    for (const file of this.#files) if (file !== undefined && file.segment > max) max = file.segment;
    return max + 1;
  }

  /** Deletes files a committed snapshot made obsolete (left by a crash between commit and cleanup). */
  #deleteSuperseded(): void {
    const base = this.#snapshotIndex;
    for (const name of readdirSync(this.dir)) {
      const segment = SEGMENT.exec(name);
      const part = SNAPSHOT_PART.exec(name);
      const manifest = MANIFEST.exec(name);
      const stale =
        name.endsWith('.tmp') ||
        (segment !== null && Number(segment[1]) <= base) ||
        (part !== null && Number(part[1]) !== base) ||
        (manifest !== null && Number(manifest[1]) !== base);
      if (!stale) continue;
      const open = this.#files.find((f) => f !== undefined && f.name === name);
      if (open !== undefined && open.segment > base) continue;
      if (open !== undefined) this.#dropFile(open, name);
      else unlinkSync(join(this.dir, name));
    }
  }

  #openFile(name: string, path: string, flags: string, segment: number): LogFile {
    const id = this.#freeIds.pop() ?? this.#files.length;
    if (id > 0xffff) throw storageError('too many log files open (65 536)');
    let fd: number;
    try {
      fd = openSync(path, flags);
    } catch (error) {
      throw storageError(`cannot open ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, error);
    }
    const file: LogFile = { id, name, path, fd, size: 0, segment };
    this.#files[id] = file;
    return file;
  }

  #dropFile(file: LogFile, name: string): void {
    this.#dirty.delete(file);
    this.#recent = this.#recent.filter((job) => job.file !== file);
    this.#recentBytes = this.#recent.reduce((n, job) => n + job.buffer.length, 0);
    closeSync(file.fd);
    try {
      unlinkSync(join(this.dir, name));
    } catch {
      // already gone
    }
    this.#files[file.id] = undefined;
    this.#freeIds.push(file.id);
  }

  #closeFiles(): void {
    for (const file of this.#files) if (file !== undefined) closeSync(file.fd);
    this.#files = [];
  }

  /** Seals the active segment (its buffer becomes a write job) and starts segment `index`. */
  #startSegment(index: number): void {
    if (this.#active !== undefined) this.#queueBuffer();
    const name = `seg-${pad(index, 16)}.log`;
    const file = this.#openFile(name, join(this.dir, name), 'wx+', index);
    this.#active = file;
    this.#dirDirty = true;
    this.#bufferAt = 0;
    fileHeader().copy(this.#buffer, 0);
    this.#used = FILE_HEADER_BYTES;
    this.#appended += FILE_HEADER_BYTES;
    this.#logBytes += FILE_HEADER_BYTES;
  }

  #append(record: LogRecord, body: string | Uint8Array | undefined, bodyLength: number): void {
    this.#checkOpen();
    const bound = simpleMetaBound(record);
    const meta = bound < 0 ? encodeMeta(record) : undefined;
    const maxSize = FRAME_HEADER_BYTES + (meta === undefined ? bound : meta.length) + bodyLength;
    if (
      this.#bufferAt + this.#used + maxSize > this.#segmentBytes &&
      this.#bufferAt + this.#used > FILE_HEADER_BYTES
    ) {
      this.#startSegment(this.#active!.segment + 1);
    }
    if (this.#used + maxSize > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#used + maxSize));
      this.#buffer.copy(grown, 0, 0, this.#used);
      this.#buffer = grown;
    }
    const at = this.#used;
    const buffer = this.#buffer;
    let metaLength: number;
    if (meta !== undefined) {
      buffer.set(meta, at + FRAME_HEADER_BYTES);
      metaLength = meta.length;
    } else {
      metaLength = encodeSimpleMeta(record, buffer, at + FRAME_HEADER_BYTES);
      if (metaLength < 0) {
        const packed = encodeMeta(record);
        buffer.set(packed, at + FRAME_HEADER_BYTES);
        metaLength = packed.length;
      }
    }
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
    const job: WriteJob = {
      file: this.#active!,
      buffer: this.#buffer,
      length: this.#used,
      position: this.#bufferAt,
    };
    this.#inflight.push(job);
    this.#bufferAt += this.#used;
    this.#buffer = Buffer.allocUnsafe(this.#buffer.length);
    this.#used = 0;
  }

  #remember(job: WriteJob): void {
    this.#recent.push(job);
    this.#recentBytes += job.buffer.length;
    while (this.#recentBytes > this.#recentLimit && this.#recent.length > 1) {
      this.#recentBytes -= this.#recent.shift()!.buffer.length;
    }
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    // setImmediate, not a microtask: callers of this turn join the same write and fsync (group commit).
    setImmediate(() => {
      this.#pump().catch((error: unknown) => this.#fail(error));
    });
  }

  async #pump(): Promise<void> {
    while (this.#waiters.length > 0 || this.#used > 0 || this.#inflight.length > 0) {
      this.#queueBuffer();
      const target = this.#appended;
      while (this.#inflight.length > 0) {
        const job = this.#inflight[0]!;
        await this.#writeAll(job.file, job.buffer, job.length, job.position);
        job.file.size = Math.max(job.file.size, job.position + job.length);
        this.#dirty.add(job.file);
        this.#inflight.shift();
        this.#remember(job);
      }
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
    this.#pumping = false;
  }

  #syncDirtyNow(): Promise<void> {
    const files = [...this.#dirty];
    this.#dirty.clear();
    const done = Promise.all(files.map((file) => this.#io.sync(file.fd, false, file.path))).then(() => {
      if (this.#dirDirty) this.#syncDir();
    });
    // Compaction waits for this before it closes (and deletes) files: no fsync of a closed descriptor.
    this.#syncing = done.catch(() => {});
    return done;
  }

  #syncDirty(): void {
    if (this.#dirty.size === 0 || this.#closed) return;
    this.#syncDirtyNow().catch((error: unknown) => this.#fail(error));
  }

  #syncDir(): void {
    this.#dirDirty = false;
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  async #writeAll(file: LogFile, buffer: Buffer, length: number, position: number): Promise<void> {
    for (let done = 0; done < length; ) {
      done += await this.#io.write(file.fd, buffer, done, length - done, position + done, file.path);
    }
  }

  /** A write or fsync failed: nothing after it can be trusted, so every later call fails. */
  #fail(error: unknown): void {
    this.#pumping = false;
    this.#failure = storageError(`log write failed: ${(error as Error).message}`, error);
    for (const waiter of this.#waiters) waiter.reject(this.#failure);
    this.#waiters = [];
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
    const file = this.#files[chunk];
    const jobs = this.#inflight;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (job.file === file && offset >= job.position && offset + length <= job.position + job.length) {
        return new Uint8Array(job.buffer.buffer, job.buffer.byteOffset + offset - job.position, length);
      }
    }
    const recent = this.#recent;
    for (let i = recent.length - 1; i >= 0; i--) {
      const job = recent[i]!;
      if (job.file === file && offset >= job.position && offset + length <= job.position + job.length) {
        return new Uint8Array(job.buffer.buffer, job.buffer.byteOffset + offset - job.position, length);
      }
    }
    return undefined;
  }
}

/** Finds the next offset at or after `from` where a good frame starts; -1 when none does. */
function resync(bytes: Buffer, from: number, frame: FrameAt): number {
  for (let at = from; at + FRAME_HEADER_BYTES <= bytes.length; at++) {
    if (readFrame(bytes, at, frame)) return at;
  }
  return -1;
}

function cacheKey(chunk: number, offset: number): number {
  return chunk * 0x100000000 + offset;
}

function storageError(message: string, cause?: unknown): SluiceError {
  return new SluiceError(ErrorCode.StorageError, message, undefined, { cause });
}

function newerFormat(name: string, version: number): SluiceError {
  return storageError(
    `${name} has log format version ${version}, newer than this Sluice (${FORMAT_VERSION}); upgrade Sluice to open it (nothing was changed)`,
  );
}
