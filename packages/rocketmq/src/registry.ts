/**
 * @module registry — finds (and, with `autoCreate`, creates) the core objects behind a RocketMQ request:
 * the topic of `(ns, topic)`, the core group of `(topic, consumer, ordered)`, the topic's half-message queue.
 * Nothing is cached: the broker's lookups are map reads, and objects deleted through the core API stay deleted.
 */
import type { Broker, Group, Queue, Topic } from '@sluice/core';
import { InstanceCaps } from './caps.js';
import { RocketMqError, WireCode } from './errors.js';
import { coreGroupName, coreTopicName, deadLetterQueueName, halfQueueName } from './names.js';
import type { ResolvedRocketMqOptions } from './options.js';
import { groupSettings, topicRetention } from './settings.js';

/** The core objects of one dialect instance. */
export class Registry {
  readonly #broker: Broker;
  readonly #options: ResolvedRocketMqOptions;
  readonly #caps: InstanceCaps;

  constructor(broker: Broker, options: ResolvedRocketMqOptions) {
    this.#broker = broker;
    this.#options = options;
    this.#caps = new InstanceCaps(broker, options);
  }

  /**
   * The topic `(ns, topic)`. Missing: created when `autoCreate` is on and `create` is true; otherwise
   * `TopicNotExist` (when `create`) or `undefined` (a read that cannot succeed anyway, such as an ack).
   */
  topic(ns: string, topic: string, create: true): Topic;
  topic(ns: string, topic: string, create: boolean): Topic | undefined;
  topic(ns: string, topic: string, create: boolean): Topic | undefined {
    const name = coreTopicName(ns, topic);
    if (this.#broker.hasTopic(name)) return this.#broker.topic(name);
    if (!create) return undefined;
    if (!this.#options.autoCreate) {
      throw new RocketMqError(WireCode.TopicNotExist, `The topic ${topic} does not exist.`);
    }
    return this.declareTopic(ns, topic);
  }

  /**
   * Creates the topic `(ns, topic)` with the dialect's options (or returns it). Past the instance's topic cap or the
   * server's object budget: 404 TopicNotExist, what the service answers for a topic that was never created.
   */
  declareTopic(ns: string, topic: string): Topic {
    const name = coreTopicName(ns, topic);
    if (this.#broker.hasTopic(name)) return this.#broker.topic(name);
    return this.#caps.createTopic(ns, topic, () =>
      this.#broker.createTopic(name, {
        retention: topicRetention(this.#options, ns, topic),
        maxMessageSize: this.#options.maxMessageSize,
        metadata: { dialect: 'rocketmq', ns, topic },
      }),
    );
  }

  /** The core group of a consumer on `topic`; same creation rules as {@link Registry.topic}. */
  group(topic: Topic, ns: string, consumer: string, ordered: boolean, create: true): Group;
  group(topic: Topic, ns: string, consumer: string, ordered: boolean, create: boolean): Group | undefined;
  group(topic: Topic, ns: string, consumer: string, ordered: boolean, create: boolean): Group | undefined {
    const name = coreGroupName(consumer, ordered);
    if (topic.hasGroup(name)) return topic.group(name);
    if (!create) return undefined;
    if (!this.#options.autoCreate) {
      throw new RocketMqError(WireCode.ConsumerNotExist, `The consumer ${consumer} does not exist.`);
    }
    return this.declareGroup(topic, ns, consumer, ordered);
  }

  /**
   * Creates a consumer's core group with the dialect's options (or returns it). Past the instance's group cap or the
   * server's object budget: 404 ConsumerNotExist, what the service answers for a group that was never created.
   */
  declareGroup(topic: Topic, ns: string, consumer: string, ordered: boolean): Group {
    const name = coreGroupName(consumer, ordered);
    if (topic.hasGroup(name)) return topic.group(name);
    // The RocketMQ topic name is kept in the core topic's metadata; older data only has it in the core name.
    const topicName = topic.options.metadata['topic'] ?? topic.name.slice(`rocketmq:${ns}:`.length);
    return this.#caps.createGroup(ns, consumer, () =>
      topic.createGroup(name, {
        ...groupSettings(this.#options, ns, topicName, consumer, ordered),
        deadLetterQueue: deadLetterQueueName(ns, consumer),
        ordered,
        startAt: this.#options.groupStart,
        metadata: { dialect: 'rocketmq', consumer },
      }),
    );
  }

  /**
   * The half-message queue of `(ns, topic)`: internal, so always created on demand when `create` (the topic
   * itself has been checked by then). Its deliveries are check-backs; after `transactionCheckLimit` of them an
   * unresolved message dead-letters with no dead-letter queue, i.e. it is discarded.
   */
  halfQueue(ns: string, topic: string, create: boolean): Queue | undefined {
    const name = halfQueueName(ns, topic);
    if (this.#broker.hasQueue(name)) return this.#broker.queue(name);
    if (!create) return undefined;
    return this.#broker.createQueue(name, {
      retention: this.retention(ns, topic),
      maxMessageSize: this.#options.maxTimedMessageSize,
      visibilityTimeout: 60_000,
      maxReceiveCount: this.#options.transactionCheckLimit,
    });
  }

  /** How long messages of `(ns, topic)` are kept, ms: the topic's retention, or what it would be created with. */
  retention(ns: string, topic: string): number {
    const name = coreTopicName(ns, topic);
    if (this.#broker.hasTopic(name)) return this.#broker.topic(name).options.retention;
    return topicRetention(this.#options, ns, topic);
  }

  /** The broker's clock, ms. */
  now(): number {
    return this.#broker.clock.now();
  }
}
