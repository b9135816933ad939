/** @module batch-send-message — BatchSendMessage: `POST /queues/{q}/messages` with a `<Messages>` root of 1..16. */
import { type WireResponse, type XmlObject, xmlChildren, xmlContainer, xmlElement } from '@sluice/http';
import type { MnsContext } from '../context.js';
import { toFault } from '../errors.js';
import { MnsFault, malformedXml, outOfRange } from '../fault.js';
import { queueOf } from '../lookup.js';
import { bodyMd5 } from '../message-xml.js';
import { xmlResponse } from '../response.js';
import { type MessageToSend, parseMessage } from '../send-input.js';

/** Largest sum of the bodies of one batch, bytes. */
export const BATCH_BODY_LIMIT = 65_536;
/** Most messages in one batch. */
export const BATCH_LIMIT = 16;

/**
 * 201 `<Messages>` when all are sent. When some fail: 500 (a choice: the
 * SDKs only need a status of 400 or more) with one `<Message>` per input, in order, each
 * MessageId+MessageBodyMD5 or ErrorCode+ErrorMessage. Whole-request problems (count, total size) are a plain `<Error>`.
 */
export async function batchSendMessage(ctx: MnsContext, node: XmlObject): Promise<WireResponse> {
  const queue = queueOf(ctx);
  const entries = xmlChildren(node, 'Message');
  if (entries.length === 0 || entries.length > BATCH_LIMIT) throw outOfRange('Messages', 1, BATCH_LIMIT);
  const parsed: (MessageToSend | MnsFault)[] = [];
  let total = 0;
  for (const entry of entries) {
    if (typeof entry === 'string') {
      if (entry.trim() !== '') throw malformedXml('a Message must hold elements');
      parsed.push(new MnsFault(400, 'InvalidArgument', 'The MessageBody is required and must not be empty.'));
      continue;
    }
    try {
      const m = parseMessage(entry, queue);
      total += m.bytes;
      parsed.push(m);
    } catch (error) {
      const fault = toFault(error);
      if (fault === undefined) throw error;
      parsed.push(fault);
    }
  }
  if (total > BATCH_BODY_LIMIT) throw outOfRange('Messages', 1, BATCH_BODY_LIMIT, 'bytes');
  const toSend: MessageToSend[] = [];
  for (const p of parsed) if (!(p instanceof MnsFault)) toSend.push(p);
  const sent = toSend.length === 0 ? [] : await queue.sendBatch(toSend.map((m) => m.input));
  let children = '';
  let failed = false;
  let next = 0;
  for (const p of parsed) {
    let fault: MnsFault | undefined;
    let id: string | undefined;
    if (p instanceof MnsFault) fault = p;
    else {
      const item = sent[next++]!;
      if ('id' in item) id = item.id;
      else fault = toFault(item.error) ?? new MnsFault(500, 'InternalError', 'Internal error.');
    }
    if (fault !== undefined) {
      failed = true;
      children += xmlContainer(
        'Message',
        xmlElement('ErrorCode', fault.code) + xmlElement('ErrorMessage', fault.message),
      );
    } else {
      const body = (p as MessageToSend).body;
      children += xmlContainer(
        'Message',
        xmlElement('MessageId', id!) + xmlElement('MessageBodyMD5', bodyMd5(body)),
      );
    }
  }
  return xmlResponse(ctx, failed ? 500 : 201, 'Messages', children);
}
