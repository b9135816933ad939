/** @module messages — a delivered message as the `<Messages>` document of a consume or check-back carries it. */
import { createHash } from 'node:crypto';
import type { Message } from '@sluice/core';
import { escapeXml } from '@sluice/http';
import { renderProperties, SystemProperty } from './properties.js';

/** Upper-case hex MD5 of a body: the service's `MessageBodyMD5`. */
export function bodyMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

/** The id a client knows a message by: a committed transactional message keeps the id its publish returned. */
export function clientMessageId(message: Message): string {
  return message.properties?.[SystemProperty.MessageId] ?? message.id;
}

/** One `<Message>` element of a consume answer. */
export function renderMessage(message: Message, receiptHandle: string, nextConsumeTime: number): string {
  // The body is a view into the core's storage, valid now: render it at once (a new view comes per delivery, so
  // there is nothing to cache its MD5 on).
  const body = message.body;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const props = message.properties;
  const published = props?.[SystemProperty.PublishTime];
  return (
    `<Message><MessageId>${clientMessageId(message)}</MessageId><MessageBodyMD5>${props?.[SystemProperty.BodyMd5] ?? bodyMd5(body)}</MessageBodyMD5>` +
    `<MessageBody>${escapeXml(text)}</MessageBody><ReceiptHandle>${receiptHandle}</ReceiptHandle>` +
    `<PublishTime>${published ?? message.publishedAt}</PublishTime>` +
    `<FirstConsumeTime>${message.firstReceivedAt}</FirstConsumeTime>` +
    `<NextConsumeTime>${nextConsumeTime}</NextConsumeTime><ConsumedTimes>${message.receiveCount}</ConsumedTimes>` +
    `<MessageTag>${message.tag === undefined ? '' : escapeXml(message.tag)}</MessageTag>` +
    `<Properties>${props === undefined ? '' : escapeXml(renderProperties(props))}</Properties></Message>`
  );
}
