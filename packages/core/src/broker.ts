/**
 * @module broker — the broker: owns the topics and queues, the clock, the one real timer and storage.
 */
import { EventEmitter } from 'eventemitter3';
import { BodyArena } from './arena.js';
import type { BrokerEnv } from './env.js';
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import type { Group } from './group.js';
import type { MessageStore, Slot } from './message-store.js';
import { resolveGroupOptions, resolveTopicOptions, sameOptions, splitQueueOptions } from './options.js';
import { QUEUE_GROUP, Queue } from './queue.js';
import { replayInto } from './recovery/replay.js';
import { captureState, type StateCapture, snapshotRecords } from './recovery/snapshot.js';
import { Scheduler } from './scheduler.js';
import {
  type DurableStorage,
  isDurable,
  type StorageAdapter,
  type StorageStatus,
} from './storage/adapter.js';
import { memoryStorage } from './storage/memory.js';
import { type BodyStore, type Journal, Need, Rec } from './storage/records.js';
import { type Clock, systemClock } from './timer/clock.js';
import { checkName, Topic } from './topic.js';
import type { Message, QueueOptions, TopicOptions } from './types.js';

/** How long background compaction waits after one failed, ms of real time (it is housekeeping, not a deadline). */
const COMPACTION_PAUSE_MS = 30_000;

/** Options of {@link createBroker}. */
export interface BrokerOptions {
  /** Where state is kept. Default `memoryStorage()`. */
  storage?: StorageAdapter;
  /** Source of time for every timeout, delay and expiry. Default `systemClock`; tests pass `manualClock()`. */
  clock?: Clock;
}

/** Where an event happened. */
export interface EventSource {
  readonly topic: string;
  readonly group: string;
}

/** Events of the broker, from every group (only computed when someone listens). */
export interface BrokerEvents {
  /** A message left a group as a dead letter. */
  deadLetter: (message: Message, source: EventSource) => void;
  /** A message expired in a group (retention). */
  expired: (message: Message, source: EventSource) => void;
  /**
   * Something went wrong that no call could be told about: a listener threw, a dead letter could not be
   * moved, a background compaction failed. The broker's state is intact; this is for the operator's log.
   */
  error: (error: Error) => void;
}

/**
 * The broker. Create one with {@link createBroker}.
 * @example
 * const broker = await createBroker();
 * const orders = broker.createTopic('orders');
 * const billing = orders.createGroup('billing');
 * await orders.send({ body: '{"id":1}' });
 * const [d] = await billing.receive();
 */
export class Broker extends EventEmitter<BrokerEvents> implements BrokerEnv {
  /** The broker's clock. */
  readonly clock: Clock;
  /** The broker's storage. */
  readonly storage: StorageAdapter;
  /** @internal */
  readonly scheduler: Scheduler;
  /** @internal Set once durable storage is replayed. */
  journal: Journal | undefined;
  readonly #topics = new Map<string, Topic>();
  readonly #queues = new Map<string, Queue>();
  #closed = false;
  #closing: Promise<void> | undefined;
  #nextJournalId = 1;
  #compaction: { readonly done: Promise<void>; readonly abort: AbortController } | undefined;
  /** Real time before which no background compaction starts (one just failed). */
  #compactionPause = 0;

  /** @internal Use {@link createBroker}. */
  constructor(options: BrokerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.storage = options.storage ?? memoryStorage();
    // The scheduler iterates the live topics each time it fires.
    this.scheduler = new Scheduler(
      this.clock,
      { [Symbol.iterator]: () => this.#topics.values() },
      (error) => this.#report(error),
      // What timers changed (timeouts, expiries, delays that fell due) is written now, not with the next call.
      () => {
        if (this.journal !== undefined) this.storage.flush().catch(() => {});
      },
    );
  }

  // ---------------------------------------------------------------- queues

  /**
   * Creates a queue (a topic with one implicit group). The same name and options answer the existing
   * queue; other options (or a topic of that name) throw `QueueAlreadyExist`.
   */
  createQueue(name: string, options?: QueueOptions): Queue {
    this.#checkOpen();
    checkName('queue', name);
    const [topicOptions, groupOptions] = splitQueueOptions(options);
    const topicResolved = resolveTopicOptions(topicOptions, undefined, true);
    const groupResolved = resolveGroupOptions(groupOptions);
    this.checkDeadLetterQueue(groupResolved.deadLetterQueue, name);
    const existing = this.#topics.get(name);
    if (existing !== undefined) {
      const queue = this.#queues.get(name);
      if (
        queue !== undefined &&
        sameOptions(topicResolved, existing.options) &&
        sameOptions(groupResolved, queue.group.options)
      ) {
        return queue;
      }
      throw new SluiceError(ErrorCode.QueueAlreadyExist, `queue ${name} already exists with other options`, {
        queue: name,
      });
    }
    this.#checkWritable();
    return this.#newQueue(name, topicOptions, groupOptions);
  }

  #newQueue(
    name: string,
    topicOptions: TopicOptions | undefined,
    groupOptions: QueueOptions | undefined,
  ): Queue {
    const topic = new Topic(name, 'queue', topicOptions, this);
    this.#topics.set(name, topic);
    const queue = new Queue(topic, topic.createGroup(QUEUE_GROUP, groupOptions));
    this.#queues.set(name, queue);
    return queue;
  }

  /** The queue named `name`; throws `QueueNotExist`. */
  queue(name: string): Queue {
    const queue = this.#queues.get(name);
    if (queue === undefined) {
      throw new SluiceError(ErrorCode.QueueNotExist, `queue ${String(name)} does not exist`, { queue: name });
    }
    return queue;
  }

  /** True when the queue exists. */
  hasQueue(name: string): boolean {
    return this.#queues.has(name);
  }

  /** Queue names, sorted. */
  listQueues(): string[] {
    return [...this.#queues.keys()].sort();
  }

  /** Deletes a queue and its messages; parked receivers are rejected with `QueueNotExist`. */
  deleteQueue(name: string): void {
    this.queue(name);
    this.#checkWritable();
    this.#queues.delete(name);
    this.#remove(
      name,
      new SluiceError(ErrorCode.QueueNotExist, `queue ${name} was deleted`, { queue: name }),
    );
  }

  // ---------------------------------------------------------------- topics

  /**
   * Creates a topic. The same name and options answer the existing topic; other options (or a queue
   * of that name) throw `TopicAlreadyExist`.
   */
  createTopic(name: string, options?: TopicOptions): Topic {
    this.#checkOpen();
    checkName('topic', name);
    const resolved = resolveTopicOptions(options);
    const existing = this.#topics.get(name);
    if (existing !== undefined) {
      if (existing.kind === 'topic' && sameOptions(existing.options, resolved)) return existing;
      throw new SluiceError(ErrorCode.TopicAlreadyExist, `topic ${name} already exists with other options`, {
        topic: name,
      });
    }
    this.#checkWritable();
    const topic = new Topic(name, 'topic', options, this);
    this.#topics.set(name, topic);
    return topic;
  }

  /** The topic named `name`; throws `TopicNotExist`. */
  topic(name: string): Topic {
    const topic = this.#topics.get(name);
    if (topic === undefined || topic.kind !== 'topic') {
      throw new SluiceError(ErrorCode.TopicNotExist, `topic ${String(name)} does not exist`, { topic: name });
    }
    return topic;
  }

  /** True when the topic exists. */
  hasTopic(name: string): boolean {
    return this.#topics.get(name)?.kind === 'topic';
  }

  /** Topic names (not queues), sorted. */
  listTopics(): string[] {
    return [...this.#topics.values()]
      .filter((t) => t.kind === 'topic')
      .map((t) => t.name)
      .sort();
  }

  /**
   * Every topic and every queue (as its topic, `kind: 'queue'`), unsorted and uncopied: a live view for scans
   * that run in slices over many objects, such as the server's metrics (sorting 100k names takes ~75 ms). Like
   * any `Map` iterator it may be kept across awaits: objects created meanwhile are seen, deleted ones skipped.
   */
  eachTopic(): IterableIterator<Topic> {
    return this.#topics.values();
  }

  /** Deletes a topic, its groups and messages; parked receivers are rejected with `TopicNotExist`. */
  deleteTopic(name: string): void {
    this.topic(name);
    this.#checkWritable();
    this.#remove(
      name,
      new SluiceError(ErrorCode.TopicNotExist, `topic ${name} was deleted`, { topic: name }),
    );
  }

  // ---------------------------------------------------------------- lifecycle

  /** Resolves when everything written so far is durable under the storage's policy. */
  flush(): Promise<void> {
    return this.storage.flush();
  }

  /** Whether the storage takes writes now; see {@link StorageStatus}. */
  status(): StorageStatus {
    return this.storage.status();
  }

  /**
   * Rewrites a durable log as a snapshot of the live state (no-op in memory). Runs in the background
   * on its own when most of the log is dead; call it to force one. Resolves once the snapshot is
   * committed and the files it replaces are deleted.
   */
  compact(): Promise<void> {
    const storage = this.storage;
    if (!isDurable(storage) || this.#closed) return Promise.resolve();
    if (this.#compaction === undefined) {
      const abort = new AbortController();
      const done = this.#compact(storage, abort.signal).finally(() => {
        this.#compaction = undefined;
      });
      this.#compaction = { done, abort };
    }
    return this.#compaction.done;
  }

  async #compact(storage: DurableStorage, signal: AbortSignal): Promise<void> {
    let capture: StateCapture = [];
    const bodies = storage.bulkBodies();
    const { chunks, offsets, release } = await storage.compact(() => {
      capture = captureState(this.#topics.values());
      return snapshotRecords(capture, bodies);
    }, signal);
    // Committed. When closing, the files it replaces are left to the next open, which deletes them.
    if (signal.aborted) return;
    // Point each message still live at its body's new place, then drop the old files.
    let k = 0;
    for (const t of capture) {
      const live = this.#topics.get(t.topic.name) === t.topic;
      for (let i = 0; i < t.count; i++, k++) {
        if (live) t.topic.store.relocate(t.slots[i]!, t.seq[i]!, chunks[k]!, offsets[k]!);
      }
    }
    await release();
  }

  /**
   * Closes the broker: stops taking calls, cancels a compaction in progress (or lets it finish if it has
   * committed), stops the timers, answers parked receivers with `[]`, flushes and closes storage. Later
   * calls throw `BrokerClosed`. The state stays as it was, so what storage holds is what it had.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      const compaction = this.#compaction;
      if (compaction !== undefined) {
        compaction.abort.abort(new SluiceError(ErrorCode.BrokerClosed, 'the broker is closing'));
        await compaction.done.catch(() => {});
      }
      this.scheduler.close();
      for (const topic of this.#topics.values()) topic.close();
      await this.storage.close();
    })();
    return this.#closing;
  }

  // ---------------------------------------------------------------- for topics and groups (BrokerEnv)

  /** @internal */
  settle<T>(value: T): Promise<T> {
    if (this.journal === undefined) return Promise.resolve(value);
    const storage = this.storage;
    if (this.#compaction === undefined && isDurable(storage) && storage.wantsCompaction())
      this.#compactInBackground();
    return storage.flush().then(() => value);
  }

  /** @internal */
  refusal(need: Need): Error | undefined {
    return this.journal?.refusal(need);
  }

  /** @internal */
  nextJournalId(): number {
    return this.#nextJournalId++;
  }

  /** @internal Replay saw `id`: never hand it out again. */
  reserveJournalId(id: number): void {
    if (id >= this.#nextJournalId) this.#nextJournalId = id + 1;
  }

  /** @internal */
  newBodyStore(): BodyStore {
    return isDurable(this.storage) ? this.storage.journal.bodies : new BodyArena();
  }

  /** @internal */
  checkDeadLetterQueue(name: string | undefined, ownQueue: string | undefined): void {
    if (name === undefined) return;
    if (name === ownQueue) throw invalidArgument('deadLetterQueue', 'cannot be the queue itself');
    if (this.#topics.get(name)?.kind === 'topic') {
      throw invalidArgument('deadLetterQueue', `must name a queue, and ${name} is a topic`);
    }
  }

  /** @internal */
  canDeadLetter(name: string, topic: string, group: string): boolean {
    if (this.#topics.get(name)?.kind !== 'topic') return true;
    this.#report(
      new SluiceError(
        ErrorCode.InvalidArgument,
        `dead letters of ${topic}${group === QUEUE_GROUP ? '' : `/${group}`} stay where they are: their dead-letter queue ${name} is now a topic`,
        { topic, group, deadLetterQueue: name },
      ),
    );
    return false;
  }

  /** @internal Appends a dead letter to its queue, creating the queue if needed. */
  deadLetter(queueName: string, store: MessageStore, slot: Slot): void {
    try {
      const queue = this.#queues.get(queueName) ?? this.#newQueue(queueName, undefined, undefined);
      queue.topic.appendCopy(store, slot);
    } catch (error) {
      this.#report(error);
    }
  }

  /** @internal */
  notify(group: Group, event: 'deadLetter' | 'expired', message: Message): void {
    this.guard(() => group.emit(event, message));
    this.guard(() => this.emit(event, message, { topic: group.topic.name, group: group.name }));
  }

  /** @internal */
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#report(error);
      return undefined;
    }
  }

  /** @internal Replays a durable storage's records, then starts writing to it. */
  async restore(): Promise<void> {
    const storage = this.storage;
    if (!isDurable(storage)) return;
    await storage.replay(replayInto(this, this.#topics, this.#queues));
    for (const [name, topic] of this.#topics) {
      topic.endReplay();
      // A queue whose creation a crash cut short (its topic recorded, its group not): that createQueue was
      // never answered, and nothing can have been sent to it. It was never made.
      if (topic.kind === 'queue' && !this.#queues.has(name)) this.#topics.delete(name);
    }
    this.journal = storage.journal;
    // What fell due while the broker was down (retention, deadlines) happens before anyone can call.
    this.scheduler.runDue();
    await storage.flush();
    if (storage.wantsCompaction()) this.#compactInBackground();
  }

  /** A compaction nobody waits for; after one fails (a full disk), none is started for a while. */
  #compactInBackground(): void {
    if (Date.now() < this.#compactionPause) return;
    this.compact().catch((error: unknown) => {
      this.#compactionPause = Date.now() + COMPACTION_PAUSE_MS;
      this.#report(error);
    });
  }

  #report(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    try {
      this.emit('error', reported);
    } catch {
      // an error listener that throws has nowhere left to report to
    }
  }

  #remove(name: string, reason: SluiceError): void {
    const topic = this.#topics.get(name)!;
    this.#topics.delete(name);
    this.journal?.record([Rec.TopicDeleted, topic.journalId]);
    topic.destroy(reason);
  }

  #checkOpen(): void {
    if (this.#closed) throw new SluiceError(ErrorCode.BrokerClosed, 'the broker is closed');
  }

  /** Throws when the storage cannot take a change now (before the change is made). */
  #checkWritable(): void {
    const refusal = this.refusal(Need.Record);
    if (refusal !== undefined) throw refusal;
  }
}

/**
 * Creates a broker and opens its storage (replaying it, when durable).
 * @example
 * import { createBroker } from '@sluice/core';
 * const broker = await createBroker();
 * const queue = broker.createQueue('jobs');
 * await queue.send({ body: 'hello' });
 * const [job] = await queue.receive({ wait: 1_000 });
 * await queue.ack(job!.receiptHandle);
 */
export async function createBroker(options?: BrokerOptions): Promise<Broker> {
  const broker = new Broker(options);
  await broker.storage.open();
  try {
    await broker.restore();
  } catch (error) {
    await broker.storage.close().catch(() => {});
    throw error;
  }
  return broker;
}
