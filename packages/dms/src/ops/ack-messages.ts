/** @module ops/ack-messages — `POST /v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/ack`. */
import { ack } from '../ack.js';
import type { DmsOp } from '../context.js';

/** Acknowledges consumed messages in order: `{success, fail}`; failed ones are redelivered. */
export const ackMessages: DmsOp = (context, call) => ack(context, call, false);
