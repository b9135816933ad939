/** @module handler — `createDmsHandler`: the Huawei DMS queue API v1.0 over a Sluice broker. */
import { channel } from 'node:diagnostics_channel';
import type { Broker } from '@sluice/core';
import {
  createDialectHandler,
  type DialectHandler,
  type WireHandler,
  type WireRequest,
  type WireResponse,
} from '@sluice/http';
import { authenticate } from './auth.js';
import type { DmsCall, DmsContext } from './context.js';
import { DmsCode, DmsError, dmsError, renderError, toDmsError } from './errors.js';
import { type DmsOptions, resolveOptions } from './options.js';
import { DmsRegistry } from './registry.js';
import { matchRoute } from './routes.js';

/** Diagnostics channel that receives `{ error, request }` for every unexpected (500) failure. */
export const DMS_ERROR_CHANNEL = 'sluice:dms:error';
const errorChannel = channel(DMS_ERROR_CHANNEL);

const PREFIX = '/v1.0/';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Renders any failure; unexpected ones are published on the diagnostics channel, never sent as a stack. */
function fail(error: unknown, request: WireRequest): WireResponse {
  const dms = toDmsError(error);
  if (!(error instanceof DmsError) && dms.status >= 500 && errorChannel.hasSubscribers) {
    errorChannel.publish({ error, request });
  }
  return renderError(dms);
}

function dispatch(
  context: DmsContext,
  request: WireRequest,
  signal: AbortSignal,
  segments: readonly string[],
): WireResponse | Promise<WireResponse> {
  try {
    const project = segments[0] ?? '';
    if (!ID.test(project)) throw dmsError(DmsCode.InvalidProjectId);
    const route = matchRoute(request.method, segments.slice(1));
    if (route === undefined) throw dmsError(DmsCode.UrlNotFound);
    if (segments.length > 2 && segments[1] === 'queues' && !ID.test(route.queueId)) {
      throw dmsError(DmsCode.InvalidQueueId);
    }
    if (segments.length > 4 && !ID.test(route.groupId)) throw dmsError(DmsCode.InvalidGroupId);
    const call: DmsCall = { request, project, queueId: route.queueId, groupId: route.groupId, signal };
    const out = route.op(context, call);
    return out instanceof Promise ? out.catch((error: unknown) => fail(error, request)) : out;
  } catch (error) {
    return fail(error, request);
  }
}

/**
 * Serves the DMS queue API v1.0 (`/v1.0/{project_id}/…`) on a broker: queues, consumer groups, produce, consume
 * with long polling, ordered acks, dead letters and quotas (see shared/spec/dms.md). Requests outside `/v1.0/`
 * are not its own (`next()` / 404). With `credentials` or `tokens`, every request must carry a valid
 * `SDK-HMAC-SHA256` signature or `X-Auth-Token`.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createBroker } from '@sluice/core';
 * import { createDmsHandler } from '@sluice/dms';
 * const broker = await createBroker();
 * const dms = createDmsHandler(broker, { credentials: [{ accessKeyId: 'AK', accessKeySecret: 'SK' }] });
 * createServer(dms.node).listen(8080);
 */
export function createDmsHandler(broker: Broker, options?: DmsOptions): DialectHandler {
  const resolved = resolveOptions(options);
  const registry = new DmsRegistry(broker);
  registry.load();
  const context: DmsContext = { broker, registry, options: resolved };

  const wire: WireHandler = (request, signal) => {
    if (!request.path.startsWith(PREFIX)) return undefined;
    const segments = request.path.slice(PREFIX.length).split('/');
    // `/v1.0/p/queues/` is the same resource as `/v1.0/p/queues` (the signer always adds the slash).
    if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
    const denied = authenticate(resolved, request, segments[0] ?? '');
    if (denied === undefined) return dispatch(context, request, signal, segments);
    if (denied instanceof Promise) {
      return denied.then((d) => d ?? dispatch(context, request, signal, segments));
    }
    return denied;
  };

  return createDialectHandler(wire, {
    maxBodyBytes: resolved.maxBodyBytes,
    onTooLarge: (kind) =>
      renderError(
        kind === 'body'
          ? dmsError(
              DmsCode.MessageTooLarge,
              `The request body is larger than ${resolved.maxBodyBytes} bytes.`,
            )
          : dmsError(DmsCode.InvalidUrlParameter, 'The URL is too long.'),
      ),
    onError: (error, request) => fail(error, request),
  });
}
