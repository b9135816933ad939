/**
 * @module ops/consume-deadletters — `GET /v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/deadletters
 * [?max_msgs=][&time_wait=][&ack_wait=]`.
 */
import { consume } from '../consume.js';
import type { DmsOp } from '../context.js';

/** Consumes a group's dead letters: same parameters and answer as consuming its messages. */
export const consumeDeadletters: DmsOp = (context, call) => consume(context, call, true);
