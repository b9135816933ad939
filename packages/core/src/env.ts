/** @module env — what a broker shares with its topics and groups. */

import type { MessageStore, Slot } from './message-store.js';
import type { Scheduler } from './scheduler.js';
import type { BodyStore, Journal } from './storage/records.js';
import type { Message } from './types.js';

/** The broker as its topics and groups see it: time, storage, a home for dead letters, and events. */
export interface BrokerEnv {
  /** The one timer service (and clock) of the broker. */
  readonly scheduler: Scheduler;
  /** Set once a durable storage has been replayed: every state change is then written to it. */
  readonly journal: Journal | undefined;
  /**
   * Resolves with `value` once the changes made so far are durable (write-before-reply); at once when
   * storage is memory.
   */
  settle<T>(value: T): Promise<T>;
  /** A new id for a topic or group in the journal's records. */
  nextJournalId(): number;
  /** A body store for a new topic: its own arena in memory, or the durable storage's files. */
  newBodyStore(): BodyStore;
  /** Appends a copy of `slot` to the queue `queueName` (created if missing). */
  deadLetter(queueName: string, store: MessageStore, slot: Slot): void;
  /** Broker-wide listeners of group events. */
  listenerCount(event: 'deadLetter' | 'expired'): number;
  emit(event: 'deadLetter' | 'expired', message: Message, source: { topic: string; group: string }): boolean;
}
