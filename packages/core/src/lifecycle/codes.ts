/** @module lifecycle/codes — numeric codes of message states, events, guard flags and effects. */

/** The state of one message within one consumer group. Values index the compiled transition table. */
export const MsgState = {
  Delayed: 0,
  Active: 1,
  Inflight: 2,
  Acked: 3,
  DeadLetter: 4,
  Expired: 5,
} as const;
export type MsgState = (typeof MsgState)[keyof typeof MsgState];
/** Number of states (rows of the table). */
export const STATE_COUNT = 6;
/** Group slot column value for "this group holds no such message". Never a table row. */
export const ABSENT = 255;

/** State names as the xstate machine spells them, by code. */
export const STATE_NAMES = ['delayed', 'active', 'inflight', 'acked', 'deadLetter', 'expired'] as const;

/** Events that move a message. */
export const MsgEvent = {
  Due: 0,
  Receive: 1,
  Ack: 2,
  Nack: 3,
  Timeout: 4,
  ChangeVisibility: 5,
  Expire: 6,
} as const;
export type MsgEvent = (typeof MsgEvent)[keyof typeof MsgEvent];
export const EVENT_COUNT = 7;
/** Event types as the xstate machine spells them, by code. */
export const EVENT_NAMES = [
  'DUE',
  'RECEIVE',
  'ACK',
  'NACK',
  'TIMEOUT',
  'CHANGE_VISIBILITY',
  'EXPIRE',
] as const;

/** Event flags the machine's guards read (bits). */
export const Flag = {
  /** The message has used up its deliveries: receiveCount >= maxReceiveCount. */
  Exhausted: 1,
  /** The group has a dead-letter queue to copy dead letters to. */
  HasDeadLetterQueue: 2,
} as const;
export const FLAG_COMBINATIONS = 4;

/** Effects a transition asks the group to perform (bits), named after the machine's actions. */
export const Fx = {
  /** Start (or restart) the visibility deadline and mint a new receipt handle. */
  armVisibility: 1,
  /** Cancel the pending deadline (visibility or delay). */
  disarm: 2,
  /** Put the message at the back of the ready list (it became visible). */
  enqueue: 4,
  /** Put the message back at the front of the ready list (its delivery ended without an ack). */
  requeue: 8,
  /** Take the message out of the ready list. */
  dequeue: 16,
  /** Append a copy to the group's dead-letter queue. */
  toDeadLetter: 32,
  /** The group is done with the message: free its slot. */
  release: 64,
  /** Write the change to storage. */
  persist: 128,
} as const;
export type FxName = keyof typeof Fx;

/** Marks a rejected (state, event) pair in the `next` table. */
export const REJECTED = 255;

/** Index of a (state, event, flags) row in the compiled tables. */
export function rowOf(state: number, event: number, flags: number): number {
  return (state * EVENT_COUNT + event) * FLAG_COMBINATIONS + flags;
}
