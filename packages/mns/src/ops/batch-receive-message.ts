/** @module batch-receive-message — BatchReceiveMessage: `GET /queues/{q}/messages?numOfMessages=n` (1..16). */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { renderDelivery } from '../message-xml.js';
import { integerIn } from '../params.js';
import { xmlResponse } from '../response.js';
import { receive } from './receive-message.js';

/** 200 `<Messages>` with 1..n messages as soon as one is there; never an empty list (404 MessageNotExist). */
export async function batchReceiveMessage(ctx: MnsContext, numOfMessages: string): Promise<WireResponse> {
  const max = integerIn(numOfMessages, 'numOfMessages', 1, 16);
  const deliveries = await receive(ctx, max);
  let children = '';
  for (const d of deliveries) children += renderDelivery(d);
  return xmlResponse(ctx, 200, 'Messages', children);
}
