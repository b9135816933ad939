/** @module set-subscription-attributes — SetSubscriptionAttributes: `PUT /topics/{t}/subscriptions/{s}?metaoverride=true`. */
import type { WireResponse } from '@sluice/http';
import { xmlText } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';
import { topicOf } from '../lookup.js';
import { readBody } from '../params.js';
import { emptyResponse } from '../response.js';
import { NotifyStrategy } from '../topic-attributes.js';

/** 204; only NotifyStrategy can change. */
export function setSubscriptionAttributes(ctx: MnsContext): WireResponse {
  const group = topicOf(ctx).group(ctx.subscription);
  const { node } = readBody(ctx.request, ['Subscription'], true);
  const strategy = xmlText(node, 'NotifyStrategy');
  if (strategy !== undefined) {
    const value = strategy.trim();
    if (!(NotifyStrategy as readonly string[]).includes(value)) {
      throw new MnsFault(
        400,
        'InvalidArgument',
        `The value of NotifyStrategy should be one of ${NotifyStrategy.join(', ')}.`,
      );
    }
    group.setOptions({ metadata: { ...group.options.metadata, NotifyStrategy: value } });
  }
  return emptyResponse(ctx, 204);
}
