/** @module raw-http — HTTP/1.1 over a bare socket, for what fetch hides: interim 100 answers, slow heads, closes. */
import { connect, type Socket } from 'node:net';

/** One response read off a socket. */
export interface RawResponse {
  readonly status: number;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A socket with a buffer of what it received, read response by response. */
export interface RawConnection {
  readonly socket: Socket;
  /** Resolves with the next response (a `100 Continue` counts as one), or rejects when the socket ends first. */
  next(timeoutMs?: number): Promise<RawResponse>;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
}

/** Connects to `127.0.0.1:port` (from `localAddress` when given). */
export async function rawConnect(port: number, localAddress?: string): Promise<RawConnection> {
  const socket = connect({
    port,
    host: '127.0.0.1',
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  let buffer = '';
  let ended = false;
  let wake: (() => void) | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    wake?.();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      ended = true;
      wake?.();
      resolve();
    }),
  );
  const parse = (): RawResponse | undefined => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const [line, ...lines] = buffer.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const colon = l.indexOf(':');
      headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
    }
    const status = Number(line!.split(' ')[1]);
    const length = status < 200 ? 0 : Number(headers['content-length'] ?? 0);
    if (buffer.length < end + 4 + length) return undefined;
    const body = Buffer.from(buffer.slice(end + 4, end + 4 + length), 'latin1').toString('utf8');
    buffer = buffer.slice(end + 4 + length);
    return { status, headers, body };
  };
  const next = (timeoutMs = 5000): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = undefined;
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        const response = parse();
        if (response !== undefined || ended) {
          clearTimeout(timer);
          wake = undefined;
          if (response !== undefined) resolve(response);
          else reject(new Error('connection closed before a response'));
        }
      };
      wake = check;
      check();
    });
  return { socket, next, closed };
}
