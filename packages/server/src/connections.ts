/**
 * @module connections — the connection guard: timeouts that defeat slow clients, a per-address limit, and room for a
 * new client when the connection limit is reached.
 *
 * WHY: with node's defaults 500 slowloris connections (heads sent a byte at a time, or nothing at all) held every
 * slot of `maxConnections: 500`, and node looks at its timeouts only every 30 s, so they were cut after ~70 s.
 * Here node's own timeouts do the cutting, checked often (`connectionsCheckingInterval`):
 * - `headersTimeout`: a request head (first byte to the blank line, and a new connection's first head) must arrive
 *   within it: a trickled or absent head is answered 408 and closed.
 * - `requestTimeout`: the whole request (head and body) must arrive within it: a trickled body is cut the same way.
 *   Neither limits answering: a long poll parked for 30 s is a request already received.
 * - `keepAliveTimeout`: an idle kept-alive connection is closed after it (65 s: the services keep them at least that
 *   long, and SDKs reuse them).
 * And this guard, on every new connection:
 * - one address holds at most `maxConnectionsPerAddress` connections; past it the newcomer is closed at once;
 * - at `maxConnections`, rather than refusing the newcomer, the guard closes the connection that gives least: the
 *   oldest one still sending its first head (the slowest), else the one idle the longest. A connection whose request
 *   is being received or answered is never evicted; when every connection is busy, the newcomer is closed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The limits the guard applies (all resolved). */
export interface ConnectionLimits {
  /** Most open connections. */
  readonly maxConnections: number;
  /** Most open connections from one remote address. */
  readonly maxConnectionsPerAddress: number;
  /** Longest time to receive a request head, ms. */
  readonly headersTimeout: number;
  /** Longest time to receive a whole request (head and body), ms. */
  readonly requestTimeout: number;
  /** Longest idle time of a kept-alive connection, ms. */
  readonly keepAliveTimeout: number;
}

/** The node:http server options that carry the timeouts (pass them to `createServer`; the guard sets keep-alive). */
export function serverTimeouts(limits: ConnectionLimits): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  // node refuses a head timeout longer than the request's; and it checks both only every interval.
  const headersTimeout = Math.min(limits.headersTimeout, limits.requestTimeout);
  return {
    headersTimeout,
    requestTimeout: limits.requestTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
}

/** What the guard did so far, for tests and metrics. */
export interface ConnectionGuardStats {
  /** Connections open now (as the guard counts them). */
  readonly open: number;
  /** Newcomers closed because their address was at its limit. */
  readonly refusedPerAddress: number;
  /** Newcomers closed because the server was full of busy connections. */
  readonly refusedFull: number;
  /** Slow-head or idle connections closed to make room for a newcomer. */
  readonly evicted: number;
}

/** A guard installed on a server. */
export interface ConnectionGuard {
  stats(): ConnectionGuardStats;
}

/** What the guard knows of one connection. */
interface Tracked {
  readonly address: string;
  /** `head`: no request received yet; `busy`: a request is being received or answered; `idle`: kept alive. */
  phase: 'head' | 'busy' | 'idle';
  /** Requests received and not yet answered (pipelining can queue more than one). */
  pending: number;
}

/**
 * Installs the guard on `server` (before it listens; node's own `maxConnections` stays off, the guard enforces it):
 * see the module doc. Give `createServer` {@link serverTimeouts} too.
 */
export function guardConnections(server: Server, limits: ConnectionLimits): ConnectionGuard {
  server.keepAliveTimeout = limits.keepAliveTimeout;
  const tracked = new Map<Socket, Tracked>();
  // In insertion order: the first entry is the oldest unfinished first head / the longest idle.
  const heads = new Set<Socket>();
  const idle = new Set<Socket>();
  const perAddress = new Map<string, number>();
  let refusedPerAddress = 0;
  let refusedFull = 0;
  let evicted = 0;

  const forget = (socket: Socket): void => {
    const t = tracked.get(socket);
    if (t === undefined) return;
    tracked.delete(socket);
    heads.delete(socket);
    idle.delete(socket);
    const n = (perAddress.get(t.address) ?? 1) - 1;
    if (n <= 0) perAddress.delete(t.address);
    else perAddress.set(t.address, n);
  };

  const victim = (): Socket | undefined => {
    for (const socket of heads) return socket;
    for (const socket of idle) return socket;
    return undefined;
  };

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) {
      refusedPerAddress++;
      socket.destroy();
      return;
    }
    if (tracked.size >= limits.maxConnections) {
      const old = victim();
      if (old === undefined) {
        refusedFull++;
        socket.destroy();
        return;
      }
      evicted++;
      forget(old);
      old.destroy();
    }
    tracked.set(socket, { address, phase: 'head', pending: 0 });
    heads.add(socket);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => forget(socket));
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const t = tracked.get(socket);
    if (t === undefined) return;
    t.phase = 'busy';
    t.pending++;
    heads.delete(socket);
    idle.delete(socket);
    res.once('close', () => {
      if (--t.pending > 0 || !tracked.has(socket) || socket.destroyed) return;
      t.phase = 'idle';
      idle.add(socket);
    });
  };
  server.on('request', onRequest);
  // Requests with `Expect: 100-continue` come through these events instead of 'request'.
  // (Listening for 'checkContinue' alone changes nothing: the server answers it already, see expect-continue.ts.)
  server.on('checkContinue', onRequest);

  return {
    stats: () => ({ open: tracked.size, refusedPerAddress, refusedFull, evicted }),
  };
}
