/** @module ops/ack-deadletters — `POST /v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/deadletters/ack`. */
import { ack } from '../ack.js';
import type { DmsOp } from '../context.js';

/** Acknowledges consumed dead letters in order; a failed dead letter is available again (no second level). */
export const ackDeadletters: DmsOp = (context, call) => ack(context, call, true);
