/** @module storage/adapter — what the broker asks of a storage engine. */

/**
 * A storage engine. The broker opens it once, asks it to make writes durable before it answers a
 * caller (`flush`), and closes it. `memoryStorage()` keeps nothing; `durable` tells the broker whether
 * it needs to write anything at all, so memory-only brokers pay nothing for persistence.
 */
export interface StorageAdapter {
  /** False for storage that keeps nothing across restarts: the broker then writes no records. */
  readonly durable: boolean;
  /** Opens the storage (and, for a durable one, takes its lock). */
  open(): Promise<void>;
  /** Resolves when everything written so far is as durable as the storage's policy promises. */
  flush(): Promise<void>;
  /** Flushes and releases the storage. */
  close(): Promise<void>;
}
