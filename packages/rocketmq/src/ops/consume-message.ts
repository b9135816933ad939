/**
 * @module ops/consume-message — `GET /topics/{topic}/messages?consumer=&numOfMessages=[&waitseconds=][&tag=]
 * [&trans=order]`: up to 16 messages for a consumer group, long-polling up to 30 s. Nothing: 404 MessageNotExist.
 *
 * Tag filtering is done here, over the group's deliveries, not with per-(group, tags) core groups. In RocketMQ a
 * consumer group's subscription *is* its tag set and the group has one progress: the broker skips (consumes) the
 * messages the subscription does not match. So a delivery whose tag does not match is acked at once, for this
 * group, and never comes back — which is also what RocketMQ does when consumers of one group subscribe
 * inconsistently. One core group per tag set would instead give every new subscription its own progress from the
 * earliest message (replaying what the group had already consumed) and would make acks, which carry no tag,
 * ambiguous.
 */
import type { Delivery, Group } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import type { Call, DialectContext } from '../context.js';
import { RocketMqError, WireCode } from '../errors.js';
import { renderMessage } from '../messages.js';
import { consumerParam, intParam, tagFilter } from '../params.js';
import { formatHandle, HandleKind } from '../receipt.js';
import { xmlResponse } from '../render.js';

/** Most messages per consume. */
export const MAX_MESSAGES = 16;
/** Longest long poll, seconds. */
export const MAX_WAIT_SECONDS = 30;
/** Most non-matching messages one request skips before it answers with what it has (bounds a request's work). */
const MAX_SKIPPED = 1024;

/** The empty answer: never an empty `<Messages>`, which the Node SDK cannot read. */
export function noMessage(): RocketMqError {
  return new RocketMqError(WireCode.MessageNotExist, 'Message not exist.');
}

/** Consumes messages for a group (normal or, with `trans=order`, ordered). */
export async function consumeMessage(
  ctx: DialectContext,
  call: Call,
  ordered: boolean,
): Promise<WireResponse> {
  const query = call.request.query;
  const consumer = consumerParam(query);
  const max = intParam(query, 'numOfMessages', 1, MAX_MESSAGES);
  const wait = intParam(query, 'waitseconds', 0, MAX_WAIT_SECONDS, 0) * 1000;
  const tags = tagFilter(query);
  const topic = ctx.registry.topic(call.ns, call.topic, true);
  const group = ctx.registry.group(topic, call.ns, consumer, ordered, true);

  const deliveries =
    tags === undefined
      ? await group.receive({ max, wait, signal: call.signal })
      : await receiveMatching(ctx, group, call.signal, max, wait, tags);
  if (deliveries.length === 0) throw noMessage();
  const kind = ordered ? HandleKind.Ordered : HandleKind.Normal;
  let children = '';
  for (const d of deliveries)
    children += renderMessage(d, formatHandle(d.id, kind, d.receiptHandle), d.visibleAt);
  return xmlResponse(200, call.requestId, 'Messages', children);
}

/**
 * Receives until at least one delivery matches `tags` (or the wait ends), acking the others for this group. Once
 * something matched, it only tops the batch up with what is visible now.
 */
async function receiveMatching(
  ctx: DialectContext,
  group: Group,
  signal: AbortSignal,
  max: number,
  wait: number,
  tags: ReadonlySet<string>,
): Promise<Delivery[]> {
  const deadline = ctx.registry.now() + wait;
  const matched: Delivery[] = [];
  let skipped = 0;
  for (;;) {
    const remaining = matched.length === 0 ? Math.max(0, deadline - ctx.registry.now()) : 0;
    const batch = await group.receive({ max: max - matched.length, wait: remaining, signal });
    if (batch.length === 0) return matched;
    const skip: string[] = [];
    for (const d of batch) {
      if (d.tag !== undefined && tags.has(d.tag)) matched.push(d);
      else skip.push(d.receiptHandle);
    }
    if (skip.length > 0) await group.ackBatch(skip);
    skipped += skip.length;
    if (skip.length === 0 || matched.length === max || skipped >= MAX_SKIPPED || signal.aborted)
      return matched;
  }
}
