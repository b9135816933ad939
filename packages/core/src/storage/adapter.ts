/** @module storage/adapter — what the broker asks of a storage engine. */
import type { BodyStore, Journal, LogRecord, ReplaySink } from './records.js';

/**
 * A storage engine. The broker opens it once, asks it to make writes durable before it answers a
 * caller (`flush`), and closes it. `memoryStorage()` keeps nothing: `durable` is false and the broker
 * writes no records at all, so memory-only brokers pay nothing for persistence.
 */
export interface StorageAdapter {
  /** False for storage that keeps nothing across restarts. */
  readonly durable: boolean;
  /** Opens the storage (and, for a durable one, takes its lock). */
  open(): Promise<void>;
  /** Resolves when everything written so far is as durable as the storage's policy promises. */
  flush(): Promise<void>;
  /** Flushes and releases the storage. */
  close(): Promise<void>;
  /** Whether writes succeed now, and if not why (for health checks). */
  status(): StorageStatus;
}

/**
 * The health of a storage. `ok`: writes succeed. `degraded`: the disk is full or failing; calls that must
 * write are refused (some, like acks, may still be taken from a reserve) and the storage retries by itself.
 * `failed`: the storage cannot go on (an fsync failed, so what the disk holds is unknown) until it is reopened.
 */
export interface StorageStatus {
  readonly state: 'ok' | 'degraded' | 'failed';
  /** Why it is not `ok`, for an operator: no file paths, no errno text. */
  readonly reason?: string;
}

/** A storage that keeps the broker's state across restarts, as a log of records. */
export interface DurableStorage extends StorageAdapter {
  readonly durable: true;
  /** Where the broker writes records, once replay is done. */
  readonly journal: Journal;
  /** Feeds every stored record to `sink`, in order (called once, after `open`). */
  replay(sink: ReplaySink): Promise<void>;
  /**
   * A reader of many bodies in the order they were written (what a snapshot reads): consecutive bodies come
   * from one read of a window of the file, and none of them displaces what the body cache holds.
   */
  bulkBodies(): BodyStore;
  /** True when a snapshot should replace the log now: most of it is dead, or it is in an older format. */
  wantsCompaction(): boolean;
  /**
   * Replaces the log written so far with a snapshot, in the background. At one instant it seals the
   * segment being written and calls `capture`, which must copy the live state synchronously and answer
   * its records; every change after that instant lands in the new segment. `signal` cancels it (until it
   * commits). Resolves once the snapshot is committed.
   */
  compact(capture: () => AsyncIterable<SnapshotItem>, signal?: AbortSignal): Promise<Compaction>;
}

/** One record of a snapshot, with the body for an `Appended` record. */
export type SnapshotItem = readonly [LogRecord, Uint8Array | undefined];

/**
 * A snapshot written and committed. The bodies of its `Appended` records now live at
 * (`chunks[i]`, `offsets[i]`), in the order they were yielded; once the broker has moved its messages
 * there, `release()` deletes the files the snapshot replaced.
 */
export interface Compaction {
  readonly chunks: ArrayLike<number>;
  readonly offsets: ArrayLike<number>;
  release(): Promise<void>;
}

/** True when `storage` is a {@link DurableStorage}. */
export function isDurable(storage: StorageAdapter): storage is DurableStorage {
  return storage.durable;
}
