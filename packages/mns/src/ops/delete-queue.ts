/** @module delete-queue — DeleteQueue: `DELETE /queues/{q}`; parked long polls on it end with 404 QueueNotExist. */
import type { WireResponse } from '@sluice/http';
import { QUEUE_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { emptyResponse } from '../response.js';

/** 204, also for a queue that does not exist (a choice, documented in docs/compatibility.md: delete is idempotent). */
export function deleteQueue(ctx: MnsContext): WireResponse {
  const coreName = QUEUE_PREFIX + ctx.name;
  if (ctx.broker.hasQueue(coreName)) {
    ctx.broker.deleteQueue(coreName);
    ctx.caps.queueDeleted();
  }
  return emptyResponse(ctx, 204);
}
