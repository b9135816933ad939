/**
 * @module storage-options — the `storage` settings: how the durable log is cut into segments, compacted, synced and
 * cached. Each is passed to `logStorage` as is; one left out keeps the core's default.
 */

/** Tuning of the durable log (`logStorage` in `@sluice/core`); ignored with `memory`. */
export interface StorageTuning {
  /** Size at which a log segment is sealed and the next one started, bytes. Core default 64 MiB. */
  segmentBytes?: number;
  /** Never compact a log smaller than this, bytes. Core default 64 MiB. */
  compactMinBytes?: number;
  /** Compact once live data is less than this share of the log, 0 to 1 (0: never). Core default 0.5. */
  compactRatio?: number;
  /** How often `fsync: 'interval'` syncs, ms. Core default 100. */
  fsyncIntervalMs?: number;
  /** Memory for message bodies read back from disk (an LRU cache), bytes. Core default 64 MiB. */
  bodyCacheBytes?: number;
  /** Disk space held back for a full disk, so acks and receives go on (0: none), bytes. Core default 16 MiB. */
  reserveBytes?: number;
  /** How often writes are retried while the disk is full or failing, ms. Core default 1000. */
  retryIntervalMs?: number;
}

/** The keys of {@link StorageTuning}, for refusing unknown ones. */
export const STORAGE_KEYS: readonly (keyof StorageTuning)[] = [
  'segmentBytes',
  'compactMinBytes',
  'compactRatio',
  'fsyncIntervalMs',
  'bodyCacheBytes',
  'reserveBytes',
  'retryIntervalMs',
];

// Sizes are byte counts: integers, and exact ones.
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
// setInterval clamps delays above 2^31-1 ms to 1 ms: a larger fsync interval would sync constantly.
const MAX_INTERVAL_MS = 2 ** 31 - 1;

function integer(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new TypeError(`storage.${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Validates the `storage` option; throws a `TypeError` naming the bad field (`storage.segmentBytes must be …`).
 * Answers only the fields that were given, so the core's defaults apply to the others.
 */
export function resolveStorageTuning(storage: unknown): Readonly<StorageTuning> {
  if (storage === undefined) return {};
  if (typeof storage !== 'object' || storage === null || Array.isArray(storage)) {
    throw new TypeError('storage must be an object');
  }
  const given = storage as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(STORAGE_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`storage.${key} is not a storage setting (${STORAGE_KEYS.join(', ')})`);
    }
  }
  const ratio = given['compactRatio'];
  if (ratio !== undefined && !(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
    throw new TypeError('storage.compactRatio must be a number from 0 to 1');
  }
  const tuning: StorageTuning = {};
  const set = <K extends keyof StorageTuning>(key: K, value: number | undefined) => {
    if (value !== undefined) tuning[key] = value;
  };
  // The core's own floor: a segment holds at least its header and one small record.
  set('segmentBytes', integer('segmentBytes', given['segmentBytes'], 4096, MAX_BYTES));
  set('compactMinBytes', integer('compactMinBytes', given['compactMinBytes'], 0, MAX_BYTES));
  set('compactRatio', ratio as number | undefined);
  set('fsyncIntervalMs', integer('fsyncIntervalMs', given['fsyncIntervalMs'], 1, MAX_INTERVAL_MS));
  set('bodyCacheBytes', integer('bodyCacheBytes', given['bodyCacheBytes'], 1, MAX_BYTES));
  set('reserveBytes', integer('reserveBytes', given['reserveBytes'], 0, MAX_BYTES));
  set('retryIntervalMs', integer('retryIntervalMs', given['retryIntervalMs'], 1, MAX_INTERVAL_MS));
  return tuning;
}
