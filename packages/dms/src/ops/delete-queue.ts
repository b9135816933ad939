/** @module ops/delete-queue — `DELETE /v1.0/{project_id}/queues/{queue_id}`. */
import type { DmsOp } from '../context.js';
import { noContent } from '../json.js';

/** Deletes a queue with its groups, messages and dead letters: 204; parked consumes end with 404 `10240401`. */
export const deleteQueue: DmsOp = (context, call) => {
  const queue = context.registry.queue(call.project, call.queueId);
  context.registry.deleteQueue(queue);
  return noContent();
};
