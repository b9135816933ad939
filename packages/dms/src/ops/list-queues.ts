/** @module ops/list-queues — `GET /v1.0/{project_id}/queues[?include_deadletter=true][&include_messages_num=true]`. */
import type { DmsOp } from '../context.js';
import { jsonResponse } from '../json.js';
import { boolParam } from '../params.js';
import { queueView } from '../views.js';

/** Lists the project's queues, oldest first: 200 `{queues, total}`. */
export const listQueues: DmsOp = (context, call) => {
  const { query } = call.request;
  const includeDeadletter = boolParam(query, 'include_deadletter');
  // Counts are always included; the flag is still checked so a malformed value is a 400 as the service answers.
  boolParam(query, 'include_messages_num');
  const queues = context.registry.listQueues(call.project).map((q) => queueView(q, includeDeadletter, false));
  return jsonResponse(200, JSON.stringify({ queues, total: queues.length }));
};
