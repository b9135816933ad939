/**
 * Possible worlds. The reference model is deterministic except where the broker is allowed to choose
 * (which of several visible messages a woken long poll takes, which of two timers due at the same
 * instant runs first) or where a crash leaves things open (a call that had not resolved when the image
 * was taken may or may not have reached the disk). The model code asks `choose(n)` at such a point;
 * {@link explore} runs it once per combination of answers, each time on a fresh copy of the world, and
 * keeps the copies that did not throw {@link Invalid}. Observations of the real broker then rule worlds
 * out; the test fails when none is left.
 */

/** Which invariant a mismatch breaks (see model.test.ts). */
export type Invariant =
  | 'I1 acknowledged is durable'
  | 'I2 nothing comes back'
  | 'I3 handles'
  | 'I4 answers'
  | 'I5 stats'
  | 'I6 due work applied on open'
  | 'options'
  | 'crash image';

/** This world does not explain what the broker did. */
export class Invalid extends Error {
  constructor(
    readonly invariant: Invariant,
    message: string,
  ) {
    super(`[${invariant}] ${message}`);
  }
}

export function invalid(invariant: Invariant, message: string): never {
  throw new Invalid(invariant, message);
}

/** Most runs of one exploration; past it the model gives up (a model limit, not a broker bug). */
const MAX_RUNS = 4096;

export interface Explored<W> {
  worlds: W[];
  failures: Invalid[];
}

/**
 * Runs `step` on a copy of `start` once per sequence of answers to `choose`; answers the copies it
 * completed on, and why the others were ruled out.
 */
export function explore<W>(
  start: W,
  copy: (w: W) => W,
  step: (w: W, choose: (n: number) => number) => void,
): Explored<W> {
  const worlds: W[] = [];
  const failures: Invalid[] = [];
  const todo: number[][] = [[]];
  let runs = 0;
  while (todo.length > 0) {
    if (++runs > MAX_RUNS) throw new Error(`model: more than ${MAX_RUNS} branches in one step`);
    const prefix = todo.pop()!;
    const taken: number[] = [];
    const choose = (n: number): number => {
      if (n <= 1) return 0;
      const i = taken.length;
      let c: number;
      if (i < prefix.length) c = prefix[i]!;
      else {
        c = 0;
        for (let k = n - 1; k >= 1; k--) todo.push([...taken, k]);
      }
      taken.push(c);
      return c;
    };
    const w = copy(start);
    try {
      step(w, choose);
      worlds.push(w);
    } catch (error) {
      if (error instanceof Invalid) failures.push(error);
      else throw error;
    }
  }
  return { worlds, failures };
}
