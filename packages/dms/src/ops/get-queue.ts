/** @module ops/get-queue — `GET /v1.0/{project_id}/queues/{queue_id}[?include_deadletter=true]`. */
import type { DmsOp } from '../context.js';
import { jsonResponse } from '../json.js';
import { boolParam } from '../params.js';
import { queueView } from '../views.js';

/** One queue: 200 `<queue>` (+ `kafka_topic` for Kafka modes), 404 `10240401`. */
export const getQueue: DmsOp = (context, call) => {
  const queue = context.registry.queue(call.project, call.queueId);
  const includeDeadletter = boolParam(call.request.query, 'include_deadletter');
  return jsonResponse(200, JSON.stringify(queueView(queue, includeDeadletter, true)));
};
