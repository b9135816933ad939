/** @module get-subscription-attributes — GetSubscriptionAttributes: `GET /topics/{t}/subscriptions/{s}`. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { topicOf } from '../lookup.js';
import { xmlResponse } from '../response.js';
import { renderSubscription } from '../topic-attributes.js';

/** 200 `<Subscription>`; unknown subscription: 404 SubscriptionNotExist (the core's GroupNotExist). */
export function getSubscriptionAttributes(ctx: MnsContext): WireResponse {
  const group = topicOf(ctx).group(ctx.subscription);
  return xmlResponse(ctx, 200, 'Subscription', renderSubscription(group, ctx.name, ctx.options.accountId));
}
