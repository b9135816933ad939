/** @module fetch — the fetch adapter: Request -> WireRequest, WireResponse -> Response. */
import { TooLargeError } from './errors.js';
import { splitTarget } from './query.js';
import type { DialectLimits, RequestHead, WireRequest, WireResponse } from './wire.js';

const EMPTY = new Uint8Array(0);

/** The head of a fetch request. The target is the URL's path and search as the `Request` holds them. */
export function fetchRequestHead(request: Request): RequestHead {
  const url = request.url;
  // Skip `scheme://authority` without building a URL object: the target is everything from the first `/` after it.
  const authorityStart = url.indexOf('//');
  const pathStart = authorityStart === -1 ? 0 : url.indexOf('/', authorityStart + 2);
  let target = pathStart === -1 ? '/' : url.slice(pathStart);
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { method: request.method.toUpperCase(), target, headers };
}

async function readLimited(request: Request, max: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return EMPTY;
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new TooLargeError('body');
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/** Reads a fetch `Request` into a {@link WireRequest}, enforcing the target and body limits ({@link TooLargeError}). */
export async function toWireRequest(
  request: Request,
  limits: Pick<DialectLimits, 'maxBodyBytes' | 'maxTargetLength'>,
  head = fetchRequestHead(request),
): Promise<WireRequest> {
  if (head.target.length > limits.maxTargetLength) throw new TooLargeError('target');
  const max = limits.maxBodyBytes(head);
  const declared = head.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) throw new TooLargeError('body');
  const body = await readLimited(request, max);
  const { path, query } = splitTarget(head.target);
  return { method: head.method, target: head.target, path, query, headers: head.headers, body };
}

/** Builds a fetch `Response` from a {@link WireResponse}. */
export function toFetchResponse(response: WireResponse): Response {
  const { status, body } = response;
  const noBody = status === 204 || status === 304 || status < 200;
  return new Response(noBody ? null : (body as string | Uint8Array<ArrayBuffer>), {
    status,
    headers: response.headers,
  });
}
