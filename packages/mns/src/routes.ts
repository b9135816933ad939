/** @module routes — the MNS route table: method + path (+ query or body root) -> one wire action in ops/. */
import type { WireRequest, WireResponse } from '@sluice/http';
import type { MnsContext } from './context.js';
import { MnsFault } from './fault.js';
import { batchDeleteMessage } from './ops/batch-delete-message.js';
import { batchPeekMessage } from './ops/batch-peek-message.js';
import { batchReceiveMessage } from './ops/batch-receive-message.js';
import { batchSendMessage } from './ops/batch-send-message.js';
import { changeMessageVisibility } from './ops/change-message-visibility.js';
import { createQueue } from './ops/create-queue.js';
import { createTopic } from './ops/create-topic.js';
import { deleteMessage } from './ops/delete-message.js';
import { deleteQueue } from './ops/delete-queue.js';
import { deleteTopic } from './ops/delete-topic.js';
import { getAccountAttributes } from './ops/get-account-attributes.js';
import { getQueueAttributes } from './ops/get-queue-attributes.js';
import { getSubscriptionAttributes } from './ops/get-subscription-attributes.js';
import { getTopicAttributes } from './ops/get-topic-attributes.js';
import { listQueue } from './ops/list-queue.js';
import { listSubscriptionByTopic } from './ops/list-subscription-by-topic.js';
import { listTopic } from './ops/list-topic.js';
import { openService } from './ops/open-service.js';
import { peekMessage } from './ops/peek-message.js';
import { publishMessage } from './ops/publish-message.js';
import { receiveMessage } from './ops/receive-message.js';
import { sendMessage } from './ops/send-message.js';
import { setAccountAttributes } from './ops/set-account-attributes.js';
import { setQueueAttributes } from './ops/set-queue-attributes.js';
import { setSubscriptionAttributes } from './ops/set-subscription-attributes.js';
import { setTopicAttributes } from './ops/set-topic-attributes.js';
import { subscribe } from './ops/subscribe.js';
import { unsubscribe } from './ops/unsubscribe.js';
import { queryParam, readBody } from './params.js';

/** One wire action, ready to run on a context. */
export type Operation = (ctx: MnsContext) => WireResponse | Promise<WireResponse>;

/** A matched route: the action and the names in the path. */
export interface Route {
  readonly op: Operation;
  readonly name: string;
  readonly subscription: string;
}

const isMetaOverride = (r: WireRequest): boolean =>
  (queryParam(r, 'metaoverride') ?? '').toLowerCase() === 'true';

const sendOrBatch: Operation = (ctx) => {
  const { root, node } = readBody(ctx.request, ['Message', 'Messages']);
  return root === 'Message' ? sendMessage(ctx, node) : batchSendMessage(ctx, node);
};

const receiveOrPeek: Operation = (ctx) => {
  const n = queryParam(ctx.request, 'numofmessages');
  if ((queryParam(ctx.request, 'peekonly') ?? '').toLowerCase() === 'true') {
    return n === undefined ? peekMessage(ctx) : batchPeekMessage(ctx, n);
  }
  return n === undefined ? receiveMessage(ctx) : batchReceiveMessage(ctx, n);
};

const missingHandle = (): MnsFault =>
  new MnsFault(400, 'MissingReceiptHandle', 'The ReceiptHandle is required.');

const deleteOrBatch: Operation = (ctx) => {
  const handle = queryParam(ctx.request, 'receipthandle');
  if (handle !== undefined) {
    if (handle === '') throw missingHandle();
    return deleteMessage(ctx, handle);
  }
  if (ctx.request.body.byteLength === 0) throw missingHandle();
  return batchDeleteMessage(ctx, readBody(ctx.request, ['ReceiptHandles']).node);
};

const changeVisibility: Operation = (ctx) => {
  const handle = queryParam(ctx.request, 'receipthandle');
  if (handle === undefined || handle === '') throw missingHandle();
  return changeMessageVisibility(ctx, handle);
};

const publish: Operation = (ctx) => publishMessage(ctx, readBody(ctx.request, ['Message']).node);

/**
 * The account resources: `/?accountmeta=true` (Get/SetAccountAttributes) and `/commonbuy/openservice`. `undefined`
 * for `/` without `accountmeta` (the root of whatever app the handler is mounted in, unless an MNS client sent it).
 */
function matchAccount(request: WireRequest): Route | null | undefined {
  const { method, path } = request;
  const route = (op: Operation): Route => ({ op, name: '', subscription: '' });
  if (path === '/') {
    if ((queryParam(request, 'accountmeta') ?? '').toLowerCase() !== 'true') return undefined;
    if (method === 'GET') return route(getAccountAttributes);
    if (method === 'PUT') return route(setAccountAttributes);
    return null;
  }
  return path === '/commonbuy/openservice' && method === 'POST' ? route(openService) : null;
}

/**
 * Matches a request. `undefined`: the path is not an MNS resource at all (not `/queues…`, `/topics…` or an account
 * resource); `null`: an MNS resource with no such action (400 InvalidRequestURL).
 */
export function matchRoute(request: WireRequest): Route | null | undefined {
  const { method, path } = request;
  const parts = path.split('/');
  if (parts[0] !== '') return undefined;
  if (path === '/' || parts[1] === 'commonbuy') return matchAccount(request);
  const kind = parts[1];
  if (kind !== 'queues' && kind !== 'topics') return undefined;
  const name = parts[2] ?? '';
  const sub = parts[3];
  const route = (op: Operation, subscription = ''): Route => ({ op, name, subscription });
  if (parts.length === 2) return method === 'GET' ? route(kind === 'queues' ? listQueue : listTopic) : null;
  if (kind === 'queues') {
    if (parts.length === 3) {
      if (method === 'PUT') return route(isMetaOverride(request) ? setQueueAttributes : createQueue);
      if (method === 'GET') return route(getQueueAttributes);
      if (method === 'DELETE') return route(deleteQueue);
      return null;
    }
    if (parts.length === 4 && sub === 'messages') {
      if (method === 'POST') return route(sendOrBatch);
      if (method === 'GET') return route(receiveOrPeek);
      if (method === 'DELETE') return route(deleteOrBatch);
      if (method === 'PUT') return route(changeVisibility);
    }
    return null;
  }
  if (parts.length === 3) {
    if (method === 'PUT') return route(isMetaOverride(request) ? setTopicAttributes : createTopic);
    if (method === 'GET') return route(getTopicAttributes);
    if (method === 'DELETE') return route(deleteTopic);
    return null;
  }
  if (parts.length === 4 && sub === 'messages') return method === 'POST' ? route(publish) : null;
  if (sub !== 'subscriptions') return null;
  if (parts.length === 4) return method === 'GET' ? route(listSubscriptionByTopic) : null;
  if (parts.length === 5) {
    const s = parts[4]!;
    if (method === 'PUT') return route(isMetaOverride(request) ? setSubscriptionAttributes : subscribe, s);
    if (method === 'GET') return route(getSubscriptionAttributes, s);
    if (method === 'DELETE') return route(unsubscribe, s);
  }
  return null;
}
