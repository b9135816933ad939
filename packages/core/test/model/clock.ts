/**
 * The test clock of the model test: virtual time with a wall clock that can be stepped.
 *
 * `advance(ms)` moves time forward and runs every timer that falls due, in due order (ties in the
 * order they were armed), synchronously, like `manualClock`. `set(time)` steps the wall clock (what
 * `now()` answers) without moving the monotonic time timers are measured in: a pending timer keeps its
 * remaining duration, as a real `setTimeout` does when the system clock is stepped by NTP or by hand.
 */
import type { Clock, ClockTimer } from '../../src/index.js';

interface TestTimer {
  /** Monotonic due time. */
  due: number;
  seq: number;
  fn: (() => void) | undefined;
}

export class TestClock implements Clock {
  #mono = 0;
  /** wall = mono + offset */
  #offset: number;
  #seq = 0;
  readonly #timers: TestTimer[] = [];

  constructor(startMs: number) {
    this.#offset = startMs;
  }

  now(): number {
    return this.#mono + this.#offset;
  }

  /** Monotonic time: only `advance` moves it. */
  get mono(): number {
    return this.#mono;
  }

  setTimer(fn: () => void, ms: number): ClockTimer {
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    const timer: TestTimer = { due: this.#mono + delay, seq: this.#seq++, fn };
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.due > timer.due) i--;
    this.#timers.splice(i, 0, timer);
    return timer;
  }

  clearTimer(timer: ClockTimer): void {
    const t = timer as TestTimer;
    t.fn = undefined;
    const i = this.#timers.indexOf(t);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /** Moves time forward by `ms`, running each timer that falls due at its due time, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new TypeError('advance(ms) needs ms >= 0');
    const target = this.#mono + ms;
    for (;;) {
      const first = this.#timers[0];
      if (first === undefined || first.due > target) break;
      this.#timers.shift();
      if (first.due > this.#mono) this.#mono = first.due;
      const fn = first.fn;
      first.fn = undefined;
      fn?.();
    }
    this.#mono = target;
  }

  /** Steps the wall clock to `time`; pending timers keep their remaining (monotonic) durations. */
  set(time: number): void {
    this.#offset = time - this.#mono;
  }

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.length;
  }
}
