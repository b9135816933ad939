/** @module benchmarks/bare-server — the ceiling: a bare node:http server answering pre-rendered bodies, no dialect work. */
/*
 * A dialect benchmark runs its scenario against Sluice and against this server in the same run and reports the
 * ratio. This server does what any HTTP handler must (read the whole body, write headers and a body) and nothing
 * else, so its requests/s is the most this machine can do for that traffic shape.
 *
 * Use it as a module:
 *   import { startBareServer, bareXml } from './bare-server.mjs';
 *   const srv = await startBareServer({ routes: { 'GET': { status: 200, headers, body } }, fallback: {...} });
 *   ... srv.url ... await srv.close();
 * Routes are keyed by method (or `METHOD path-prefix`, longest first wins); a route may be a function of the request.
 * Or as a process (what the benchmarks do, so client and server get a core each):
 *   node bare-server.mjs            -> answers every request with a 1 KB XML document, prints {"port":N} on stdout
 *   fork('bare-server.mjs', ['--ipc']) -> sends { port } over IPC, exits on disconnect.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/** A 1 KB (1024-byte) XML document in the Alibaba shape: declaration, namespaced root, padded text. */
export function bareXml(bytes = 1024, root = 'Message', namespace = 'http://mns.aliyuncs.com/doc/v1/') {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}"><MessageBody>`;
  const tail = `</MessageBody></${root}>`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

const DEFAULT = {
  status: 200,
  headers: { 'content-type': 'text/xml;charset=utf-8', 'x-request-id': '0123456789ABCDEF01234567' },
  body: bareXml(),
};

/**
 * Starts a bare server on 127.0.0.1:0.
 * @param {{ routes?: Record<string, {status:number, headers:Record<string,string>, body:string} | ((req, body: Buffer) => {status:number, headers:Record<string,string>, body:string})>, fallback?: object, port?: number }} [options]
 */
export function startBareServer(options = {}) {
  const routes = Object.entries(options.routes ?? {}).sort((a, b) => b[0].length - a[0].length);
  const fallback = options.fallback ?? DEFAULT;
  const pick = (req) => {
    for (const [key, answer] of routes) {
      const space = key.indexOf(' ');
      const method = space === -1 ? key : key.slice(0, space);
      const prefix = space === -1 ? '' : key.slice(space + 1);
      if (method === req.method && req.url.startsWith(prefix)) return answer;
    }
    return fallback;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const chosen = pick(req);
      const answer = typeof chosen === 'function' ? chosen(req, body) : chosen;
      const out = answer.status === 204 ? '' : answer.body;
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        server,
        port,
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const srv = await startBareServer();
  if (process.argv.includes('--ipc') && process.send) {
    process.send({ port: srv.port });
    process.on('disconnect', () => process.exit(0));
  } else {
    process.stdout.write(`${JSON.stringify({ port: srv.port })}\n`);
  }
}
