/** @module messages — a delivered message as the `<Messages>` document of a consume or check-back carries it. */
import { createHash } from 'node:crypto';
import type { Message } from '@sluice/core';
import { escapeXml, replaceIllegalXmlChars } from '@sluice/http';
import { renderProperties, SystemProperty } from './properties.js';

/** Upper-case hex MD5 of a body: the service's `MessageBodyMD5`. */
export function bodyMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex').toUpperCase();
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#13;',
};

/**
 * Element text escaped as the service does (`&amp; &lt; &gt;`; quotes need no escaping in content, and JSON bodies
 * are full of them). Whether there is anything to escape is answered by three native byte searches over the body,
 * far cheaper than a regular expression over the decoded text, and most bodies have nothing to escape. CR is written
 * `&#13;`: raw, a conformant parser would hand the consumer LF instead (XML end-of-line handling). A character
 * XML 1.0 does not allow becomes U+FFFD: publish refuses them, so only a body stored through the core API can hold
 * one, and the answer must stay well-formed (the decoded text never holds a lone surrogate).
 */
function escapeBody(bytes: Buffer, text: string): string {
  const clean = replaceIllegalXmlChars(text);
  if (
    bytes.indexOf(0x26) === -1 &&
    bytes.indexOf(0x3c) === -1 &&
    bytes.indexOf(0x3e) === -1 &&
    bytes.indexOf(0x0d) === -1
  ) {
    return clean;
  }
  return clean.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!);
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
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = buffer.toString('utf8');
  const props = message.properties;
  const published = props?.[SystemProperty.PublishTime];
  return (
    // Id, MD5 and publish time come from reserved properties the dialect writes itself, but a message stored through
    // the core API may carry anything there: escaped, so the answer stays well-formed whatever they hold.
    `<Message><MessageId>${escapeXml(clientMessageId(message))}</MessageId><MessageBodyMD5>${escapeXml(props?.[SystemProperty.BodyMd5] ?? bodyMd5(body))}</MessageBodyMD5>` +
    `<MessageBody>${escapeBody(buffer, text)}</MessageBody><ReceiptHandle>${receiptHandle}</ReceiptHandle>` +
    `<PublishTime>${published === undefined ? message.publishedAt : escapeXml(published)}</PublishTime>` +
    `<FirstConsumeTime>${message.firstReceivedAt}</FirstConsumeTime>` +
    `<NextConsumeTime>${nextConsumeTime}</NextConsumeTime><ConsumedTimes>${message.receiveCount}</ConsumedTimes>` +
    `<MessageTag>${message.tag === undefined ? '' : escapeXml(message.tag)}</MessageTag>` +
    `<Properties>${props === undefined ? '' : escapeXml(renderProperties(props))}</Properties></Message>`
  );
}
