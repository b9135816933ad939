/** @module receive-message — ReceiveMessage: `GET /queues/{q}/messages[?waitseconds=w]`, long polling. */
import type { Delivery } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { faultOf } from '../errors.js';
import { queueOf } from '../lookup.js';
import { deliveryFields } from '../message-xml.js';
import { integerIn, queryParam } from '../params.js';
import { pollingWaitSeconds } from '../queue-attributes.js';
import { xmlResponse } from '../response.js';

/**
 * Receives up to `max` messages, holding the request up to `waitseconds` (0..30; absent: the queue's
 * PollingWaitSeconds; cut to `maxWaitSeconds`) until one is Active. Nothing -> 404 MessageNotExist.
 */
export async function receive(ctx: MnsContext, max: number): Promise<Delivery[]> {
  const queue = queueOf(ctx);
  const waitText = queryParam(ctx.request, 'waitseconds');
  const seconds =
    waitText === undefined ? pollingWaitSeconds(queue) : integerIn(waitText, 'waitseconds', 0, 30, 'seconds');
  const wait = Math.min(seconds, ctx.options.maxWaitSeconds) * 1000;
  const deliveries = await queue.receive({ max, wait, signal: ctx.signal });
  if (deliveries.length === 0) throw faultOf('MessageNotExist');
  return deliveries;
}

/** 200 `<Message>` with the nine fields of one delivery. */
export async function receiveMessage(ctx: MnsContext): Promise<WireResponse> {
  const [delivery] = await receive(ctx, 1);
  return xmlResponse(ctx, 200, 'Message', deliveryFields(delivery!));
}
