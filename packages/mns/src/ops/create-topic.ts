/** @module create-topic — CreateTopic: `PUT /topics/{t}` with an optional `<Topic>`. */
import type { WireResponse } from '@sluice/http';
import { TOPIC_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { MnsFault } from '../fault.js';
import { checkName } from '../names.js';
import { readBody } from '../params.js';
import { emptyResponse } from '../response.js';
import {
  DEFAULT_TOPIC_ATTRIBUTES,
  parseTopicAttributes,
  topicAttributes,
  toTopicOptions,
} from '../topic-attributes.js';

/** 201 when new; 204 when it exists with the same attributes (both with `Location`, see CreateQueue); 409 TopicAlreadyExist otherwise. */
export function createTopic(ctx: MnsContext): WireResponse {
  checkName('Topic', ctx.name);
  const location = { location: `${ctx.base}/topics/${ctx.name}` };
  const { node } = readBody(ctx.request, ['Topic'], true);
  const wanted = { ...DEFAULT_TOPIC_ATTRIBUTES, ...parseTopicAttributes(node) };
  const coreName = TOPIC_PREFIX + ctx.name;
  const { broker } = ctx;
  if (broker.hasTopic(coreName)) {
    const has = topicAttributes(broker.topic(coreName));
    if (
      has.MaximumMessageSize === wanted.MaximumMessageSize &&
      has.LoggingEnabled === wanted.LoggingEnabled
    ) {
      return emptyResponse(ctx, 204, location);
    }
    throw new MnsFault(409, 'TopicAlreadyExist', 'The topic you want to create is already exist.');
  }
  ctx.caps.createTopic(() => broker.createTopic(coreName, toTopicOptions(wanted)));
  return emptyResponse(ctx, 201, location);
}
