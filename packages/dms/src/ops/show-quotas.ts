/** @module ops/show-quotas — `GET /v1.0/{project_id}/quotas/dms`. */
import type { DmsOp } from '../context.js';
import { jsonResponse } from '../json.js';

/** The project's queue quota and use. */
export const showQuotas: DmsOp = (context, call) => {
  const resource = {
    type: 'queue',
    quota: context.options.maxQueuesPerProject,
    used: context.registry.queueCount(call.project),
    min: 0,
    max: 500,
  };
  return jsonResponse(200, JSON.stringify({ quotas: { resources: [resource] } }));
};
