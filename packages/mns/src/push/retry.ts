/**
 * @module push/retry — when a failed push is tried again, by the subscription's NotifyStrategy.
 *
 * BACKOFF_RETRY: 3 retries, each a random 10..20 s after the failure. EXPONENTIAL_DECAY_RETRY: 176 retries,
 * 1, 2, 4, ... 256 s after the first nine failures and 512 s after each of the other 167 (about a day in all).
 * After the last retry fails the push is dropped, as the service drops it.
 */

/** Retries (after the first attempt) each strategy makes. */
export const RETRIES = { BACKOFF_RETRY: 3, EXPONENTIAL_DECAY_RETRY: 176 } as const;

/** The longest interval of EXPONENTIAL_DECAY_RETRY, seconds. */
const EXPONENTIAL_CAP_SECONDS = 512;

/**
 * How long after the failed attempt number `attempt` (1 = the first push) the next one is due, ms; `undefined`
 * when that was the last (the push is dropped). `random` gives [0, 1) (BACKOFF_RETRY's spread).
 */
export function retryDelay(
  strategy: string,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  if (strategy === 'EXPONENTIAL_DECAY_RETRY') {
    if (attempt > RETRIES.EXPONENTIAL_DECAY_RETRY) return undefined;
    return Math.min(2 ** (attempt - 1), EXPONENTIAL_CAP_SECONDS) * 1000;
  }
  if (attempt > RETRIES.BACKOFF_RETRY) return undefined;
  return 10_000 + Math.floor(random() * 10_001);
}
