/**
 * @module slices — runs long synchronous work in time slices, giving the event loop back between them.
 *
 * WHY: one scrape of `/metrics` touches every queue, topic and group; at 100k objects that is a few hundred ms of
 * CPU, which run in one go starved every request (issue 13). Work is written as a generator that yields after each
 * small unit; {@link runInSlices} steps it until the slice's budget is spent, then waits one `setImmediate`, so
 * pending I/O (requests, timers) runs before the next slice.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';

/** The default longest slice, ms: well under the ~50 ms an event loop may block, leaving room for GC pauses. */
export const DEFAULT_SLICE_MS = 10;

/** Units stepped between two looks at the clock (`performance.now()` costs more than a cheap unit). */
const UNITS_PER_CLOCK_READ = 64;

/**
 * Steps `work` to its end in slices of about `sliceMs` of CPU each, yielding to the event loop between slices.
 * The iterator may be kept across awaits (a live `Map` iterator is fine: see `Broker.eachTopic`).
 */
export async function runInSlices(
  work: Iterator<unknown>,
  sliceMs: number = DEFAULT_SLICE_MS,
): Promise<void> {
  for (;;) {
    const end = performance.now() + sliceMs;
    for (let n = 1; ; n++) {
      if (work.next().done === true) return;
      if (n % UNITS_PER_CLOCK_READ === 0 && performance.now() >= end) break;
    }
    await nextMacrotask();
  }
}
