/**
 * @module settings — the invisibility, max deliveries and retention each topic and consumer group gets: the
 * handler's options, overridden per object by its `settingsFor` resolver; and `applyRocketMqSettings`, which brings
 * existing core objects to those values.
 *
 * WHY a resolver: the service fixes these values (5 minutes, 1 minute ordered, 288 deliveries, 3 days), but a
 * local broker is mostly used by tests, which want one group redelivered after 2 seconds without making every other
 * group nervous. The dialect knows nothing of where the values come from (the server reads them from its config
 * file); it asks once per object, when it creates the core topic or group, never per message.
 */
import type { Broker, Topic } from '@sluice/core';
import { coreGroupName, halfQueueName } from './names.js';
import {
  MAX_DELIVERIES,
  positiveInt,
  type ResolvedRocketMqOptions,
  type RocketMqOptions,
  resolveOptions,
} from './options.js';

/** Overrides for one topic or consumer group; a field left out keeps the handler's option. Durations in ms. */
export interface RocketMqObjectSettings {
  /** How long a consumed message stays invisible before it is redelivered (NextConsumeTime), ms. */
  readonly invisibility?: number | undefined;
  /** The same for ordered consumption (`trans=order`), ms. */
  readonly orderedInvisibility?: number | undefined;
  /** Deliveries to the group before a message is dead-lettered into the group's DLQ. */
  readonly maxDeliveries?: number | undefined;
  /** How long a message is kept, ms: a topic's setting (ignored in a consumer group's answer). */
  readonly retention?: number | undefined;
}

/**
 * Answers the overrides of topic `topic` of instance `instance` (`''`: the default instance), or, with `consumer`,
 * of that consumer group (GID) on it; `undefined` for none. The answer is final: when the overrides come in levels
 * (instance, topic, group), the resolver merges them. Called when a core topic or group is created, so it may be slow.
 */
export type SettingsResolver = (
  instance: string,
  topic: string,
  consumer?: string,
) => RocketMqObjectSettings | undefined;

/** The core group options a consumer group gets. */
export interface GroupSettings {
  readonly visibilityTimeout: number;
  readonly maxReceiveCount: number;
}

function ask(options: ResolvedRocketMqOptions, ns: string, topic: string, consumer?: string) {
  const answer = options.settingsFor?.(ns, topic, consumer);
  if (answer === undefined) return undefined;
  if (typeof answer !== 'object' || answer === null) {
    throw new TypeError(`settingsFor must answer an object or undefined, got ${String(answer)}`);
  }
  return answer;
}

const where = (ns: string, topic: string, consumer?: string) =>
  `settingsFor(${JSON.stringify(ns)}, ${JSON.stringify(topic)}${consumer === undefined ? '' : `, ${JSON.stringify(consumer)}`})`;

/** The retention of topic `(ns, topic)`: its override, else the handler's. */
export function topicRetention(options: ResolvedRocketMqOptions, ns: string, topic: string): number {
  const o = ask(options, ns, topic);
  return positiveInt(`${where(ns, topic)}.retention`, o?.retention, options.retention);
}

/** The core group options of `consumer` on `(ns, topic)`: its overrides, else the handler's. */
export function groupSettings(
  options: ResolvedRocketMqOptions,
  ns: string,
  topic: string,
  consumer: string,
  ordered: boolean,
): GroupSettings {
  const o = ask(options, ns, topic, consumer);
  const at = where(ns, topic, consumer);
  return {
    visibilityTimeout: ordered
      ? positiveInt(`${at}.orderedInvisibility`, o?.orderedInvisibility, options.orderedInvisibility)
      : positiveInt(`${at}.invisibility`, o?.invisibility, options.invisibility),
    maxReceiveCount: positiveInt(
      `${at}.maxDeliveries`,
      o?.maxDeliveries,
      options.maxDeliveries,
      MAX_DELIVERIES,
    ),
  };
}

/** One setting changed by {@link applyRocketMqSettings}. */
export interface SettingChange {
  readonly instance: string;
  readonly topic: string;
  /** The consumer group (GID); absent for the topic's retention. */
  readonly consumer?: string;
  /** True for the group of ordered consumption (`GID%ORDER`). */
  readonly ordered?: boolean;
  readonly setting: 'retention' | 'invisibility' | 'orderedInvisibility' | 'maxDeliveries';
  readonly from: number;
  readonly to: number;
}

/** `rocketmq:<ns>:<topic>` → `[ns, topic]` (RocketMQ names hold no `:` nor `%`; internal queues hold `%`). */
function parseTopicName(name: string): [string, string] | undefined {
  const m = /^rocketmq:([^:]*):([^:%]+)$/.exec(name);
  return m === null ? undefined : [m[1]!, m[2]!];
}

function applyToTopic(options: ResolvedRocketMqOptions, broker: Broker, topic: Topic, out: SettingChange[]) {
  const parsed = parseTopicName(topic.name);
  if (parsed === undefined) return;
  const [ns, name] = parsed;
  const retention = topicRetention(options, ns, name);
  if (topic.options.retention !== retention) {
    out.push({
      instance: ns,
      topic: name,
      setting: 'retention',
      from: topic.options.retention,
      to: retention,
    });
    topic.setOptions({ retention });
  }
  const half = halfQueueName(ns, name);
  if (broker.hasQueue(half) && broker.queue(half).options.retention !== retention) {
    broker.queue(half).setOptions({ retention });
  }
  for (const groupName of topic.listGroups()) {
    const group = topic.group(groupName);
    const ordered = group.options.ordered;
    const consumer = ordered ? groupName.slice(0, -'%ORDER'.length) : groupName;
    if (coreGroupName(consumer, ordered) !== groupName) continue; // not one of the dialect's groups
    const want = groupSettings(options, ns, name, consumer, ordered);
    const have = group.options;
    const base = { instance: ns, topic: name, consumer, ordered };
    if (have.visibilityTimeout !== want.visibilityTimeout) {
      const setting = ordered ? 'orderedInvisibility' : 'invisibility';
      out.push({ ...base, setting, from: have.visibilityTimeout, to: want.visibilityTimeout });
    }
    if (have.maxReceiveCount !== want.maxReceiveCount) {
      out.push({ ...base, setting: 'maxDeliveries', from: have.maxReceiveCount, to: want.maxReceiveCount });
    }
    if (have.visibilityTimeout !== want.visibilityTimeout || have.maxReceiveCount !== want.maxReceiveCount) {
      group.setOptions(want);
    }
  }
}

/**
 * Brings every RocketMQ topic and consumer group the broker holds to the retention, invisibility and max deliveries
 * `options` give them (its defaults and `settingsFor`, as when the dialect creates them), and answers what changed.
 * Run it at start when the settings may have changed since the objects were created (a durable broker restarted
 * with a new configuration): the dialect itself only applies them to objects it creates. Messages already
 * consumed keep the NextConsumeTime they were given; a shorter retention applies to stored messages at once.
 * @example
 * const options = { invisibility: 10_000, settingsFor };
 * applyRocketMqSettings(broker, options);
 * const mq = createRocketMqHandler(broker, options);
 */
export function applyRocketMqSettings(broker: Broker, options?: RocketMqOptions): SettingChange[] {
  const resolved = resolveOptions(options);
  const out: SettingChange[] = [];
  for (const name of broker.listTopics()) {
    if (name.startsWith('rocketmq:')) applyToTopic(resolved, broker, broker.topic(name), out);
  }
  return out;
}
