/** @module handler — `createMnsHandler`: the MNS XML API over a Sluice broker, for node:http, Express and fetch servers. */
import type { Broker } from '@sluice/core';
import {
  createDialectHandler,
  type DialectHandler,
  isStorageFailure,
  type RequestHead,
  reportInternalFailure,
  type WireHandler,
  type WireRequest,
  type WireResponse,
} from '@sluice/http';
import { MnsCaps } from './caps.js';
import type { MnsContext } from './context.js';
import { internalError, toFault } from './errors.js';
import { MnsFault } from './fault.js';
import { type MnsHandlerOptions, type ResolvedMnsOptions, resolveMnsOptions } from './options.js';
import { Pusher } from './push/pusher.js';
import { CERT_PATH_PREFIX, lazySigner } from './push/signer.js';
import { requestIds } from './request-id.js';
import { errorResponse } from './response.js';
import { matchRoute, type Route } from './routes.js';
import { authenticate, checkVersion } from './signature.js';

const ACCOUNT_META = /[?&]accountmeta=/i;

/**
 * True for the paths MNS has: under `/queues`, `/topics` or `/commonbuy`, and the account root `/` when it asks for
 * `accountmeta` or comes from an MNS client (a plain `GET /` belongs to the app the handler is mounted in).
 */
function isMnsTarget(head: RequestHead): boolean {
  const { target } = head;
  for (const root of ['/queues', '/topics', '/commonbuy']) {
    if (target.startsWith(root)) {
      const c = target.charCodeAt(root.length);
      // end, '/', '?'
      if (Number.isNaN(c) || c === 0x2f || c === 0x3f) return true;
    }
  }
  if (target === '/' || target.startsWith('/?')) {
    return head.headers['x-mns-version'] !== undefined || ACCOUNT_META.test(target);
  }
  return false;
}

/** What {@link createMnsHandler} returns: the dialect's handler, its push certificate, and `close`. */
export interface MnsHandler extends DialectHandler {
  /**
   * The answer to `GET <path>` when `path` is where the push signing certificate is served
   * (`/sluice/mns-cert/<id>.pem`, under the mount path), else `undefined`. The handler answers it itself; this is
   * for routers that send such requests elsewhere.
   */
  certificate(path: string): WireResponse | undefined;
  /** Stops pushing to HTTP(S) endpoints (pending pushes stay in the broker for the next start). */
  close(): Promise<void>;
}

const baseOf = (request: WireRequest): string => `http://${request.headers['host'] ?? 'localhost'}`;

/**
 * The MNS-shaped answer to a `/queues` or `/topics` request without `x-mns-version` (400 MissingVersionHeader), for
 * `createRouter({ missingVersion })` in `@sluice/http` when several dialects share a port.
 */
export function mnsMissingVersion(request: WireRequest, requestId = requestIds()()): WireResponse {
  return errorResponse(
    { requestId, base: baseOf(request) },
    new MnsFault(400, 'MissingVersionHeader', 'The x-mns-version header is missing.'),
  );
}

/**
 * Serves the Simple Message Queue (MNS) XML API 2015-06-06 over `broker`: queues, messages (long polling), topics
 * with queue subscriptions, the account's attributes (`/?accountmeta=true`). MNS objects live under their own
 * prefix in the broker (`mns:queue:<q>`, `mns:topic:<t>`, `mns:account:<accountId>`), apart from other dialects'.
 * Answers `undefined` (next / 404) for paths outside `/queues`, `/topics`, `/commonbuy` and the account root, so it
 * mounts next to other routes; such a path with an `x-mns-version` header (an MNS client with a wrong endpoint,
 * `//queues/q`) gets 400 InvalidRequestURL when it reaches the wire handler (a router, fetch).
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createBroker } from '@sluice/core';
 * import { createMnsHandler } from '@sluice/mns';
 * const broker = await createBroker();
 * const mns = createMnsHandler(broker, { credentials: [{ accessKeyId: 'id', accessKeySecret: 'secret' }] });
 * createServer(mns.node).listen(8080); // endpoint: http://127.0.0.1:8080
 */
export function createMnsHandler(broker: Broker, options?: MnsHandlerOptions): MnsHandler {
  const resolved: ResolvedMnsOptions = resolveMnsOptions(options);
  const nextId = requestIds();
  const caps = new MnsCaps(broker, resolved);
  const signer = lazySigner(resolved.push.signingKey);
  let signerMade = resolved.push.signingKey !== undefined;
  const pusher = new Pusher({
    broker,
    options: resolved.push,
    accountId: resolved.accountId,
    signer: () => {
      signerMade = true;
      return signer();
    },
    nextRequestId: nextId,
    now: resolved.now,
  });
  // Pushes owed from before a restart start now; the loops park on the broker until there is work.
  pusher.start();

  // Only a certificate that exists is served: before any push there is none (it is made on first use).
  const certificate = (path: string): WireResponse | undefined => {
    if (!signerMade || !path.startsWith(CERT_PATH_PREFIX)) return undefined;
    const s = signer();
    if (path !== s.path) return undefined;
    return {
      status: 200,
      headers: { 'content-type': 'application/x-pem-file', 'cache-control': 'public, max-age=86400' },
      body: s.certificatePem,
    };
  };

  /**
   * Renders a failure. A storage failure gets its fixed message and anything unexpected `Internal error.`; the
   * details of both go to the `sluice:mns:error` diagnostics channel, never to the client.
   */
  const fail = (ids: Pick<MnsContext, 'requestId' | 'base'>, error: unknown, request: WireRequest) => {
    const fault = toFault(error);
    if (fault === undefined || isStorageFailure(error)) reportInternalFailure('mns', error, request);
    return errorResponse(ids, fault ?? internalError());
  };

  const run = (route: Route, request: WireRequest, signal: AbortSignal, requestId: string, base: string) => {
    const ctx: MnsContext = {
      request,
      signal,
      broker,
      options: resolved,
      caps,
      pusher,
      requestId,
      base,
      name: route.name,
      subscription: route.subscription,
    };
    const out = route.op(ctx);
    return out instanceof Promise ? out.catch((error: unknown) => fail(ctx, error, request)) : out;
  };

  const wire: WireHandler = (request, signal) => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      const cert = certificate(request.path);
      if (cert !== undefined) return cert;
    }
    const route = matchRoute(request);
    // Not an MNS resource: leave it to the next handler (another route, another dialect, a sub-mount) — unless
    // it carries the MNS version header, which makes it MNS's to answer (InvalidRequestURL, in MNS's own body).
    if (route === undefined && request.headers['x-mns-version'] === undefined) return undefined;
    const requestId = nextId();
    const base = baseOf(request);
    const ids = { requestId, base };
    try {
      checkVersion(request);
      const auth = authenticate(request, resolved);
      if (route === null || route === undefined) {
        throw new MnsFault(400, 'InvalidRequestURL', 'The request URL is not valid.');
      }
      if (auth instanceof Promise) {
        return auth.then(
          () => run(route, request, signal, requestId, base),
          (error: unknown) => fail(ids, error, request),
        );
      }
      return run(route, request, signal, requestId, base);
    } catch (error) {
      return fail(ids, error, request);
    }
  };

  const handler = createDialectHandler(wire, {
    claims: (head) => isMnsTarget(head) || head.target.startsWith(CERT_PATH_PREFIX),
    maxBodyBytes: resolved.maxBodyBytes,
    maxTargetLength: resolved.maxTargetLength,
    onTooLarge: (kind, head) =>
      errorResponse(
        { requestId: nextId(), base: `http://${head.headers['host'] ?? 'localhost'}` },
        kind === 'body'
          ? new MnsFault(
              400,
              'InvalidArgument',
              `The request body should be at most ${resolved.maxBodyBytes} bytes.`,
            )
          : new MnsFault(
              400,
              'InvalidRequestURL',
              `The request URL should be at most ${resolved.maxTargetLength} characters.`,
            ),
      ),
    // What escaped `fail` (a synchronous throw in an op): the same generic answer, the same report.
    onError: (error, request) => fail({ requestId: nextId(), base: baseOf(request) }, error, request),
  });
  return { ...handler, certificate, close: () => pusher.close() };
}
