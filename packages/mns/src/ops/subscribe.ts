/** @module subscribe — Subscribe: `PUT /topics/{t}/subscriptions/{s}` with a `<Subscription>` (queue or HTTP(S) endpoint). */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';
import { topicOf } from '../lookup.js';
import { checkName } from '../names.js';
import { readBody } from '../params.js';
import { emptyResponse } from '../response.js';
import { parseSubscription, subscriptionGroupOptions, subscriptionOf } from '../topic-attributes.js';

/** 201 when new; 204 when it exists with the same attributes (both with `Location`, see CreateQueue); 409 SubscriptionAlreadyExist otherwise. */
export function subscribe(ctx: MnsContext): WireResponse {
  checkName('Subscription', ctx.subscription);
  const location = { location: `${ctx.base}/topics/${ctx.name}/subscriptions/${ctx.subscription}` };
  const topic = topicOf(ctx);
  const { node } = readBody(ctx.request, ['Subscription']);
  const wanted = parseSubscription(node, ctx.options.push);
  if (topic.hasGroup(ctx.subscription)) {
    const has = subscriptionOf(topic.group(ctx.subscription));
    const same =
      has.Endpoint === wanted.Endpoint &&
      has.FilterTag === wanted.FilterTag &&
      has.NotifyStrategy === wanted.NotifyStrategy &&
      has.NotifyContentFormat === wanted.NotifyContentFormat;
    if (same) return emptyResponse(ctx, 204, location);
    throw new MnsFault(
      409,
      'SubscriptionAlreadyExist',
      'The subscription you want to create is already exist.',
    );
  }
  const group = ctx.caps.subscribe(topic, () =>
    topic.createGroup(ctx.subscription, subscriptionGroupOptions(wanted, ctx.base + ctx.options.mountPath)),
  );
  ctx.pusher.watch(group);
  return emptyResponse(ctx, 201, location);
}
