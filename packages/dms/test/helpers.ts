/** @module helpers — drive a DMS wire handler directly (no sockets) for fast unit tests. */
import { splitTarget, type WireHandler } from '@sluice/http';

/** A decoded answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` for an empty body. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  readonly json: any;
}

/** Calls `wire` with a request built from method/target/body. */
export async function call(
  wire: WireHandler,
  method: string,
  target: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<Answer> {
  const { path, query } = splitTarget(target);
  const bytes =
    body === undefined
      ? new Uint8Array(0)
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const response = await wire({ method, target, path, query, headers, body: bytes }, signal);
  if (response === undefined) throw new Error('not answered');
  const text =
    typeof response.body === 'string' ? response.body : Buffer.from(response.body).toString('utf8');
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}
