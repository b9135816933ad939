/** @module delete-message — DeleteMessage: `DELETE /queues/{q}/messages?ReceiptHandle=h`. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { queueOf } from '../lookup.js';
import { emptyResponse } from '../response.js';

/**
 * 204 for the current handle. Already deleted/expired: 404 MessageNotExist; malformed, forged or stale (deadline
 * passed, re-received, replaced by ChangeMessageVisibility): 400 ReceiptHandleError — both through the core's codes.
 */
export async function deleteMessage(ctx: MnsContext, receiptHandle: string): Promise<WireResponse> {
  await queueOf(ctx).ack(receiptHandle);
  return emptyResponse(ctx, 204);
}
