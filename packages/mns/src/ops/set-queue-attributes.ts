/** @module set-queue-attributes — SetQueueAttributes: `PUT /queues/{q}?metaoverride=true` with a `<Queue>` subset. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { queueOf } from '../lookup.js';
import { readBody } from '../params.js';
import { parseQueueAttributes, toQueueOptions } from '../queue-attributes.js';
import { emptyResponse } from '../response.js';

/** 204; new VisibilityTimeout/DelaySeconds apply to later receives/sends only (the core's rule too). */
export function setQueueAttributes(ctx: MnsContext): WireResponse {
  const queue = queueOf(ctx);
  const { node } = readBody(ctx.request, ['Queue'], true);
  queue.setOptions(toQueueOptions(parseQueueAttributes(node), queue.topic.options.metadata));
  return emptyResponse(ctx, 204);
}
