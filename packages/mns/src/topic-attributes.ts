/**
 * @module topic-attributes — MNS topics and subscriptions on the core.
 *
 * An MNS topic is a core topic `mns:topic:<t>`; its subscriptions are core groups whose `metadata` keeps Endpoint,
 * FilterTag, NotifyStrategy and NotifyContentFormat. PublishMessage puts a copy straight into each subscribed
 * queue; a queue subscription's group filters every tag out (`tags: []`), so it never holds a message. A message
 * for HTTP(S) subscriptions is stored in the topic, and only their groups (filtered by FilterTag) take it: the
 * pusher delivers it from there. Durable storage persists topics, groups and pending pushes for free.
 */
import type { Group, GroupOptions, Topic, TopicOptions } from '@sluice/core';
import { type XmlObject, xmlElement, xmlText } from '@sluice/http';
import { TOPIC_PREFIX } from './constants.js';
import { MnsFault, outOfRange } from './fault.js';
import { checkName } from './names.js';
import { booleanValue, integerIn } from './params.js';
import { isHttpEndpoint, parseHttpEndpoint, refuseUnservedEndpoint } from './push/endpoint.js';
import type { ResolvedPushOptions } from './push/options.js';

/** Settable topic attributes. */
export interface TopicAttributes {
  readonly MaximumMessageSize: number;
  readonly LoggingEnabled: boolean;
}

/** Defaults of a new topic. */
export const DEFAULT_TOPIC_ATTRIBUTES: TopicAttributes = {
  MaximumMessageSize: 65_536,
  LoggingEnabled: false,
};
/** A topic's MessageRetentionPeriod, seconds (fixed by the service). */
export const TOPIC_RETENTION_SECONDS = 86_400;

/** Reads the attributes present in a `<Topic>` body. */
export function parseTopicAttributes(node: XmlObject): Partial<TopicAttributes> {
  const out: { MaximumMessageSize?: number; LoggingEnabled?: boolean } = {};
  const size = xmlText(node, 'MaximumMessageSize');
  if (size !== undefined)
    out.MaximumMessageSize = integerIn(size, 'MaximumMessageSize', 1024, 65_536, 'bytes');
  const logging = xmlText(node, 'LoggingEnabled');
  if (logging !== undefined) out.LoggingEnabled = booleanValue(logging, 'LoggingEnabled');
  return out;
}

/** Core options for topic attributes. */
export function toTopicOptions(attrs: Partial<TopicAttributes>): TopicOptions {
  // A topic keeps a message only until every HTTP subscription has had it pushed (the service keeps nothing after),
  // and at most twice the advertised period: EXPONENTIAL_DECAY_RETRY's schedule is one day of intervals, and the
  // time its attempts take comes on top, so a last retry must not find its message expired.
  const options: TopicOptions = { retention: 2 * TOPIC_RETENTION_SECONDS * 1000, keepConsumed: false };
  if (attrs.MaximumMessageSize !== undefined) options.maxMessageSize = attrs.MaximumMessageSize;
  if (attrs.LoggingEnabled !== undefined)
    options.metadata = { LoggingEnabled: attrs.LoggingEnabled ? 'True' : 'False' };
  return options;
}

/** The effective attributes of a topic. */
export function topicAttributes(topic: Topic): TopicAttributes {
  return {
    MaximumMessageSize: topic.options.maxMessageSize,
    LoggingEnabled: topic.options.metadata['LoggingEnabled'] === 'True',
  };
}

/** GetTopicAttributes' children, in order (all required by the Python SDK). */
export function renderTopicAttributes(topic: Topic): string {
  const a = topicAttributes(topic);
  return (
    xmlElement('TopicName', topic.name.slice(TOPIC_PREFIX.length)) +
    xmlElement('CreateTime', Math.floor(topic.createdAt / 1000)) +
    xmlElement('LastModifyTime', Math.floor(topic.modifiedAt / 1000)) +
    xmlElement('MaximumMessageSize', a.MaximumMessageSize) +
    xmlElement('MessageRetentionPeriod', TOPIC_RETENTION_SECONDS) +
    xmlElement('MessageCount', 0) +
    xmlElement('LoggingEnabled', a.LoggingEnabled ? 'True' : 'False')
  );
}

/** How a subscription delivers. */
export const NotifyStrategy = ['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY'] as const;
/** The body a subscribed queue receives. */
export const NotifyContentFormat = ['XML', 'JSON', 'SIMPLIFIED'] as const;

/** A subscription's attributes, as kept in its group's metadata. */
export interface SubscriptionAttributes {
  readonly Endpoint: string;
  /** The MNS name of the queue a queue endpoint names; '' for an HTTP(S) endpoint. */
  readonly queue: string;
  readonly FilterTag: string;
  readonly NotifyStrategy: string;
  readonly NotifyContentFormat: string;
}

const ENDPOINT = /^acs:mns:[^:]*:[^:]*:\/?queues\/([^/]+)$/;

/** The queue name of a queue endpoint `acs:mns:{region}:{accountId}:queues/{q}`; anything else is 400 InvalidEndpoint. */
export function endpointQueue(endpoint: string): string {
  const match = ENDPOINT.exec(endpoint.trim());
  if (match === null) {
    throw new MnsFault(
      400,
      'InvalidEndpoint',
      'The endpoint should be a queue (acs:mns:{region}:{accountId}:queues/{queue}) or an http(s) URL.',
    );
  }
  const queue = match[1]!;
  try {
    checkName('Queue', queue);
  } catch {
    throw new MnsFault(400, 'InvalidEndpoint', 'The queue name in the endpoint is not valid.');
  }
  return queue;
}

function oneOf(
  value: string | undefined,
  allowed: readonly string[],
  element: string,
  fallback: string,
): string {
  if (value === undefined || value === '') return fallback;
  const v = value.trim();
  if (!allowed.includes(v)) {
    throw new MnsFault(
      400,
      'InvalidArgument',
      `The value of ${element} should be one of ${allowed.join(', ')}.`,
    );
  }
  return v;
}

/**
 * Reads a Subscribe body: Endpoint (required: a queue, or an http(s) URL checked against `push`'s limits; mail and
 * SMS endpoints are refused), FilterTag (<= 16 chars), NotifyStrategy, NotifyContentFormat.
 */
export function parseSubscription(node: XmlObject, push: ResolvedPushOptions): SubscriptionAttributes {
  const raw = xmlText(node, 'Endpoint');
  if (raw === undefined || raw.trim() === '') {
    throw new MnsFault(400, 'InvalidEndpoint', 'The Endpoint is required.');
  }
  const endpoint = raw.trim();
  refuseUnservedEndpoint(endpoint);
  let queue = '';
  if (isHttpEndpoint(endpoint)) parseHttpEndpoint(endpoint, push.maxEndpointLength, push.allowEndpoint);
  else queue = endpointQueue(endpoint);
  const FilterTag = (xmlText(node, 'FilterTag') ?? '').trim();
  if (FilterTag.length > 16) throw outOfRange('FilterTag', 0, 16, 'characters');
  return {
    Endpoint: endpoint,
    queue,
    FilterTag,
    NotifyStrategy: oneOf(xmlText(node, 'NotifyStrategy'), NotifyStrategy, 'NotifyStrategy', 'BACKOFF_RETRY'),
    NotifyContentFormat: oneOf(
      xmlText(node, 'NotifyContentFormat'),
      NotifyContentFormat,
      'NotifyContentFormat',
      'XML',
    ),
  };
}

/** Group metadata for a subscription. */
export function subscriptionMetadata(s: SubscriptionAttributes): Record<string, string> {
  return {
    Endpoint: s.Endpoint,
    queue: s.queue,
    FilterTag: s.FilterTag,
    NotifyStrategy: s.NotifyStrategy,
    NotifyContentFormat: s.NotifyContentFormat,
  };
}

/**
 * The core options of a subscription's group. A queue subscription's group takes no message at all (its copies go
 * straight to the queue); an HTTP(S) subscription's takes those its FilterTag lets in, and keeps `certBase` (where
 * the signing certificate is advertised, as the Subscribe request saw the server).
 */
export function subscriptionGroupOptions(s: SubscriptionAttributes, certBase: string): GroupOptions {
  const metadata = subscriptionMetadata(s);
  if (s.queue !== '') return { tags: [], metadata };
  // A new subscription gets only what is published after it, as the service's do.
  return {
    startAt: 'latest',
    ...(s.FilterTag === '' ? {} : { tags: [s.FilterTag] }),
    metadata: { ...metadata, CertBase: certBase },
  };
}

/** Group metadata key of a CreateTime carried over from an older group (see {@link upgradeQueueSubscription}). */
const CREATE_TIME_KEY = 'CreateTime';

/**
 * A queue subscription made before its group filtered every tag out would hold each message stored for HTTP
 * subscriptions, read by nobody, until retention. Such a group (it holds nothing: nothing was stored in MNS topics
 * then) is made again with `tags: []` and the same attributes, its CreateTime kept in its metadata. Answers the group
 * to use; a storage that refuses the change leaves the old one.
 */
export function upgradeQueueSubscription(topic: Topic, group: Group): Group {
  const s = subscriptionOf(group);
  if (s.queue === '' || group.options.tags?.length === 0) return group;
  try {
    const metadata = {
      ...group.options.metadata,
      [CREATE_TIME_KEY]: group.options.metadata[CREATE_TIME_KEY] ?? String(group.createdAt),
    };
    topic.deleteGroup(group.name);
    return topic.createGroup(group.name, { tags: [], metadata });
  } catch {
    return topic.hasGroup(group.name) ? topic.group(group.name) : group;
  }
}

/** A subscription's attributes, read back from its group. */
export function subscriptionOf(group: Group): SubscriptionAttributes {
  const m = group.options.metadata;
  return {
    Endpoint: m['Endpoint'] ?? '',
    queue: m['queue'] ?? '',
    FilterTag: m['FilterTag'] ?? '',
    NotifyStrategy: m['NotifyStrategy'] ?? 'BACKOFF_RETRY',
    NotifyContentFormat: m['NotifyContentFormat'] ?? 'XML',
  };
}

/** GetSubscriptionAttributes' children, in order. */
export function renderSubscription(group: Group, topicName: string, owner: string): string {
  const s = subscriptionOf(group);
  return (
    xmlElement('TopicOwner', owner) +
    xmlElement('TopicName', topicName) +
    xmlElement('SubscriptionName', group.name) +
    xmlElement('Endpoint', s.Endpoint) +
    xmlElement('NotifyStrategy', s.NotifyStrategy) +
    xmlElement('NotifyContentFormat', s.NotifyContentFormat) +
    xmlElement('FilterTag', s.FilterTag) +
    xmlElement(
      'CreateTime',
      Math.floor(Number(group.options.metadata[CREATE_TIME_KEY] ?? group.createdAt) / 1000),
    ) +
    xmlElement('LastModifyTime', Math.floor(group.modifiedAt / 1000))
  );
}
