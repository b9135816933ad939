/** @module capacity — how typed-array columns grow. */

const STEP = 1 << 20;
/** The first capacity of a store that starts empty (an idle topic or group allocates no rows at all). */
const FIRST = 16;

/**
 * The next capacity of a column store: doubling while small, then steps of 1 Mi rows (or an eighth
 * of the store, when that is more). Doubling forever would leave up to half of a large store empty —
 * 5 M messages would sit in 8 Mi slots, 60 % more memory than they need; this keeps the slack of a
 * large store under 12.5 % (about 5 % at 5 M) for a few more copies while it grows.
 */
export function nextCapacity(current: number): number {
  if (current < FIRST) return FIRST;
  return current < STEP ? current * 2 : current + Math.max(STEP, current >>> 3);
}

/**
 * Zero-length columns, shared by every store that has not grown yet: an empty typed array still costs an
 * object and a buffer (~150 bytes), and an idle topic or group would otherwise carry a dozen of them.
 * Growing replaces them, and a zero-length array ignores writes, so sharing is safe.
 */
export const EMPTY_U8 = new Uint8Array(0);
export const EMPTY_U16 = new Uint16Array(0);
export const EMPTY_U32 = new Uint32Array(0);
export const EMPTY_F64 = new Float64Array(0);
