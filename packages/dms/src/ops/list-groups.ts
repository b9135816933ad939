/**
 * @module ops/list-groups — `GET /v1.0/{project_id}/queues/{queue_id}/groups[?include_deadletter=]
 * [&include_messages_num=][&page_size=&current_page=]`.
 */
import type { DmsOp } from '../context.js';
import { DmsCode } from '../errors.js';
import { jsonResponse } from '../json.js';
import { boolParam, intParam } from '../params.js';
import { groupView } from '../views.js';

/** Lists a queue's groups with their counts; pages only when both `page_size` and `current_page` are given. */
export const listGroups: DmsOp = (context, call) => {
  const queue = context.registry.queue(call.project, call.queueId);
  const { query } = call.request;
  const includeDeadletter = boolParam(query, 'include_deadletter');
  boolParam(query, 'include_messages_num');
  const pageSize = intParam(query, 'page_size', 0, 1, 1_000_000, DmsCode.InvalidUrlParameter);
  const currentPage = intParam(query, 'current_page', 0, 1, 1_000_000, DmsCode.InvalidUrlParameter);
  let groups = [...queue.groups.values()];
  if (pageSize > 0 && currentPage > 0)
    groups = groups.slice((currentPage - 1) * pageSize, currentPage * pageSize);
  const views = groups.map((g) => groupView(g, includeDeadletter));
  const answer = includeDeadletter
    ? {
        queue_id: queue.id,
        queue_name: queue.name,
        redrive_policy: queue.redrive ? 'enable' : 'disable',
        groups: views,
      }
    : { queue_id: queue.id, queue_name: queue.name, groups: views };
  return jsonResponse(200, JSON.stringify(answer));
};
