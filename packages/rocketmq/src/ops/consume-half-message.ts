/**
 * @module ops/consume-half-message — `GET /topics/{topic}/messages?consumer=&trans=pop&numOfMessages=
 * [&waitseconds=]`: the transactional check-back. Answers, in the consume format, half messages whose check time has
 * come, each with a fresh handle for commit or rollback; unanswered, a message comes back `__TransCheckT` seconds
 * later (see transactions.ts). Nothing due: 404 MessageNotExist.
 */
import type { Queue } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import type { Call, DialectContext } from '../context.js';
import { renderMessage } from '../messages.js';
import { consumerParam, intParam } from '../params.js';
import { formatHandle, HandleKind } from '../receipt.js';
import { xmlResponse } from '../render.js';
import { MAX_MESSAGES, MAX_WAIT_SECONDS, noMessage } from './consume-message.js';

/** Answers the half messages due for a check-back. */
export async function consumeHalfMessage(ctx: DialectContext, call: Call): Promise<WireResponse> {
  const query = call.request.query;
  // The producer group is required on the wire but does not scope check-backs: a publish names no group.
  consumerParam(query);
  const max = intParam(query, 'numOfMessages', 1, MAX_MESSAGES);
  const wait = intParam(query, 'waitseconds', 0, MAX_WAIT_SECONDS, 0) * 1000;
  ctx.registry.topic(call.ns, call.topic, true);
  const half: Queue = ctx.registry.halfQueue(call.ns, call.topic, true)!;
  const deadline = ctx.registry.now() + wait;
  ctx.transactions.sweep(ctx.registry.now());

  let children = '';
  let count = 0;
  while (count < max) {
    const remaining = count === 0 ? Math.max(0, deadline - ctx.registry.now()) : 0;
    const batch = await half.receive({ max: max - count, wait: remaining, signal: call.signal });
    if (batch.length === 0) break;
    let resolvedSeen = false;
    for (const d of batch) {
      const record = ctx.transactions.checkBack(call.ns, call.topic, d, d.visibleAt);
      if (record === undefined) {
        // Committed or rolled back through its publish handle while it waited: it only had to leave the queue.
        resolvedSeen = true;
        await half.ack(d.receiptHandle).catch(() => undefined);
        ctx.transactions.delete(d.id);
        continue;
      }
      let handle = d.receiptHandle;
      let next = d.visibleAt;
      if (next - ctx.registry.now() !== record.checkInterval) {
        const changed = await half.changeVisibility(handle, record.checkInterval);
        handle = changed.receiptHandle;
        next = changed.visibleAt;
      }
      record.checkToken = handle;
      record.keepUntil = Math.max(record.keepUntil, next + record.checkInterval);
      children += renderMessage(d, formatHandle(d.id, HandleKind.Check, handle), next);
      count++;
    }
    if (!resolvedSeen || call.signal.aborted) break;
  }
  if (count === 0) throw noMessage();
  return xmlResponse(200, call.requestId, 'Messages', children);
}
