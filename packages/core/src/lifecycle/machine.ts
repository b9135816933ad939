/**
 * @module lifecycle/machine — the lifecycle of one message in one consumer group, written once as an
 * xstate machine. It is the source of truth: `compile.ts` turns it into the typed-array tables the
 * groups step through, and tests check the tables against xstate's own `transition()`.
 *
 * Guards read only event flags (`exhausted`, `hasDeadLetterQueue`), so every branch can be enumerated.
 * Actions are names whose implementations do nothing here: the group performs them (see `Fx`).
 */
import { setup } from 'xstate';

/** An event of the lifecycle, with the flags the guards read. */
export type LifecycleEvent = {
  type: 'DUE' | 'RECEIVE' | 'ACK' | 'NACK' | 'TIMEOUT' | 'CHANGE_VISIBILITY' | 'EXPIRE';
  /** receiveCount >= maxReceiveCount when the delivery ended. */
  exhausted?: boolean;
  /** The group has a dead-letter queue. */
  hasDeadLetterQueue?: boolean;
};

const noop = () => {};

/**
 * The message lifecycle machine.
 * @example
 * import { lifecycleMachine } from '@sluice/core/machine';
 * import { transition } from 'xstate';
 * const [next] = transition(lifecycleMachine, lifecycleMachine.resolveState({ value: 'inflight' }), { type: 'ACK' });
 * next.value; // 'acked'
 */
export const lifecycleMachine = setup({
  types: { events: {} as LifecycleEvent },
  guards: {
    exhausted: ({ event }) => event.exhausted === true,
    exhaustedWithDeadLetterQueue: ({ event }) =>
      event.exhausted === true && event.hasDeadLetterQueue === true,
  },
  actions: {
    armVisibility: noop,
    disarm: noop,
    enqueue: noop,
    requeue: noop,
    dequeue: noop,
    toDeadLetter: noop,
    release: noop,
    persist: noop,
  },
}).createMachine({
  id: 'message',
  initial: 'active',
  states: {
    delayed: {
      on: {
        DUE: { target: 'active', actions: ['enqueue', 'persist'] },
        EXPIRE: { target: 'expired', actions: ['disarm', 'release', 'persist'] },
      },
    },
    active: {
      on: {
        RECEIVE: { target: 'inflight', actions: ['dequeue', 'armVisibility', 'persist'] },
        EXPIRE: { target: 'expired', actions: ['dequeue', 'release', 'persist'] },
      },
    },
    inflight: {
      on: {
        ACK: { target: 'acked', actions: ['disarm', 'release', 'persist'] },
        CHANGE_VISIBILITY: {
          target: 'inflight',
          reenter: true,
          actions: ['disarm', 'armVisibility', 'persist'],
        },
        NACK: [
          {
            guard: 'exhaustedWithDeadLetterQueue',
            target: 'deadLetter',
            actions: ['disarm', 'toDeadLetter', 'release', 'persist'],
          },
          { guard: 'exhausted', target: 'deadLetter', actions: ['disarm', 'release', 'persist'] },
          { target: 'active', actions: ['disarm', 'requeue', 'persist'] },
        ],
        // The deadline has already fired: nothing to disarm.
        TIMEOUT: [
          {
            guard: 'exhaustedWithDeadLetterQueue',
            target: 'deadLetter',
            actions: ['toDeadLetter', 'release', 'persist'],
          },
          { guard: 'exhausted', target: 'deadLetter', actions: ['release', 'persist'] },
          { target: 'active', actions: ['requeue', 'persist'] },
        ],
        EXPIRE: { target: 'expired', actions: ['disarm', 'release', 'persist'] },
      },
    },
    acked: { type: 'final' },
    deadLetter: { type: 'final' },
    expired: { type: 'final' },
  },
});
