/** @module options — the options of `createRocketMqHandler`, validated once and resolved to plain values. */

import type { ObjectBudget } from '@sluice/http';
import type { SettingsResolver } from './settings.js';

/** One access key the handler accepts. */
export interface RocketMqCredential {
  /** The AccessKeyId clients put in `Authorization: MQ <id>:<signature>`. */
  readonly accessKeyId: string;
  /** The secret the signature is an HMAC-SHA1 under. */
  readonly accessKeySecret: string;
}

/**
 * Finds the secret of an AccessKeyId: `undefined` (or a promise of it) when the id is unknown.
 * Use it to back credentials with a database or a secrets manager.
 */
export type CredentialLookup = (accessKeyId: string) => string | undefined | Promise<string | undefined>;

/** Options of {@link createRocketMqHandler}. Every duration is in milliseconds. */
export interface RocketMqOptions {
  /**
   * The keys requests must be signed with (a list, or a lookup function). Without them, signatures are not
   * checked at all (any `Authorization` is accepted): fine for tests and trusted networks only.
   */
  credentials?: readonly RocketMqCredential[] | CredentialLookup;
  /** How long a consumed message stays invisible before it is redelivered (NextConsumeTime), ms. Default 300 000. */
  invisibility?: number;
  /** The same for ordered consumption (`trans=order`), ms. Default 60 000. */
  orderedInvisibility?: number;
  /** Deliveries to one group before a message is dead-lettered into that group's DLQ. Default 288. */
  maxDeliveries?: number;
  /** How long a message is kept, ms. Default 3 days. */
  retention?: number;
  /**
   * Overrides of the four settings above for one instance's topic, or for a consumer group on it: asked when the
   * dialect creates the core topic or group (auto-created or declared), and by `applyRocketMqSettings`. A field it
   * leaves out keeps the option above. Default: none.
   * @example
   * settingsFor: (instance, topic, consumer) => (consumer === 'GID_tests' ? { invisibility: 2000 } : undefined)
   */
  settingsFor?: SettingsResolver;
  /**
   * Where a consumer group seen for the first time starts: `'earliest'` (default) receives every message the topic
   * still retains (within `retention`, whatever other groups consumed); `'latest'` only what is published after it
   * was created, closer to the service, whose new groups start at the end of the queue.
   */
  groupStart?: 'earliest' | 'latest';
  /** Create unknown topics and consumer groups on first use. Default true; false answers TopicNotExist / ConsumerNotExist. */
  autoCreate?: boolean;
  /** Check-backs of an unresolved transactional (half) message before it is discarded. Default 15. */
  transactionCheckLimit?: number;
  /** Largest message body, UTF-8 bytes, for normal and ordered messages. Default 4 MiB. */
  maxMessageSize?: number;
  /** Largest message body, UTF-8 bytes, for transactional and scheduled messages. Default 64 KiB. */
  maxTimedMessageSize?: number;
  /** Largest accepted clock skew of a signed request's `Date` header, ms. Default 15 minutes. */
  maxDateSkew?: number;
  /** Longest request line (`METHOD target HTTP/1.1`), characters. Default 1024, the service's documented limit. */
  maxRequestLine?: number;
  /** Topics per instance (`ns`), auto-created ones included; beyond, 404 TopicNotExist. Default 1000. */
  maxTopicsPerInstance?: number;
  /** Consumer group ids per instance, auto-created ones included; beyond, 404 ConsumerNotExist. Default 1000. */
  maxGroupsPerInstance?: number;
  /**
   * Instances (`ns` values) that may hold topics; a topic in one more is 404 TopicNotExist. Instance ids are free, so
   * this keeps them from multiplying the per-instance caps. Default 100.
   */
  maxInstances?: number;
  /**
   * A server-wide object budget shared with other dialects (`createObjectBudget` in `@sluice/http`): each topic and
   * each consumer group on a topic takes a place. Default: none.
   */
  objects?: ObjectBudget;
}

/** {@link RocketMqOptions} with every field resolved. */
export interface ResolvedRocketMqOptions {
  readonly lookupSecret: CredentialLookup | undefined;
  readonly invisibility: number;
  readonly orderedInvisibility: number;
  readonly maxDeliveries: number;
  readonly retention: number;
  readonly settingsFor: SettingsResolver | undefined;
  readonly groupStart: 'earliest' | 'latest';
  readonly autoCreate: boolean;
  readonly transactionCheckLimit: number;
  readonly maxMessageSize: number;
  readonly maxTimedMessageSize: number;
  readonly maxDateSkew: number;
  readonly maxRequestLine: number;
  readonly maxTopicsPerInstance: number;
  readonly maxGroupsPerInstance: number;
  readonly maxInstances: number;
  readonly objects: ObjectBudget | undefined;
}

const DAY = 86_400_000;

/** @internal The range of `maxDeliveries` (a core receive count is 16 bits). */
export const MAX_DELIVERIES = 65_535;

/** @internal Checks a positive integer option; `undefined` answers `fallback`. */
export function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
  max = 2 ** 32 - 1,
): number {
  if (value === undefined) return fallback;
  // `!(x >= 1)` also rejects NaN (fastq's check).
  if (!(Number.isInteger(value) && value >= 1 && value <= max)) {
    throw new TypeError(`${name} must be an integer from 1 to ${max}`);
  }
  return value;
}

function toLookup(credentials: RocketMqOptions['credentials']): CredentialLookup | undefined {
  if (credentials === undefined) return undefined;
  if (typeof credentials === 'function') return credentials;
  if (!Array.isArray(credentials)) throw new TypeError('credentials must be an array or a function');
  const secrets = new Map<string, string>();
  for (const c of credentials as readonly RocketMqCredential[]) {
    if (typeof c?.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.accessKeySecret !== 'string') {
      throw new TypeError('credentials entries need a non-empty accessKeyId and an accessKeySecret string');
    }
    secrets.set(c.accessKeyId, c.accessKeySecret);
  }
  return (id) => secrets.get(id);
}

/** Validates {@link RocketMqOptions}; throws a `TypeError` naming the bad option. */
export function resolveOptions(options: RocketMqOptions = {}): ResolvedRocketMqOptions {
  if (options.autoCreate !== undefined && typeof options.autoCreate !== 'boolean') {
    throw new TypeError('autoCreate must be a boolean');
  }
  if (options.settingsFor !== undefined && typeof options.settingsFor !== 'function') {
    throw new TypeError('settingsFor must be a function');
  }
  const groupStart = options.groupStart ?? 'earliest';
  if (groupStart !== 'earliest' && groupStart !== 'latest') {
    throw new TypeError("groupStart must be 'earliest' or 'latest'");
  }
  return {
    lookupSecret: toLookup(options.credentials),
    invisibility: positiveInt('invisibility', options.invisibility, 300_000),
    orderedInvisibility: positiveInt('orderedInvisibility', options.orderedInvisibility, 60_000),
    maxDeliveries: positiveInt('maxDeliveries', options.maxDeliveries, 288, MAX_DELIVERIES),
    retention: positiveInt('retention', options.retention, 3 * DAY),
    settingsFor: options.settingsFor,
    groupStart,
    autoCreate: options.autoCreate ?? true,
    transactionCheckLimit: positiveInt('transactionCheckLimit', options.transactionCheckLimit, 15, 65_535),
    maxMessageSize: positiveInt('maxMessageSize', options.maxMessageSize, 4 * 1024 * 1024),
    maxTimedMessageSize: positiveInt('maxTimedMessageSize', options.maxTimedMessageSize, 64 * 1024),
    maxDateSkew: positiveInt('maxDateSkew', options.maxDateSkew, 15 * 60_000),
    maxRequestLine: positiveInt('maxRequestLine', options.maxRequestLine, 1024),
    maxTopicsPerInstance: positiveInt('maxTopicsPerInstance', options.maxTopicsPerInstance, 1000),
    maxGroupsPerInstance: positiveInt('maxGroupsPerInstance', options.maxGroupsPerInstance, 1000),
    maxInstances: positiveInt('maxInstances', options.maxInstances, 100),
    objects: options.objects,
  };
}
