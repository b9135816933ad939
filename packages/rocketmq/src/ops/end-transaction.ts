/**
 * @module ops/end-transaction — `DELETE /topics/{topic}/messages?consumer=&trans=commit|rollback` with
 * `<ReceiptHandles>`: resolve half messages by their publish handle (until the first check-back) or a check-back
 * handle (until its NextConsumeTime). Commit makes the message visible to every group, rollback discards it.
 * 204 when all succeed; otherwise 404 `<Errors>` per handle, like an ack.
 *
 * The `consumer` parameter is not read: the handle alone names the half message (its topic and instance are checked
 * against the path), as the service does. The Go SDK sends `consumer=` empty on the default instance (it writes the
 * instance id where the group id belongs), and refusing that would leave every such half message to be checked back
 * until it is discarded.
 */
import { isSluiceError, type Queue } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import { readHandles } from '../body.js';
import type { Call, DialectContext } from '../context.js';
import { HandleFailure } from '../errors.js';
import { HandleKind, parseHandle } from '../receipt.js';
import { type HandleError, handleErrorsResponse, noContent } from '../render.js';
import { committedInput, type HalfRecord } from '../transactions.js';

/** Commits (`commit = true`) or rolls back a batch of half messages. */
export async function endTransaction(
  ctx: DialectContext,
  call: Call,
  commit: boolean,
): Promise<WireResponse> {
  const handles = readHandles(call.request.body);
  const topic = ctx.registry.topic(call.ns, call.topic, !ctx.options.autoCreate);
  const half = topic === undefined ? undefined : ctx.registry.halfQueue(call.ns, call.topic, false);
  const errors: HandleError[] = [];
  for (const handle of handles) {
    const failure =
      half === undefined ? HandleFailure.ReceiptHandleError : await endOne(ctx, call, half, handle, commit);
    if (failure !== undefined) errors.push({ failure, receiptHandle: handle });
  }
  return errors.length === 0 ? noContent(call.requestId) : handleErrorsResponse(errors, call.requestId);
}

async function endOne(
  ctx: DialectContext,
  call: Call,
  half: Queue,
  handle: string,
  commit: boolean,
): Promise<HandleFailure | undefined> {
  const parsed = parseHandle(handle);
  if (parsed === undefined || !(parsed.kind === HandleKind.Publish || parsed.kind === HandleKind.Check)) {
    return HandleFailure.ReceiptHandleError;
  }
  const record = ctx.transactions.get(parsed.messageId);
  if (record !== undefined && (record.ns !== call.ns || record.topic !== call.topic)) {
    return HandleFailure.ReceiptHandleError;
  }

  if (parsed.kind === HandleKind.Publish) {
    // Unknown id: resolved and gone, or published before a restart; either way the handle is no longer live.
    if (record === undefined || record.resolved) return HandleFailure.MessageNotExist;
    if (record.nonce === undefined) return HandleFailure.MessageNotExist;
    if (record.nonce !== parsed.token) return HandleFailure.ReceiptHandleError;
    if (ctx.registry.now() >= record.publishDeadline) return HandleFailure.MessageNotExist;
    // Used up before the first await, so a concurrent request with the same handle cannot commit twice.
    const nonce = record.nonce;
    record.nonce = undefined;
    if (commit) {
      try {
        await send(ctx, call, record);
      } catch (error) {
        record.nonce = nonce;
        throw error;
      }
    }
    ctx.transactions.resolve(record);
    return undefined;
  }

  // A check-back handle: the MessageId in front must be the one the token was issued for (a live token behind
  // another message's id is forged); then the half queue's own delivery handle decides whether it is still live.
  if (!half.handleIsFor(parsed.token, parsed.messageId)) return HandleFailure.ReceiptHandleError;
  if (record === undefined || record.resolved) {
    // Its content is unknown here (handed out before a restart): refuse, so the check comes back and rebuilds it.
    return HandleFailure.MessageNotExist;
  }
  // Not this message's live check-back: an older (superseded) handle, or a token of another message.
  if (record.checkToken !== parsed.token) return HandleFailure.MessageNotExist;
  // Used up before the first await (the core's single-use handle guards the ack itself).
  record.checkToken = undefined;
  try {
    await half.ack(parsed.token);
  } catch (error) {
    if (isSluiceError(error, 'ReceiptHandleError')) return HandleFailure.ReceiptHandleError;
    if (isSluiceError(error)) return HandleFailure.MessageNotExist;
    throw error;
  }
  ctx.transactions.delete(record.id);
  if (commit) await send(ctx, call, record);
  return undefined;
}

async function send(ctx: DialectContext, call: Call, record: HalfRecord): Promise<void> {
  const topic = ctx.registry.topic(call.ns, call.topic, true);
  await topic.send(committedInput(record));
}
