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

/** Deepest nesting of arrays and objects a request body may have, by default. */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/**
 * True when `body` nests arrays/objects deeper than `max` (strings skipped): one pass over the bytes, before
 * `JSON.parse`. WHY: a deep value parses, but every recursive walk of it afterwards (`JSON.stringify` of a message
 * body) overflows the stack at ~4,000 levels and would answer 500.
 */
export function nestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === 0x22) {
      // Skip the string: an escaped quote or backslash does not end it.
      for (i++; i < body.length; i++) {
        const d = body[i]!;
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Parses a request body as JSON: `NOT_JSON` for invalid UTF-8, bad JSON, an empty body or nesting deeper than
 * `maxDepth`, so each op can answer with its own code.
 */
export function parseJsonBody(body: Uint8Array, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (body.length === 0 || nestsDeeperThan(body, maxDepth)) return NOT_JSON;
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
