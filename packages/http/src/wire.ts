/** @module wire — the request and response shapes every dialect speaks, independent of node:http and fetch. */

/** An HTTP request as a dialect sees it: already read, size-checked, and never a `Request` object. */
export interface WireRequest {
  /** Upper-case method: `GET`, `POST`, `PUT`, `DELETE`, ... */
  readonly method: string;
  /** The raw request-target exactly as received (`req.url`): path plus `?query`, not decoded. Signatures cover this. */
  readonly target: string;
  /** The decoded path (no query string), e.g. `/queues/q1/messages`. */
  readonly path: string;
  /** Decoded query parameters; a repeated key keeps its first value. */
  readonly query: ReadonlyMap<string, string>;
  /** Header values by lower-case name, as received (repeated headers joined with `, `). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes (empty when there is none). */
  readonly body: Uint8Array;
}

/** What is known of a request before its body is read: enough to pick a dialect, a body limit or an error shape. */
export interface RequestHead {
  /** Upper-case method. */
  readonly method: string;
  /** The raw request-target (`req.url`). */
  readonly target: string;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The response a dialect answers with. */
export interface WireResponse {
  readonly status: number;
  /** Header values by name, written as given. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: text is written as UTF-8. */
  readonly body: string | Uint8Array;
}

/**
 * A dialect's request handler. Answers `undefined` when the request is not its own (the node adapter then
 * calls `next()` or answers 404). The signal aborts when the client goes away, so a parked long poll ends.
 */
export type WireHandler = (
  request: WireRequest,
  signal: AbortSignal,
) => WireResponse | undefined | Promise<WireResponse | undefined>;

/** Minimal node:http shapes, so the adapter types work with node:http, Express, Connect and Fastify raw objects. */
export type NodeHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  next?: (err?: unknown) => void,
) => void;

/** Which limit a request broke: the body size or the request-target length. */
export type TooLargeKind = 'body' | 'target';

/** The limits and error shapes a {@link DialectHandler} applies, all resolved (see `createDialectHandler`). */
export interface DialectLimits {
  /** Largest body read for this request, bytes. */
  readonly maxBodyBytes: (head: RequestHead) => number;
  /** Longest request-target accepted, characters. */
  readonly maxTargetLength: number;
  /** The dialect's answer to a request over a limit. */
  readonly onTooLarge: (kind: TooLargeKind, head: RequestHead) => WireResponse;
}

/** What every `createXxxHandler` returns: the same dialect for node-style and fetch-style servers. */
export interface DialectHandler {
  /** For `http.createServer(handler.node)`, `app.use(handler.node)` (Express/Connect), Fastify's raw req/res. */
  readonly node: NodeHandler;
  /** For Hono (`app.mount('/', handler.fetch)`), `Bun.serve`, workers: `(Request) => Promise<Response>`. */
  readonly fetch: (request: Request) => Promise<Response>;
  /**
   * The wire-level handler both adapters wrap, for routers that combine dialects on one port. When built by
   * `createDialectHandler` it never throws: unexpected errors become the dialect's own 500 (`onError`).
   */
  readonly wire: WireHandler;
  /** The limits the adapters apply (set by `createDialectHandler`), so a router can apply each dialect's own. */
  readonly limits?: DialectLimits;
}
