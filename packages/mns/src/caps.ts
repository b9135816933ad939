/**
 * @module caps — how many queues, topics and subscriptions the account may have: the one place MNS counts objects.
 *
 * A handler serves one account (`accountId`: queue and topic names are one namespace whatever key signs), so the
 * per-account caps count the handler's objects. Counts start from what the broker holds when the handler is made
 * (exact after a restart on durable storage) and follow what the operations create and delete. Each check runs in
 * the same synchronous turn as the creation it allows, so concurrent requests cannot overshoot a cap.
 */
import type { Broker, Topic } from '@sluice/core';
import type { ObjectBudget } from '@sluice/http';
import { QUEUE_PREFIX, TOPIC_PREFIX } from './constants.js';
import { MnsFault } from './fault.js';

/** The caps of one handler. */
export interface MnsLimits {
  readonly maxQueues: number;
  readonly maxTopics: number;
  readonly maxSubscriptionsPerTopic: number;
  /** The server-wide budget shared with other dialects, if any. */
  readonly objects: ObjectBudget | undefined;
}

/**
 * The service's answer to one object too many: 400 `QueueNumExceededLimit` (the code the Go and .NET SDKs name for
 * CreateQueue); topics and subscriptions get `TopicNumExceededLimit` / `SubscriptionNumExceededLimit` by analogy.
 */
const exceeded = (kind: 'Queue' | 'Topic' | 'Subscription', why: string) =>
  new MnsFault(400, `${kind}NumExceededLimit`, why);

/** Per-account counts of one MNS handler, with the server-wide budget. */
export class MnsCaps {
  readonly #limits: MnsLimits;
  #queues = 0;
  #topics = 0;

  constructor(broker: Broker, limits: MnsLimits) {
    this.#limits = limits;
    let subscriptions = 0;
    for (const name of broker.listQueues()) if (name.startsWith(QUEUE_PREFIX)) this.#queues++;
    for (const name of broker.listTopics()) {
      if (!name.startsWith(TOPIC_PREFIX)) continue;
      this.#topics++;
      subscriptions += broker.topic(name).listGroups().length;
    }
    limits.objects?.adopt(this.#queues + this.#topics + subscriptions);
  }

  /** Runs `create` (a new queue) if the account and the server have room; else 400 QueueNumExceededLimit. */
  createQueue<T>(create: () => T): T {
    const max = this.#limits.maxQueues;
    if (this.#queues >= max) {
      throw exceeded('Queue', `The number of queues has exceeded the limit of ${max} for this account.`);
    }
    const made = this.#admit('Queue', create);
    this.#queues++;
    return made;
  }

  /** A queue was deleted. */
  queueDeleted(): void {
    this.#queues = Math.max(0, this.#queues - 1);
    this.#limits.objects?.release(1);
  }

  /** Runs `create` (a new topic) if there is room; else 400 TopicNumExceededLimit. */
  createTopic<T>(create: () => T): T {
    const max = this.#limits.maxTopics;
    if (this.#topics >= max) {
      throw exceeded('Topic', `The number of topics has exceeded the limit of ${max} for this account.`);
    }
    const made = this.#admit('Topic', create);
    this.#topics++;
    return made;
  }

  /** A topic was deleted with its `subscriptions`. */
  topicDeleted(subscriptions: number): void {
    this.#topics = Math.max(0, this.#topics - 1);
    this.#limits.objects?.release(1 + subscriptions);
  }

  /** Runs `create` (a new subscription on `topic`) if there is room; else 400 SubscriptionNumExceededLimit. */
  subscribe<T>(topic: Topic, create: () => T): T {
    const max = this.#limits.maxSubscriptionsPerTopic;
    // A topic's groups are its subscriptions: counted where they live, so there is nothing to keep in step.
    if (topic.listGroups().length >= max) {
      throw exceeded(
        'Subscription',
        `The number of subscriptions has exceeded the limit of ${max} for this topic.`,
      );
    }
    return this.#admit('Subscription', create);
  }

  /** A subscription was deleted. */
  unsubscribed(): void {
    this.#limits.objects?.release(1);
  }

  /** Takes a server-wide place for `create`, and gives it back if `create` throws. */
  #admit<T>(kind: 'Queue' | 'Topic' | 'Subscription', create: () => T): T {
    const objects = this.#limits.objects;
    if (objects !== undefined && !objects.take(1)) {
      throw exceeded(kind, `The server holds its limit of ${objects.limit} objects.`);
    }
    try {
      return create();
    } catch (error) {
      objects?.release(1);
      throw error;
    }
  }
}
