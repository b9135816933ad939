/** @module benchmarks/http-dms — DMS dialect request rates over loopback vs a bare node:http server answering comparable JSON */
/*
 * Two workloads, each run against both servers in the same run, with autocannon in this process and the server
 * in a child process (so load generation and serving never share an event loop):
 *   produce(10)      POST /v1.0/p/queues/{q}/messages with 10 small JSON messages -> 201 {messages:[...10]}
 *   consume(10)+ack  GET  …/groups/{g}/messages?max_msgs=10 then POST …/ack with the 10 handlers just received
 *                    (autocannon request chain per connection; each HTTP request counts once)
 * The bare server reads each body and answers a precomputed JSON of the same shape and size; it stores nothing.
 * Sluice runs with a memory broker, no authentication (the signature costs the client as much as the server),
 * and a queue prefilled through the core so consume never runs dry.
 *
 * Run: pnpm build (or `cd packages/dms && npx tsc -b`), then node benchmarks/http-dms.bench.mjs
 *      SLUICE_BENCH_DURATION=5 SLUICE_BENCH_CONNECTIONS=16 to change the load;
 *      SLUICE_PACKAGES=/path/to/packages to load other built packages (core/, dms/, ... with dist/; see lib/packages.mjs).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { runLoad } from './lib/load.mjs';
import { packageEntry } from './lib/packages.mjs';

const DURATION = Number(process.env.SLUICE_BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.SLUICE_BENCH_CONNECTIONS ?? 16);
const PREFILL = Number(process.env.SLUICE_BENCH_PREFILL ?? 400_000);
const BODY = {
  orderId: 123456,
  customer: 'c-000042',
  items: [{ sku: 'A-1', qty: 2 }],
  note: 'benchmark message',
};
const PRODUCE_BODY = JSON.stringify({
  messages: Array.from({ length: 10 }, () => ({ body: BODY, attributes: { k: 'v' } })),
});

// ---------------------------------------------------------------- servers (child process)

async function serveSluice() {
  const { createBroker } = await import(packageEntry('core'));
  const { createDmsHandler } = await import(packageEntry('dms'));
  const broker = await createBroker();
  const dms = createDmsHandler(broker);
  const server = createServer(dms.node);
  server.keepAliveTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}/v1.0/bench`;
  const post = async (path, body) =>
    (await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) })).json();
  const produceQ = (await post('/queues', { name: 'produce' })).id;
  const consumeQ = (await post('/queues', { name: 'consume' })).id;
  const group = (await post(`/queues/${consumeQ}/groups`, { groups: [{ name: 'g' }] })).groups[0].id;
  // Prefill through the HTTP API's own encoding (JSON bytes + attributes), in batches of 10.
  for (let i = 0; i < PREFILL; i += 1000) {
    const batch = [];
    for (let k = 0; k < 100; k++) batch.push(post(`/queues/${consumeQ}/messages`, JSON.parse(PRODUCE_BODY)));
    await Promise.all(batch);
  }
  return { port: server.address().port, produceQ, consumeQ, group };
}

async function serveBare() {
  const produced = JSON.stringify({
    messages: Array.from({ length: 10 }, () => ({ state: 0, error: null, error_code: null })),
  });
  const handler = `N${'x'.repeat(11)}${'y'.repeat(30)}`;
  const consumed = JSON.stringify(
    Array.from({ length: 10 }, () => ({ message: { body: BODY, attributes: { k: 'v' } }, handler })),
  );
  const acked = JSON.stringify({ success: 10, fail: 0 });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      // Parse like a real service would, so the comparison includes reading JSON.
      if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const body = req.method === 'GET' ? consumed : req.url.endsWith('/ack') ? acked : produced;
      res.writeHead(req.method === 'GET' || req.url.endsWith('/ack') ? 200 : 201, {
        'Content-Type': 'application/json;charset=UTF-8',
        'X-Request-Id': crypto.randomUUID(),
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, produceQ: 'q', consumeQ: 'q', group: 'g' };
}

if (process.argv[2] === '--serve') {
  const info = process.argv[3] === 'bare' ? await serveBare() : await serveSluice();
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else {
  await main();
}

// ---------------------------------------------------------------- load (this process)

function startServer(kind) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', kind], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** autocannon for DURATION seconds; `measuredRate` counts responses (lib/load.mjs), not autocannon's 1 s samples. */
function load(port, requests) {
  return runLoad({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION, requests });
}

function produceRequests(info) {
  return [
    {
      method: 'POST',
      path: `/v1.0/bench/queues/${info.produceQ}/messages`,
      headers: { 'content-type': 'application/json' },
      body: PRODUCE_BODY,
    },
  ];
}

function consumeAckRequests(info) {
  const base = `/v1.0/bench/queues/${info.consumeQ}/groups/${info.group}`;
  return [
    {
      method: 'GET',
      path: `${base}/messages?max_msgs=10&time_wait=1&ack_wait=300`,
      onResponse: (status, body, context) => {
        const handlers =
          status === 200 ? JSON.parse(body).map((m) => ({ handler: m.handler, status: 'success' })) : [];
        context.ack = JSON.stringify({ message: handlers });
      },
    },
    {
      method: 'POST',
      path: `${base}/ack`,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req, context) => ({ ...req, body: context.ack }),
    },
  ];
}

async function measure(kind, workload) {
  const { child, info } = await startServer(kind);
  try {
    const result = await load(
      info.port,
      workload === 'produce' ? produceRequests(info) : consumeAckRequests(info),
    );
    const bad = result.non2xx + result.errors + result.timeouts;
    return { rps: Math.round(result.measuredRate), p99: result.latency.p99, bad };
  } finally {
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
  }
}

async function main() {
  const rows = [];
  for (const workload of ['produce', 'consume+ack']) {
    const bare = await measure('bare', workload);
    const sluice = await measure('sluice', workload);
    rows.push({
      workload,
      'sluice req/s': Math.round(sluice.rps),
      'bare req/s': Math.round(bare.rps),
      ratio: Number((sluice.rps / bare.rps).toFixed(2)),
      'sluice p99 ms': sluice.p99,
      'bare p99 ms': bare.p99,
      'sluice non-2xx/errors': sluice.bad,
    });
  }
  console.table(rows);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${process.env.SLUICE_BENCH_RESULT ?? 'http-dms.json'}`,
    `${JSON.stringify({ node: process.version, duration: DURATION, connections: CONNECTIONS, rows }, null, 2)}\n`,
  );
}
