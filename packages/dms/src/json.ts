/** @module json — DMS JSON responses and request-body parsing. */
import type { WireResponse } from '@sluice/http';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The content type DMS answers with. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** A JSON response with DMS's headers; `body` is already-serialized JSON text. */
export function jsonResponse(
  status: number,
  body: string,
  requestId: string = crypto.randomUUID(),
): WireResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, 'X-Request-Id': requestId }, body };
}

/** 204 No Content, as DMS answers deletes. */
export function noContent(): WireResponse {
  return { status: 204, headers: { 'X-Request-Id': crypto.randomUUID() }, body: '' };
}

/** Why a body could not be read as JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * Parses a request body as JSON: `NOT_JSON` for invalid UTF-8, bad JSON or an empty body, so each op can
 * answer with its own code.
 */
export function parseJsonBody(body: Uint8Array): unknown {
  if (body.length === 0) return NOT_JSON;
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    return NOT_JSON;
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
