/** @module peek-message — PeekMessage: `GET /queues/{q}/messages?peekonly=true`; no state change, no long poll. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { faultOf } from '../errors.js';
import { queueOf } from '../lookup.js';
import { renderPeeked } from '../message-xml.js';
import { xmlResponse } from '../response.js';

/** 200 `<Message>` with the oldest Active message (no ReceiptHandle, no NextVisibleTime); none -> 404 MessageNotExist. */
export function peekMessage(ctx: MnsContext): WireResponse {
  const [message] = queueOf(ctx).peek({ max: 1 });
  if (message === undefined) throw faultOf('MessageNotExist');
  const whole = renderPeeked(message);
  return xmlResponse(ctx, 200, 'Message', whole.slice('<Message>'.length, -'</Message>'.length));
}
