/**
 * @module object-limits — caps on the number of objects clients can create: server-wide and per MNS account,
 * RocketMQ instance and DMS project. Each is a server option (`limits`), a config file key (`"limits": {…}`) and a
 * `sluice serve` flag; {@link LIMIT_FLAGS} maps the flags onto the keys.
 */
import type { DmsOptions } from '@sluice/dms';
import type { MnsHandlerOptions } from '@sluice/mns';
import type { RocketMqOptions } from '@sluice/rocketmq';

/**
 * Objects (queues, topics, consumer groups, subscriptions) across every dialect, by default. At the ≤ 4 KB an empty
 * object is meant to cost, 100,000 of them hold ~400 MB: well under 1 GB even with the dead-letter and
 * half-message queues some of them bring along.
 */
export const DEFAULT_MAX_OBJECTS = 100_000;

/** The caps; each one left out keeps its default. */
export interface ObjectLimits {
  /** Objects across all dialects: queues, topics, consumer groups, subscriptions. Default 100,000. */
  objects?: number;
  /** MNS queues of the account. Default 1000 (the service's quota). */
  mnsQueues?: number;
  /** MNS topics of the account. Default 1000 (the service's quota). */
  mnsTopics?: number;
  /** Subscriptions per MNS topic. Default 100 (the service's limit). */
  mnsSubscriptionsPerTopic?: number;
  /** RocketMQ topics per instance, auto-created ones included. Default 1000. */
  rocketmqTopics?: number;
  /** RocketMQ consumer group ids per instance, auto-created ones included. Default 1000. */
  rocketmqGroups?: number;
  /** RocketMQ instances (`ns`) holding topics, so free instance ids cannot multiply the caps. Default 100. */
  rocketmqInstances?: number;
  /** DMS queues per project (the queue quota). Default 30 (the service's); 1..500. */
  dmsQueuesPerProject?: number;
  /** DMS consumer groups per queue. Default 3 (the service's); 1..100. */
  dmsGroupsPerQueue?: number;
  /** DMS projects that may hold queues, so free project ids cannot multiply the quota. Default 100. */
  dmsProjects?: number;
}

/** `sluice serve` flag → {@link ObjectLimits} key, with the flag's help line. */
export const LIMIT_FLAGS = {
  'max-objects': ['objects', 'objects across all dialects (default 100000)'],
  'mns-max-queues': ['mnsQueues', 'MNS queues (default 1000)'],
  'mns-max-topics': ['mnsTopics', 'MNS topics (default 1000)'],
  'mns-max-subscriptions': ['mnsSubscriptionsPerTopic', 'subscriptions per MNS topic (default 100)'],
  'rocketmq-max-topics': ['rocketmqTopics', 'RocketMQ topics per instance (default 1000)'],
  'rocketmq-max-groups': ['rocketmqGroups', 'RocketMQ consumer groups per instance (default 1000)'],
  'rocketmq-max-instances': ['rocketmqInstances', 'RocketMQ instances holding topics (default 100)'],
  'dms-max-queues': ['dmsQueuesPerProject', 'DMS queues per project (default 30, at most 500)'],
  'dms-max-groups': ['dmsGroupsPerQueue', 'DMS consumer groups per queue (default 3, at most 100)'],
  'dms-max-projects': ['dmsProjects', 'DMS projects holding queues (default 100)'],
} as const satisfies Record<string, readonly [keyof ObjectLimits, string]>;

/** The `--help` lines of the limit flags. */
export const LIMITS_USAGE = `Object limits (config file: "limits": {"objects": N, "mnsQueues": N, ...}; past one, the dialect's own error):
${Object.entries(LIMIT_FLAGS)
  .map(([flag, [, help]]) => `  --${`${flag} N`.padEnd(26)}${help}`)
  .join('\n')}
`;

const RANGES: Record<keyof ObjectLimits, readonly [number, number]> = {
  objects: [0, 2 ** 31 - 1],
  mnsQueues: [0, 2 ** 31 - 1],
  mnsTopics: [0, 2 ** 31 - 1],
  mnsSubscriptionsPerTopic: [0, 2 ** 31 - 1],
  rocketmqTopics: [1, 2 ** 31 - 1],
  rocketmqGroups: [1, 2 ** 31 - 1],
  rocketmqInstances: [1, 2 ** 31 - 1],
  dmsQueuesPerProject: [1, 500],
  dmsGroupsPerQueue: [1, 100],
  dmsProjects: [1, 2 ** 31 - 1],
};

/** The range of a key (for flag parsing), or `undefined` for an unknown key. */
export function limitRange(key: string): readonly [number, number] | undefined {
  return Object.hasOwn(RANGES, key) ? RANGES[key as keyof ObjectLimits] : undefined;
}

/** Validates {@link ObjectLimits}; throws a `TypeError` naming the bad key. Keeps only the keys given. */
export function resolveObjectLimits(limits: ObjectLimits | undefined): Readonly<ObjectLimits> {
  if (limits === undefined) return {};
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    throw new TypeError('limits must be an object');
  }
  const out: ObjectLimits = {};
  for (const [key, value] of Object.entries(limits)) {
    const range = limitRange(key);
    if (range === undefined) throw new TypeError(`unknown limit "${key}"`);
    if (!(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
      throw new TypeError(`limits.${key} must be an integer from ${range[0]} to ${range[1]}`);
    }
    out[key as keyof ObjectLimits] = value;
  }
  return out;
}

/** What the limits mean for each dialect handler (the options of `createSluiceHandler`). */
export interface DialectLimits {
  readonly maxObjects: number;
  readonly mns: Pick<MnsHandlerOptions, 'maxQueues' | 'maxTopics' | 'maxSubscriptionsPerTopic'>;
  readonly rocketmq: Pick<RocketMqOptions, 'maxTopicsPerInstance' | 'maxGroupsPerInstance' | 'maxInstances'>;
  readonly dms: Pick<DmsOptions, 'maxQueuesPerProject' | 'maxGroupsPerQueue' | 'maxProjects'>;
}

const given = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, number>>;

/** Maps resolved {@link ObjectLimits} onto the dialects' own options. */
export function dialectLimits(limits: Readonly<ObjectLimits>): DialectLimits {
  return {
    maxObjects: limits.objects ?? DEFAULT_MAX_OBJECTS,
    mns: {
      ...given('maxQueues', limits.mnsQueues),
      ...given('maxTopics', limits.mnsTopics),
      ...given('maxSubscriptionsPerTopic', limits.mnsSubscriptionsPerTopic),
    },
    rocketmq: {
      ...given('maxTopicsPerInstance', limits.rocketmqTopics),
      ...given('maxGroupsPerInstance', limits.rocketmqGroups),
      ...given('maxInstances', limits.rocketmqInstances),
    },
    dms: {
      ...given('maxQueuesPerProject', limits.dmsQueuesPerProject),
      ...given('maxGroupsPerQueue', limits.dmsGroupsPerQueue),
      ...given('maxProjects', limits.dmsProjects),
    },
  };
}
