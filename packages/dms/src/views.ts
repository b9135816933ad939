/** @module views — the JSON objects DMS answers with for queues and groups (field order as the reference shows). */
import { type DmsGroup, type DmsQueue, isKafka, MAX_MESSAGE_BYTES } from './registry.js';

/** Messages the queue holds or has taken: at least what it has sent since opening, at least what it stores. */
function producedMessages(queue: DmsQueue): number {
  const stats = queue.topic.stats();
  return Math.max(stats.sent, stats.messages);
}

/** A `<queue>` object (GET of a queue). */
export function queueView(queue: DmsQueue, includeDeadletter: boolean, includeKafkaTopic: boolean): object {
  const view = {
    id: queue.id,
    name: queue.name,
    description: queue.description,
    queue_mode: queue.mode,
    reservation: queue.retentionHours * 60,
    max_msg_size_byte: MAX_MESSAGE_BYTES,
    produced_messages: producedMessages(queue),
    created: queue.topic.createdAt,
    eff_date: queue.topic.createdAt,
    group_count: queue.groups.size,
  };
  const deadletter = includeDeadletter
    ? { redrive_policy: queue.redrive ? 'enable' : 'disable', max_consume_count: queue.maxConsumeCount }
    : undefined;
  const kafka = includeKafkaTopic && isKafka(queue.mode) ? { kafka_topic: kafkaTopic(queue) } : undefined;
  return deadletter === undefined && kafka === undefined ? view : { ...view, ...deadletter, ...kafka };
}

/** The `kafka_topic` of a Kafka-mode queue. */
export function kafkaTopic(queue: DmsQueue): string {
  return `k-${queue.project}-${queue.id}`;
}

/**
 * A group entry of the group list. `produced_messages` counts what reached this group (acked + available +
 * dead-lettered), which equals the queue's retained messages for a group that has seen them all.
 */
export function groupView(group: DmsGroup, includeDeadletter: boolean): object {
  const stats = group.group.stats();
  const available = stats.active + stats.inflight + stats.delayed;
  const view = {
    id: group.id,
    name: group.name,
    produced_messages: stats.acked + available + stats.deadLettered,
    consumed_messages: stats.acked,
    available_messages: available,
  };
  if (!includeDeadletter) return view;
  const dl = group.deadLetters?.stats();
  return {
    ...view,
    produced_deadletters: stats.deadLettered,
    available_deadletters: dl === undefined ? 0 : dl.active + dl.inflight + dl.delayed,
  };
}
