/**
 * @module fuzz/raw-http — one request over a fresh socket, as bytes (for what no HTTP client will send: lying or
 * doubled lengths, chunked framing with both headers, obs-fold), and the answers read back from the raw stream.
 */
import { connect } from 'node:net';

/** One HTTP response read off a socket. */
export interface RawAnswer {
  readonly status: number;
  /** Header values by lower-case name (repeats joined with `, `). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** What a socket gave back: every complete response, and whether the server closed it (vs. our timeout). */
export interface RawExchange {
  readonly answers: readonly RawAnswer[];
  readonly closedByServer: boolean;
  /** Bytes after the last complete response (a torn or unparsable answer). */
  readonly rest: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Parses as many complete HTTP/1.1 responses as `data` holds; `final` when the stream has ended. */
export function parseResponses(data: Buffer, final: boolean): { answers: RawAnswer[]; rest: number } {
  const answers: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf(CRLF2, at);
    if (end === -1) break;
    const head = data.subarray(at, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '');
    if (match === null) break;
    const status = Number(match[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let bodyStart = end + 4;
    let body: Buffer;
    if (status < 200 || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      let p = bodyStart;
      let done = false;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', p);
        if (lineEnd === -1) break;
        const size = Number.parseInt(data.subarray(p, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size)) break;
        if (size === 0) {
          const trailerEnd = data.indexOf(CRLF2, lineEnd);
          if (trailerEnd === -1 && data.indexOf('\r\n', lineEnd + 2) !== lineEnd + 2) break;
          p = trailerEnd === -1 ? lineEnd + 4 : trailerEnd + 4;
          done = true;
          break;
        }
        if (lineEnd + 2 + size + 2 > data.length) break;
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(parts);
      bodyStart = p;
      answers.push({ status, headers, body });
      at = bodyStart;
      continue;
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (bodyStart + length > data.length) break;
      body = data.subarray(bodyStart, bodyStart + length);
      bodyStart += length;
    } else {
      // No framing: the body runs to the end of the stream.
      if (!final) break;
      body = data.subarray(bodyStart);
      bodyStart = data.length;
    }
    answers.push({ status, headers, body });
    at = bodyStart;
  }
  return { answers, rest: data.length - at };
}

/**
 * Writes `request` (possibly in several `chunks`, to split a request across packets) to a new connection and
 * collects what comes back until the server closes it, `expectAnswers` complete responses arrived, `graceMs` passed
 * without more after an answer (a kept-alive connection), or `timeoutMs`.
 */
export function rawExchange(
  port: number,
  request: Uint8Array | readonly Uint8Array[],
  { timeoutMs = 1500, expectAnswers = Number.POSITIVE_INFINITY, graceMs = 30 } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      socket.destroy();
      const { answers, rest } = parseResponses(Buffer.concat(chunks), true);
      resolve({ answers, closedByServer, rest });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const got = parseResponses(Buffer.concat(chunks), false).answers.length;
      if (got >= expectAnswers) finish(true);
      // A kept-alive connection stays open after its answers: give pipelined ones a moment, then stop waiting.
      else if (got > 0) {
        clearTimeout(grace);
        grace = setTimeout(() => finish(true), graceMs);
      }
    });
    socket.on('error', () => finish(true));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    const parts = Array.isArray(request) ? request : [request as Uint8Array];
    for (const part of parts) socket.write(part);
  });
}
