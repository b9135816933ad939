import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import {
  EVENT_COUNT,
  FLAG_COMBINATIONS,
  Flag,
  Fx,
  type FxName,
  MsgEvent,
  MsgState,
  REJECTED,
  rowOf,
  STATE_COUNT,
  STATE_NAMES,
} from '../src/lifecycle/codes.js';
import { eventFor, transitionTable } from '../src/lifecycle/compile.js';
import { lifecycleMachine } from '../src/lifecycle/machine.js';

describe('compiled lifecycle table', () => {
  const { next, fx } = transitionTable();

  it('equals xstate transition() and can() for every (state, event, flags)', () => {
    let handled = 0;
    for (let s = 0; s < STATE_COUNT; s++) {
      const snapshot = lifecycleMachine.resolveState({ value: STATE_NAMES[s]! });
      for (let e = 0; e < EVENT_COUNT; e++) {
        for (let f = 0; f < FLAG_COMBINATIONS; f++) {
          const row = rowOf(s, e, f);
          const event = eventFor(e, f);
          if (!snapshot.can(event)) {
            expect(next[row], `${STATE_NAMES[s]} + ${event.type} must be rejected`).toBe(REJECTED);
            expect(fx[row]).toBe(0);
            continue;
          }
          handled++;
          const [after, actions] = transition(lifecycleMachine, snapshot, event);
          expect(STATE_NAMES[next[row]!]).toBe(after.value);
          const names = Object.keys(Fx).filter((name) => fx[row]! & Fx[name as FxName]);
          expect(names.sort()).toEqual(actions.map((a) => a.type).sort());
        }
      }
    }
    // 2 delayed + 2 active + 5 inflight events, each over 4 flag combinations.
    expect(handled).toBe((2 + 2 + 5) * FLAG_COMBINATIONS);
  });

  it('sends an exhausted delivery to the dead letters, copying it only when a dead-letter queue is set', () => {
    const both = Flag.Exhausted | Flag.HasDeadLetterQueue;
    expect(next[rowOf(MsgState.Inflight, MsgEvent.Timeout, both)]).toBe(MsgState.DeadLetter);
    expect(fx[rowOf(MsgState.Inflight, MsgEvent.Timeout, both)]! & Fx.toDeadLetter).toBe(Fx.toDeadLetter);
    expect(next[rowOf(MsgState.Inflight, MsgEvent.Nack, Flag.Exhausted)]).toBe(MsgState.DeadLetter);
    expect(fx[rowOf(MsgState.Inflight, MsgEvent.Nack, Flag.Exhausted)]! & Fx.toDeadLetter).toBe(0);
    expect(next[rowOf(MsgState.Inflight, MsgEvent.Timeout, Flag.HasDeadLetterQueue)]).toBe(MsgState.Active);
  });

  it('rejects every event in the final states', () => {
    for (const s of [MsgState.Acked, MsgState.DeadLetter, MsgState.Expired]) {
      for (let e = 0; e < EVENT_COUNT; e++) expect(next[rowOf(s, e, 0)]).toBe(REJECTED);
    }
  });
});
