/** @module batch-peek-message — BatchPeekMessage: `GET /queues/{q}/messages?peekonly=true&numOfMessages=n` (1..16). */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { faultOf } from '../errors.js';
import { queueOf } from '../lookup.js';
import { renderPeeked } from '../message-xml.js';
import { integerIn } from '../params.js';
import { xmlResponse } from '../response.js';

/** 200 `<Messages>` with up to n Active messages, oldest first; none -> 404 MessageNotExist. */
export function batchPeekMessage(ctx: MnsContext, numOfMessages: string): WireResponse {
  const max = integerIn(numOfMessages, 'numOfMessages', 1, 16);
  const messages = queueOf(ctx).peek({ max });
  if (messages.length === 0) throw faultOf('MessageNotExist');
  let children = '';
  for (const m of messages) children += renderPeeked(m);
  return xmlResponse(ctx, 200, 'Messages', children);
}
