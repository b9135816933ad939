/** @module get-topic-attributes — GetTopicAttributes: `GET /topics/{t}`. */
import type { WireResponse } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { topicOf } from '../lookup.js';
import { xmlResponse } from '../response.js';
import { renderTopicAttributes } from '../topic-attributes.js';

/** 200 `<Topic>`; unknown topic: 404 TopicNotExist. */
export function getTopicAttributes(ctx: MnsContext): WireResponse {
  return xmlResponse(ctx, 200, 'Topic', renderTopicAttributes(topicOf(ctx)));
}
