/** @module lookup — the core objects behind an MNS request's names. */
import type { Queue, Topic } from '@sluice/core';
import { QUEUE_PREFIX, TOPIC_PREFIX } from './constants.js';
import type { MnsContext } from './context.js';

/** The MNS queue named in the path (404 QueueNotExist through the core's error). */
export function queueOf(ctx: MnsContext): Queue {
  return ctx.broker.queue(QUEUE_PREFIX + ctx.name);
}

/** The MNS topic named in the path (404 TopicNotExist through the core's error). */
export function topicOf(ctx: MnsContext): Topic {
  return ctx.broker.topic(TOPIC_PREFIX + ctx.name);
}
