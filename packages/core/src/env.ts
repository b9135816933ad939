/** @module env — what a broker shares with its topics and groups. */

import type { Group } from './group.js';
import type { MessageStore, Slot } from './message-store.js';
import type { Scheduler } from './scheduler.js';
import type { BodyStore, Journal, Need } from './storage/records.js';
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
  /** Why a change that needs `need` cannot be taken now (the disk is full or failing), or undefined. */
  refusal(need: Need): Error | undefined;
  /** A new id for a topic or group in the journal's records. */
  nextJournalId(): number;
  /** A body store for a new topic: its own arena in memory, or the durable storage's files. */
  newBodyStore(): BodyStore;
  /**
   * Throws `InvalidArgument` unless `name` can be a dead-letter queue (unset is fine): not the name of a
   * topic, and not `ownQueue` (the queue whose group it is for).
   */
  checkDeadLetterQueue(name: string | undefined, ownQueue: string | undefined): void;
  /**
   * True when dead letters of `topic`/`group` can be moved to queue `name` now. When not (a topic took the
   * name since), the broker reports an `error` event and the message stays where it is.
   */
  canDeadLetter(name: string, topic: string, group: string): boolean;
  /** Appends a copy of `slot` to the queue `queueName` (created if missing). Never throws. */
  deadLetter(queueName: string, store: MessageStore, slot: Slot): void;
  /** Broker-wide listeners of group events. */
  listenerCount(event: 'deadLetter' | 'expired'): number;
  /** Calls the listeners of `event` on `group` and on the broker; a throwing listener is reported, not thrown. */
  notify(group: Group, event: 'deadLetter' | 'expired', message: Message): void;
  /** Runs `fn`; what it throws is reported as an `error` event and `undefined` answered. */
  guard<T>(fn: () => T): T | undefined;
}
