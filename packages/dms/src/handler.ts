/** @module handler — `createDmsHandler`: the Huawei DMS queue API v1.0 over a Sluice broker. */
import { type Broker, SluiceError } from '@sluice/core';
import {
  createDialectHandler,
  type DialectHandler,
  ERROR_CHANNELS,
  isStorageFailure,
  reportInternalFailure,
  type WireHandler,
  type WireRequest,
  type WireResponse,
} from '@sluice/http';
import { authenticate } from './auth.js';
import { DmsCaps } from './caps.js';
import type { DmsCall, DmsContext } from './context.js';
import { DmsCode, DmsError, dmsError, renderError, toDmsError } from './errors.js';
import { type DmsOptions, resolveOptions } from './options.js';
import { DmsRegistry } from './registry.js';
import { matchRoute } from './routes.js';

/**
 * Diagnostics channel that receives an `InternalFailure` (`{ dialect, kind, error, request }`, see `@sluice/http`)
 * for every failure answered with a generic 500: a storage failure, or anything unexpected.
 */
export const DMS_ERROR_CHANNEL = ERROR_CHANNELS.dms;

const PREFIX = '/v1.0/';
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Renders any failure. Storage failures and unexpected errors get a fixed message (see `toDmsError`) and their details
 * go to the diagnostics channel, never to the client.
 */
function fail(error: unknown, request: WireRequest): WireResponse {
  if (!(error instanceof DmsError) && (!(error instanceof SluiceError) || isStorageFailure(error))) {
    reportInternalFailure('dms', error, request);
  }
  return renderError(toDmsError(error));
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
 * with long polling, ordered acks, dead letters and quotas (docs/compatibility.md lists what is supported). Requests outside `/v1.0/`
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
  const registry = new DmsRegistry(broker, new DmsCaps(resolved), resolved.groupStart);
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
