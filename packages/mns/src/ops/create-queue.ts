/** @module create-queue — CreateQueue: `PUT /queues/{q}` with an optional `<Queue>` of attributes. */
import type { WireResponse } from '@sluice/http';
import { QUEUE_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';
import { checkName } from '../names.js';
import { readBody } from '../params.js';
import {
  DEFAULT_QUEUE_ATTRIBUTES,
  parseQueueAttributes,
  queueAttributes,
  sameAttributes,
  toQueueOptions,
} from '../queue-attributes.js';
import { emptyResponse } from '../response.js';

/**
 * 201 when new; 204 when it exists with the same effective attributes; 409 QueueAlreadyExist otherwise. Both 2xx
 * carry `Location`: the Python SDK reads it after every success, and apps that create their queues at start-up
 * repeat the create on every restart.
 */
export function createQueue(ctx: MnsContext): WireResponse {
  checkName('Queue', ctx.name);
  const location = { location: `${ctx.base}/queues/${ctx.name}` };
  const { node } = readBody(ctx.request, ['Queue'], true);
  const wanted = { ...DEFAULT_QUEUE_ATTRIBUTES, ...parseQueueAttributes(node) };
  const coreName = QUEUE_PREFIX + ctx.name;
  const { broker } = ctx;
  if (broker.hasQueue(coreName)) {
    if (sameAttributes(queueAttributes(broker.queue(coreName)), wanted))
      return emptyResponse(ctx, 204, location);
    throw new MnsFault(409, 'QueueAlreadyExist', 'The queue you want to create is already exist.');
  }
  ctx.caps.createQueue(() => broker.createQueue(coreName, toQueueOptions(wanted)));
  return emptyResponse(ctx, 201, location);
}
