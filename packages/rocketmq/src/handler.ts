/**
 * @module handler — `createRocketMqHandler`: the ApsaraMQ for RocketMQ HTTP dialect over a Sluice broker.
 *
 * A request goes: route (`/topics/{topic}/messages` only) → request-line limit → signature (when credentials are
 * configured) → Content-MD5 → the operation for its method and `trans`. Every failure is rendered here, once: an
 * expected one with its wire code, a storage failure or anything else as a 500 InternalError with a fixed message
 * (never the core's text, errno, paths or a stack), its details published on the `sluice:rocketmq:error`
 * diagnostics channel for whoever listens.
 */
import type { Broker, Group, Topic } from '@sluice/core';
import { SluiceError } from '@sluice/core';
import {
  createDialectHandler,
  type DialectHandler,
  isStorageFailure,
  type RequestHead,
  reportInternalFailure,
  STORAGE_FAILURE_MESSAGE,
  type WireRequest,
  type WireResponse,
} from '@sluice/http';
import type { Call, DialectContext } from './context.js';
import { RocketMqError, toWire, WireCode } from './errors.js';
import { checkName, checkNamespace } from './names.js';
import { ackMessage } from './ops/ack-message.js';
import { consumeHalfMessage } from './ops/consume-half-message.js';
import { consumeMessage } from './ops/consume-message.js';
import { endTransaction } from './ops/end-transaction.js';
import { publishMessage } from './ops/publish-message.js';
import { type RocketMqOptions, resolveOptions } from './options.js';
import { nsParam, transParam } from './params.js';
import { Registry } from './registry.js';
import { errorResponse, hostId, nextRequestId } from './render.js';
import { verifyContentMd5, verifySignature } from './signature.js';
import { Transactions } from './transactions.js';

/** What {@link createRocketMqHandler} returns: the adapters, plus declarations for when `autoCreate` is off. */
export interface RocketMqHandler extends DialectHandler {
  /** Creates topic `topic` of instance `ns` (default instance: `''`) if missing; answers the core topic. */
  declareTopic(topic: string, ns?: string): Topic;
  /** Creates consumer group `consumer` on a topic if missing (`ordered` for `trans=order`); answers the core group. */
  declareConsumer(topic: string, consumer: string, options?: { ns?: string; ordered?: boolean }): Group;
}

const ROUTE = /^\/topics\/([^/]+)\/messages$/;
/** The message of a core `BrokerClosed` (503 ServiceUnavailable): expected while the server stops, not reported. */
const SHUTTING_DOWN = 'The service is shutting down.';
// Room for a 4 MiB message even when a client escapes every character as an entity, plus the envelope.
const BODY_FACTOR = 6;

/**
 * Serves the RocketMQ HTTP API (publish, consume, ordered consume, ack, transactional half messages) over `broker`,
 * the way the official `@aliyunmq/mq-http-sdk` expects it.
 * @example
 * import { createServer } from 'node:http';
 * import { createBroker } from '@sluice/core';
 * import { createRocketMqHandler } from '@sluice/rocketmq';
 * const broker = await createBroker();
 * const mq = createRocketMqHandler(broker, { credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] });
 * createServer(mq.node).listen(8080); // then: new MQClient('http://127.0.0.1:8080', 'ak', 'sk')
 */
export function createRocketMqHandler(broker: Broker, options?: RocketMqOptions): RocketMqHandler {
  const resolved = resolveOptions(options);
  const registry = new Registry(broker, resolved);
  const ctx: DialectContext = {
    options: resolved,
    registry,
    transactions: new Transactions(resolved.retention),
  };
  const { lookupSecret, maxDateSkew, maxRequestLine } = resolved;

  const fail = (error: unknown, requestId: string, request: WireRequest): WireResponse => {
    const host = hostId(request.headers);
    if (error instanceof RocketMqError) return errorResponse(error.wire, error.message, requestId, host);
    if (error instanceof SluiceError && !isStorageFailure(error)) {
      const wire = toWire[error.code];
      // A core message names the field of a bad argument; a 5xx gets the service's words, never the core's.
      if (wire.status < 500) return errorResponse(wire, error.message, requestId, host);
      if (error.code === 'BrokerClosed') return errorResponse(wire, SHUTTING_DOWN, requestId, host);
    }
    const kind = reportInternalFailure('rocketmq', error, request);
    return errorResponse(
      WireCode.InternalError,
      kind === 'storage' ? STORAGE_FAILURE_MESSAGE : 'The service met an internal error.',
      requestId,
      host,
    );
  };

  const dispatch = (call: Call): Promise<WireResponse> => {
    const { method, query } = call.request;
    switch (method) {
      case 'POST':
        return publishMessage(ctx, call);
      case 'GET': {
        const trans = transParam(query, ['order', 'pop']);
        return trans === 'pop' ? consumeHalfMessage(ctx, call) : consumeMessage(ctx, call, trans === 'order');
      }
      case 'DELETE': {
        const trans = transParam(query, ['commit', 'rollback']);
        return trans === undefined ? ackMessage(ctx, call) : endTransaction(ctx, call, trans === 'commit');
      }
      default:
        throw new RocketMqError(WireCode.InvalidRequestURL, `${method} is not supported on this resource.`);
    }
  };

  const wire = async (request: WireRequest, signal: AbortSignal): Promise<WireResponse | undefined> => {
    const route = ROUTE.exec(request.path);
    // Not ours unless it is a topic resource or carries the RocketMQ version header: let next() or a router decide.
    if (
      route === null &&
      !request.path.startsWith('/topics') &&
      request.headers['x-mq-version'] === undefined
    ) {
      return undefined;
    }
    const requestId = nextRequestId();
    try {
      if (request.method.length + request.target.length + 10 > maxRequestLine) {
        throw new RocketMqError(
          WireCode.InvalidArgument,
          `The request line exceeds ${maxRequestLine} characters.`,
        );
      }
      if (route === null) {
        throw new RocketMqError(
          WireCode.InvalidRequestURL,
          'The request URL must be /topics/{topic}/messages.',
        );
      }
      if (lookupSecret !== undefined) await verifySignature(request, lookupSecret, Date.now(), maxDateSkew);
      verifyContentMd5(request.headers, request.body);
      const call: Call = {
        request,
        signal,
        requestId,
        ns: nsParam(request.query),
        topic: checkName('topic', route[1]!),
      };
      return await dispatch(call);
    } catch (error) {
      return fail(error, requestId, request);
    }
  };

  const tooLarge = (kind: 'body' | 'target', head: RequestHead): WireResponse =>
    errorResponse(
      WireCode.InvalidArgument,
      kind === 'body'
        ? 'The request body is too large.'
        : `The request line exceeds ${maxRequestLine} characters.`,
      nextRequestId(),
      hostId(head.headers),
    );

  const handler = createDialectHandler(wire, {
    maxBodyBytes: resolved.maxMessageSize * BODY_FACTOR + 64 * 1024,
    onTooLarge: tooLarge,
    onError: (error, request) => fail(error, nextRequestId(), request),
  });

  return {
    ...handler,
    declareTopic: (topic, ns = '') => registry.declareTopic(checkNamespace(ns), checkName('topic', topic)),
    declareConsumer: (topic, consumer, { ns = '', ordered = false } = {}) => {
      const t = registry.declareTopic(checkNamespace(ns), checkName('topic', topic));
      return registry.declareGroup(t, ns, checkName('consumer', consumer), ordered);
    },
  };
}
