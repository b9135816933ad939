/**
 * @module classify — which requests are receives (and may park as long polls), and which core topic and group
 * they read, judged from method, path and query alone.
 *
 * WHY here: the server caps parked long polls and counts received messages without hooks in the dialects or the
 * core, so it has to recognise a receive from the outside. The rules mirror each dialect's receive operation:
 * MNS `GET /queues/{q}/messages` (not `peekonly`), RocketMQ `GET /topics/{t}/messages`, DMS
 * `GET /v1.0/{p}/queues/{q}/groups/{g}/messages|deadletters`. Core names follow each dialect's documented prefixes.
 */
import { topicName as dmsTopicName } from '@sluice/dms';
import type { WireRequest } from '@sluice/http';
import { QUEUE_PREFIX } from '@sluice/mns';
import { coreGroupName, coreTopicName } from '@sluice/rocketmq';

/** A receive request, as the server sees it. */
export interface Receive {
  /** The core topic (or queue) it reads. */
  readonly topic: string;
  /** The core group it reads (`''` for a queue's implicit group). */
  readonly group: string;
  /** True when it may park: a wait was asked for, or the dialect's default wait is not zero. */
  readonly long: boolean;
  /** Counted as received messages (dead-letter reads and transactional check-backs are not). */
  readonly counted: boolean;
}

/** Name of a core queue's implicit group (`queue.group.name`); MNS queues are core queues. */
const QUEUE_GROUP = '';

const MNS_RECEIVE = /^\/queues\/([^/]+)\/messages$/;
const MQ_RECEIVE = /^\/topics\/([^/]+)\/messages$/;
const DMS_RECEIVE = /^\/v1\.0\/([^/]+)\/queues\/([^/]+)\/groups\/([^/]+)\/(messages|deadletters)\/?$/;

/** A query parameter matched case-insensitively (the MNS SDKs disagree on case). */
function param(query: ReadonlyMap<string, string>, lowerName: string): string | undefined {
  const exact = query.get(lowerName);
  if (exact !== undefined) return exact;
  for (const [name, value] of query) if (name.toLowerCase() === lowerName) return value;
  return undefined;
}

/** An MNS ReceiveMessage / BatchReceiveMessage; absent `waitseconds` means the queue's PollingWaitSeconds. */
export function mnsReceive(request: WireRequest): Receive | undefined {
  if (request.method !== 'GET') return undefined;
  const match = MNS_RECEIVE.exec(request.path);
  if (match === null || param(request.query, 'peekonly')?.toLowerCase() === 'true') return undefined;
  const wait = param(request.query, 'waitseconds');
  return {
    topic: QUEUE_PREFIX + match[1]!,
    group: QUEUE_GROUP,
    long: wait === undefined || Number(wait) !== 0,
    counted: true,
  };
}

/** A RocketMQ consume (`trans=order` reads the ordered core group, `trans=pop` is a check-back); no wait by default. */
export function rocketMqReceive(request: WireRequest): Receive | undefined {
  if (request.method !== 'GET') return undefined;
  const match = MQ_RECEIVE.exec(request.path);
  if (match === null) return undefined;
  const { query } = request;
  const trans = query.get('trans');
  const wait = Number(query.get('waitseconds') ?? 0);
  return {
    topic: coreTopicName(query.get('ns') ?? '', match[1]!),
    group: coreGroupName(query.get('consumer') ?? '', trans === 'order'),
    long: wait > 0 || Number.isNaN(wait),
    counted: trans !== 'pop',
  };
}

/** A DMS consume of messages or dead letters; `time_wait` defaults to 3 s, so every one may park. */
export function dmsReceive(request: WireRequest): Receive | undefined {
  if (request.method !== 'GET') return undefined;
  const match = DMS_RECEIVE.exec(request.path);
  if (match === null) return undefined;
  return {
    topic: dmsTopicName(match[1]!, match[2]!),
    group: match[3]!,
    long: true,
    counted: match[4] === 'messages',
  };
}
