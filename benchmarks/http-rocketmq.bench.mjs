/** @module benchmarks/http-rocketmq — RocketMQ HTTP dialect vs a bare node:http server, over loopback, autocannon. */
/*
 * Two scenarios, each run against the Sluice RocketMQ dialect and against a bare node:http server that answers
 * with a body of the same shape and size (the ceiling any handler on this machine can reach):
 *   publish   POST /topics/bench/messages, a 1 KB message in the SDK's CDATA form  -> 201 <Message>
 *   cycle     GET  consume numOfMessages=16 -> 200 <Messages> (16 x 1 KB), then DELETE ack of those 16 handles -> 204
 * The server runs in a child process (one per contender); this process is the load generator (autocannon, 10
 * connections, keep-alive), so server and client each get one of the machine's cores.
 * The consume scenario runs a fixed number of cycles over a pre-published stock, so it never runs dry. Both servers
 * run at once and the scenarios alternate between them for several rounds (best round kept per side).
 *
 * Run: pnpm build (or `npx tsc -b packages/rocketmq`), then node benchmarks/http-rocketmq.bench.mjs
 * Env: SLUICE_PACKAGES (a directory holding built core/, http/, rocketmq/ packages; default ../packages),
 *      SLUICE_BENCH_SECONDS (publish duration per round, default 8), SLUICE_BENCH_CYCLES (consume+ack cycles per
 *      round, default 4000), SLUICE_BENCH_ROUNDS (default 3).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { runLoad } from './lib/load.mjs';
import { packageEntry } from './lib/packages.mjs';

const SECONDS = Number(process.env.SLUICE_BENCH_SECONDS ?? 8);
const CYCLES = Number(process.env.SLUICE_BENCH_CYCLES ?? 4000);
const ROUNDS = Number(process.env.SLUICE_BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const BODY = 'x'.repeat(1024);
const PUBLISH_XML =
  '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/">' +
  `<MessageBody><![CDATA[${BODY}]]></MessageBody><MessageTag><![CDATA[bench]]></MessageTag></Message>`;
const HEADERS = { 'content-type': 'text/xml;charset=utf-8', 'x-mq-version': '2015-06-06' };

// ---------------------------------------------------------------------------------------------- server side
async function serve(kind) {
  let listener;
  if (kind === 'sluice') {
    const { createBroker } = await import(packageEntry('core'));
    const { createRocketMqHandler } = await import(packageEntry('rocketmq'));
    const broker = await createBroker();
    const mq = createRocketMqHandler(broker);
    mq.declareConsumer('stock', 'GID_bench');
    // Stock for every round's consume cycles, published through the dialect like any client's messages.
    const stock = {
      method: 'POST',
      target: '/topics/stock/messages',
      path: '/topics/stock/messages',
      query: new Map(),
      headers: HEADERS,
      body: Buffer.from(PUBLISH_XML),
    };
    const signal = new AbortController().signal;
    for (let i = 0; i < ROUNDS * CYCLES * 16 + 1000; i++) await mq.wire(stock, signal);
    listener = mq.node;
  } else {
    // The shared ceiling (bare-server.mjs): reads the body, answers pre-rendered documents of the dialect's sizes.
    const { startBareServer } = await import('./bare-server.mjs');
    const message = (i) =>
      `<Message><MessageId>0123456789ABCDEF01234567${String(i).padStart(8, '0')}</MessageId>` +
      '<MessageBodyMD5>0CC175B9C0F1B6A831C399E269772661</MessageBodyMD5>' +
      `<MessageBody>${BODY}</MessageBody><ReceiptHandle>0123456789ABCDEF0123456789ABCDEF-Nabcdefghijklmnopqrstuvwxyz${String(i).padStart(6, '0')}</ReceiptHandle>` +
      '<PublishTime>1700000000000</PublishTime><FirstConsumeTime>1700000000000</FirstConsumeTime>' +
      '<NextConsumeTime>1700000300000</NextConsumeTime><ConsumedTimes>1</ConsumedTimes>' +
      '<MessageTag>bench</MessageTag><Properties></Properties></Message>';
    const headers = {
      'content-type': 'text/xml;charset=utf-8',
      'x-mq-request-id': '0123456789ABCDEF01234567',
      'x-mq-version': '2015-06-06',
    };
    const srv = await startBareServer({
      routes: {
        GET: {
          status: 200,
          headers,
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="http://mq.aliyuncs.com/doc/v1/">${Array.from({ length: 16 }, (_, i) => message(i)).join('')}</Messages>`,
        },
        POST: {
          status: 201,
          headers,
          body:
            '<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="http://mq.aliyuncs.com/doc/v1/">' +
            '<MessageId>0123456789ABCDEF0123456789ABCDEF</MessageId><MessageBodyMD5>0CC175B9C0F1B6A831C399E269772661</MessageBodyMD5></Message>',
        },
        DELETE: { status: 204, headers, body: '' },
      },
    });
    process.send({ port: srv.port });
    process.on('disconnect', () => process.exit(0));
    return;
  }
  const server = createServer(listener);
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------- load side
function startServer(kind) {
  const child = fork(fileURLToPath(import.meta.url), ['serve', kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

/** autocannon with this suite's connections; the rate is measured from the responses (lib/load.mjs). */
const run = (opts) => runLoad({ connections: CONNECTIONS, ...opts });

const HANDLE = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/g;

const summary = (r) => ({
  reqPerSec: Math.round(r.measuredRate),
  latencyP50ms: r.latency.p50,
  latencyP99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

const post = (topic) => [
  { method: 'POST', path: `/topics/${topic}/messages`, headers: HEADERS, body: PUBLISH_XML },
];
const cycle = [
  {
    method: 'GET',
    path: '/topics/stock/messages?consumer=GID_bench&numOfMessages=16',
    headers: HEADERS,
    onResponse: (status, body, context) => {
      context.handles = status === 200 ? [...body.matchAll(HANDLE)].map((m) => m[1]) : [];
    },
  },
  {
    method: 'DELETE',
    path: '/topics/stock/messages?consumer=GID_bench',
    headers: HEADERS,
    setupRequest: (req, context) => ({
      ...req,
      body:
        '<?xml version="1.0" encoding="UTF-8"?><ReceiptHandles xmlns="http://mq.aliyuncs.com/doc/v1/">' +
        (context.handles ?? []).map((h) => `<ReceiptHandle><![CDATA[${h}]]></ReceiptHandle>`).join('') +
        '</ReceiptHandles>',
    }),
  },
];

/**
 * Both servers run side by side; each scenario alternates bare / sluice for ROUNDS rounds and keeps each side's
 * best round, so a burst of load from elsewhere on the machine does not decide the ratio.
 */
async function main() {
  const servers = { bare: await startServer('bare'), sluice: await startServer('sluice') };
  const best = { bare: {}, sluice: {} };
  const keep = (kind, name, result) => {
    if (!best[kind][name] || result.measuredRate > best[kind][name].measuredRate) best[kind][name] = result;
  };
  try {
    for (const kind of ['bare', 'sluice']) {
      // Warm-up (JIT, sockets).
      await run({ url: `http://127.0.0.1:${servers[kind].port}`, duration: 1, requests: post('warm') });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['bare', 'sluice']) {
        const url = `http://127.0.0.1:${servers[kind].port}`;
        keep(kind, 'publish', await run({ url, duration: SECONDS, requests: post('bench') }));
        keep(kind, 'cycle', await run({ url, amount: CYCLES * 2, requests: cycle }));
      }
    }
  } finally {
    for (const { child } of Object.values(servers)) {
      child.disconnect();
      child.kill();
    }
  }
  const bare = { publish: summary(best.bare.publish), cycle: summary(best.bare.cycle) };
  const sluice = { publish: summary(best.sluice.publish), cycle: summary(best.sluice.cycle) };
  const rows = ['publish', 'cycle'].map((name) => ({
    scenario: name === 'publish' ? 'publish (1 KB)' : 'consume(16)+ack(16)',
    'bare req/s': bare[name].reqPerSec,
    'sluice req/s': sluice[name].reqPerSec,
    ratio: Number((sluice[name].reqPerSec / bare[name].reqPerSec).toFixed(2)),
    'sluice p99 ms': sluice[name].latencyP99ms,
    'sluice non-2xx': sluice[name].non2xx,
  }));
  console.table(rows);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL(process.env.SLUICE_BENCH_RESULT ?? 'http-rocketmq.json', dir),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, connections: CONNECTIONS, seconds: SECONDS, cycles: CYCLES, rounds: ROUNDS, bare, sluice, rows }, null, 2)}\n`,
  );
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();
