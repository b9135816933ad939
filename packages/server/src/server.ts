/**
 * @module server — `startServer`: a broker on durable storage, the three dialects on one port, and a graceful close.
 *
 * Close order (what SIGINT/SIGTERM run): stop accepting connections and mark `/healthz` draining; let in-flight
 * requests other than parked long polls finish (bounded by `drainTimeout`); close the broker, which answers every
 * parked long poll with "no message" and flushes and closes storage; then wait for the last responses to be written,
 * closing idle keep-alive connections as they become idle, and cut whatever is left at the deadline.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { type Broker, createBroker, LogStorage, memoryStorage, type StorageAdapter } from '@sluice/core';
import type { DialectLimits } from '@sluice/http';
import type { PushSigningKey } from '@sluice/mns';
import { applyRocketMqSettings } from '@sluice/rocketmq';
import { type ConnectionGuard, guardConnections, serverTimeouts } from './connections.js';
import { type Declared, declare } from './declare.js';
import { answerExpectContinue } from './expect-continue.js';
import { createSluiceHandler, type SluiceHandler } from './handler.js';
import { meteredLogStorage } from './metered-storage.js';
import { dialectLimits } from './object-limits.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import { loadPushKey } from './push-key.js';

/** Why a server could not start (the options themselves were fine). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  /** What failed: opening the data directory, binding the port, or creating a declared object. */
  readonly reason: 'storage' | 'listen' | 'declare';

  constructor(reason: StartupError['reason'], message: string, cause?: unknown) {
    super(message, { cause });
    this.reason = reason;
  }
}

/** A running server. */
export interface SluiceServer {
  /** `http://host:port`: the endpoint of every dialect. */
  readonly url: string;
  /** The address bound. */
  readonly host: string;
  /** The port bound (the real one, also with `port: 0`). */
  readonly port: number;
  readonly broker: Broker;
  readonly handler: SluiceHandler;
  /** The node:http server. */
  readonly server: Server;
  /** The options in effect. */
  readonly options: ResolvedServerOptions;
  /** What the `declare` option created or found. */
  readonly declared: readonly Declared[];
  /** The connection guard (timeouts, per-address limit, eviction at the limit): what it did so far. */
  readonly connections: ConnectionGuard;
  /** True once `close()` was called. */
  readonly closing: boolean;
  /** Graceful close (see the module doc). Resolves when storage is closed and every connection has ended. */
  close(): Promise<void>;
}

/** Options of `close` timing, for tests and embedders. */
export interface CloseTimings {
  /** Longest wait for in-flight requests before the broker closes, and again for the last responses, ms. Default 10 000. */
  drainTimeout?: number;
}

const urlHost = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

function waitUntil(done: () => boolean, timeoutMs: number, tick: () => void = () => {}): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      tick();
      if (done() || Date.now() >= deadline) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

/** Binds `server`, turning the bind errors into a {@link StartupError} that says what to do. */
async function listen(server: Server, host: string, port: number): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    const message =
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (choose another with --port, or --port 0 for a free one)`
        : code === 'EADDRNOTAVAIL'
          ? `cannot bind ${where}: no such address on this machine`
          : code === 'EACCES'
            ? `cannot bind ${where}: permission denied`
            : `cannot listen on ${where}: ${(error as Error).message}`;
    throw new StartupError('listen', message, error);
  }
}

/**
 * Starts a Sluice server: opens the broker (durable `logStorage` in `dataDir` unless `memory`), creates what
 * `declare` names, and serves RocketMQ HTTP, MNS, DMS, `/healthz` and `/metrics` on `host:port`. Throws a
 * `TypeError` for bad options and a {@link StartupError} when the data directory or the port cannot be used.
 * @example
 * import { startServer } from '@sluice/server';
 * const sluice = await startServer({ port: 0, memory: true });
 * console.log(sluice.url); // point every SDK here
 * await sluice.close();
 */
export async function startServer(options?: ServerOptions & CloseTimings): Promise<SluiceServer> {
  const resolved = resolveServerOptions(options);
  const drainTimeout = options?.drainTimeout ?? 10_000;

  // The port is bound first and the socket held: a port in use then fails before the data directory is created or
  // locked, with no window for another process to take the port between a probe and the real bind. No request is
  // served before the broker is open: one that arrives meanwhile is held until then (see `serve`).
  let serve: RequestListener | undefined;
  let requestLimits: (() => DialectLimits | undefined) | undefined;
  const held: (() => void)[] = [];
  const dispatch: RequestListener = (req, res) => {
    if (serve !== undefined) serve(req, res);
    else held.push(() => (serve === undefined ? res.destroy() : serve(req, res)));
  };
  const server = createServer(
    { maxHeaderSize: resolved.maxHeaderBytes, ...serverTimeouts(resolved) },
    dispatch,
  );
  answerExpectContinue(server, () => requestLimits?.(), dispatch);
  const connections = guardConnections(server, resolved);
  await listen(server, resolved.host, resolved.port);
  const abandon = async (reason: StartupError['reason'], error: unknown, broker?: Broker) => {
    if (broker !== undefined) await broker.close().catch(() => {});
    for (const release of held.splice(0)) release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return new StartupError(reason, (error as Error).message, error);
  };

  const storage: StorageAdapter = resolved.memory
    ? memoryStorage()
    : meteredLogStorage({ ...resolved.storage, dir: resolvePath(resolved.dataDir), fsync: resolved.fsync });
  let broker: Broker;
  try {
    broker = await createBroker({ storage });
  } catch (error) {
    throw await abandon('storage', error);
  }
  const limits = dialectLimits(resolved.limits);
  let declared: Declared[];
  try {
    // Declared objects obey the caps of the handlers that will serve them (and count against the server's).
    declared = await declare(broker, resolved.declare, {
      rocketmq: { ...resolved.rocketmq, ...limits.rocketmq },
      mns: limits.mns,
      dms: limits.dms,
    });
    // Topics and groups made under another configuration (a durable restart) take the configured values now.
    if (resolved.dialects.includes('rocketmq')) applyRocketMqSettings(broker, resolved.rocketmq);
  } catch (error) {
    throw await abandon('declare', error, broker);
  }

  let signingKey: PushSigningKey | undefined;
  try {
    // Durable: the MNS push signing key lives with the data, so pushes verify with the same certificate after a restart.
    if (!resolved.memory) signingKey = loadPushKey(resolvePath(resolved.dataDir));
  } catch (error) {
    throw await abandon('storage', error, broker);
  }

  let closing = false;
  const handler = createSluiceHandler(broker, {
    credentials: resolved.accessKeys,
    tokens: resolved.tokens,
    maxLongPolls: resolved.maxLongPolls,
    maxBodyBytesInFlight: resolved.maxBodyBytesInFlight,
    minBodyBytesPerSecond: resolved.minBodyBytesPerSecond,
    processMetrics: resolved.processMetrics,
    maxObjects: limits.maxObjects,
    mns: {
      ...limits.mns,
      push: {
        ...(signingKey === undefined ? {} : { signingKey }),
        ...(resolved.mnsPushCertUrl === undefined ? {} : { certBaseUrl: resolved.mnsPushCertUrl }),
      },
    },
    rocketmq: { ...resolved.rocketmq, ...limits.rocketmq, groupStart: resolved.groupStart },
    dms: { ...limits.dms, groupStart: resolved.groupStart },
    dialects: resolved.dialects,
    ...(resolved.adminToken === undefined ? {} : { adminToken: resolved.adminToken }),
    metricsAccess: resolved.metricsAccess,
    metricsMaxObjects: resolved.metricsMaxObjects,
    ready: () => !closing,
  });
  let active = 0;
  requestLimits = () => handler.limits;
  serve = (req, res) => {
    active++;
    res.once('close', () => active--);
    // While draining, answers close their connection, so clients reconnect elsewhere (or fail fast).
    if (closing) res.setHeader('connection', 'close');
    handler.node(req, res);
  };
  for (const release of held.splice(0)) release();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const ended = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight work other than parked polls finishes against an open broker.
      await waitUntil(() => active <= handler.parkedLongPolls(), drainTimeout);
      // Pushes in flight are handed back to the broker before it closes.
      await handler.mns.close();
      await broker.close();
      await waitUntil(
        () => active === 0,
        drainTimeout,
        () => server.closeIdleConnections(),
      );
      server.closeAllConnections();
      await ended;
    })();
    return closed;
  };

  return {
    url: `http://${urlHost(resolved.host)}:${port}`,
    host: resolved.host,
    port,
    broker,
    handler,
    server,
    options: resolved,
    declared,
    connections,
    get closing() {
      return closing;
    },
    close,
  };
}

/** Repairs replay made on the durable log at start (torn tail cut, corrupt range skipped), for the start-up report. */
export function storageWarnings(broker: Broker): readonly string[] {
  return broker.storage instanceof LogStorage ? broker.storage.warnings.map((w) => w.message) : [];
}
