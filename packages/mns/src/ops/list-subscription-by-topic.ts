/** @module list-subscription-by-topic — ListSubscriptionByTopic: `GET /topics/{t}/subscriptions` with paging headers. */
import { type WireResponse, xmlContainer, xmlElement } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { page } from '../list.js';
import { topicOf } from '../lookup.js';
import { xmlResponse } from '../response.js';

/** 200 `<Subscriptions>` of `<Subscription><SubscriptionURL/></Subscription>`, `NextMarker` when more remain. */
export function listSubscriptionByTopic(ctx: MnsContext): WireResponse {
  const topic = topicOf(ctx);
  const p = page(ctx.request, topic.listGroups());
  let children = '';
  for (const name of p.names) {
    children += xmlContainer(
      'Subscription',
      xmlElement('SubscriptionURL', `${ctx.base}/topics/${ctx.name}/subscriptions/${name}`),
    );
  }
  if (p.nextMarker !== undefined) children += xmlElement('NextMarker', p.nextMarker);
  return xmlResponse(ctx, 200, 'Subscriptions', children);
}
