/** @module ops/produce-messages — `POST /v1.0/{project_id}/queues/{queue_id}/messages`. */
import { isSluiceError, type SendInput } from '@sluice/core';
import type { DmsOp } from '../context.js';
import { DmsCode, dmsError, toDmsError } from '../errors.js';
import { isObject, jsonResponse, parseJsonBody } from '../json.js';
import { isKafka, MAX_MESSAGE_BYTES } from '../registry.js';

/** Most messages one produce request may carry. */
export const MAX_MESSAGES_PER_PRODUCE = 10;

/** Size DMS counts for attributes: the UTF-8 bytes of every name and value. */
export function attributesSize(attributes: Readonly<Record<string, string>> | undefined): number {
  if (attributes === undefined) return 0;
  let size = 0;
  for (const key in attributes) size += Buffer.byteLength(key) + Buffer.byteLength(attributes[key] ?? '');
  return size;
}

function tooLarge(size: number): never {
  throw dmsError(
    DmsCode.MessageTooLarge,
    `The message size is ${size}, larger than the size limit ${MAX_MESSAGE_BYTES}.`,
  );
}

/**
 * Produces 1..10 messages. The whole batch is validated before anything is stored (a bad item fails the request
 * with 400). Each `body` is any JSON value, stored as its JSON text so consume gives back the same value.
 */
export const produceMessages: DmsOp = async (context, call) => {
  const queue = context.registry.queue(call.project, call.queueId);
  const body = parseJsonBody(call.request.body, context.options.maxJsonDepth);
  if (!isObject(body)) throw dmsError(DmsCode.RequestFormat);
  const { messages, returnId } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw dmsError(DmsCode.RequestFormat, 'messages must be a non-empty array.');
  }
  if (messages.length > MAX_MESSAGES_PER_PRODUCE) {
    throw dmsError(
      DmsCode.RequestFormat,
      `At most ${MAX_MESSAGES_PER_PRODUCE} messages can be produced at a time.`,
    );
  }
  if (returnId !== undefined && returnId !== null && typeof returnId !== 'boolean') {
    throw dmsError(DmsCode.InvalidMessageFields, 'returnId must be a boolean.');
  }
  const keepAttributes = !isKafka(queue.mode);
  const inputs: SendInput[] = new Array(messages.length);
  let total = 0;
  let largest = queue.largestMessage;
  for (let i = 0; i < messages.length; i++) {
    const item: unknown = messages[i];
    if (!isObject(item)) throw dmsError(DmsCode.RequestFormat, 'Each message must be an object with a body.');
    const { body: value, attributes } = item;
    if (value === undefined) throw dmsError(DmsCode.MessageNotJson, 'Each message needs a JSON body.');
    const bytes = Buffer.from(JSON.stringify(value));
    let properties: Record<string, string> | undefined;
    if (attributes !== undefined && attributes !== null) {
      if (!isObject(attributes))
        throw dmsError(DmsCode.InvalidMessageFields, 'attributes must be an object.');
      for (const key in attributes) {
        if (typeof attributes[key] !== 'string') {
          throw dmsError(DmsCode.InvalidMessageFields, `The value of attribute ${key} must be a string.`);
        }
      }
      if (keepAttributes && Object.keys(attributes).length > 0)
        properties = attributes as Record<string, string>;
    }
    const size = bytes.length + attributesSize(properties);
    if (size > MAX_MESSAGE_BYTES) tooLarge(size);
    total += size;
    if (size > largest) largest = size;
    inputs[i] = properties === undefined ? { body: bytes } : { body: bytes, properties };
  }
  if (total > MAX_MESSAGE_BYTES) tooLarge(total);
  queue.largestMessage = largest;
  const results = await queue.topic.sendBatch(inputs);
  let out = '{"messages":[';
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    if (i > 0) out += ',';
    if (result !== undefined && 'id' in result) {
      out +=
        returnId === true
          ? `{"state":0,"error":null,"error_code":null,"id":"${result.id}"}`
          : '{"state":0,"error":null,"error_code":null}';
    } else {
      const error = toDmsError(
        result !== undefined && isSluiceError(result.error) ? result.error : undefined,
      );
      out += `{"state":1,"error":${JSON.stringify(error.message)},"error_code":"${error.code}"}`;
    }
  }
  return jsonResponse(201, `${out}]}`);
};
