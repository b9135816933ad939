/**
 * @module ops/consume-messages — `GET /v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/messages
 * [?max_msgs=10][&time_wait=3][&ack_wait=30]`.
 */
import { consume } from '../consume.js';
import type { DmsOp } from '../context.js';

/** Consumes a group's messages (long poll; FIFO queues in order, one in-flight batch per group). */
export const consumeMessages: DmsOp = (context, call) => consume(context, call, false);
