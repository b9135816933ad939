/** @module change-message-visibility — ChangeMessageVisibility: `PUT /queues/{q}/messages?ReceiptHandle=h&VisibilityTimeout=s`. */
import { type WireResponse, xmlElement } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';
import { queueOf } from '../lookup.js';
import { integerIn, queryParam } from '../params.js';
import { xmlResponse } from '../response.js';

/**
 * 200 `<ChangeVisibility>` with the NEW handle and NextVisibleTime (= now + s, counted from this call); the old
 * handle stops working. Errors as DeleteMessage, plus 400 MissingVisibilityTimeout / InvalidArgument (1..43200).
 */
export async function changeMessageVisibility(ctx: MnsContext, receiptHandle: string): Promise<WireResponse> {
  const text = queryParam(ctx.request, 'visibilitytimeout');
  if (text === undefined || text === '') {
    throw new MnsFault(400, 'MissingVisibilityTimeout', 'The VisibilityTimeout is required.');
  }
  const seconds = integerIn(text, 'VisibilityTimeout', 1, 43_200, 'seconds');
  const queue = queueOf(ctx);
  const change = await queue.changeVisibility(receiptHandle, seconds * 1000);
  return xmlResponse(
    ctx,
    200,
    'ChangeVisibility',
    xmlElement('ReceiptHandle', change.receiptHandle) + xmlElement('NextVisibleTime', change.visibleAt),
  );
}
