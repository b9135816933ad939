/** @module set-topic-attributes — SetTopicAttributes: `PUT /topics/{t}?metaoverride=true` with a `<Topic>` subset. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { topicOf } from '../lookup.js';
import { readBody } from '../params.js';
import { emptyResponse } from '../response.js';
import { parseTopicAttributes } from '../topic-attributes.js';

/** 204. */
export function setTopicAttributes(ctx: MnsContext): WireResponse {
  const topic = topicOf(ctx);
  const { node } = readBody(ctx.request, ['Topic'], true);
  const attrs = parseTopicAttributes(node);
  const options: { maxMessageSize?: number; metadata?: Record<string, string> } = {};
  if (attrs.MaximumMessageSize !== undefined) options.maxMessageSize = attrs.MaximumMessageSize;
  if (attrs.LoggingEnabled !== undefined) {
    options.metadata = { ...topic.options.metadata, LoggingEnabled: attrs.LoggingEnabled ? 'True' : 'False' };
  }
  topic.setOptions(options);
  return emptyResponse(ctx, 204);
}
