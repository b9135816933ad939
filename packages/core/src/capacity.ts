/** @module capacity — how typed-array columns grow. */

const STEP = 1 << 20;

/**
 * The next capacity of a column store: doubling while small, then steps of 1 Mi rows (or an eighth
 * of the store, when that is more). Doubling forever would leave up to half of a large store empty —
 * 5 M messages would sit in 8 Mi slots, 60 % more memory than they need; this keeps the slack of a
 * large store under 12.5 % (about 5 % at 5 M) for a few more copies while it grows.
 */
export function nextCapacity(current: number): number {
  return current < STEP ? current * 2 : current + Math.max(STEP, current >>> 3);
}
