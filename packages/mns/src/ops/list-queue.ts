/** @module list-queue — ListQueue: `GET /queues` with the x-mns-prefix / marker / ret-number / with-meta headers. */
import { type WireResponse, xmlContainer, xmlElement } from '@sluice/http';
import { QUEUE_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { page } from '../list.js';
import { renderQueueAttributes } from '../queue-attributes.js';
import { xmlResponse } from '../response.js';

/** 200 `<Queues>`: MNS queues only, sorted by name, `NextMarker` when more remain (an empty list is `<Queues/>`). */
export function listQueue(ctx: MnsContext): WireResponse {
  const { broker } = ctx;
  const names: string[] = [];
  for (const core of broker.listQueues())
    if (core.startsWith(QUEUE_PREFIX)) names.push(core.slice(QUEUE_PREFIX.length));
  const p = page(ctx.request, names);
  let children = '';
  for (const name of p.names) {
    let entry = xmlElement('QueueURL', `${ctx.base}/queues/${name}`);
    if (p.withMeta) entry += renderQueueAttributes(broker.queue(QUEUE_PREFIX + name));
    children += xmlContainer('Queue', entry);
  }
  if (p.nextMarker !== undefined) children += xmlElement('NextMarker', p.nextMarker);
  return xmlResponse(ctx, 200, 'Queues', children);
}
