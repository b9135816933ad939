/**
 * @module scheduler — the broker's one real timer.
 *
 * Each group keeps its deadlines in its own timer wheel, and each topic knows when its oldest message
 * expires. The scheduler arms a single clock timer for the earliest of those and re-arms it only when a
 * new deadline is earlier than the armed one: in steady state (deadlines `now + visibilityTimeout`, each
 * later than the last) it is never touched on the hot path.
 */
import type { Clock, ClockTimer } from './timer/clock.js';

/** Something with timed work: a topic (retention) with its groups (delays, visibility deadlines). */
export interface Timed {
  /** Earliest time it has work, or Infinity. */
  nextDue(): number;
  /** Runs everything due at `now`. */
  tick(now: number): void;
}

/** The broker's timer service, shared by its topics and groups. */
export class Scheduler {
  readonly clock: Clock;
  readonly #members: Iterable<Timed>;
  #armedAt = Number.POSITIVE_INFINITY;
  #timer: ClockTimer | undefined;
  #closed = false;

  constructor(clock: Clock, members: Iterable<Timed>) {
    this.clock = clock;
    this.#members = members;
  }

  /** Makes sure the timer fires no later than `due`. */
  wake(due: number): void {
    if (due >= this.#armedAt || this.#closed) return;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#armedAt = due;
    this.#timer = this.clock.setTimer(this.#fire, due - this.clock.now());
  }

  /** Stops the timer for good. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const member of this.#members) {
      if (member.nextDue() <= now) member.tick(now);
      const due = member.nextDue();
      if (due < earliest) earliest = due;
    }
    if (earliest !== Number.POSITIVE_INFINITY) this.wake(earliest);
  };
}
