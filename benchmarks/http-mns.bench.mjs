/** @module benchmarks/http-mns — the MNS dialect vs a bare node:http server, over loopback, with autocannon. */
/*
 * Scenarios (10 keep-alive connections, signed requests as the SDKs send them):
 *   batch-send     POST /queues/sink/messages with <Messages> of 16 x 64-byte bodies          -> 201 <Messages>
 *   receive+delete GET /queues/stock/messages?numOfMessages=16 -> 200 <Messages> (16 messages), then
 *                  DELETE /queues/stock/messages with those 16 <ReceiptHandles>               -> 204
 * Each runs against the Sluice MNS handler and against benchmarks/bare-server.mjs answering pre-rendered documents
 * of the same shape and size (the ceiling for that traffic), plus the plain 1 KB bare reference. Servers run in a
 * child process each; this process generates load, so client and server get a core each.
 *
 * Run: npx tsc -b packages/mns (or pnpm turbo run build), then node benchmarks/http-mns.bench.mjs
 *      (SLUICE_PACKAGES: a directory of built packages to load instead of packages/, see lib/packages.mjs)
 * Env: SLUICE_BENCH_SECONDS (batch-send and 1 KB durations, default 8), SLUICE_BENCH_CYCLES (receive+delete
 *      cycles, default 3000).
 */
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { bareXml, startBareServer } from './bare-server.mjs';
import { runLoad } from './lib/load.mjs';
import { packageEntry } from './lib/packages.mjs';

const SECONDS = Number(process.env.SLUICE_BENCH_SECONDS ?? 8);
const CYCLES = Number(process.env.SLUICE_BENCH_CYCLES ?? 3000);
const CONNECTIONS = 10;
const KEY_ID = 'bench';
const SECRET = 'bench-secret';
const NS = 'http://mns.aliyuncs.com/doc/v1/';
const BODY = 'x'.repeat(64);
const BATCH_XML = `<?xml version="1.0" encoding="UTF-8"?><Messages xmlns="${NS}">${`<Message><MessageBody>${BODY}</MessageBody></Message>`.repeat(16)}</Messages>`;

// ---------------------------------------------------------------------------------------------- server side
async function serveSluice() {
  const { createBroker } = await import(packageEntry('core'));
  const { createMnsHandler } = await import(packageEntry('mns'));
  const broker = await createBroker();
  const mns = createMnsHandler(broker, { credentials: [{ accessKeyId: KEY_ID, accessKeySecret: SECRET }] });
  broker.createQueue('mns:queue:sink', { retention: 3600_000 });
  const stock = broker.createQueue('mns:queue:stock', { visibilityTimeout: 600_000 });
  const batch = Array.from({ length: 16 }, () => ({ body: BODY }));
  for (let i = 0; i < CYCLES + 100; i++) await stock.sendBatch(batch);
  const server = createServer(mns.node);
  server.keepAliveTimeout = 65_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

/** Pre-rendered answers of the same shape and size as the dialect's. */
async function serveBare() {
  const headers = {
    'content-type': 'text/xml;charset=utf-8',
    'x-mns-request-id': '0123456789ABCDEF01234567',
    'x-mns-version': '2015-06-06',
    date: new Date().toUTCString(),
  };
  const hex = (i) => `0123456789ABCDEF0123456789${String(i).padStart(6, '0')}`;
  const sent = `<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="${NS}">${Array.from({ length: 16 }, (_, i) => `<Message><MessageId>${hex(i)}</MessageId><MessageBodyMD5>0CC175B9C0F1B6A831C399E269772661</MessageBodyMD5></Message>`).join('')}</Messages>`;
  const received = `<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="${NS}">${Array.from(
    { length: 16 },
    (_, i) =>
      `<Message><MessageId>${hex(i)}</MessageId><ReceiptHandle>AAAAAAAAAAAAAAAAAAAAAAAA${String(i).padStart(8, '0')}</ReceiptHandle><MessageBodyMD5>0CC175B9C0F1B6A831C399E269772661</MessageBodyMD5><MessageBody>${BODY}</MessageBody><EnqueueTime>1795400791132</EnqueueTime><NextVisibleTime>1795401391139</NextVisibleTime><FirstDequeueTime>1795400791139</FirstDequeueTime><DequeueCount>1</DequeueCount><Priority>8</Priority></Message>`,
  ).join('')}</Messages>`;
  const srv = await startBareServer({
    routes: {
      'POST /queues/sink': { status: 201, headers, body: sent },
      'GET /queues/stock': { status: 200, headers, body: received },
      'DELETE /queues/stock': {
        status: 204,
        headers: { 'x-mns-request-id': headers['x-mns-request-id'] },
        body: '',
      },
      'GET /1k': { status: 200, headers, body: bareXml() },
    },
  });
  return srv.port;
}

// ---------------------------------------------------------------------------------------------- load side
function start(kind) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ port: m.port, stop: () => child.disconnect() }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server ${kind} exited with ${code}`)));
  });
}

let signCache = { key: '', value: '' };
/** Date + Authorization as @alicloud/mns computes them (cached per second and request line). */
function sign(method, target, contentType) {
  const date = new Date().toUTCString();
  const key = `${method} ${target} ${date}`;
  if (signCache.key !== key) {
    const text = `${method}\n\n${contentType}\n${date}\nx-mns-version:2015-06-06\n${target}`;
    signCache = { key, value: createHmac('sha1', SECRET).update(text).digest('base64') };
  }
  return {
    date,
    'x-mns-version': '2015-06-06',
    ...(contentType ? { 'content-type': contentType } : {}),
    authorization: `MNS ${KEY_ID}:${signCache.value}`,
  };
}

async function load(options) {
  // The rate comes from the responses themselves (lib/load.mjs): autocannon's own duration is whole seconds,
  // too coarse for the fixed-amount receive+delete run.
  const result = await runLoad({ connections: CONNECTIONS, ...options });
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    rps: Math.round(result.measuredRate),
    p99ms: result.latency.p99,
    requests: result.responses,
    errors,
  };
}

async function scenarios(url, withOneK) {
  const out = {};
  out['batch-send'] = await load({
    url,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/queues/sink/messages',
        body: BATCH_XML,
        setupRequest: (req) => ({ ...req, headers: sign('POST', '/queues/sink/messages', 'text/xml') }),
      },
    ],
  });
  const del = (handles) =>
    `<?xml version="1.0" encoding="UTF-8"?><ReceiptHandles xmlns="${NS}">${handles.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`;
  out['receive+delete'] = await load({
    url,
    amount: CYCLES * 2,
    requests: [
      {
        method: 'GET',
        path: '/queues/stock/messages?numOfMessages=16',
        setupRequest: (req) => ({
          ...req,
          headers: sign('GET', '/queues/stock/messages?numOfMessages=16', ''),
        }),
        onResponse: (_status, body, context) => {
          context.handles = [...body.matchAll(/<ReceiptHandle>([^<]+)<\/ReceiptHandle>/g)].map((m) => m[1]);
        },
      },
      {
        method: 'DELETE',
        path: '/queues/stock/messages',
        setupRequest: (req, context) => ({
          ...req,
          body: del(context.handles ?? []),
          headers: sign('DELETE', '/queues/stock/messages', 'text/xml'),
        }),
      },
    ],
  });
  if (withOneK) {
    out['1k'] = await load({ url: `${url}/1k`, duration: SECONDS });
  }
  return out;
}

async function main() {
  const results = {};
  for (const kind of ['bare', 'sluice']) {
    const server = await start(kind);
    try {
      results[kind] = await scenarios(`http://127.0.0.1:${server.port}`, kind === 'bare');
    } finally {
      server.stop();
    }
  }
  const rows = [];
  for (const name of ['batch-send', 'receive+delete']) {
    const s = results.sluice[name];
    const b = results.bare[name];
    rows.push({
      scenario: name,
      'sluice req/s': s.rps,
      'bare req/s (same shape)': b.rps,
      ratio: +(s.rps / b.rps).toFixed(2),
      'bare 1 KB req/s': results.bare['1k'].rps,
      'ratio vs 1 KB': +(s.rps / results.bare['1k'].rps).toFixed(2),
      'sluice p99 ms': s.p99ms,
      'sluice errors': s.errors,
    });
  }
  console.table(rows);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${process.env.SLUICE_BENCH_RESULT ?? 'http-mns.json'}`,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, connections: CONNECTIONS, seconds: SECONDS, cycles: CYCLES, rows, raw: results }, null, 2)}\n`,
  );
}

if (process.argv[2] === '--serve') {
  const port = await (process.argv[3] === 'sluice' ? serveSluice() : serveBare());
  process.send({ port });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
