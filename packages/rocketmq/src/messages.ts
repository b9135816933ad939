/** @module messages — a delivered message as the `<Messages>` document of a consume or check-back carries it. */
import { createHash } from 'node:crypto';
import type { Message } from '@sluice/core';
import { escapeXml } from '@sluice/http';
import { renderProperties, SystemProperty } from './properties.js';

interface BodyFacts {
  readonly md5: string;
  readonly text: string;
}

// A body is stored once and handed out by reference on every delivery, so its MD5 and escaped text are worked out
// once per body, not once per delivery; the weak map lets them go with the message.
const facts = new WeakMap<Uint8Array, BodyFacts>();

/** Upper-case hex MD5 of a body: the service's `MessageBodyMD5`. */
export function bodyMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

function bodyFacts(body: Uint8Array): BodyFacts {
  let f = facts.get(body);
  if (f === undefined) {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    f = { md5: bodyMd5(body), text: escapeXml(text) };
    facts.set(body, f);
  }
  return f;
}

/** The id a client knows a message by: a committed transactional message keeps the id its publish returned. */
export function clientMessageId(message: Message): string {
  return message.properties?.[SystemProperty.MessageId] ?? message.id;
}

/** One `<Message>` element of a consume answer. */
export function renderMessage(message: Message, receiptHandle: string, nextConsumeTime: number): string {
  const f = bodyFacts(message.body);
  const props = message.properties;
  const published = props?.[SystemProperty.PublishTime];
  return (
    `<Message><MessageId>${clientMessageId(message)}</MessageId><MessageBodyMD5>${f.md5}</MessageBodyMD5>` +
    `<MessageBody>${f.text}</MessageBody><ReceiptHandle>${receiptHandle}</ReceiptHandle>` +
    `<PublishTime>${published ?? message.publishedAt}</PublishTime>` +
    `<FirstConsumeTime>${message.firstReceivedAt}</FirstConsumeTime>` +
    `<NextConsumeTime>${nextConsumeTime}</NextConsumeTime><ConsumedTimes>${message.receiveCount}</ConsumedTimes>` +
    `<MessageTag>${message.tag === undefined ? '' : escapeXml(message.tag)}</MessageTag>` +
    `<Properties>${props === undefined ? '' : escapeXml(renderProperties(props))}</Properties></Message>`
  );
}
