/** @module queue-attributes — MNS queue attributes: parse, validate, map to core options, render in the service's order. */
import type { Queue, QueueOptions } from '@sluice/core';
import { type XmlObject, xmlElement, xmlText } from '@sluice/http';
import { QUEUE_PREFIX } from './constants.js';
import { booleanValue, integerIn } from './params.js';

/** The settable attributes of an MNS queue, in MNS units (seconds, bytes). */
export interface QueueAttributes {
  readonly DelaySeconds: number;
  readonly MaximumMessageSize: number;
  readonly MessageRetentionPeriod: number;
  readonly VisibilityTimeout: number;
  readonly PollingWaitSeconds: number;
  readonly LoggingEnabled: boolean;
}

/** Defaults of a new queue. */
export const DEFAULT_QUEUE_ATTRIBUTES: QueueAttributes = {
  DelaySeconds: 0,
  MaximumMessageSize: 65_536,
  MessageRetentionPeriod: 345_600,
  VisibilityTimeout: 30,
  PollingWaitSeconds: 0,
  LoggingEnabled: false,
};

const RANGES = [
  ['DelaySeconds', 0, 604_800, 'seconds'],
  ['MaximumMessageSize', 1024, 65_536, 'bytes'],
  ['MessageRetentionPeriod', 60, 604_800, 'seconds'],
  ['VisibilityTimeout', 1, 43_200, 'seconds'],
  ['PollingWaitSeconds', 0, 30, 'seconds'],
] as const;

/** Reads the attributes present in a `<Queue>` body (others are ignored); out of range: 400 InvalidArgument. */
export function parseQueueAttributes(node: XmlObject): Partial<QueueAttributes> {
  const out: { -readonly [K in keyof QueueAttributes]?: QueueAttributes[K] } = {};
  for (const [element, low, high, unit] of RANGES) {
    const text = xmlText(node, element);
    if (text !== undefined) out[element] = integerIn(text, element, low, high, unit);
  }
  const logging = xmlText(node, 'LoggingEnabled');
  if (logging !== undefined) out.LoggingEnabled = booleanValue(logging, 'LoggingEnabled');
  return out;
}

/** Core options (ms, with MNS-only attributes in `metadata`) for a full or partial set of attributes. */
export function toQueueOptions(
  attrs: Partial<QueueAttributes>,
  metadata: Readonly<Record<string, string>> = {},
): QueueOptions {
  const options: QueueOptions = {};
  if (attrs.DelaySeconds !== undefined) options.delay = attrs.DelaySeconds * 1000;
  if (attrs.MaximumMessageSize !== undefined) options.maxMessageSize = attrs.MaximumMessageSize;
  if (attrs.MessageRetentionPeriod !== undefined) options.retention = attrs.MessageRetentionPeriod * 1000;
  if (attrs.VisibilityTimeout !== undefined) options.visibilityTimeout = attrs.VisibilityTimeout * 1000;
  if (attrs.PollingWaitSeconds !== undefined || attrs.LoggingEnabled !== undefined) {
    const m: Record<string, string> = { ...metadata };
    if (attrs.PollingWaitSeconds !== undefined) m['PollingWaitSeconds'] = String(attrs.PollingWaitSeconds);
    if (attrs.LoggingEnabled !== undefined) m['LoggingEnabled'] = attrs.LoggingEnabled ? 'True' : 'False';
    options.metadata = m;
  }
  return options;
}

/** The queue's PollingWaitSeconds (kept in core metadata). */
export function pollingWaitSeconds(queue: Queue): number {
  const v = queue.topic.options.metadata['PollingWaitSeconds'];
  return v === undefined ? 0 : Number(v);
}

/** The effective attributes of an existing queue. */
export function queueAttributes(queue: Queue): QueueAttributes {
  const topic = queue.topic.options;
  return {
    DelaySeconds: Math.floor(topic.delay / 1000),
    MaximumMessageSize: topic.maxMessageSize,
    MessageRetentionPeriod: Math.floor(topic.retention / 1000),
    VisibilityTimeout: Math.floor(queue.group.options.visibilityTimeout / 1000),
    PollingWaitSeconds: pollingWaitSeconds(queue),
    LoggingEnabled: topic.metadata['LoggingEnabled'] === 'True',
  };
}

/** True when two attribute sets are the same. */
export function sameAttributes(a: QueueAttributes, b: QueueAttributes): boolean {
  return (
    a.DelaySeconds === b.DelaySeconds &&
    a.MaximumMessageSize === b.MaximumMessageSize &&
    a.MessageRetentionPeriod === b.MessageRetentionPeriod &&
    a.VisibilityTimeout === b.VisibilityTimeout &&
    a.PollingWaitSeconds === b.PollingWaitSeconds &&
    a.LoggingEnabled === b.LoggingEnabled
  );
}

/** The MNS name of a core queue (prefix removed). */
export const mnsQueueName = (queue: Queue): string => queue.name.slice(QUEUE_PREFIX.length);

/**
 * `QueueName` and every attribute and counter, in the order of GetQueueAttributes (all twelve are required by the
 * Python SDK). Times are epoch seconds.
 */
export function renderQueueAttributes(queue: Queue): string {
  const a = queueAttributes(queue);
  const stats = queue.stats();
  return (
    xmlElement('QueueName', mnsQueueName(queue)) +
    xmlElement('CreateTime', Math.floor(queue.createdAt / 1000)) +
    xmlElement('LastModifyTime', Math.floor(queue.modifiedAt / 1000)) +
    xmlElement('DelaySeconds', a.DelaySeconds) +
    xmlElement('MaximumMessageSize', a.MaximumMessageSize) +
    xmlElement('MessageRetentionPeriod', a.MessageRetentionPeriod) +
    xmlElement('VisibilityTimeout', a.VisibilityTimeout) +
    xmlElement('PollingWaitSeconds', a.PollingWaitSeconds) +
    xmlElement('ActiveMessages', stats.active) +
    xmlElement('InactiveMessages', stats.inflight) +
    xmlElement('DelayMessages', stats.delayed) +
    xmlElement('LoggingEnabled', a.LoggingEnabled ? 'True' : 'False')
  );
}
