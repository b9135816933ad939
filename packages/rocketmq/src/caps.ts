/**
 * @module caps — how many topics and consumer groups an instance may have: the one place the dialect counts objects.
 *
 * Counts start from what the broker holds when the handler is made (exact after a restart on durable storage) and
 * follow what the registry creates, auto-created objects included. A check and the creation it allows run in one
 * synchronous turn, so concurrent first publishes cannot overshoot a cap. The HTTP API deletes nothing; objects
 * deleted through the core API free their place at the next start.
 */
import type { Broker } from '@sluice/core';
import { RocketMqError, WireCode, type WireError } from './errors.js';
import type { ResolvedRocketMqOptions } from './options.js';

/** Per-instance counts of one RocketMQ handler, with the server-wide budget. */
export class InstanceCaps {
  readonly #options: ResolvedRocketMqOptions;
  /** Topics per instance id; an instance is here while it has topics, so `size` counts the instances in use. */
  readonly #topics = new Map<string, number>();
  /** Consumer group ids per instance id (a GID counts once however many topics it consumes). */
  readonly #groups = new Map<string, Set<string>>();

  constructor(broker: Broker, options: ResolvedRocketMqOptions) {
    this.#options = options;
    let objects = 0;
    for (const name of broker.listTopics()) {
      if (!name.startsWith('rocketmq:')) continue;
      const topic = broker.topic(name);
      const meta = topic.options.metadata;
      if (meta?.['dialect'] !== 'rocketmq') continue;
      const ns = meta['ns'] ?? '';
      this.#topics.set(ns, (this.#topics.get(ns) ?? 0) + 1);
      objects++;
      for (const groupName of topic.listGroups()) {
        const consumer = topic.group(groupName).options.metadata?.['consumer'];
        if (consumer !== undefined) this.#groupsOf(ns).add(consumer);
        objects++;
      }
    }
    options.objects?.adopt(objects);
  }

  #groupsOf(ns: string): Set<string> {
    let groups = this.#groups.get(ns);
    if (groups === undefined) {
      groups = new Set();
      this.#groups.set(ns, groups);
    }
    return groups;
  }

  /** Runs `create` (a new topic of instance `ns`) if there is room; else 404 TopicNotExist saying why. */
  createTopic<T>(ns: string, topic: string, create: () => T): T {
    const max = this.#options.maxTopicsPerInstance;
    const count = this.#topics.get(ns) ?? 0;
    if (count >= max) {
      throw new RocketMqError(
        WireCode.TopicNotExist,
        `The topic ${topic} does not exist, and the instance holds its limit of ${max} topics.`,
      );
    }
    // Instance ids are free: without this, every new id would bring a fresh topic quota.
    const instances = this.#options.maxInstances;
    if (count === 0 && this.#topics.size >= instances) {
      throw new RocketMqError(
        WireCode.TopicNotExist,
        `The topic ${topic} does not exist, and the server holds topics of its limit of ${instances} instances.`,
      );
    }
    const made = this.#admit(create, WireCode.TopicNotExist, `The topic ${topic} does not exist`);
    this.#topics.set(ns, count + 1);
    return made;
  }

  /** Runs `create` (a core group of consumer `consumer` in `ns`) if there is room; else 404 ConsumerNotExist. */
  createGroup<T>(ns: string, consumer: string, create: () => T): T {
    const max = this.#options.maxGroupsPerInstance;
    const groups = this.#groupsOf(ns);
    if (!groups.has(consumer) && groups.size >= max) {
      throw new RocketMqError(
        WireCode.ConsumerNotExist,
        `The consumer ${consumer} does not exist, and the instance holds its limit of ${max} consumer groups.`,
      );
    }
    const made = this.#admit(create, WireCode.ConsumerNotExist, `The consumer ${consumer} does not exist`);
    groups.add(consumer);
    return made;
  }

  /** Takes a server-wide place for `create`, and gives it back if `create` throws. */
  #admit<T>(create: () => T, wire: WireError, notExist: string): T {
    const objects = this.#options.objects;
    if (objects !== undefined && !objects.take(1)) {
      throw new RocketMqError(
        wire,
        `${notExist}, and the server holds its limit of ${objects.limit} objects.`,
      );
    }
    try {
      return create();
    } catch (error) {
      objects?.release(1);
      throw error;
    }
  }
}
