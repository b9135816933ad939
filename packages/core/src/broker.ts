/**
 * @module broker — the broker: owns the topics and queues, the clock, the one real timer and storage.
 */
import { EventEmitter } from 'eventemitter3';
import { BodyArena } from './arena.js';
import type { BrokerEnv } from './env.js';
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import type { MessageStore, Slot } from './message-store.js';
import { resolveGroupOptions, resolveTopicOptions, sameOptions, splitQueueOptions } from './options.js';
import { QUEUE_GROUP, Queue } from './queue.js';
import { Scheduler } from './scheduler.js';
import { type DurableStorage, isDurable, type StorageAdapter } from './storage/adapter.js';
import { memoryStorage } from './storage/memory.js';
import { type BodyStore, type Journal, Rec } from './storage/records.js';
import { replayInto } from './storage/replay.js';
import { type SnapshotItem, snapshotOf } from './storage/snapshot.js';
import { type Clock, systemClock } from './timer/clock.js';
import { checkName, Topic } from './topic.js';
import type { Message, QueueOptions, TopicOptions } from './types.js';

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
  #nextJournalId = 1;
  #compacting: Promise<void> | undefined;

  /** @internal Use {@link createBroker}. */
  constructor(options: BrokerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.storage = options.storage ?? memoryStorage();
    // The scheduler iterates the live topics each time it fires.
    this.scheduler = new Scheduler(this.clock, { [Symbol.iterator]: () => this.#topics.values() });
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
    if (groupOptions.deadLetterQueue === name)
      throw invalidArgument('deadLetterQueue', 'cannot be the queue itself');
    const existing = this.#topics.get(name);
    if (existing !== undefined) {
      const queue = this.#queues.get(name);
      if (
        queue !== undefined &&
        sameOptions(resolveTopicOptions(topicOptions), existing.options) &&
        sameOptions(resolveGroupOptions(groupOptions), queue.group.options)
      ) {
        return queue;
      }
      throw new SluiceError(ErrorCode.QueueAlreadyExist, `queue ${name} already exists with other options`, {
        queue: name,
      });
    }
    // Validate both before anything is created (or written).
    resolveGroupOptions(groupOptions);
    const topic = new Topic(name, 'queue', topicOptions, this);
    const queue = new Queue(topic, topic.createGroup(QUEUE_GROUP, groupOptions));
    this.#topics.set(name, topic);
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

  /** Deletes a topic, its groups and messages; parked receivers are rejected with `TopicNotExist`. */
  deleteTopic(name: string): void {
    this.topic(name);
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

  /**
   * Rewrites a durable log as a snapshot of the live state (no-op in memory). Runs in the background
   * on its own when most of the log is dead; call it to force one.
   */
  compact(): Promise<void> {
    const storage = this.storage;
    if (!isDurable(storage) || this.#closed) return Promise.resolve();
    this.#compacting ??= this.#compact(storage).finally(() => {
      this.#compacting = undefined;
    });
    return this.#compacting;
  }

  async #compact(storage: DurableStorage): Promise<void> {
    // Remember which message each snapshot body belongs to, to point the message at its new place.
    const topics: Topic[] = [];
    const slots: number[] = [];
    const seqs: number[] = [];
    const live = this.#topics;
    async function* tracked(): AsyncGenerator<SnapshotItem> {
      for await (const item of snapshotOf(live)) {
        if (item[3] !== undefined) {
          topics.push(item[2]!);
          slots.push(item[3]);
          seqs.push(item[0][2] as number);
        }
        yield item;
      }
    }
    const { chunks, offsets, release } = await storage.compact(tracked);
    for (let i = 0; i < topics.length; i++) {
      const topic = topics[i]!;
      if (live.get(topic.name) === topic) topic.store.relocate(slots[i]!, seqs[i]!, chunks[i]!, offsets[i]!);
    }
    await release();
  }

  /** Stops timers, answers parked receivers with `[]`, and closes storage. Later calls throw `BrokerClosed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.scheduler.close();
    for (const topic of this.#topics.values()) topic.destroy(undefined);
    await this.#compacting?.catch(() => {});
    await this.storage.close();
  }

  // ---------------------------------------------------------------- for topics and groups (BrokerEnv)

  /** @internal */
  settle<T>(value: T): Promise<T> {
    if (this.journal === undefined) return Promise.resolve(value);
    const storage = this.storage;
    if (isDurable(storage) && this.#compacting === undefined && storage.wantsCompaction()) {
      this.compact().catch(() => {});
    }
    return storage.flush().then(() => value);
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

  /** @internal Appends a dead letter to its queue, creating the queue if needed. */
  deadLetter(queueName: string, store: MessageStore, slot: Slot): void {
    const queue = this.#queues.get(queueName) ?? this.createQueue(queueName);
    queue.topic.appendCopy(store, slot);
  }

  /** @internal Replays a durable storage's records, then starts writing to it. */
  async restore(): Promise<void> {
    const storage = this.storage;
    if (!isDurable(storage)) return;
    await storage.replay(replayInto(this, this.#topics, this.#queues));
    for (const topic of this.#topics.values()) topic.endReplay();
    this.journal = storage.journal;
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
