/**
 * @module names — RocketMQ naming rules, and the core names the dialect keeps its objects under.
 *
 * Every core object of this dialect starts with `rocketmq:` and carries the instance (`ns`), so a RocketMQ topic
 * never collides with an MNS queue or a DMS queue of the same name, nor with the same topic in another instance.
 * RocketMQ names never contain `:` or `%`, which makes the mapping one-to-one.
 */
import { invalidArgument } from './errors.js';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
// Instance ids look like `MQ_INST_1234567890_BXxxxx`; a dot is allowed too, for hosts used as namespaces.
const NAMESPACE = /^[A-Za-z0-9_.-]{0,64}$/;

/** Checks a topic or group name (letters, digits, `_`, `-`; at most 64 characters). */
export function checkName(kind: 'topic' | 'consumer', name: string): string {
  if (!NAME.test(name)) {
    throw invalidArgument(`${kind} "${name.slice(0, 80)}" must be 1 to 64 letters, digits, "_" or "-".`);
  }
  return name;
}

/** Checks an instance id; empty means the default instance. */
export function checkNamespace(ns: string): string {
  if (!NAMESPACE.test(ns)) {
    throw invalidArgument(`ns "${ns.slice(0, 80)}" must be at most 64 letters, digits, ".", "_" or "-".`);
  }
  return ns;
}

/** The core topic holding RocketMQ topic `topic` of instance `ns`. */
export function coreTopicName(ns: string, topic: string): string {
  return `rocketmq:${ns}:${topic}`;
}

/** The core queue holding the transactional half messages of a topic (check-back happens per topic). */
export function halfQueueName(ns: string, topic: string): string {
  return `rocketmq:${ns}:${topic}%HALF`;
}

/**
 * The core queue receiving a consumer group's dead letters: one per group and instance, across topics, like
 * RocketMQ's `%DLQ%<GID>`. Read it with `broker.queue(deadLetterQueueName(ns, gid)).peek()`.
 */
export function deadLetterQueueName(ns: string, consumer: string): string {
  return `rocketmq:${ns}:%DLQ%${consumer}`;
}

/**
 * The core group of a consumer group on its topic. Ordered consumption needs an `ordered` core group, a fixed
 * option, so a GID consuming both ways has two core groups (`GID` and `GID%ORDER`).
 */
export function coreGroupName(consumer: string, ordered: boolean): string {
  return ordered ? `${consumer}%ORDER` : consumer;
}
