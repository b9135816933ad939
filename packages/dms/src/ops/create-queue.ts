/** @module ops/create-queue — `POST /v1.0/{project_id}/queues`. */

import type { DmsOp } from '../context.js';
import { DmsCode, dmsError } from '../errors.js';
import { isObject, jsonResponse, parseJsonBody } from '../json.js';
import { isKafka, QueueMode, type QueueSpec } from '../registry.js';
import { kafkaTopic } from '../views.js';

const NAME = /^[A-Za-z0-9_-]+$/;
const MODES = new Set<string>(Object.values(QueueMode));

/** Validates the create body field by field, with each field's own code. */
export function parseQueueSpec(body: Record<string, unknown>): QueueSpec {
  const { name, description, queue_mode, redrive_policy, max_consume_count, retention_hours } = body;
  if (typeof name !== 'string' || name.length < 1 || name.length > 64)
    throw dmsError(DmsCode.QueueNameLength);
  if (!NAME.test(name)) throw dmsError(DmsCode.InvalidName);
  let desc: string | null = null;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string' || /[<>]/.test(description))
      throw dmsError(DmsCode.InvalidDescription);
    if (description.length > 160) throw dmsError(DmsCode.DescriptionLength);
    desc = description;
  }
  let mode: QueueMode = QueueMode.Normal;
  if (queue_mode !== undefined && queue_mode !== null) {
    if (typeof queue_mode !== 'string' || !MODES.has(queue_mode)) {
      throw dmsError(DmsCode.InvalidBody, 'queue_mode must be NORMAL, FIFO, KAFKA_HA or KAFKA_HT.');
    }
    mode = queue_mode as QueueMode;
  }
  let redrive = false;
  if (redrive_policy !== undefined && redrive_policy !== null) {
    if (redrive_policy !== 'enable' && redrive_policy !== 'disable') {
      throw dmsError(DmsCode.InvalidBody, 'redrive_policy must be enable or disable.');
    }
    // Dead letters exist for NORMAL and FIFO only; on Kafka queues the policy is ignored (choice).
    redrive = redrive_policy === 'enable' && !isKafka(mode);
  }
  let maxConsumeCount = 0;
  if (max_consume_count !== undefined && max_consume_count !== null) {
    if (
      !Number.isInteger(max_consume_count) ||
      (max_consume_count as number) < 1 ||
      (max_consume_count as number) > 100
    ) {
      throw dmsError(DmsCode.MaxConsumeCountRange);
    }
    maxConsumeCount = max_consume_count as number;
  } else if (redrive) {
    throw dmsError(
      DmsCode.MaxConsumeCountRange,
      'max_consume_count (1 to 100) is required when redrive_policy is enable.',
    );
  }
  let retentionHours = 72;
  if (retention_hours !== undefined && retention_hours !== null) {
    if (!isKafka(mode)) throw dmsError(DmsCode.RetentionNotKafka);
    if (
      !Number.isInteger(retention_hours) ||
      (retention_hours as number) < 1 ||
      (retention_hours as number) > 72
    ) {
      throw dmsError(DmsCode.RetentionRange);
    }
    retentionHours = retention_hours as number;
  }
  return { name, description: desc, mode, redrive, maxConsumeCount, retentionHours };
}

/** Creates a queue: 201 `{id, name}` (+ `kafka_topic`), 400 for a bad field, a taken name or an exhausted quota. */
export const createQueue: DmsOp = (context, call) => {
  const body = parseJsonBody(call.request.body, context.options.maxJsonDepth);
  if (!isObject(body)) throw dmsError(DmsCode.InvalidBody);
  const spec = parseQueueSpec(body);
  const { registry } = context;
  if (registry.listQueues(call.project).some((q) => q.name === spec.name))
    throw dmsError(DmsCode.QueueNameExists);
  const queue = registry.createQueue(call.project, spec);
  const answer = isKafka(queue.mode)
    ? { id: queue.id, name: queue.name, kafka_topic: kafkaTopic(queue) }
    : { id: queue.id, name: queue.name };
  return jsonResponse(201, JSON.stringify(answer));
};
