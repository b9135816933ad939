/**
 * @module routes — the DMS v1.0 route table: method + path shape under `/v1.0/{project_id}/` → op.
 * Matching is on segment counts and literals only (no regex per request); ids are format-checked afterwards.
 */
import type { DmsOp } from './context.js';
import { ackDeadletters } from './ops/ack-deadletters.js';
import { ackMessages } from './ops/ack-messages.js';
import { consumeDeadletters } from './ops/consume-deadletters.js';
import { consumeMessages } from './ops/consume-messages.js';
import { createGroups } from './ops/create-groups.js';
import { createQueue } from './ops/create-queue.js';
import { deleteGroup } from './ops/delete-group.js';
import { deleteQueue } from './ops/delete-queue.js';
import { getQueue } from './ops/get-queue.js';
import { listGroups } from './ops/list-groups.js';
import { listQueues } from './ops/list-queues.js';
import { produceMessages } from './ops/produce-messages.js';
import { showQuotas } from './ops/show-quotas.js';

/** A matched route: the op and the raw ids from the path. */
export interface RouteMatch {
  readonly op: DmsOp;
  readonly queueId: string;
  readonly groupId: string;
}

function match(op: DmsOp | undefined, queueId = '', groupId = ''): RouteMatch | undefined {
  return op === undefined ? undefined : { op, queueId, groupId };
}

/**
 * Routes the segments after `/v1.0/{project_id}` (a trailing `/` already dropped). `undefined` means "no such URL"
 * (404 `10240406`), which also covers a known path with another method.
 */
export function matchRoute(method: string, rest: readonly string[]): RouteMatch | undefined {
  const [a, q, b, g, c, d] = rest;
  const get = method === 'GET';
  const post = method === 'POST';
  const del = method === 'DELETE';
  if (a === 'quotas') return rest.length === 2 && q === 'dms' && get ? match(showQuotas) : undefined;
  if (a !== 'queues') return undefined;
  switch (rest.length) {
    case 1:
      return match(get ? listQueues : post ? createQueue : undefined);
    case 2:
      return match(get ? getQueue : del ? deleteQueue : undefined, q);
    case 3:
      if (b === 'messages') return match(post ? produceMessages : undefined, q);
      if (b === 'groups') return match(get ? listGroups : post ? createGroups : undefined, q);
      return undefined;
    case 4:
      return b === 'groups' ? match(del ? deleteGroup : undefined, q, g) : undefined;
    case 5:
      if (b !== 'groups') return undefined;
      if (c === 'messages') return match(get ? consumeMessages : undefined, q, g);
      if (c === 'ack') return match(post ? ackMessages : undefined, q, g);
      if (c === 'deadletters') return match(get ? consumeDeadletters : undefined, q, g);
      return undefined;
    case 6:
      return b === 'groups' && c === 'deadletters' && d === 'ack'
        ? match(post ? ackDeadletters : undefined, q, g)
        : undefined;
    default:
      return undefined;
  }
}
