/** @module ops/delete-group — `DELETE /v1.0/{project_id}/queues/{queue_id}/groups/{group_id}`. */
import type { DmsOp } from '../context.js';
import { noContent } from '../json.js';

/** Deletes a consumer group and its dead letters: 204; 404 `10240401` / `10240405`. */
export const deleteGroup: DmsOp = (context, call) => {
  const { registry } = context;
  const group = registry.group(registry.queue(call.project, call.queueId), call.groupId);
  registry.deleteGroup(group);
  return noContent();
};
