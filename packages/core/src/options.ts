/** @module options — defaults, validation and comparison of topic, group and queue options. */
import { invalidArgument } from './errors.js';
import type { GroupOptions, QueueOptions, TopicOptions } from './types.js';

/**
 * Longest topic, queue or group name. Generous on purpose: the dialects keep their objects under prefixed core names
 * (`mns:queue:<q>`, `rocketmq:<instance>:<topic>%HALF`, …) and check their own, shorter, documented limits on the
 * wire, so the core bound must leave room for the longest prefix plus the longest name any dialect accepts.
 */
export const MAX_NAME_LENGTH = 1024;

/** Four days, the default retention. */
export const DEFAULT_RETENTION = 4 * 24 * 3600_000;
/** Largest retention: `firstReceivedAt` is stored as a 32-bit ms offset from `publishedAt`. */
export const MAX_DURATION = 0xffffffff;
/** Largest body a topic may be configured to accept (64 MiB). */
export const MAX_MESSAGE_SIZE_LIMIT = 64 << 20;

/** Topic options with every field set. */
export interface ResolvedTopicOptions {
  readonly delay: number;
  readonly retention: number;
  readonly maxMessageSize: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Messages stay for `retention` whatever the groups did (false in queues). */
  readonly keepConsumed: boolean;
}

/** Group options with every field set. */
export interface ResolvedGroupOptions {
  readonly visibilityTimeout: number;
  /** 0 = unlimited. */
  readonly maxReceiveCount: number;
  readonly deadLetterQueue: string | undefined;
  readonly ordered: boolean;
  readonly tags: readonly string[] | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly startAt: 'earliest' | 'latest';
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

function duration(field: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_DURATION) {
    throw invalidArgument(field, `must be a number of ms in ${min}..${MAX_DURATION}`);
  }
  return value;
}

function integer(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(field, `must be an integer in ${min}..${max}`);
  }
  return value;
}

function metadata(
  value: unknown,
  fallback: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (value === undefined) return fallback;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('metadata', 'must be an object of strings');
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw invalidArgument('metadata', 'values must be strings');
  }
  return Object.freeze({ ...(value as Record<string, string>) });
}

function checkObject(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw invalidArgument('options', 'must be an object');
  return value as Record<string, unknown>;
}

/**
 * Validates `options` over `base` (defaults, or the current options for an update). `queue`: the topic of a
 * queue, which never keeps consumed messages.
 */
export function resolveTopicOptions(
  options: TopicOptions | undefined,
  base?: ResolvedTopicOptions,
  queue = false,
): ResolvedTopicOptions {
  const o = checkObject(options);
  const keep = o['keepConsumed'];
  if (keep !== undefined && typeof keep !== 'boolean')
    throw invalidArgument('keepConsumed', 'must be a boolean');
  if (queue && keep === true) throw invalidArgument('keepConsumed', 'cannot be set on a queue');
  if (base !== undefined && keep !== undefined && keep !== base.keepConsumed) {
    throw invalidArgument('keepConsumed', 'cannot change once the topic exists');
  }
  return Object.freeze({
    delay: duration('delay', o['delay'], base?.delay ?? 0),
    retention: duration('retention', o['retention'], base?.retention ?? DEFAULT_RETENTION, 1),
    maxMessageSize: integer(
      'maxMessageSize',
      o['maxMessageSize'],
      base?.maxMessageSize ?? 65_536,
      1,
      MAX_MESSAGE_SIZE_LIMIT,
    ),
    metadata: metadata(o['metadata'], base?.metadata ?? EMPTY),
    keepConsumed: queue ? false : ((keep as boolean | undefined) ?? base?.keepConsumed ?? true),
  });
}

/** Validates `options` over `base` (defaults, or the current options for an update). */
export function resolveGroupOptions(
  options: GroupOptions | undefined,
  base?: ResolvedGroupOptions,
): ResolvedGroupOptions {
  const o = checkObject(options);
  if (base !== undefined) {
    if (o['ordered'] !== undefined && o['ordered'] !== base.ordered) {
      throw invalidArgument('ordered', 'cannot change once the group exists');
    }
    if (o['tags'] !== undefined && !sameTags(o['tags'] as readonly string[], base.tags)) {
      throw invalidArgument('tags', 'cannot change once the group exists');
    }
    if (o['startAt'] !== undefined && o['startAt'] !== base.startAt) {
      throw invalidArgument('startAt', 'cannot change once the group exists');
    }
  }
  const startAt = o['startAt'];
  if (startAt !== undefined && startAt !== 'earliest' && startAt !== 'latest') {
    throw invalidArgument('startAt', "must be 'earliest' or 'latest'");
  }
  const dlq = o['deadLetterQueue'];
  if (dlq !== undefined && (typeof dlq !== 'string' || dlq.length === 0 || dlq.length > MAX_NAME_LENGTH)) {
    throw invalidArgument('deadLetterQueue', `must be a queue name of 1..${MAX_NAME_LENGTH} characters`);
  }
  const ordered = o['ordered'];
  if (ordered !== undefined && typeof ordered !== 'boolean')
    throw invalidArgument('ordered', 'must be a boolean');
  let tags = o['tags'];
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
      throw invalidArgument('tags', 'must be an array of strings');
    }
    tags = Object.freeze([...new Set(tags as string[])].sort());
  }
  return Object.freeze({
    visibilityTimeout: duration(
      'visibilityTimeout',
      o['visibilityTimeout'],
      base?.visibilityTimeout ?? 30_000,
    ),
    maxReceiveCount: integer('maxReceiveCount', o['maxReceiveCount'], base?.maxReceiveCount ?? 0, 0, 0xffff),
    deadLetterQueue: 'deadLetterQueue' in o ? (dlq as string | undefined) : base?.deadLetterQueue,
    ordered: (ordered as boolean | undefined) ?? base?.ordered ?? false,
    tags: (tags as readonly string[] | undefined) ?? base?.tags,
    metadata: metadata(o['metadata'], base?.metadata ?? EMPTY),
    startAt: (startAt as 'earliest' | 'latest' | undefined) ?? base?.startAt ?? 'earliest',
  });
}

/** Splits queue options into the topic's and the implicit group's. */
export function splitQueueOptions(options: QueueOptions | undefined): [TopicOptions, GroupOptions] {
  const o = checkObject(options) as QueueOptions;
  // A queue frees on ack and its one group exists from the start: neither option means anything there.
  if ('keepConsumed' in o) throw invalidArgument('keepConsumed', 'cannot be set on a queue');
  if ('startAt' in o) throw invalidArgument('startAt', 'cannot be set on a queue');
  const topic: TopicOptions = {};
  const group: GroupOptions = {};
  for (const key of ['delay', 'retention', 'maxMessageSize', 'metadata'] as const) {
    if (o[key] !== undefined) (topic as Record<string, unknown>)[key] = o[key];
  }
  for (const key of ['visibilityTimeout', 'maxReceiveCount', 'deadLetterQueue', 'ordered', 'tags'] as const) {
    if (key in o) (group as Record<string, unknown>)[key] = o[key];
  }
  return [topic, group];
}

function sameTags(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (b === undefined || !Array.isArray(a)) return false;
  const sorted = [...new Set(a)].sort();
  return sorted.length === b.length && sorted.every((t, i) => t === b[i]);
}

/** Deep equality of resolved options (for "same name and options returns the existing one"). */
export function sameOptions(a: object, b: object): boolean {
  return JSON.stringify(a, sortedKeys) === JSON.stringify(b, sortedKeys);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)));
}

/**
 * Resolved options as a plain record for storage: every field, an unset one as null, so that replaying
 * the record gives these options whatever came before (an option set back to unset stays unset).
 */
export function optionsRecord(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = value === undefined ? null : value;
  return out;
}

/** Group options from a stored record (null: unset). */
export function groupOptionsOf(record: Record<string, unknown>): GroupOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = value === null ? undefined : value;
  return out as GroupOptions;
}

/** Topic options from a stored record (null: unset). */
export function topicOptionsOf(record: Record<string, unknown>): TopicOptions {
  return groupOptionsOf(record) as TopicOptions;
}
