/**
 * @module scheduler — the broker's one real timer, and its view of the clock.
 *
 * Each group keeps its deadlines in its own timer wheel, and each topic knows when its oldest message
 * expires. The scheduler arms a single clock timer for the earliest of those and re-arms it only when a
 * new deadline is earlier than the armed one: in steady state (deadlines `now + visibilityTimeout`, each
 * later than the last) it is never touched on the hot path.
 *
 * Time is read through {@link Scheduler.now}, which notices the wall clock stepping back (an NTP step, a
 * VM restored) and rewinds the wheels, so a deadline set after the step fires its full duration later
 * and not once the clock has caught up again. A timed task that throws is reported and the timer is
 * re-armed all the same: one bad task never stops every queue's timeouts.
 */
import type { Clock, ClockTimer } from './timer/clock.js';

/** Something with timed work: a topic (retention) with its groups (delays, visibility deadlines). */
export interface Timed {
  /** Earliest time it has work, or Infinity. */
  nextDue(): number;
  /** Runs everything due at `now`. */
  tick(now: number): void;
  /** The wall clock stepped back to `now`. */
  rewind(now: number): void;
}

/** How long timed work that threw waits before it is tried again, ms. */
const RETRY_MS = 1000;

/** The broker's timer service, shared by its topics and groups. */
export class Scheduler {
  readonly clock: Clock;
  readonly #members: Iterable<Timed>;
  readonly #onError: (error: unknown) => void;
  #armedAt = Number.POSITIVE_INFINITY;
  #timer: ClockTimer | undefined;
  #closed = false;
  #lastNow = Number.NEGATIVE_INFINITY;

  readonly #afterFire: () => void;

  /** `afterFire` runs after timed work ran (the broker writes what it changed). */
  constructor(
    clock: Clock,
    members: Iterable<Timed>,
    onError: (error: unknown) => void,
    afterFire: () => void = () => {},
  ) {
    this.clock = clock;
    this.#members = members;
    this.#onError = onError;
    this.#afterFire = afterFire;
  }

  /** The clock's time; when it went back since the last read, every wheel is rewound first. */
  now(): number {
    const now = this.clock.now();
    if (now < this.#lastNow) {
      for (const member of this.#members) member.rewind(now);
      // The armed timer was set for a time that may now be far away: arm again from the wheels.
      this.#disarm();
      this.#lastNow = now;
      this.#rearm();
      return now;
    }
    this.#lastNow = now;
    return now;
  }

  /** Makes sure the timer fires no later than `due`. */
  wake(due: number): void {
    if (due >= this.#armedAt || this.#closed) return;
    this.#disarm();
    this.#armedAt = due;
    this.#timer = this.clock.setTimer(this.#fire, due - this.clock.now());
  }

  /** Runs whatever is due now, at once (a broker opening catches up on what fell due while it was down). */
  runDue(): void {
    this.#disarm();
    this.#fire();
  }

  /** Stops the timer for good. */
  close(): void {
    this.#closed = true;
    this.#disarm();
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #rearm(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const member of this.#members) {
      const due = member.nextDue();
      if (due < earliest) earliest = due;
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.wake(earliest);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    if (this.#closed) return;
    const now = this.now();
    let failed = false;
    for (const member of this.#members) {
      try {
        if (member.nextDue() <= now) member.tick(now);
      } catch (error) {
        failed = true;
        this.#onError(error);
      }
    }
    this.#rearm();
    // Work that threw is still due: try it again in a second rather than in a tight loop.
    if (failed && this.#armedAt <= now) {
      this.#disarm();
      this.wake(now + RETRY_MS);
    }
    this.#afterFire();
  };
}
