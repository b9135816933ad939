/** @module list-topic — ListTopic: `GET /topics` with the paging headers of ListQueue. */
import { type WireResponse, xmlContainer, xmlElement } from '@sluice/http';
import { TOPIC_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { page } from '../list.js';
import { xmlResponse } from '../response.js';
import { renderTopicAttributes } from '../topic-attributes.js';

/** 200 `<Topics>` of `<Topic><TopicURL/></Topic>` (plus attributes with meta), `NextMarker` when more remain. */
export function listTopic(ctx: MnsContext): WireResponse {
  const names: string[] = [];
  for (const core of ctx.broker.listTopics())
    if (core.startsWith(TOPIC_PREFIX)) names.push(core.slice(TOPIC_PREFIX.length));
  const p = page(ctx.request, names);
  let children = '';
  for (const name of p.names) {
    let entry = xmlElement('TopicURL', `${ctx.base}/topics/${name}`);
    if (p.withMeta) entry += renderTopicAttributes(ctx.broker.topic(TOPIC_PREFIX + name));
    children += xmlContainer('Topic', entry);
  }
  if (p.nextMarker !== undefined) children += xmlElement('NextMarker', p.nextMarker);
  return xmlResponse(ctx, 200, 'Topics', children);
}
