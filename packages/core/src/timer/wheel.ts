/** @module timer/wheel — hierarchical hashed timer wheel over integer millisecond ticks, stored in typed arrays */

/*
 * HOW AND WHY
 *
 * The broker has one deadline per inflight message (visibility), per delayed message (delivery) and per
 * retained message (expiry): millions of them, almost all cancelled or moved before they fire. A heap costs
 * O(log n) per insert and cancel and an object per entry; a `setTimeout` per message costs a `Timeout`
 * object, a closure and a share of Node's own timer lists. This wheel does both in O(1) with no allocation,
 * and the broker drives it with one real timer armed for `nextDue()`.
 *
 * Time is cut into integer ticks of 1 ms, counted from the `now` given to the constructor (the origin), so
 * tick arithmetic never meets negative numbers. An entry due at `due` belongs to tick `ceil(due)`: the first
 * tick at which it is due, so it never fires early. Ticks can pass 2^32 (49 days of uptime), so tick values
 * are divided with `Math.floor`, never shifted.
 *
 * There are six levels of 64 buckets. A level-k bucket spans 64^k ticks, and the 64 buckets of level k
 * together span one slot of level k+1 (6 levels: 64^6 = 2^36 ms, about 2.2 years). An entry lives at the
 * LOWEST level whose current window (the 64 buckets around the wheel's time T) holds its tick:
 *
 *            level 5   [ 2^30 ms per bucket ]  ...                   overflow: beyond T's 2^36 block
 *            level 2   [   4096 ms        ]  ...
 *            level 1   [ 64 ms |  64 ms | ... 64 buckets ... ]
 *            level 0   [1|1|1|1| ... 64 buckets of one tick ... ]
 *                         ^ T (current tick; its bucket also holds entries added when already due)
 *
 *   bucket b = 64 * level + slot      entry -> sentinel b -> ... (circular, intrusive, in the slab)
 *   bits[2 * level], bits[2 * level + 1]: which of the level's 64 buckets are non-empty
 *
 * When T reaches the first tick of a non-empty level-k bucket, the bucket is emptied and each entry is placed
 * again relative to the new T: it drops to a lower level, at most six times in its life ("cascading"). The
 * levels are aligned to their block boundaries, as in the Linux and Kafka wheels, so a bucket's first tick is
 * fixed and `nextDue()` can promise "nothing before this time".
 *
 * `advance(now)` never walks tick by tick. From T it asks the occupancy bitmaps for the next non-empty bucket
 * (`Math.clz32` on the isolated lowest bit: one or two words per level), jumps there, cascades or fires, and
 * repeats. Jumping 30 days with three entries costs a handful of steps; the cost of an advance is the entries
 * it fires or moves plus the buckets it visits, never a scan of every entry.
 *
 * Entries are slab rows (the lru-cache layout): `due` (Float64Array, the exact value the caller gave),
 * `next`/`prev` (Uint32Array links), and `payload` (Uint32Array, `payloadWidth` words per row, the caller's
 * data: a message slot, a kind). The first 385 rows are the buckets' list sentinels, so a bucket list is a
 * ring and unlinking needs no bucket lookup: after an unlink, `prev === next` pointing at a sentinel means
 * that bucket just became empty. Free rows are chained through `next`, marked by `prev === NONE`. Columns
 * grow (see `capacity.ts`); a row id never changes while it is live.
 *
 * Firing order is tick order; within a tick it is insertion order (cascading appends, so FIFO survives).
 * Entries are unlinked and freed before their callback runs, so a callback may add, remove or reschedule
 * anything, and entries it adds that are already due fire in the same `advance`.
 *
 * `advance()` never moves time back, so a wall clock that steps back (an NTP step, a test) must be reported
 * with `rewind(now)`; otherwise every deadline set after the step waits for the clock to catch up. Buckets
 * are only meaningful relative to T, so a rewind empties them all into one chain (each ring in order),
 * re-origins at `floor(now)` as the constructor does, and places each entry again from its exact `due`.
 * Entries of one tick always share a ring, and entries of different ticks can only come due together again
 * if they shared T's bucket, so ties keep the order in which they would have fired. Ids and payloads stay,
 * and it costs O(entries + buckets) without allocating: a rare event does not need more.
 */
import { EMPTY_F64, EMPTY_U8, EMPTY_U32, nextCapacity } from '../capacity.js';

declare const timerIdBrand: unique symbol;

/** Row id of a live wheel entry. Opaque; valid from `add()` until it fires, is removed, or `clear()` runs. */
export type TimerId = number & { readonly [timerIdBrand]: true };

/** "No timer": a value never used as a `TimerId`, for callers that keep timer ids in their own `Uint32Array`. */
export const NO_TIMER = 0xffffffff as TimerId;

/** Options of {@link TimerWheel}. */
export interface TimerWheelOptions {
  /** The current clock time in ms (e.g. `Date.now()`): the wheel's time starts here. Required, finite. */
  now: number;
  /** Uint32 words of caller data per entry in {@link TimerWheel.payload}. Integer 0..1024; default 1. */
  payloadWidth?: number;
  /** Entries the slab gets when the first entry is added (not before); it doubles when full. Integer >= 1; default 64. */
  initialCapacity?: number;
}

const NONE = 0xffffffff;
const LEVELS = 6;
const WIDTH = 64;
const OVERFLOW = LEVELS * WIDTH;
/** Rows 0..SENTINELS-1 are bucket sentinels; entries start after them. */
const SENTINELS = OVERFLOW + 1;
/** SPAN[k] = ticks per level-k bucket; SPAN[k + 1] = ticks covered by all of level k. */
const SPAN = [1, 64, 4096, 262144, 16777216, 1073741824, 68719476736] as const;
const MAX_END = NONE - 1;

/** Index of the lowest set bit at position >= `from` in the 64-bit word pair (lo, hi), or -1. */
function firstSetFrom(lo: number, hi: number, from: number): number {
  if (from < 32) {
    const m = lo & (-1 << from);
    if (m !== 0) return 31 - Math.clz32(m & -m);
    return hi !== 0 ? 63 - Math.clz32(hi & -hi) : -1;
  }
  if (from < 64) {
    const m = hi & (-1 << (from - 32));
    if (m !== 0) return 63 - Math.clz32(m & -m);
  }
  return -1;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `TimerWheel option ${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * A hierarchical hashed timer wheel: O(1) add, remove and reschedule, no allocation per entry, and an
 * `advance()` whose cost follows the entries it fires, not the entries it holds.
 *
 * @example
 * ```ts
 * const wheel = new TimerWheel({ now: Date.now(), payloadWidth: 1 });
 * const id = wheel.add(Date.now() + 30_000);
 * wheel.payload[id * wheel.payloadWidth] = messageSlot; // re-read `payload` after every add()
 * const onExpire = (id: TimerId) => console.log('due', wheel.payload[id * wheel.payloadWidth]);
 * wheel.advance(Date.now(), onExpire); // call again at wheel.nextDue()
 * ```
 */
export class TimerWheel {
  /** Uint32 words of payload per entry. */
  readonly payloadWidth: number;

  #due: Float64Array;
  #next: Uint32Array;
  #prev: Uint32Array;
  #payload: Uint32Array;
  /** One past the last row id (sentinels + capacity); 0 until the first add() allocates the slab. */
  #end: number;
  readonly #initialCapacity: number;
  #free = NONE;
  #size = 0;
  /** Occupancy: two words per level, then one for the overflow bucket (bit 0). */
  #bits: Uint32Array = EMPTY_U32;

  /** Absolute ms of tick 0: `floor` of the constructor's `now`, moved only by `rewind()`. */
  #origin: number;
  /** Latest `now` seen, exact. */
  #time: number;
  /** Current tick T: every tick before it has fired; its own bucket fires on the next advance. */
  #tick = 0;
  /** base[k]: first tick of T's level-(k+1) block, i.e. of level k's current window. */
  #base: Float64Array = EMPTY_F64;
  /** end[k] = base[k] + SPAN[k + 1]: a tick >= end[k] does not fit level k. */
  #windowEnd: Float64Array = EMPTY_F64;
  /** cursor[k]: slot of T at level k. */
  #cursor: Uint8Array = EMPTY_U8;
  #advancing = false;

  /** Creates an empty wheel whose time is `options.now`; throws `TypeError` naming a bad option. */
  constructor(options: TimerWheelOptions) {
    const now = options?.now;
    if (typeof now !== 'number' || !Number.isFinite(now)) {
      throw new TypeError(`TimerWheel option now must be a finite number, got ${String(now)}`);
    }
    this.payloadWidth = checkInteger('payloadWidth', options.payloadWidth ?? 1, 0, 1024);
    const capacity = checkInteger('initialCapacity', options.initialCapacity ?? 64, 1, MAX_END - SENTINELS);
    this.#origin = Math.floor(now);
    this.#time = now;
    this.#initialCapacity = capacity;
    // The slab (with its 385 sentinel rows, ~9 KB) and the window state are allocated by the first add():
    // a consumer group that never holds a deadline, like most of the thousands of idle groups a server may
    // carry, pays ~100 bytes for its wheel.
    this.#end = 0;
    this.#due = EMPTY_F64;
    this.#next = EMPTY_U32;
    this.#prev = EMPTY_U32;
    this.#payload = EMPTY_U32;
    this.#setTick(0);
  }

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** Entries the slab holds before it next doubles. */
  get capacity(): number {
    return this.#end === 0 ? this.#initialCapacity : this.#end - SENTINELS;
  }

  /** The wheel's time: the latest `now` given to the constructor or `advance()`, or by a `rewind()`. */
  get now(): number {
    return this.#time;
  }

  /**
   * Caller data: entry `id` owns words `id * payloadWidth` .. `id * payloadWidth + payloadWidth - 1`.
   * Growth replaces the array, so read this property again after every `add()`; rows are not zeroed on reuse.
   */
  get payload(): Uint32Array {
    return this.#payload;
  }

  /**
   * Schedules an entry due at `due` ms (fractional allowed: it fires at the first tick >= due). An entry
   * already due fires on the next `advance()`, or later in the current one if called from a callback.
   * Throws `RangeError` when `due` is not finite.
   */
  add(due: number): TimerId {
    if (!Number.isFinite(due)) {
      throw new RangeError(`TimerWheel.add: due must be a finite number, got ${due}`);
    }
    let id = this.#free;
    if (id === NONE) id = this.#grow();
    this.#free = this.#next[id]!;
    this.#due[id] = due;
    this.#size++;
    this.#place(id, Math.ceil(due) - this.#origin);
    return id as TimerId;
  }

  /** Cancels a live entry in O(1). Throws `RangeError` for an id that is not live (fired, removed, unknown). */
  remove(id: TimerId): void {
    this.#checkLive(id, 'remove');
    this.#unlink(id);
    this.#release(id);
  }

  /**
   * Moves a live entry to a new due time in O(1); it goes behind entries already waiting for the same tick.
   * Throws `RangeError` for an id that is not live or a `due` that is not finite.
   */
  reschedule(id: TimerId, due: number): void {
    this.#checkLive(id, 'reschedule');
    if (!Number.isFinite(due)) {
      throw new RangeError(`TimerWheel.reschedule: due must be a finite number, got ${due}`);
    }
    this.#unlink(id);
    this.#due[id] = due;
    this.#place(id, Math.ceil(due) - this.#origin);
  }

  /** The exact `due` of a live entry, as given to `add()`/`reschedule()`. Throws `RangeError` if not live. */
  dueOf(id: TimerId): number {
    this.#checkLive(id, 'dueOf');
    return this.#due[id]!;
  }

  /** Whether `id` is a live entry (added, and not yet fired or removed). */
  has(id: TimerId): boolean {
    if (!(id >= SENTINELS)) return false;
    const prev = this.#prev[id];
    return prev !== undefined && prev !== NONE;
  }

  /**
   * When to call `advance()` next: `Infinity` when empty; otherwise a time no later than the tick at which the
   * earliest entry fires (`ceil(due)`, equal to `due` for integer dues). It is exact while that entry sits in
   * the current 64 ms window; otherwise it is the first tick of the next non-empty coarser bucket, where
   * entries move down a level and nothing fires. For entries already due it is the wheel's current tick.
   * Calling `advance(nextDue())` again and again fires every entry at its own tick.
   */
  nextDue(): number {
    if (this.#size === 0) return Number.POSITIVE_INFINITY;
    return this.#origin + this.#nextTick(this.#cursor[0]!);
  }

  /**
   * Moves the wheel's time to `now` (never backwards: that is `rewind()`) and fires, in tick order and FIFO
   * within a tick, every entry whose tick `ceil(due)` is <= `floor(now)`, plus entries added while already
   * due. Each entry is removed before `onExpire(id)` runs; the callback may add, remove and reschedule
   * entries, and those due by `now` fire in this same call. Not re-entrant. Returns how many entries fired.
   */
  advance(now: number, onExpire: (id: TimerId) => void): number {
    if (!Number.isFinite(now)) {
      throw new RangeError(`TimerWheel.advance: now must be a finite number, got ${now}`);
    }
    if (this.#advancing) {
      throw new Error('TimerWheel.advance is not re-entrant (called from an onExpire callback)');
    }
    if (now > this.#time) this.#time = now;
    const target = Math.floor(this.#time) - this.#origin;
    if (this.#end === 0) {
      // No slab: never held an entry, so nothing fires or cascades; only T moves.
      this.#setTick(target);
      return 0;
    }
    let fired = 0;
    this.#advancing = true;
    try {
      for (;;) {
        fired += this.#fireCurrent(onExpire);
        if (this.#tick >= target) break;
        const at = this.#nextTick(this.#cursor[0]! + 1);
        if (at > target) {
          this.#setTick(target);
          break;
        }
        this.#setTick(at);
        this.#cascade(at);
      }
    } finally {
      this.#advancing = false;
    }
    return fired;
  }

  /**
   * The wall clock stepped back to `now`: the wheel's time becomes `now`, and every live entry keeps its
   * id, payload and exact `due` and is placed as on a wheel whose time is `now`. So `advance(now)` fires
   * the entries whose tick `ceil(due)` is <= `floor(now)`, and any other entry fires at its own tick, not
   * a step late and not early. Entries that share a tick afterwards keep the order in which they would
   * have fired before; entries added later go behind them. A no-op when `now` is not below the wheel's
   * time. O(entries + buckets), no allocation. Throws `RangeError` when `now` is not finite, and `Error`
   * inside an `onExpire` callback.
   */
  rewind(now: number): void {
    if (!Number.isFinite(now)) {
      throw new RangeError(`TimerWheel.rewind: now must be a finite number, got ${now}`);
    }
    if (this.#advancing) {
      throw new Error('TimerWheel.rewind cannot run inside advance (called from an onExpire callback)');
    }
    if (!(now < this.#time)) return;
    const sameTick = Math.floor(now) === Math.floor(this.#time);
    this.#time = now;
    // Same tick T: every entry already sits where it belongs.
    if (sameTick) return;
    let id = this.#end === 0 ? NONE : this.#detachAll();
    // Re-origin as the constructor does: `now` may lie before the old origin, and ticks must stay >= 0.
    const origin = Math.floor(now);
    this.#origin = origin;
    this.#setTick(0);
    const next = this.#next;
    while (id !== NONE) {
      const following = next[id]!;
      this.#place(id, Math.ceil(this.#due[id]!) - origin);
      id = following;
    }
  }

  /** Drops every entry (no callbacks) and keeps the time and the capacity. O(capacity). */
  clear(): void {
    this.#bits.fill(0);
    this.#size = 0;
    if (this.#end === 0) return;
    const next = this.#next;
    const prev = this.#prev;
    for (let b = 0; b < SENTINELS; b++) {
      next[b] = b;
      prev[b] = b;
    }
    this.#chainFree(SENTINELS, this.#end);
    this.#free = SENTINELS;
  }

  /** Fires the bucket of the current tick until it stays empty (callbacks may append to it). */
  #fireCurrent(onExpire: (id: TimerId) => void): number {
    const bucket = this.#cursor[0]!;
    let fired = 0;
    for (;;) {
      const id = this.#next[bucket]!;
      if (id === bucket) return fired;
      this.#unlink(id);
      this.#release(id);
      fired++;
      onExpire(id as TimerId);
    }
  }

  /**
   * The first tick at or after level-0 slot `from0` where something happens: a non-empty level-0 bucket (fire)
   * or the first tick of a non-empty coarser bucket (cascade). Infinity when the wheel is empty.
   */
  #nextTick(from0: number): number {
    const bits = this.#bits;
    const base = this.#base;
    let slot = firstSetFrom(bits[0]!, bits[1]!, from0);
    if (slot >= 0) return base[0]! + slot;
    for (let k = 1; k < LEVELS; k++) {
      slot = firstSetFrom(bits[2 * k]!, bits[2 * k + 1]!, this.#cursor[k]! + 1);
      if (slot >= 0) return base[k]! + slot * SPAN[k]!;
    }
    if (this.#next[OVERFLOW] !== OVERFLOW) return base[LEVELS - 1]! + SPAN[LEVELS];
    return Number.POSITIVE_INFINITY;
  }

  /** Sets T and the per-level windows. Called only when T changes, never per entry. */
  #setTick(tick: number): void {
    this.#tick = tick;
    if (this.#end === 0) return; // no slab, no windows yet: #allocate() sets them from T
    for (let k = 0; k < LEVELS; k++) {
      const block = SPAN[k + 1]!;
      const base = tick - (tick % block);
      this.#base[k] = base;
      this.#windowEnd[k] = base + block;
      this.#cursor[k] = Math.floor((tick - base) / SPAN[k]!);
    }
  }

  /** At tick T, empties the coarser buckets that start at T and re-places their entries relative to T. */
  #cascade(tick: number): void {
    if (tick % SPAN[LEVELS] === 0 && this.#next[OVERFLOW] !== OVERFLOW) this.#replaceAll(OVERFLOW);
    for (let k = LEVELS - 1; k >= 1; k--) {
      if (tick % SPAN[k]! !== 0) continue;
      const bucket = k * WIDTH + this.#cursor[k]!;
      if (this.#next[bucket] !== bucket) this.#replaceAll(bucket);
    }
  }

  /** Detaches a bucket's ring and places each entry again, in order (so FIFO within a tick holds). */
  #replaceAll(bucket: number): void {
    const next = this.#next;
    let id = next[bucket]!;
    next[bucket] = bucket;
    this.#prev[bucket] = bucket;
    this.#bits[bucket >>> 5]! &= ~(1 << (bucket & 31));
    const origin = this.#origin;
    while (id !== bucket) {
      const following = next[id]!;
      this.#place(id, Math.ceil(this.#due[id]!) - origin);
      id = following;
    }
  }

  /**
   * Empties every bucket into one chain through `next`, ending in NONE; returns its first entry (or NONE).
   * Each ring keeps its order, and that is all FIFO needs: entries of one tick always share a bucket, and
   * entries of different ticks can only come due together after a rewind if they shared the current bucket.
   */
  #detachAll(): number {
    const into = this.#cursor[0]!;
    for (let bucket = 0; bucket < SENTINELS; bucket++) if (bucket !== into) this.#splice(bucket, into);
    this.#bits.fill(0);
    const next = this.#next;
    const first = next[into]!;
    if (first === into) return NONE;
    next[this.#prev[into]!] = NONE;
    next[into] = into;
    this.#prev[into] = into;
    return first;
  }

  /** Moves the entries of bucket `from`, in order, to the end of bucket `to` (occupancy bits untouched). */
  #splice(from: number, to: number): void {
    const next = this.#next;
    const prev = this.#prev;
    const first = next[from]!;
    if (first === from) return;
    const last = prev[from]!;
    const tail = prev[to]!;
    next[tail] = first;
    prev[first] = tail;
    next[last] = to;
    prev[to] = last;
    next[from] = from;
    prev[from] = from;
  }

  /** Appends entry `id` due at tick `tick` to the bucket that holds that tick relative to T. */
  #place(id: number, tick: number): void {
    const base = this.#base;
    let bucket: number;
    if (tick < this.#windowEnd[0]!) {
      bucket = tick <= this.#tick ? this.#cursor[0]! : tick - base[0]!;
    } else {
      let k = 1;
      while (k < LEVELS && tick >= this.#windowEnd[k]!) k++;
      bucket = k === LEVELS ? OVERFLOW : k * WIDTH + Math.floor((tick - base[k]!) / SPAN[k]!);
    }
    const prev = this.#prev;
    const tail = prev[bucket]!;
    this.#next[tail] = id;
    prev[id] = tail;
    this.#next[id] = bucket;
    prev[bucket] = id;
    this.#bits[bucket >>> 5]! |= 1 << (bucket & 31);
  }

  /** Unlinks a live entry from its ring; clears the occupancy bit when only the sentinel is left. */
  #unlink(id: number): void {
    const next = this.#next;
    const prev = this.#prev;
    const before = prev[id]!;
    const after = next[id]!;
    next[before] = after;
    prev[after] = before;
    if (before === after && before < SENTINELS) this.#bits[before >>> 5]! &= ~(1 << (before & 31));
  }

  /** Returns an unlinked row to the free chain. */
  #release(id: number): void {
    this.#prev[id] = NONE;
    this.#next[id] = this.#free;
    this.#free = id;
    this.#size--;
  }

  #checkLive(id: TimerId, op: string): void {
    if (!this.has(id)) throw new RangeError(`TimerWheel.${op}: ${id} is not a live timer id`);
  }

  /** Chains rows [from, to) as free (ascending), ending in NONE. */
  #chainFree(from: number, to: number): void {
    const next = this.#next;
    for (let i = from; i < to; i++) next[i] = i + 1;
    next[to - 1] = NONE;
    this.#prev.fill(NONE, from, to);
  }

  /** Doubles the slab (called only when no row is free) and returns the first new free row. */
  #grow(): number {
    const oldEnd = this.#end;
    if (oldEnd === 0) return this.#allocate();
    const end = Math.min(SENTINELS + nextCapacity(oldEnd - SENTINELS), MAX_END);
    if (end <= oldEnd) throw new RangeError('TimerWheel is full');
    const due = new Float64Array(end);
    due.set(this.#due);
    this.#due = due;
    const next = new Uint32Array(end);
    next.set(this.#next);
    this.#next = next;
    const prev = new Uint32Array(end);
    prev.set(this.#prev);
    this.#prev = prev;
    const payload = new Uint32Array(end * this.payloadWidth);
    payload.set(this.#payload);
    this.#payload = payload;
    this.#end = end;
    this.#chainFree(oldEnd, end);
    this.#free = oldEnd;
    return oldEnd;
  }

  /** The first add(): allocates the slab with empty bucket rings; returns the first free row. */
  #allocate(): number {
    const end = SENTINELS + this.#initialCapacity;
    this.#due = new Float64Array(end);
    this.#next = new Uint32Array(end);
    this.#prev = new Uint32Array(end);
    this.#payload = new Uint32Array(end * this.payloadWidth);
    this.#bits = new Uint32Array(2 * LEVELS + 1);
    this.#base = new Float64Array(LEVELS);
    this.#windowEnd = new Float64Array(LEVELS);
    this.#cursor = new Uint8Array(LEVELS);
    this.#end = end;
    this.#setTick(this.#tick);
    this.clear();
    return this.#free;
  }
}
