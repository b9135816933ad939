/** @module unsubscribe — Unsubscribe: `DELETE /topics/{t}/subscriptions/{s}`. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { topicOf } from '../lookup.js';
import { emptyResponse } from '../response.js';

/** 204 (also when the subscription does not exist); unknown topic: 404 TopicNotExist. */
export function unsubscribe(ctx: MnsContext): WireResponse {
  const topic = topicOf(ctx);
  if (topic.hasGroup(ctx.subscription)) {
    topic.deleteGroup(ctx.subscription);
    ctx.caps.unsubscribed();
  }
  return emptyResponse(ctx, 204);
}
