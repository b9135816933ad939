/**
 * @module crash/http — raw HTTP for the crash test: one call, its status and text, or a thrown `Unanswered` when the
 * server went away (killed) before answering — the outcome of such a call is unknown.
 */

/** The request got no complete answer: killed server, reset connection, timeout. */
export class Unanswered extends Error {
  override readonly name = 'Unanswered';
}

/** A complete answer. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  /** When the answer was complete, ms. */
  readonly at: number;
}

/** Sends one request; never answers a half-read body. */
export async function call(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  try {
    const res = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      // A parked long poll is at most a few seconds; anything longer is a hung server.
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, text, at: Date.now() };
  } catch (error) {
    throw new Unanswered((error as Error).message, { cause: error });
  }
}
