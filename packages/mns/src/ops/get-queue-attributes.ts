/** @module get-queue-attributes — GetQueueAttributes: `GET /queues/{q}`. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { queueOf } from '../lookup.js';
import { renderQueueAttributes } from '../queue-attributes.js';
import { xmlResponse } from '../response.js';

/** 200 `<Queue>` with the name, times, attributes and live counts. */
export function getQueueAttributes(ctx: MnsContext): WireResponse {
  return xmlResponse(ctx, 200, 'Queue', renderQueueAttributes(queueOf(ctx)));
}
