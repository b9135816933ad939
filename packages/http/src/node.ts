/** @module node — the node:http adapter: IncomingMessage -> WireRequest, WireResponse -> ServerResponse. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TooLargeError } from './errors.js';
import { splitTarget } from './query.js';
import type { DialectLimits, RequestHead, WireRequest, WireResponse } from './wire.js';

/** Bodies past this many bytes are read into one growing buffer as they arrive. */
const PLACE_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);
/**
 * Where the read body is kept on the `IncomingMessage`: a stream is read once, so a later handler in the same chain
 * (after `next()`) finds the bytes here. A registered symbol, so two copies of this package agree on it.
 */
export const BODY: unique symbol = Symbol.for('sluice.http.body') as never;

/** The head of a node request: method, raw target and lower-case headers (node already lower-cases them). */
export function nodeRequestHead(req: IncomingMessage): RequestHead {
  const raw = req.headers;
  // Only set-cookie comes as an array; copy the header object only in that rare case.
  let headers = raw as Record<string, string>;
  if (raw['set-cookie'] !== undefined) {
    headers = {};
    for (const name in raw) {
      const v = raw[name];
      if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return { method: req.method ?? 'GET', target: req.url ?? '/', headers };
}

/**
 * Reads a node request into a {@link WireRequest}, enforcing the target and body limits.
 * Rejects with {@link TooLargeError} as soon as a limit is broken (an honest `Content-Length` is refused before
 * any byte is read), and with the stream's error if the client goes away mid-body.
 */
export function readNodeRequest(
  req: IncomingMessage,
  limits: Pick<DialectLimits, 'maxBodyBytes' | 'maxTargetLength'>,
  head = nodeRequestHead(req),
): Promise<WireRequest> {
  if (head.target.length > limits.maxTargetLength) return Promise.reject(new TooLargeError('target'));
  const max = limits.maxBodyBytes(head);
  const declared = head.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return Promise.reject(new TooLargeError('body'));
  const { path, query } = splitTarget(head.target);
  const make = (body: Uint8Array): WireRequest => ({
    method: head.method,
    target: head.target,
    path,
    query,
    headers: head.headers,
    body,
  });
  // A handler earlier in the chain (another dialect that passed with next()) already read the body: reuse it.
  const earlier = (req as unknown as Record<symbol, unknown>)[BODY];
  if (earlier instanceof Uint8Array) {
    return earlier.byteLength > max
      ? Promise.reject(new TooLargeError('body'))
      : Promise.resolve(make(earlier));
  }
  // A request without a body has already ended (or will, with no data): skip the stream machinery.
  if (declared === '0' || (declared === undefined && head.headers['transfer-encoding'] === undefined)) {
    if (req.complete || req.readableEnded) return Promise.resolve(make(EMPTY));
  }
  return new Promise<WireRequest>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past PLACE_BYTES the body is copied into one growing buffer as it arrives (doubling, up to the declared
    // length): one Buffer.concat of MiBs at the end blocked the loop for tens of ms, and memory still follows the
    // bytes received (at most twice them), not what a client declares.
    const expected = declared === undefined ? Number.NaN : Number(declared);
    let whole: Buffer | undefined;
    const capacityFor = (n: number): number => {
      const doubled = Math.min(max, 2 * n);
      return Number.isSafeInteger(expected) && expected >= n ? Math.min(expected, doubled) : doubled;
    };
    const onData = (chunk: Buffer): void => {
      const at = size;
      size += chunk.length;
      if (size > max) {
        cleanup();
        // Stop buffering; the rest is discarded by node when the response ends.
        req.resume();
        reject(new TooLargeError('body'));
        return;
      }
      if (whole === undefined) {
        chunks.push(chunk);
        if (size < PLACE_BYTES) return;
        whole = Buffer.allocUnsafeSlow(capacityFor(size));
        let offset = 0;
        for (const c of chunks) offset += c.copy(whole, offset);
        chunks.length = 0;
        return;
      }
      if (size > whole.length) {
        const grown = Buffer.allocUnsafeSlow(capacityFor(size));
        whole.copy(grown, 0, 0, at);
        whole = grown;
      }
      chunk.copy(whole, at);
    };
    const onEnd = (): void => {
      cleanup();
      const body =
        whole !== undefined
          ? whole.subarray(0, size)
          : chunks.length === 0
            ? EMPTY
            : chunks.length === 1
              ? chunks[0]!
              : Buffer.concat(chunks, size);
      (req as unknown as Record<symbol, unknown>)[BODY] = body;
      resolve(make(body));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      if (!req.complete) onError(new Error('client closed the request before its body was read'));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Writes a {@link WireResponse} to a node response with an exact `Content-Length`. */
export function writeNodeResponse(res: ServerResponse, response: WireResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const { body } = response;
  const noBody = response.status === 204 || response.status === 304 || response.status < 200;
  if (!noBody)
    res.setHeader('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  // Refused bodies may still be arriving: close rather than drain them.
  if (close) res.setHeader('connection', 'close');
  res.writeHead(response.status, response.headers as Record<string, string>);
  if (noBody) res.end();
  else res.end(body);
}
