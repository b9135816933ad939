/** @module request-id — `x-mns-request-id` values: 24 upper-case hex characters, unique per request. */
import { randomBytes } from 'node:crypto';

/**
 * A generator of request ids: 12 random hex digits fixed per handler, then a 12-digit counter, so an id costs a
 * string pad instead of a call into the random source, and ids of two handlers (or restarts) do not collide.
 */
export function requestIds(): () => string {
  const prefix = randomBytes(6).toString('hex').toUpperCase();
  let counter = 0;
  return () => {
    counter = (counter + 1) % 0x1000000000000;
    return prefix + counter.toString(16).toUpperCase().padStart(12, '0');
  };
}

let cachedSecond = -1;
let cachedDate = '';

/** The `Date` header value, formatted at most once per second. */
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}
