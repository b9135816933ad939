/** @module delete-topic — DeleteTopic: `DELETE /topics/{t}`; its subscriptions go with it. */
import type { WireResponse } from '@sluice/http';
import { TOPIC_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { emptyResponse } from '../response.js';

/** 204, also for a topic that does not exist (as DeleteQueue). */
export function deleteTopic(ctx: MnsContext): WireResponse {
  const coreName = TOPIC_PREFIX + ctx.name;
  if (ctx.broker.hasTopic(coreName)) {
    const subscriptions = ctx.broker.topic(coreName).listGroups().length;
    ctx.broker.deleteTopic(coreName);
    ctx.caps.topicDeleted(subscriptions);
  }
  return emptyResponse(ctx, 204);
}
