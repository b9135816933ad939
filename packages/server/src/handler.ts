/**
 * @module handler — `createSluiceHandler`: the three dialects, `/healthz` and `/metrics` on one handler, with the
 * server's long-poll cap and metrics, for node:http, Express, Fastify and fetch servers (Hono, Bun, workers).
 */
import type { Broker } from '@sluice/core';
import { createDmsHandler, type DmsOptions } from '@sluice/dms';
import {
  BodyBudget,
  createObjectBudget,
  createRouterHandler,
  type DialectHandler,
  NOT_FOUND,
  nodeRequestHead,
  type ObjectBudget,
  pickDialect,
  type RequestHead,
  type WireHandler,
  writeNodeResponse,
} from '@sluice/http';
import {
  CERT_PATH_PREFIX,
  createMnsHandler,
  type MnsHandler,
  type MnsHandlerOptions,
  mnsMissingVersion,
} from '@sluice/mns';
import { createRocketMqHandler, type RocketMqHandler, type RocketMqOptions } from '@sluice/rocketmq';
import type { Registry } from 'prom-client';
import { dmsReceive, mnsReceive, rocketMqReceive } from './classify.js';
import {
  countJsonMessages,
  countXmlMessages,
  type DialectProbe,
  instrument,
  type LongPollGate,
} from './instrument.js';
import { createMetrics, type ServerMetrics } from './metrics.js';
import { DEFAULT_MAX_OBJECTS } from './object-limits.js';
import { type AccessKey, DEFAULT_MAX_LONG_POLLS } from './options.js';
import { adminGuard, DIALECTS, type DialectName, type MetricsAccess, parseDialects } from './security.js';

/** Options of {@link createSluiceHandler}. */
export interface SluiceHandlerOptions {
  /**
   * Access keys every dialect checks: RocketMQ and MNS signatures, DMS `SDK-HMAC-SHA256`. Without keys (and
   * tokens), no dialect checks signatures: for local development only.
   */
  credentials?: readonly AccessKey[];
  /** Static DMS `X-Auth-Token` values accepted (DMS only; the Alibaba APIs have no tokens). */
  tokens?: readonly string[];
  /** Most long polls parked at once across the three dialects; more are served as short polls. Default 4096. */
  maxLongPolls?: number;
  /** Registry for the metrics. Default: a new one (see `handler.metrics.registry`). */
  registry?: Registry;
  /**
   * Most bytes of large bodies (1 MiB and more) read and decoded at once across the dialects (node adapter); more
   * wait, unread, in arrival order. Default 64 MiB.
   */
  maxBodyBytesInFlight?: number;
  /** Slowest average, bytes/s, at which such a large body may arrive before its connection is cut. Default 65 536. */
  minBodyBytesPerSecond?: number;
  /** Also collect prom-client's process metrics. Default false. */
  processMetrics?: boolean;
  /**
   * Groups, and topics, with `/metrics` series of their own (those with the deepest backlog); the others are
   * folded per dialect into `topic="_other"` series. Default 1000.
   */
  metricsMaxObjects?: number;
  /**
   * Whether `/healthz` may answer 200 (false: 503 `draining`). Default: always. It also answers 503 while the
   * broker's storage is not `ok` (a full or failing disk), with the reason.
   */
  ready?: () => boolean;
  /**
   * Most objects (queues, topics, consumer groups, subscriptions) across the three dialects; one more gets each
   * dialect's own quota error. Default 100,000. The per-account/instance/project caps are in `mns`, `rocketmq`, `dms`.
   */
  maxObjects?: number;
  // Security (see security.ts).
  /** The dialects served; requests of the others fall through (`next()`, or the generic 404). Default all. */
  dialects?: readonly DialectName[];
  /** The admin token: `/metrics` takes `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /**
   * Who may read `/metrics`. Default: the admin token's holders when one is given; nobody (403) when credentials or
   * tokens are configured without one; anyone when there are no credentials at all (local development).
   */
  metricsAccess?: MetricsAccess;
  /** More options of the MNS dialect (its `credentials` come from `credentials`). */
  mns?: Omit<MnsHandlerOptions, 'credentials'>;
  /** More options of the RocketMQ dialect (its `credentials` come from `credentials`). */
  rocketmq?: Omit<RocketMqOptions, 'credentials'>;
  /** More options of the DMS dialect (its `credentials` and `tokens` come from the options above). */
  dms?: Omit<DmsOptions, 'credentials' | 'tokens'>;
}

/** What {@link createSluiceHandler} returns: one handler for all three dialects, and its parts. */
export interface SluiceHandler extends DialectHandler {
  /** The metrics (`metrics.registry.metrics()` renders what `/metrics` serves). */
  readonly metrics: ServerMetrics;
  /** The dialects served. */
  readonly dialects: readonly DialectName[];
  /** The MNS dialect alone (`mns.close()` stops its pushes to HTTP endpoints). */
  readonly mns: MnsHandler;
  /** The RocketMQ dialect alone (with `declareTopic` / `declareConsumer`). */
  readonly rocketmq: RocketMqHandler;
  /** The DMS dialect alone. */
  readonly dms: DialectHandler;
  /** Long polls parked right now, across dialects. */
  parkedLongPolls(): number;
  /** The server-wide object budget the dialects share (`objects.used`: objects that exist now). */
  readonly objects: ObjectBudget;
  /**
   * True when a node request is this handler's (a dialect's, `/healthz`, `/metrics`), judged from its head: for
   * frameworks that must decide before handing over the raw request (Fastify's `reply.hijack()`).
   */
  handles(req: import('node:http').IncomingMessage): boolean;
}

const isAlibabaResource = (target: string) => /^\/(queues|topics)(?:[/?]|$)/.test(target);
const isOwnPath = (target: string) =>
  /^\/(healthz|metrics)(?:\?|$)/.test(target) || target.startsWith(CERT_PATH_PREFIX);

/**
 * True for requests the handler answers: a served dialect's, an MNS-shaped path while MNS is served (its
 * missing-version answer), `/healthz`, `/metrics`.
 */
function claims(head: RequestHead, served: readonly DialectName[]): boolean {
  const dialect = pickDialect(head);
  if (dialect !== undefined && served.includes(dialect)) return true;
  return (served.includes('mns') && isAlibabaResource(head.target)) || isOwnPath(head.target);
}

/**
 * Serves the RocketMQ HTTP, MNS and DMS dialects over one broker on one port, routed by the one-port rules
 * (`/v1.0/…` is DMS, `x-mns-version` is MNS, `x-mq-version` is RocketMQ), plus `GET /healthz` and `GET /metrics`
 * (Prometheus text). Requests it does not claim go to `next()` unread (Express, Connect), or get a 404.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createBroker } from '@sluice/core';
 * import { createSluiceHandler } from '@sluice/server';
 * const broker = await createBroker();
 * const sluice = createSluiceHandler(broker, { credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] });
 * createServer(sluice.node).listen(9876); // every SDK's endpoint: http://127.0.0.1:9876
 */
export function createSluiceHandler(broker: Broker, options: SluiceHandlerOptions = {}): SluiceHandler {
  const credentials =
    options.credentials !== undefined && options.credentials.length > 0 ? options.credentials : undefined;
  const tokens = options.tokens !== undefined && options.tokens.length > 0 ? options.tokens : undefined;
  const maxLongPolls = options.maxLongPolls ?? DEFAULT_MAX_LONG_POLLS;
  if (!(Number.isInteger(maxLongPolls) && maxLongPolls >= 0)) {
    throw new TypeError('maxLongPolls must be a non-negative integer');
  }
  const served = options.dialects === undefined ? [...DIALECTS] : parseDialects(options.dialects);
  const guardMetrics = adminGuard(
    options.metricsAccess ??
      (options.adminToken !== undefined
        ? 'admin-token'
        : credentials !== undefined || tokens !== undefined
          ? 'refused'
          : 'open'),
    options.adminToken,
  );
  const gate: LongPollGate = { max: maxLongPolls, parked: 0 };
  const metrics = createMetrics(broker, {
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    processMetrics: options.processMetrics === true,
    parkedLongPolls: () => gate.parked,
    ...(options.metricsMaxObjects === undefined ? {} : { maxObjects: options.metricsMaxObjects }),
  });

  // Each dialect adds the objects it finds in the broker, then takes and gives back places as it creates and deletes.
  const objects = createObjectBudget(options.maxObjects ?? DEFAULT_MAX_OBJECTS);
  const mns = createMnsHandler(broker, {
    ...options.mns,
    objects,
    ...(credentials === undefined ? {} : { credentials }),
  });
  const rocketmq = createRocketMqHandler(broker, {
    ...options.rocketmq,
    objects,
    ...(credentials === undefined ? {} : { credentials }),
  });
  const dms = createDmsHandler(broker, {
    ...options.dms,
    objects,
    ...(credentials === undefined ? {} : { credentials }),
    ...(tokens === undefined ? {} : { tokens }),
  });

  const probes: Record<'mns' | 'rocketmq' | 'dms', DialectProbe> = {
    mns: { dialect: 'mns', receive: mnsReceive, count: countXmlMessages },
    rocketmq: { dialect: 'rocketmq', receive: rocketMqReceive, count: countXmlMessages },
    dms: { dialect: 'dms', receive: dmsReceive, count: countJsonMessages },
  };
  // The router takes each dialect's limits from its DialectHandler, so only `wire` is swapped.
  const wrap = (handler: DialectHandler, probe: DialectProbe): DialectHandler => ({
    ...handler,
    wire: instrument(handler.wire, probe, gate, metrics),
  });

  const ready = options.ready ?? (() => true);
  const own: WireHandler = (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    if (request.path === '/healthz') {
      // Draining wins; then the storage: a full or failing disk is 503 with why (no paths: see StorageStatus).
      const storage = broker.status();
      const body = !ready()
        ? { status: 'draining' }
        : storage.state === 'ok'
          ? { status: 'ok' }
          : { status: storage.state, storage: storage.reason };
      return {
        status: body.status === 'ok' ? 200 : 503,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify(body),
      };
    }
    // The certificate MNS push requests name in `x-mns-signing-cert-url` (no dialect header: it lands here).
    const certificate = served.includes('mns') ? mns.certificate(request.path) : undefined;
    if (certificate !== undefined) return certificate;
    if (request.path === '/metrics') {
      const refused = guardMetrics(request);
      if (refused !== undefined) return refused;
      return metrics.registry.metrics().then((text) => ({
        status: 200,
        headers: { 'content-type': metrics.registry.contentType },
        body: text,
      }));
    }
    return undefined;
  };

  const bodyBudget = new BodyBudget({
    ...(options.maxBodyBytesInFlight === undefined ? {} : { maxBytes: options.maxBodyBytesInFlight }),
    ...(options.minBodyBytesPerSecond === undefined
      ? {}
      : { minBytesPerSecond: options.minBodyBytesPerSecond }),
  });
  // A dialect not served is left out of the router: its requests fall through to `own` (a 404 there).
  const router = createRouterHandler(
    {
      ...(served.includes('mns')
        ? { mns: wrap(mns, probes.mns), missingVersion: (request) => mnsMissingVersion(request) }
        : {}),
      ...(served.includes('rocketmq') ? { rocketmq: wrap(rocketmq, probes.rocketmq) } : {}),
      ...(served.includes('dms') ? { dms: wrap(dms, probes.dms) } : {}),
      fallback: own,
    },
    { bodyBudget },
  );

  // Not ours: pass it on before a byte of the body is read, so the next middleware can still read it.
  const node: DialectHandler['node'] = (req, res, next) => {
    if (claims(nodeRequestHead(req), served)) router.node(req, res, next);
    else if (next !== undefined) next();
    else writeNodeResponse(res, NOT_FOUND);
  };

  return {
    node,
    fetch: router.fetch,
    wire: router.wire,
    ...(router.limits === undefined ? {} : { limits: router.limits }),
    metrics,
    dialects: served,
    mns,
    rocketmq,
    dms,
    parkedLongPolls: () => gate.parked,
    objects,
    handles: (req) => claims(nodeRequestHead(req), served),
  };
}
