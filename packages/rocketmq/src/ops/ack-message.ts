/**
 * @module ops/ack-message — `DELETE /topics/{topic}/messages?consumer=` with `<ReceiptHandles>` (1..16):
 * acknowledge consumed messages. All good: 204. Otherwise 404 `<Errors>` listing only the failed handles, the
 * good ones acked anyway: `ReceiptHandleError` for malformed, forged or foreign handles, `MessageNotExist` for
 * genuine handles whose delivery is over (acked, past NextConsumeTime, superseded by a redelivery).
 */
import type { AckResult, Group } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import { readHandles } from '../body.js';
import type { Call, DialectContext } from '../context.js';
import { HandleFailure } from '../errors.js';
import { consumerParam } from '../params.js';
import { HandleKind, type ParsedHandle, parseHandle } from '../receipt.js';
import { type HandleError, handleErrorsResponse, noContent } from '../render.js';

/** The per-handle failure of a core ack result. */
export function ackFailure(result: AckResult): HandleFailure | undefined {
  if (result.ok) return undefined;
  return result.code === 'ReceiptHandleError'
    ? HandleFailure.ReceiptHandleError
    : HandleFailure.MessageNotExist;
}

/** Acknowledges a batch of handles for a consumer group. */
export async function ackMessage(ctx: DialectContext, call: Call): Promise<WireResponse> {
  const consumer = consumerParam(call.request.query);
  const handles = readHandles(call.request.body);
  // A topic or group that does not exist cannot have issued any handle: every handle is then foreign. With
  // autoCreate off, an unknown topic is reported as such, like the other calls.
  const topic = ctx.registry.topic(call.ns, call.topic, !ctx.options.autoCreate);
  const failures: (HandleFailure | undefined)[] = new Array(handles.length);
  // Handles per core group (0: normal, 1: ordered) and the request position of each, so errors keep request order.
  const parsedOf: [ParsedHandle[], ParsedHandle[]] = [[], []];
  const positions: [number[], number[]] = [[], []];

  for (let i = 0; i < handles.length; i++) {
    const parsed = parseHandle(handles[i]!);
    const ordered = parsed?.kind === HandleKind.Ordered;
    if (parsed === undefined || !(parsed.kind === HandleKind.Normal || ordered)) {
      failures[i] = HandleFailure.ReceiptHandleError;
      continue;
    }
    const which = ordered ? 1 : 0;
    parsedOf[which].push(parsed);
    positions[which].push(i);
  }
  for (const which of [0, 1] as const) {
    if (parsedOf[which].length === 0) continue;
    const group: Group | undefined =
      topic === undefined ? undefined : ctx.registry.group(topic, call.ns, consumer, which === 1, false);
    // The MessageId in front must be the one the token was issued for: a live token behind another message's id
    // is a forged handle, and must not ack the token's own message.
    const tokens: string[] = [];
    const tokenPositions: number[] = [];
    for (let j = 0; j < parsedOf[which].length; j++) {
      const { token, messageId } = parsedOf[which][j]!;
      if (group?.handleIsFor(token, messageId) === true) {
        tokens.push(token);
        tokenPositions.push(positions[which][j]!);
      } else {
        failures[positions[which][j]!] = HandleFailure.ReceiptHandleError;
      }
    }
    if (group === undefined || tokens.length === 0) continue;
    const results = await group.ackBatch(tokens);
    for (let j = 0; j < tokenPositions.length; j++) {
      const result = results[j];
      failures[tokenPositions[j]!] =
        result === undefined ? HandleFailure.ReceiptHandleError : ackFailure(result);
    }
  }
  const errors: HandleError[] = [];
  for (let i = 0; i < handles.length; i++) {
    const failure = failures[i];
    if (failure !== undefined) errors.push({ failure, receiptHandle: handles[i]! });
  }
  return errors.length === 0 ? noContent(call.requestId) : handleErrorsResponse(errors, call.requestId);
}
