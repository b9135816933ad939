/** @module listen — start a real HTTP server on 127.0.0.1 with an ephemeral port, and stop it for sure. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening server and how to reach it. */
export interface Listening {
  /** The node server (already listening). */
  readonly server: Server;
  /** The port the OS chose. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** Closes the server and every connection (keep-alive ones included). */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0 with a request listener (a node handler, an Express app, ...) or an existing server.
 * @example
 * const srv = await listen(createMnsHandler(broker).node);
 * try { await fetch(`${srv.url}/queues`) } finally { await srv.close() }
 */
export async function listen(handler: RequestListener | Server): Promise<Listening> {
  const server = typeof handler === 'function' ? createServer(handler) : handler;
  // SDKs hold keep-alive connections; the services keep them for >= 65 s and so do we (spec "Keep-alive").
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Sends one raw HTTP/1.1 request over a fresh socket and returns the raw response text (for what fetch refuses to
 * send: over-long request lines, lying Content-Length, malformed framing).
 */
export async function rawRequest(
  port: number,
  request: string | Uint8Array,
  timeoutMs = 5000,
): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(e);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(request);
  });
}
