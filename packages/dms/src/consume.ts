/**
 * @module consume — the consume action shared by `…/messages` and `…/deadletters`: parameters, long poll, the
 * 512 KB response cap, and rendering stored JSON bodies without re-parsing them.
 */
import type { Delivery, Group, Message, Queue } from '@sluice/core';
import type { WireResponse } from '@sluice/http';
import type { DmsCall, DmsContext } from './context.js';
import { DmsCode } from './errors.js';
import { encodeHandler, HandlerKind } from './handler-token.js';
import { jsonResponse } from './json.js';
import { attributesSize } from './ops/produce-messages.js';
import { intParam } from './params.js';
import { MAX_MESSAGE_BYTES } from './registry.js';

/** Consume parameters, validated. */
export interface ConsumeParams {
  /** 1..10, default 10. */
  readonly maxMsgs: number;
  /** Long poll, seconds: 1..60, default 3 (the service waits even when the parameter is absent). */
  readonly timeWait: number;
  /** Lock per delivered message, seconds: 15..300, default 30. */
  readonly ackWait: number;
}

/** Parses `max_msgs`, `time_wait`, `ack_wait`. */
export function consumeParams(query: ReadonlyMap<string, string>): ConsumeParams {
  return {
    maxMsgs: intParam(query, 'max_msgs', 10, 1, 10, DmsCode.MaxMsgsRange),
    timeWait: intParam(query, 'time_wait', 3, 1, 60, DmsCode.TimeWaitRange),
    ackWait: intParam(query, 'ack_wait', 30, 15, 300, DmsCode.AckWaitRange),
  };
}

function messageSize(message: Message): number {
  return message.body.length + attributesSize(message.properties);
}

/**
 * How many messages to ask for so the answer stays within 512 KB. Free while the queue's largest message times
 * `max` fits; otherwise sized from a peek at what is visible (a concurrent consumer may change it, so this is a
 * bound on the common case, never a lock).
 */
function fittingCount(source: Group | Queue, max: number, largest: number): number {
  if (largest * max <= MAX_MESSAGE_BYTES) return max;
  let total = 0;
  let count = 0;
  for (const message of source.peek({ max })) {
    total += messageSize(message);
    if (count > 0 && total > MAX_MESSAGE_BYTES) break;
    count++;
  }
  return Math.max(1, count);
}

/** Renders deliveries as the DMS consume array; bodies are spliced in as the JSON text they were stored as. */
function render(deliveries: readonly Delivery[], kind: HandlerKind, tag: string): string {
  let out = '[';
  for (let i = 0; i < deliveries.length; i++) {
    const d = deliveries[i]!;
    const body = Buffer.from(d.body.buffer, d.body.byteOffset, d.body.length).toString('utf8');
    const attributes = d.properties === undefined ? '{}' : JSON.stringify(d.properties);
    out += `${i > 0 ? ',' : ''}{"message":{"body":${body},"attributes":${attributes}},"handler":"${encodeHandler(kind, tag, d.receiptHandle)}"}`;
  }
  return `${out}]`;
}

/** Consumes from a group's messages or dead letters: 200 with an array, `[]` when nothing came within `time_wait`. */
export async function consume(
  context: DmsContext,
  call: DmsCall,
  deadLetters: boolean,
): Promise<WireResponse> {
  const { registry } = context;
  const queue = registry.queue(call.project, call.queueId);
  const group = registry.group(queue, call.groupId);
  const params = consumeParams(call.request.query);
  // A group without dead letters (redrive off) simply has none to give.
  const source = deadLetters ? group.deadLetters : group.group;
  if (source === undefined) return jsonResponse(200, '[]');
  const kind = deadLetters ? HandlerKind.DeadLetter : HandlerKind.Normal;
  let deliveries: Delivery[];
  try {
    deliveries = await source.receive({
      max: fittingCount(source, params.maxMsgs, queue.largestMessage),
      wait: params.timeWait * 1000,
      visibilityTimeout: params.ackWait * 1000,
      signal: call.signal,
    });
  } catch (error) {
    // Deleted while parked: say which one went away, whatever core object the wait was on.
    registry.group(registry.queue(call.project, call.queueId), call.groupId);
    throw error;
  }
  return jsonResponse(200, render(deliveries, kind, group.tag));
}
