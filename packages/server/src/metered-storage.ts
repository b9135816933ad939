/** @module metered-storage — `logStorage` that times its flushes, for the `sluice_storage_flush_seconds` metric. */
import { LogStorage, type LogStorageOptions } from '@sluice/core';

/**
 * A {@link LogStorage} whose `flush()` reports how long it took: the time from a write being handed to storage until
 * it is acknowledged, which with `fsync: 'always'` is the write plus the (group-committed) fsync a client waits for.
 * The broker calls `flush()` once per state change before it answers, so this is the storage share of request
 * latency. It measures from outside the core: the fsync call alone is not visible here.
 */
export class MeteredLogStorage extends LogStorage {
  /** Called with each flush's duration, seconds (set by the metrics). */
  onFlush: ((seconds: number) => void) | undefined;

  override flush(): Promise<void> {
    const report = this.onFlush;
    if (report === undefined) return super.flush();
    const start = performance.now();
    return super.flush().then(() => report((performance.now() - start) / 1000));
  }
}

/** Durable storage in `options.dir` with flush timing; see {@link MeteredLogStorage}. */
export function meteredLogStorage(options: LogStorageOptions): MeteredLogStorage {
  return new MeteredLogStorage(options);
}
