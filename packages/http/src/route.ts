/**
 * @module route — one port for all three dialects, told apart by path and version header.
 *
 * Every request names its dialect: a `/v1.0/` path is DMS (neither Alibaba API has one), an `x-mns-version` header
 * is MNS, an `x-mq-version` header is RocketMQ. Both Alibaba SDKs always send and sign their version header, so the
 * two `POST /topics/{t}/messages` look-alikes never mix. A `/queues` or `/topics` path with neither header gets the
 * MNS-shaped `MissingVersionHeader` (supplied by the mns package, so this layer stays dialect-free).
 */
import { createDialectHandler } from './handler.js';
import { type DialectHandlerOptions, resolveDialectOptions } from './options.js';
import { splitTarget } from './query.js';
import type {
  DialectHandler,
  RequestHead,
  TooLargeKind,
  WireHandler,
  WireRequest,
  WireResponse,
} from './wire.js';

/** The dialect a request belongs to, from its head alone. */
export const Dialect = { Mns: 'mns', RocketMq: 'rocketmq', Dms: 'dms' } as const;
/** One of the {@link Dialect} values. */
export type Dialect = (typeof Dialect)[keyof typeof Dialect];

/** The dialects (and the rest) a router serves. Each is a wire handler or a whole {@link DialectHandler}. */
export interface RouterRoutes {
  /** Requests with an `x-mns-version` header. */
  mns?: WireHandler | DialectHandler;
  /** Requests with an `x-mq-version` header. */
  rocketmq?: WireHandler | DialectHandler;
  /** Requests whose path starts with `/v1.0/`. */
  dms?: WireHandler | DialectHandler;
  /** The answer to a `/queues…` or `/topics…` request without a version header (MNS: 400 `MissingVersionHeader`). */
  missingVersion?: (request: WireRequest) => WireResponse;
  /** Everything no dialect claims (e.g. `/healthz`, `/metrics`); without it such requests are not answered. */
  fallback?: WireHandler;
}

/** Rule 4's paths: the resources of the Alibaba APIs. */
function isAlibabaResource(path: string): boolean {
  return (
    path === '/queues' || path.startsWith('/queues/') || path === '/topics' || path.startsWith('/topics/')
  );
}

/** A request made of its head alone (no body read), for answers given before the body. */
function headOnly(head: RequestHead): WireRequest {
  const { path, query } = splitTarget(head.target);
  return {
    method: head.method,
    target: head.target,
    path,
    query,
    headers: head.headers,
    body: new Uint8Array(0),
  };
}

/** Picks the dialect of a request by the one-port rules, or `undefined` when none claims it. */
export function pickDialect(head: Pick<RequestHead, 'target' | 'headers'>): Dialect | undefined {
  if (head.target.startsWith('/v1.0/')) return Dialect.Dms;
  if (head.headers['x-mns-version'] !== undefined) return Dialect.Mns;
  if (head.headers['x-mq-version'] !== undefined) return Dialect.RocketMq;
  return undefined;
}

const wireOf = (h: WireHandler | DialectHandler | undefined): WireHandler | undefined =>
  h === undefined ? undefined : typeof h === 'function' ? h : h.wire;

/**
 * A {@link WireHandler} that sends each request to its dialect by the one-port rules.
 * @example
 * const router = createRouter({ mns: createMnsHandler(broker), missingVersion: mnsMissingVersion });
 * createServer(createDialectHandler(router).node).listen(8080);
 */
export function createRouter(routes: RouterRoutes): WireHandler {
  const byDialect: Record<Dialect, WireHandler | undefined> = {
    mns: wireOf(routes.mns),
    rocketmq: wireOf(routes.rocketmq),
    dms: wireOf(routes.dms),
  };
  const { missingVersion, fallback } = routes;
  return function route(request, signal) {
    const dialect = pickDialect(request);
    const handler = dialect === undefined ? undefined : byDialect[dialect];
    if (handler !== undefined) return handler(request, signal);
    if (dialect === undefined && missingVersion !== undefined && isAlibabaResource(request.path)) {
      return missingVersion(request);
    }
    return fallback === undefined ? undefined : fallback(request, signal);
  };
}

/**
 * A whole {@link DialectHandler} over {@link createRouter}: each request gets the body limit and the too-large
 * answer of the dialect it belongs to (when that dialect was given as a `DialectHandler`), `options` otherwise.
 */
export function createRouterHandler(
  routes: RouterRoutes,
  options: DialectHandlerOptions = {},
): DialectHandler {
  const base = resolveDialectOptions(options);
  // An Alibaba resource without a version header gets `missingVersion` whatever it is; also when it is too large,
  // so the client reads an MNS-shaped error rather than the adapter's plain-text 413/414.
  const { missingVersion } = routes;
  const unversioned =
    missingVersion === undefined
      ? undefined
      : { ...base, onTooLarge: (_kind: TooLargeKind, head: RequestHead) => missingVersion(headOnly(head)) };
  const limitsOf = (head: RequestHead) => {
    const dialect = pickDialect(head);
    if (dialect === undefined) {
      return unversioned !== undefined && isAlibabaResource(splitTarget(head.target).path)
        ? unversioned
        : base;
    }
    const h = routes[dialect];
    return typeof h === 'object' && h.limits !== undefined ? h.limits : base;
  };
  const router = createRouter(routes);
  // The adapter checks the longest allowed target; a dialect with a shorter limit is held to it here.
  const checked: WireHandler = (request, signal) => {
    const limits = limitsOf(request);
    if (request.target.length > limits.maxTargetLength) return limits.onTooLarge('target', request);
    return router(request, signal);
  };
  return createDialectHandler(checked, {
    maxBodyBytes: (head) => limitsOf(head).maxBodyBytes(head),
    maxTargetLength: Math.max(
      base.maxTargetLength,
      ...[routes.mns, routes.rocketmq, routes.dms].map((h) =>
        typeof h === 'object' && h.limits !== undefined ? h.limits.maxTargetLength : 0,
      ),
    ),
    onTooLarge: (kind, head) => limitsOf(head).onTooLarge(kind, head),
    onError: base.onError,
    ...(base.bodyBudget === undefined ? {} : { bodyBudget: base.bodyBudget }),
  });
}
