/** @module handler — `createDialectHandler`: one wire handler, served through the node and fetch adapters. */
import type { Release } from './body-budget.js';
import { TooLargeError } from './errors.js';
import { fetchRequestHead, toFetchResponse, toWireRequest } from './fetch.js';
import { nodeRequestHead, readNodeRequest, writeNodeResponse } from './node.js';
import { type DialectHandlerOptions, NOT_FOUND, resolveDialectOptions } from './options.js';
import type {
  DialectHandler,
  DialectLimits,
  NodeHandler,
  RequestHead,
  WireHandler,
  WireRequest,
  WireResponse,
} from './wire.js';

const NO_BUDGET: Release = () => {};

/** The bytes a body will take from the budget: its declared length, the limit when chunked, 0 when refused unread. */
function bodyBytes(head: RequestHead, limits: Pick<DialectLimits, 'maxBodyBytes'>): number {
  const declared = head.headers['content-length'];
  if (declared === undefined)
    return head.headers['transfer-encoding'] === undefined ? 0 : limits.maxBodyBytes(head);
  const n = Number(declared);
  return n <= limits.maxBodyBytes(head) ? n : 0;
}

/**
 * Wraps a dialect's {@link WireHandler} into a {@link DialectHandler}: a node `(req, res, next?)` handler, a fetch
 * `(Request) => Promise<Response>` handler, and the wire handler itself, made safe (it never throws: unexpected
 * errors become `onError`'s answer).
 *
 * The node adapter reads the body up to the limit (over it: `onTooLarge('body')`, and the connection is closed),
 * refuses long request-targets (`onTooLarge('target')`), ties an `AbortController` to the response closing before it
 * finished (a parked long poll is released when its client goes away), and calls `next()` when the wire handler
 * answers `undefined` (no `next`: a plain 404) — or before reading anything when `claims(head)` says the request is
 * not its own. A body it did read stays on the request for the next Sluice handler. With a `bodyBudget`, a large body
 * waits (unread) for its share of the budget before it is read, and gives it back once answered. The fetch adapter
 * does the same with `request.signal`, without the budget.
 *
 * @example
 * import { createServer } from 'node:http';
 * const hello = createDialectHandler((req) =>
 *   req.path === '/hello' ? { status: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' } : undefined);
 * createServer(hello.node).listen(8080);
 */
export function createDialectHandler(wire: WireHandler, options?: DialectHandlerOptions): DialectHandler {
  const resolved = resolveDialectOptions(options);
  const { onTooLarge, onError } = resolved;

  const safeWire: WireHandler = (request, signal) => {
    let out: ReturnType<WireHandler>;
    try {
      out = wire(request, signal);
    } catch (error) {
      return onError(error, request);
    }
    if (out instanceof Promise) return out.catch((error: unknown) => onError(error, request));
    return out;
  };

  const { claims, bodyBudget } = resolved;
  const node: NodeHandler = (req, res, next) => {
    const head = nodeRequestHead(req);
    if (claims !== undefined && !claims(head)) {
      if (next !== undefined) next();
      else writeNodeResponse(res, NOT_FOUND);
      return;
    }
    const bytes = bodyBudget === undefined ? 0 : bodyBytes(head, resolved);
    const serve = (release: Release): void => {
      const unwatch =
        bodyBudget !== undefined && bytes >= bodyBudget.largeBytes ? bodyBudget.watch(req) : NO_BUDGET;
      readNodeRequest(req, resolved, head).then(
        (request) => {
          unwatch();
          const controller = new AbortController();
          const onClose = (): void => {
            if (!res.writableFinished) controller.abort();
          };
          res.on('close', onClose);
          const answer = (response: WireResponse | undefined): void => {
            release();
            if (response !== undefined) {
              writeNodeResponse(res, response);
              return;
            }
            res.off('close', onClose);
            if (next !== undefined) next();
            else writeNodeResponse(res, NOT_FOUND);
          };
          const run = (): void => {
            const out = safeWire(request, controller.signal);
            if (out instanceof Promise) out.then(answer, (error: unknown) => answer(onError(error, request)));
            else answer(out);
          };
          // A large body's last bytes were just copied in this turn; decode it in the next, so the two do not add up.
          if (bodyBudget !== undefined && request.body.byteLength >= bodyBudget.largeBytes) setImmediate(run);
          else run();
        },
        (error: unknown) => {
          unwatch();
          release();
          if (error instanceof TooLargeError) writeNodeResponse(res, onTooLarge(error.kind, head), true);
          // Otherwise the client went away mid-body: nobody is left to answer.
          else if (!res.destroyed) res.destroy();
        },
      );
    };
    const held = bodyBudget === undefined ? NO_BUDGET : bodyBudget.acquire(bytes);
    if (typeof held === 'function') serve(held);
    else
      held.then((release) => {
        // The client went away while its body waited for the budget: nothing to read, nobody to answer.
        if (res.destroyed || req.socket.destroyed) release();
        else serve(release);
      });
  };

  const fetch = async (request: Request): Promise<Response> => {
    const head = fetchRequestHead(request);
    if (claims !== undefined && !claims(head)) return toFetchResponse(NOT_FOUND);
    let wireRequest: WireRequest;
    try {
      wireRequest = await toWireRequest(request, resolved, head);
    } catch (error) {
      if (error instanceof TooLargeError) return toFetchResponse(onTooLarge(error.kind, head));
      throw error;
    }
    const response = await safeWire(wireRequest, request.signal);
    return toFetchResponse(response ?? NOT_FOUND);
  };

  return { node, fetch, wire: safeWire, limits: resolved };
}
