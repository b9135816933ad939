/**
 * @module lifecycle/compile — turns the xstate lifecycle machine into two dense tables, once per process.
 *
 * xstate's `transition()` costs about 10 µs and an actor per call; a `Uint8Array` lookup costs a few ns.
 * So the machine stays the source of truth and the hot path reads `next[row]` and `fx[row]`, where
 * `row = (state * EVENT_COUNT + event) * FLAG_COMBINATIONS + flags` (see `rowOf`).
 */
import { transition } from 'xstate';
import {
  EVENT_COUNT,
  EVENT_NAMES,
  FLAG_COMBINATIONS,
  Flag,
  Fx,
  type FxName,
  REJECTED,
  rowOf,
  STATE_COUNT,
  STATE_NAMES,
} from './codes.js';
import { type LifecycleEvent, lifecycleMachine } from './machine.js';

/** The compiled lifecycle: next state and effect bits per row; `next[row] === REJECTED` when the event is not handled. */
export interface TransitionTable {
  readonly next: Uint8Array;
  readonly fx: Uint8Array;
}

/** The xstate event for an (event code, flag bits) pair. */
export function eventFor(event: number, flags: number): LifecycleEvent {
  return {
    type: EVENT_NAMES[event]!,
    exhausted: (flags & Flag.Exhausted) !== 0,
    hasDeadLetterQueue: (flags & Flag.HasDeadLetterQueue) !== 0,
  };
}

function compile(): TransitionTable {
  const rows = STATE_COUNT * EVENT_COUNT * FLAG_COMBINATIONS;
  const next = new Uint8Array(rows).fill(REJECTED);
  const fx = new Uint8Array(rows);
  const stateCode = new Map<string, number>(STATE_NAMES.map((name, i) => [name, i]));
  for (let s = 0; s < STATE_COUNT; s++) {
    const snapshot = lifecycleMachine.resolveState({ value: STATE_NAMES[s]! });
    for (let e = 0; e < EVENT_COUNT; e++) {
      for (let f = 0; f < FLAG_COMBINATIONS; f++) {
        const event = eventFor(e, f);
        if (!snapshot.can(event)) continue;
        const [after, actions] = transition(lifecycleMachine, snapshot, event);
        const row = rowOf(s, e, f);
        next[row] = stateCode.get(after.value as string)!;
        let bits = 0;
        for (const action of actions) bits |= Fx[action.type as FxName] ?? 0;
        fx[row] = bits;
      }
    }
  }
  return { next, fx };
}

let table: TransitionTable | undefined;

/** The compiled tables, built on first use and shared by every group of the process. */
export function transitionTable(): TransitionTable {
  table ??= compile();
  return table;
}
