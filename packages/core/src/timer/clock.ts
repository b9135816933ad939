/** @module timer/clock — where the broker reads time and arms its few real timers. */

/** An opaque handle of a timer armed through a {@link Clock}. */
export type ClockTimer = unknown;

/**
 * The broker's source of time. Every timeout, delay and expiry reads it, so tests can run on a
 * {@link manualClock} in virtual time. The broker arms very few timers through it: one for its
 * timer wheels, plus one per parked long poll.
 */
export interface Clock {
  /** Current time, ms since the epoch. */
  now(): number;
  /**
   * Run `fn` once, `ms` from now. The timer keeps the process alive only with `keepAlive` (a parked
   * receiver's wait does: its caller is awaiting it; the broker's housekeeping timer does not).
   */
  setTimer(fn: () => void, ms: number, keepAlive?: boolean): ClockTimer;
  /** Cancel a timer from {@link Clock.setTimer}; cancelling a fired or cancelled one is a no-op. */
  clearTimer(timer: ClockTimer): void;
}

/** Real time: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: Date.now,
  setTimer(fn, ms, keepAlive) {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, 0x7fffffff)));
    if (keepAlive !== true) t.unref();
    return t;
  },
  clearTimer(timer) {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
};

/** A {@link Clock} that only moves when told to. */
export interface ManualClock extends Clock {
  /** Move time forward by `ms`, running every timer that falls due, in due order, synchronously. */
  advance(ms: number): void;
  /**
   * Step the wall clock to `time`, back or forward, as an NTP step would. Armed timers act like Node's,
   * which run on a monotonic clock: each keeps the time it had left (its due moves with the step), so a
   * step back delays nothing and a step forward fires nothing; only {@link ManualClock.advance} lets time
   * pass. Called from a timer during `advance(ms)`, the rest of that advance runs from the new time.
   * Throws `TypeError` unless `time` is a finite number.
   * @example
   * const clock = manualClock(10_000);
   * clock.setTimer(() => console.log('fired at', clock.now()), 1_000);
   * clock.set(4_000); // the wall clock steps back 6 s; nothing fires
   * clock.advance(999); // nothing yet: the timer still has 1 ms to go
   * clock.advance(1); // logs "fired at 5000"
   */
  set(time: number): void;
  /** Timers armed and not yet fired or cleared. */
  readonly pending: number;
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: (() => void) | undefined;
}

/**
 * Virtual time for tests: `advance(ms)` runs everything due synchronously, so tests never sleep.
 * @example
 * const clock = manualClock();
 * const broker = await createBroker({ clock });
 * clock.advance(30_000); // visibility timeouts of 30 s have now fired
 */
export function manualClock(startMs = 1_700_000_000_000): ManualClock {
  let now = startMs;
  let seq = 0;
  // Sum of every set() step, so an advance() that a timer's set() interrupts moves its end by the step too.
  let stepped = 0;
  // Few timers (one per broker plus parked polls): a sorted array is simplest and fast enough.
  const timers: ManualTimer[] = [];
  const clock: ManualClock = {
    now: () => now,
    setTimer(fn, ms) {
      const timer: ManualTimer = { due: now + Math.max(0, ms), seq: seq++, fn };
      let i = timers.length;
      while (i > 0 && timers[i - 1]!.due > timer.due) i--;
      timers.splice(i, 0, timer);
      return timer;
    },
    clearTimer(timer) {
      const t = timer as ManualTimer;
      t.fn = undefined;
      const i = timers.indexOf(t);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new TypeError('advance(ms) needs ms >= 0');
      const end = now + ms;
      const steppedBefore = stepped;
      for (;;) {
        const target = end + (stepped - steppedBefore);
        const first = timers[0];
        if (first === undefined || first.due > target) break;
        timers.shift();
        if (first.due > now) now = first.due;
        const fn = first.fn;
        first.fn = undefined;
        fn?.();
      }
      now = end + (stepped - steppedBefore);
    },
    set(time) {
      if (typeof time !== 'number' || !Number.isFinite(time)) {
        throw new TypeError(`set(time) needs a finite number, got ${String(time)}`);
      }
      const step = time - now;
      // A uniform shift keeps the array sorted.
      for (const timer of timers) timer.due += step;
      stepped += step;
      now = time;
    },
    get pending() {
      return timers.length;
    },
  };
  return clock;
}
