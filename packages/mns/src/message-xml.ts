/** @module message-xml — how a stored message reads on the MNS wire: body text, MD5, priority, `<Message>` fields. */
import type { Delivery, Message } from '@sluice/core';
import { md5Hex, xmlContainer, xmlElement } from '@sluice/http';
import { DEFAULT_PRIORITY, PRIORITY_PROPERTY } from './constants.js';
import { renderProperties } from './properties.js';

/** The body as text (MNS bodies are text: clients base64 binary themselves). */
export function bodyText(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/** `MessageBodyMD5`: upper-case hex MD5 of the UTF-8 body as stored. */
export function bodyMd5(body: string | Uint8Array): string {
  return md5Hex(body).toUpperCase();
}

/**
 * The MNS Priority of a stored message: its core priority (set when not the default), else the property older
 * versions kept it in (messages still in their logs), else the default.
 */
export function priorityOf(message: Message): number {
  if (message.priority !== undefined) return message.priority;
  const p = message.properties?.[PRIORITY_PROPERTY];
  return p === undefined ? DEFAULT_PRIORITY : Number(p);
}

/** One received message: the nine fields of ReceiveMessage, in the service's order, then its properties. */
export function renderDelivery(d: Delivery): string {
  return xmlContainer(
    'Message',
    xmlElement('MessageId', d.id) +
      xmlElement('ReceiptHandle', d.receiptHandle) +
      xmlElement('MessageBodyMD5', bodyMd5(d.body)) +
      xmlElement('MessageBody', bodyText(d.body)) +
      xmlElement('EnqueueTime', d.publishedAt) +
      xmlElement('NextVisibleTime', d.visibleAt) +
      xmlElement('FirstDequeueTime', d.firstReceivedAt) +
      xmlElement('DequeueCount', d.receiveCount) +
      xmlElement('Priority', priorityOf(d)) +
      renderProperties(d.properties),
  );
}

/** The children of one received message (for the single-message root `<Message>`). */
export function deliveryFields(d: Delivery): string {
  const whole = renderDelivery(d);
  return whole.slice('<Message>'.length, -'</Message>'.length);
}

/**
 * One peeked message: the fields of PeekMessage (no handle, no NextVisibleTime), then its properties; never
 * received -> FirstDequeueTime 0.
 */
export function renderPeeked(m: Message): string {
  return xmlContainer(
    'Message',
    xmlElement('MessageId', m.id) +
      xmlElement('MessageBodyMD5', bodyMd5(m.body)) +
      xmlElement('MessageBody', bodyText(m.body)) +
      xmlElement('EnqueueTime', m.publishedAt) +
      xmlElement('FirstDequeueTime', m.firstReceivedAt) +
      xmlElement('DequeueCount', m.receiveCount) +
      xmlElement('Priority', priorityOf(m)) +
      renderProperties(m.properties),
  );
}
