/** @module storage/memory — storage that keeps nothing: the fastest, for tests and caches. */
import type { StorageAdapter, StorageStatus } from './adapter.js';

const resolved = Promise.resolve();
const OK: StorageStatus = Object.freeze({ state: 'ok' });

/**
 * Nothing persisted: everything lives in the broker's memory and is gone when the process ends.
 * @example
 * const broker = await createBroker({ storage: memoryStorage() });
 */
export function memoryStorage(): StorageAdapter {
  return {
    durable: false,
    open: () => resolved,
    flush: () => resolved,
    close: () => resolved,
    status: () => OK,
  };
}
