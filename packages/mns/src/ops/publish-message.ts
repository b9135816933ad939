/**
 * @module publish-message — PublishMessage: `POST /topics/{t}/messages`; fans out to the subscribed queues and
 * stores the message for the HTTP(S) subscriptions' pusher.
 */
import { randomBytes } from 'node:crypto';
import { SluiceError } from '@sluice/core';
import { isStorageFailure, type WireResponse, type XmlObject, xmlElement, xmlText } from '@sluice/http';
import { QUEUE_PREFIX } from '../constants.js';
import type { MnsContext } from '../context.js';
import { MnsFault, outOfRange } from '../fault.js';
import { topicOf } from '../lookup.js';
import { bodyMd5 } from '../message-xml.js';
import { parseProperties } from '../properties.js';
import { isHttpEndpoint } from '../push/endpoint.js';
import { notificationBody } from '../push/notification.js';
import { xmlResponse } from '../response.js';
import { subscriptionOf } from '../topic-attributes.js';

/**
 * 201 `<Message>` with MessageId and MessageBodyMD5. Every subscription whose FilterTag is empty or equals the
 * MessageTag gets a copy in its queue, shaped by its NotifyContentFormat and carrying the message's UserProperties and
 * SystemProperties; a missing target queue drops its copy.
 * When an HTTP(S) subscription's FilterTag lets the message in, it is stored in the topic first (its id is then the
 * MessageId everywhere): the groups of those subscriptions hold it until the pusher has delivered or dropped it.
 */
export async function publishMessage(ctx: MnsContext, node: XmlObject): Promise<WireResponse> {
  const topic = topicOf(ctx);
  const body = xmlText(node, 'MessageBody');
  if (body === undefined || body === '') {
    throw new MnsFault(400, 'InvalidArgument', 'The MessageBody is required and must not be empty.');
  }
  const max = topic.options.maxMessageSize;
  if (Buffer.byteLength(body) > max) throw outOfRange('MessageBody', 1, max, 'bytes');
  const tag = (xmlText(node, 'MessageTag') ?? '').trim();
  if (tag.length > 16) throw outOfRange('MessageTag', 0, 16, 'characters');
  // Every queue copy carries the published message's properties as its own, whatever the NotifyContentFormat.
  const properties = parseProperties(node);
  const names = topic.listGroups();
  let pushed = false;
  for (const name of names) {
    const sub = subscriptionOf(topic.group(name));
    if (isHttpEndpoint(sub.Endpoint) && (sub.FilterTag === '' || sub.FilterTag === tag)) pushed = true;
  }
  // Only HTTP(S) subscriptions' groups take it (a queue subscription's group filters every tag out), and only when
  // one wants it: otherwise nothing is stored that nobody would ever read.
  const id = pushed
    ? (
        await topic.send({
          body,
          ...(tag === '' ? {} : { tag }),
          ...(properties === undefined ? {} : { properties }),
        })
      ).id
    : randomBytes(16).toString('hex').toUpperCase();
  const md5 = bodyMd5(body);
  const time = ctx.broker.clock.now();
  const sends: Promise<unknown>[] = [];
  for (const name of names) {
    const sub = subscriptionOf(topic.group(name));
    if (sub.queue === '' || (sub.FilterTag !== '' && sub.FilterTag !== tag)) continue;
    const queueName = QUEUE_PREFIX + sub.queue;
    if (!ctx.broker.hasQueue(queueName)) continue;
    const copy = notificationBody(sub.NotifyContentFormat, {
      owner: ctx.options.accountId,
      topic: ctx.name,
      subscription: name,
      id,
      md5,
      tag,
      body,
      time,
    });
    // A copy the target queue refuses (e.g. over its MaximumMessageSize) is dropped, as the service drops
    // undeliverable pushes. A copy that could not be stored fails the publish: answering 201 would lose it.
    sends.push(
      ctx.broker
        .queue(queueName)
        .send({
          body: copy,
          ...(tag === '' ? {} : { tag }),
          ...(properties === undefined ? {} : { properties }),
        })
        .catch((error: unknown) => {
          if (!(error instanceof SluiceError) || isStorageFailure(error)) throw error;
        }),
    );
  }
  await Promise.all(sends);
  return xmlResponse(ctx, 201, 'Message', xmlElement('MessageId', id) + xmlElement('MessageBodyMD5', md5));
}
