/** @module send-message — SendMessage: `POST /queues/{q}/messages` with a `<Message>` root. */
import { type WireResponse, type XmlObject, xmlElement } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { queueOf } from '../lookup.js';
import { bodyMd5 } from '../message-xml.js';
import { xmlResponse } from '../response.js';
import { parseMessage } from '../send-input.js';

/** 201 `<Message>` with MessageId and MessageBodyMD5. */
export async function sendMessage(ctx: MnsContext, node: XmlObject): Promise<WireResponse> {
  const queue = queueOf(ctx);
  const message = parseMessage(node, queue);
  const { id } = await queue.send(message.input);
  return xmlResponse(
    ctx,
    201,
    'Message',
    xmlElement('MessageId', id) + xmlElement('MessageBodyMD5', bodyMd5(message.body)),
  );
}
