/**
 * @module instrument — wraps a dialect's wire handler: the per-process cap on parked long polls, and the counts
 * the metrics need (requests by status, messages received).
 *
 * HOW the cap works without a hook in the dialects: every receive that may park (see classify.ts) takes a place
 * while it runs. With no place left, the dialect is handed a signal that aborts on the next macrotask
 * (`setImmediate`), after the dialect has made its receive call in this one: the core then answers what is ready at
 * once, and a poll that would have parked ends straight away with `[]`, which each dialect renders as its own "no
 * message" answer (MNS and RocketMQ 404 MessageNotExist, DMS 200 `[]`). So a flood of idle long polls costs one
 * request each, not a parked waiter each, and a consumer over the cap still gets the messages that are there.
 * Should a dialect ever await real I/O before receiving, such a poll degrades to the plain "no message" answer.
 */
import type { WireHandler, WireRequest, WireResponse } from '@sluice/http';
import type { Receive } from './classify.js';
import type { ServerMetrics } from './metrics.js';

/** The shared count of parked long polls and its cap. */
export interface LongPollGate {
  /** Most long polls parked at once; 0 turns every long poll into a short poll. */
  readonly max: number;
  /** Long polls in progress now. */
  parked: number;
}

/** Counts occurrences of `needle` in a response body. */
function occurrences(body: string | Uint8Array, needle: string): number {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** Messages in an XML receive answer (MNS, RocketMQ): bodies are escaped, so each `<ReceiptHandle>` is one message. */
export function countXmlMessages(body: string | Uint8Array): number {
  return occurrences(body, '<ReceiptHandle>');
}

/** Messages in a DMS consume answer: the length of its JSON array (bodies are arbitrary JSON, so it is parsed). */
export function countJsonMessages(body: string | Uint8Array): number {
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    return Array.isArray(value) ? value.length : 0;
  } catch {
    return 0;
  }
}

/** A signal that aborts on the next macrotask: what a long poll over the cap runs with. */
function shortPollSignal(): AbortSignal {
  const controller = new AbortController();
  setImmediate(() => controller.abort());
  return controller.signal;
}

/** How one dialect is recognised and counted. */
export interface DialectProbe {
  /** Label of the dialect in metrics. */
  readonly dialect: string;
  /** The receive a request is, if any. */
  readonly receive: (request: WireRequest) => Receive | undefined;
  /** Messages in a successful receive answer. */
  readonly count: (body: string | Uint8Array) => number;
}

/** Wraps `wire` with the long-poll cap of `gate` and the counts of `metrics`. */
export function instrument(
  wire: WireHandler,
  probe: DialectProbe,
  gate: LongPollGate,
  metrics: ServerMetrics,
): WireHandler {
  const { dialect } = probe;
  return (request, signal) => {
    const receive = probe.receive(request);
    let holds = false;
    let runWith = signal;
    if (receive?.long === true) {
      if (gate.parked < gate.max) {
        gate.parked++;
        holds = true;
      } else {
        runWith = shortPollSignal();
        metrics.shortened(dialect);
      }
    }
    const done = (response: WireResponse | undefined): WireResponse | undefined => {
      if (holds) gate.parked--;
      if (response === undefined) return response;
      metrics.request(dialect, response.status);
      if (receive?.counted === true && response.status === 200) {
        const n = probe.count(response.body);
        if (n > 0) metrics.received(receive.topic, receive.group, n);
      }
      return response;
    };
    let out: ReturnType<WireHandler>;
    try {
      out = wire(request, runWith);
    } catch (error) {
      if (holds) gate.parked--;
      throw error;
    }
    if (out instanceof Promise) {
      return out.then(done, (error: unknown) => {
        if (holds) gate.parked--;
        throw error;
      });
    }
    return done(out);
  };
}
