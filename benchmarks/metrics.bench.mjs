/** @module benchmarks/metrics — what one `/metrics` scrape costs as objects grow (issue 13, item 5). */
/*
 * For each size, in a fresh child process: a server (`startServer`, in memory) holding that many objects, one
 * topic with one group each, spread over the three dialects' core names (MNS queue, RocketMQ topic + GID, DMS
 * queue + group), one in 150 holding a message or two. Then, over HTTP on loopback:
 *   cold       the first scrape (code not yet optimized)
 *   scrape     SCRAPES scrapes one after another: wall time, CPU time of the process (server and client, which
 *              share it: the client's fetch and decoding of ~1 MiB is part of it), body size, series
 *   blocked    the longest event-loop delay while they run (perf_hooks.monitorEventLoopDelay, 5 ms resolution)
 * Sizes: 10k and 100k by default (an empty object costs ~3 KB in the core: 100k fit in ~0.5 GB).
 *
 * Run: pnpm turbo run build, then node benchmarks/metrics.bench.mjs [--quick]   (--quick: 1k and 5k, 3 scrapes)
 * Env: SLUICE_BENCH_METRICS_SIZES (e.g. "10000,20000"), SLUICE_BENCH_SCRAPES (default 10).
 * Writes results/metrics.json (results/quick/metrics.json with --quick). Loads the live packages/*\/dist.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gitRevision, machine, RESULTS_DIR } from './lib/results.mjs';
import { round, summarize } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const { values: argv } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, child: { type: 'string' } },
});
const QUICK = argv.quick;
const SIZES = (process.env.SLUICE_BENCH_METRICS_SIZES ?? (QUICK ? '1000,5000' : '10000,100000'))
  .split(',')
  .map(Number);
const SCRAPES = Number(process.env.SLUICE_BENCH_SCRAPES ?? (QUICK ? 3 : 10));
const SERVER = pathToFileURL(
  fileURLToPath(new URL('../packages/server/dist/index.js', import.meta.url)),
).href;

/** Child: creates `n` objects, scrapes, and sends back the figures. */
async function measure(n) {
  const { startServer } = await import(SERVER);
  const sluice = await startServer({ port: 0, memory: true });
  const broker = sluice.broker;
  const t0 = performance.now();
  const sends = [];
  for (let i = 0; i < n; i++) {
    let topic;
    if (i % 3 === 0) topic = broker.createQueue(`mns:queue:orders-${i}`);
    else if (i % 3 === 1) {
      topic = broker.createTopic(`rocketmq:MQ_INST_1:topic-${i}`);
      topic.createGroup(`GID_consumer_${i}`);
    } else {
      topic = broker.createTopic(`dms:project${i % 11}:q-${i}`);
      topic.createGroup(`g-${i}`);
    }
    if (i % 150 === 0)
      sends.push(topic.sendBatch([{ body: 'a' }, { body: 'b' }].slice(0, 1 + ((i / 150) % 2))));
  }
  await Promise.all(sends);
  const createMs = performance.now() - t0;
  const scrape = async () => {
    const start = performance.now();
    const res = await fetch(`${sluice.url}/metrics`);
    const text = await res.text();
    return { ms: performance.now() - start, text };
  };
  const cold = await scrape();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const times = [];
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    const r = await scrape();
    times.push(r.ms);
    text = r.text;
  }
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  const result = {
    objects: n,
    createSeconds: round(createMs / 1000),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    coldMs: round(cold.ms),
    scrapeMs: summarize(times.map((t) => round(t))),
    cpuMsPerScrape: round((cpu.user + cpu.system) / 1000 / SCRAPES),
    blockedMaxMs: round(loop.max / 1e6),
    blockedP99Ms: round(loop.percentile(99) / 1e6),
    bodyMiB: round(text.length / 2 ** 20),
    series,
  };
  await sluice.close();
  return result;
}

if (argv.child !== undefined) {
  process.send(await measure(Number(argv.child)));
  process.exit(0);
}

const runs = [];
for (const n of SIZES) {
  console.log(`metrics: ${n} objects…`);
  const child = fork(fileURLToPath(import.meta.url), ['--child', String(n)], {
    execArgv: ['--max-old-space-size=16384'],
  });
  const result = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once(
      'exit',
      (code) => code !== 0 && reject(new Error(`child for ${n} objects exited with ${code}`)),
    );
  });
  runs.push(result);
}
printTable(
  `/metrics scrape cost (${SCRAPES} scrapes one after another, default cap 1000)`,
  [
    'objects',
    'createSeconds',
    'rssMiB',
    'coldMs',
    'scrapeMs',
    'cpuMsPerScrape',
    'blockedMaxMs',
    'bodyMiB',
    'series',
  ],
  runs.map((r) => ({
    ...r,
    scrapeMs: `${round(r.scrapeMs.median, 3)} (${round(r.scrapeMs.min, 3)}..${round(r.scrapeMs.max, 3)})`,
  })),
);
const out = new URL(QUICK ? 'quick/' : './', RESULTS_DIR);
mkdirSync(out, { recursive: true });
writeFileSync(
  new URL('metrics.json', out),
  `${JSON.stringify({ suite: 'metrics', machine: machine(), git: gitRevision(), scrapes: SCRAPES, runs }, null, 2)}\n`,
);
