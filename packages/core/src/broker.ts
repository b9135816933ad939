/**
 * @module broker — the broker: owns the topics and queues, the clock, the one real timer and storage.
 */
import { EventEmitter } from 'eventemitter3';
import { ErrorCode, invalidArgument, SluiceError } from './errors.js';
import type { BrokerLink } from './group.js';
import type { MessageStore, Slot } from './message-store.js';
import { resolveGroupOptions, resolveTopicOptions, sameOptions, splitQueueOptions } from './options.js';
import { QUEUE_GROUP, Queue } from './queue.js';
import { Scheduler } from './scheduler.js';
import type { StorageAdapter } from './storage/adapter.js';
import { memoryStorage } from './storage/memory.js';
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
export class Broker extends EventEmitter<BrokerEvents> implements BrokerLink {
  /** The broker's clock. */
  readonly clock: Clock;
  /** The broker's storage. */
  readonly storage: StorageAdapter;
  readonly #topics = new Map<string, Topic>();
  readonly #queues = new Map<string, Queue>();
  readonly #scheduler: Scheduler;
  #closed = false;

  /** @internal Use {@link createBroker}. */
  constructor(options: BrokerOptions = {}) {
    super();
    this.clock = options.clock ?? systemClock;
    this.storage = options.storage ?? memoryStorage();
    // The scheduler iterates the live topics each time it fires.
    this.#scheduler = new Scheduler(this.clock, { [Symbol.iterator]: () => this.#topics.values() });
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
    const topic = new Topic(name, 'queue', topicOptions, this.#scheduler, this);
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
    const topic = this.#topics.get(name)!;
    this.#topics.delete(name);
    topic.destroy(new SluiceError(ErrorCode.QueueNotExist, `queue ${name} was deleted`, { queue: name }));
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
    const topic = new Topic(name, 'topic', options, this.#scheduler, this);
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
    const topic = this.topic(name);
    this.#topics.delete(name);
    topic.destroy(new SluiceError(ErrorCode.TopicNotExist, `topic ${name} was deleted`, { topic: name }));
  }

  // ---------------------------------------------------------------- lifecycle

  /** Resolves when everything written so far is durable under the storage's policy. */
  flush(): Promise<void> {
    return this.storage.flush();
  }

  /** Stops timers, answers parked receivers with `[]`, and closes storage. Later calls throw `BrokerClosed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.close();
    for (const topic of this.#topics.values()) topic.destroy(undefined);
    await this.storage.close();
  }

  /** @internal Appends a dead letter to its queue, creating the queue if needed. */
  deadLetter(queueName: string, store: MessageStore, slot: Slot): void {
    const queue = this.#queues.get(queueName) ?? this.createQueue(queueName);
    queue.topic.appendCopy(store, slot);
  }

  #checkOpen(): void {
    if (this.#closed) throw new SluiceError(ErrorCode.BrokerClosed, 'the broker is closed');
  }
}

/**
 * Creates a broker and opens its storage.
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
  return broker;
}
