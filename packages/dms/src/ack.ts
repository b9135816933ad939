/**
 * @module ack — the ordered acknowledgement shared by `…/ack` and `…/deadletters/ack`.
 *
 * HOW and WHY. DMS checks an ack list in order: each `success` item with a live handler is acknowledged; the first
 * item that is `fail`, or whose handler is not a live delivery of this group, stops the walk, and it and every later
 * item count as failed — `{success: N, fail: M}` means "the first N, the last M". Failed items whose handlers are
 * still live are released at once (core `nack`: available again, the failure counts toward `max_consume_count`), so a
 * consumer that stops at its first failure gets the rest redelivered. The acks must run one after another: an item
 * after a dead handler must not be acknowledged, which a batch call could not promise.
 * When the very first handler is not live the answer is a 400 (`10542209`, or `10540004`/`10542205` for a handler of
 * another group or of the other store), so a repeated ack is visible as an error.
 */
import { type Group, isSluiceError, type Queue } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import type { DmsCall, DmsContext } from './context.js';
import { DmsCode as Codes, type DmsCode, dmsError } from './errors.js';
import { HandlerKind, parseHandler } from './handler-token.js';
import { isObject, jsonResponse, NOT_JSON, parseJsonBody } from './json.js';

/** Most items one ack request may carry (a consume answers at most 10). */
export const MAX_ACK_ITEMS = 10;

/** One validated ack item: its core receipt (when the handler is ours) or why it can never be acknowledged. */
interface AckItem {
  readonly receipt: string | undefined;
  readonly invalid: DmsCode | undefined;
  readonly success: boolean;
}

/** Validates the whole body before touching anything (a malformed item fails the request with 400). */
function parseItems(body: Uint8Array, expected: HandlerKind, tag: string, maxDepth: number): AckItem[] {
  const parsed = parseJsonBody(body, maxDepth);
  if (parsed === NOT_JSON || !isObject(parsed)) throw dmsError(Codes.RequestFormat);
  const { message: list } = parsed;
  if (!Array.isArray(list) || list.length === 0)
    throw dmsError(Codes.RequestFormat, 'message must be a non-empty array.');
  if (list.length > MAX_ACK_ITEMS) {
    throw dmsError(Codes.RequestFormat, `At most ${MAX_ACK_ITEMS} messages can be acknowledged at a time.`);
  }
  return list.map((entry: unknown): AckItem => {
    const { handler: text, status } = isObject(entry) ? entry : {};
    if (typeof text !== 'string' || text === '') {
      throw dmsError(Codes.RequestFormat, 'Each item needs a handler string.');
    }
    if (status !== undefined && status !== 'success' && status !== 'fail') {
      const shown = typeof status === 'string' ? status : JSON.stringify(status);
      throw dmsError(
        Codes.AckStatus,
        `Message ack status must be either 'success' or 'fail'. It should not be '${shown}'.`,
      );
    }
    const handler = parseHandler(text);
    const invalid =
      handler === undefined
        ? Codes.HandlerNotExist
        : handler.tag !== tag
          ? Codes.HandlerNotOwned
          : handler.kind !== expected
            ? Codes.HandlerWrongKind
            : undefined;
    return {
      receipt: invalid === undefined ? handler?.receipt : undefined,
      invalid,
      success: status !== 'fail',
    };
  });
}

/** Rethrows anything but a dead-handle failure (a deleted queue must still answer 404, not count as `fail`). */
function deadHandle(error: unknown): true {
  if (
    isSluiceError(error, 'ReceiptHandleError') ||
    isSluiceError(error, 'ReceiptHandleExpired') ||
    isSluiceError(error, 'MessageNotExist')
  ) {
    return true;
  }
  throw error;
}

/** Runs the ordered ack against `target` (a group, or a dead-letter queue). */
async function walk(items: readonly AckItem[], target: Group | Queue | undefined): Promise<WireResponse> {
  let success = 0;
  let firstInvalid: DmsCode | undefined;
  let stopped = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const receipt = target === undefined ? undefined : item.receipt;
    if (receipt === undefined) {
      if (!stopped && i === 0) firstInvalid = item.invalid ?? Codes.HandlerNotExist;
      stopped = true;
      continue;
    }
    if (!stopped && item.success) {
      try {
        await target!.ack(receipt);
        success++;
        continue;
      } catch (error) {
        deadHandle(error);
        if (i === 0) firstInvalid = Codes.HandlerNotExist;
        stopped = true;
        continue;
      }
    }
    // A `fail`, or anything after the stop: release it so it is redelivered.
    const first = !stopped && i === 0;
    stopped = true;
    try {
      await target!.nack(receipt);
    } catch (error) {
      deadHandle(error);
      if (first) firstInvalid = Codes.HandlerNotExist;
    }
  }
  if (firstInvalid !== undefined) throw dmsError(firstInvalid);
  return jsonResponse(200, `{"success":${success},"fail":${items.length - success}}`);
}

/** Acknowledges consumed messages (or dead letters) of a group in the DMS order: 200 `{success, fail}`. */
export async function ack(context: DmsContext, call: DmsCall, deadLetters: boolean): Promise<WireResponse> {
  const { registry } = context;
  const group = registry.group(registry.queue(call.project, call.queueId), call.groupId);
  const expected = deadLetters ? HandlerKind.DeadLetter : HandlerKind.Normal;
  const items = parseItems(call.request.body, expected, group.tag, context.options.maxJsonDepth);
  return walk(items, deadLetters ? group.deadLetters : group.group);
}
