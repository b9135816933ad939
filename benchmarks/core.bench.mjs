/** @module benchmarks/core — the core in memory: full-cycle throughput, memory per message, timer wheel, long-poll latency */
/*
 * One command, four sections, every figure next to a reference measured in the same run (issue 3, and the
 * core rows of issue 9). The machine is shared, so absolute rates drift from run to run: each figure is
 * the min / median / max over several runs, and ratios are taken within a run before being summarized.
 *
 *   1. throughput  full cycle sendBatch(16) -> receive({max:16}) -> ackBatch(16), 100-byte bodies, in one
 *                  tinybench harness: Sluice, the naive reference (naive-queue.mjs) and fastq (no ack).
 *                  "batch": send DEPTH messages, then receive+ack until empty; "pipelined": send, receive
 *                  and ack 16 at a time in one loop. Same loop code for Sluice and the naive queue.
 *                  "sluice+priority": the same Sluice cycles with every message carrying a random priority
 *                  1..16, next to the queue without priorities in the same harness (priorities must cost
 *                  nothing to a queue that does not use them; what they cost to one that does).
 *   2. memory      the scale curve: bytes per message beyond the 100-byte body, queued and inflight, and the
 *                  batch-cycle msg/s at a depth of 10k, 100k, 1M and 5M messages (the naive reference at
 *                  1M), each in a fresh `node --expose-gc` child process; then bytes per retained message
 *                  (consumed by its only group, kept for the topic's retention) at 1M, memory and log storage.
 *   3. timer wheel schedule + cancel at 10k / 100k / 1M pending deadlines vs setTimeout/clearTimeout:
 *                  runs timer-wheel.bench.mjs (owned by its own suite) in a child and reads its JSON.
 *   4. latency     long-poll wake-up: a receiver parked in receive({wait: 10000}), measured from just
 *                  before send() to the resolution of its promise, in a fresh child process.
 *
 * Run:  pnpm bench:core                  (from the repository root: builds @sluice/core, then this)
 *       node --expose-gc benchmarks/core.bench.mjs [--quick] [--runs N] [--only throughput,memory,timer,latency]
 * Writes benchmarks/results/core-<yyyy-mm-dd>.json (core-<yyyy-mm-dd>-quick.json with --quick).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fastq from 'fastq';
import { Bench } from 'tinybench';
import { runChildJson, settledMemory } from './lib/memory.mjs';
import { importCore } from './lib/packages.mjs';
import { coreBuiltAt, gitRevision, machine, RESULTS_DIR, today, writeResult } from './lib/results.mjs';
import { percentileOfSorted, round, summarize } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { NaiveQueue } from './naive-queue.mjs';

/** The build this run measures: the snapshot named by SLUICE_PACKAGES, else packages/core/dist. */
const { createBroker, logStorage } = await importCore();

const BODY_BYTES = 100;
const BATCH = 16;
/** Long enough that no visibility deadline fires during a benchmark. */
const VISIBILITY = 3_600_000;
const BODY = Buffer.alloc(BODY_BYTES, 0x61);
const SELF = fileURLToPath(import.meta.url);

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    depth: { type: 'string' },
    child: { type: 'string' },
    impl: { type: 'string' },
    n: { type: 'string' },
    samples: { type: 'string' },
  },
});

if (argv.child === 'memory') {
  console.log(JSON.stringify(await memoryChild(argv.impl ?? 'sluice', Number(argv.n))));
  process.exit(0);
}
if (argv.child === 'retained') {
  console.log(JSON.stringify(await retainedChild(argv.impl ?? 'memory', Number(argv.n))));
  process.exit(0);
}
if (argv.child === 'latency') {
  console.log(JSON.stringify(await latencyChild(argv.impl ?? 'sluice', Number(argv.samples))));
  process.exit(0);
}

const QUICK = argv.quick;
/** Everything that shapes the figures, written into the result file. */
const settings = {
  quick: QUICK,
  bodyBytes: BODY_BYTES,
  batch: BATCH,
  visibilityTimeoutMs: VISIBILITY,
  runs: Number(argv.runs ?? (QUICK ? 3 : 5)),
  /** Messages per tinybench iteration (batch mode: the queue depth reached before draining). */
  depth: Number(argv.depth ?? 16_384),
  benchTimeMs: QUICK ? 250 : 1500,
  warmupTimeMs: QUICK ? 100 : 300,
  memoryRuns: QUICK ? 1 : 3,
  /** The scale curve: memory per message and batch-cycle throughput at each depth, a fresh child per run. */
  memory: QUICK
    ? [
        { impl: 'sluice', n: 10_000 },
        { impl: 'sluice', n: 100_000 },
        { impl: 'sluice', n: 1_000_000 },
        { impl: 'naive', n: 200_000 },
      ]
    : [
        { impl: 'sluice', n: 10_000 },
        { impl: 'sluice', n: 100_000 },
        { impl: 'sluice', n: 1_000_000 },
        { impl: 'sluice', n: 5_000_000 },
        { impl: 'naive', n: 1_000_000 },
      ],
  /**
   * Bytes per retained (consumed) message: storage and count, a fresh child per run (log storage: fsync
   * 'never', a 1 MiB body cache).
   */
  retained: [
    { storage: 'memory', n: 1_000_000 },
    { storage: 'log', n: 1_000_000 },
  ],
  timerRuns: QUICK ? 1 : 3,
  timerTimeMs: QUICK ? 200 : 1000,
  latencyRuns: 3,
  latencySamples: QUICK ? 2_000 : 20_000,
};
const sections = new Set((argv.only ?? 'throughput,memory,timer,latency').split(','));

// ============================================================================ 1. throughput

/** sendBatch(16) (of `batches` in turn) until `depth` are queued, then receive(16) + ackBatch(16) until empty. */
async function cycleBatch(queue, batches, depth) {
  for (let sent = 0, k = 0; sent < depth; sent += BATCH, k++)
    await queue.sendBatch(batches[k % batches.length]);
  let received = 0;
  for (;;) {
    const deliveries = await queue.receive({ max: BATCH, visibilityTimeout: VISIBILITY });
    if (deliveries.length === 0) break;
    received += deliveries.length;
    await ackAll(queue, deliveries);
  }
  if (received !== depth) throw new Error(`batch cycle received ${received} of ${depth}`);
}

/** sendBatch(16), receive(16), ackBatch(16), repeated: producer and consumer interleaved. */
async function cyclePipelined(queue, batches, depth) {
  let received = 0;
  for (let k = 0; received < depth; k++) {
    await queue.sendBatch(batches[k % batches.length]);
    const deliveries = await queue.receive({ max: BATCH, visibilityTimeout: VISIBILITY });
    received += deliveries.length;
    await ackAll(queue, deliveries);
  }
  if (received !== depth) throw new Error(`pipelined cycle received ${received} of ${depth}`);
}

async function ackAll(queue, deliveries) {
  const handles = new Array(deliveries.length);
  for (let i = 0; i < deliveries.length; i++) handles[i] = deliveries[i].receiptHandle;
  const results = await queue.ackBatch(handles);
  for (let i = 0; i < results.length; i++)
    if (!results[i].ok) throw new Error(`ack failed: ${results[i].code}`);
}

/** fastq as the ceiling: a promise work queue with no ack, no handle, no deadline. One worker. */
function fastqContender() {
  let consumed = 0;
  const queue = fastq.promise(async (input) => {
    consumed += input.body.length;
  }, 1);
  return {
    async batch(inputs, depth) {
      for (let sent = 0; sent < depth; sent += BATCH) for (let i = 0; i < BATCH; i++) queue.push(inputs[i]);
      await queue.drained();
    },
    async pipelined(inputs, depth) {
      for (let sent = 0; sent < depth; sent += BATCH) {
        for (let i = 0; i < BATCH; i++) queue.push(inputs[i]);
        await queue.drained();
      }
    },
    consumed: () => consumed,
  };
}

/** One run: every contender and mode in one tinybench instance; answers msg/s by task name. */
async function throughputRun(run) {
  const depth = settings.depth;
  const inputs = Array.from({ length: BATCH }, () => ({ body: BODY }));
  const plain = [inputs];
  const prioritized = priorityBatches();
  const broker = await createBroker();
  const sluiceBatch = broker.createQueue('batch', { visibilityTimeout: VISIBILITY });
  const sluicePipe = broker.createQueue('pipelined', { visibilityTimeout: VISIBILITY });
  const priorityBatch = broker.createQueue('priority-batch', { visibilityTimeout: VISIBILITY });
  const priorityPipe = broker.createQueue('priority-pipelined', { visibilityTimeout: VISIBILITY });
  const naiveBatch = new NaiveQueue({ visibilityTimeout: VISIBILITY });
  const naivePipe = new NaiveQueue({ visibilityTimeout: VISIBILITY });
  const fq = fastqContender();
  const tasks = [
    ['sluice batch', () => cycleBatch(sluiceBatch, plain, depth)],
    ['naive batch', () => cycleBatch(naiveBatch, plain, depth)],
    ['fastq batch', () => fq.batch(inputs, depth)],
    ['sluice+priority batch', () => cycleBatch(priorityBatch, prioritized, depth)],
    ['sluice pipelined', () => cyclePipelined(sluicePipe, plain, depth)],
    ['naive pipelined', () => cyclePipelined(naivePipe, plain, depth)],
    ['fastq pipelined', () => fq.pipelined(inputs, depth)],
    ['sluice+priority pipelined', () => cyclePipelined(priorityPipe, prioritized, depth)],
  ];
  // Rotate the order from run to run so no contender always runs right after the same neighbour's garbage.
  const rotated = tasks.map((_, i) => tasks[(i + run) % tasks.length]);
  const bench = new Bench({
    time: settings.benchTimeMs,
    warmupTime: settings.warmupTimeMs,
    // tinybench's defaults (64 iterations, 16 warmup) would override the time budget: one iteration
    // here is DEPTH messages (tens of ms), so the time budget decides.
    iterations: 3,
    warmupIterations: 2,
    throws: true,
  });
  // CPU time (all threads of the process: GC helpers included) per task, for the last phase run: on a
  // shared machine msg per CPU-second drifts far less than msg per wall-clock second.
  const cpu = {};
  for (const [name, fn] of rotated) {
    const meter = { micros: 0, messages: 0 };
    cpu[name] = meter;
    bench.add(
      name,
      async () => {
        const before = process.cpuUsage();
        await fn();
        const used = process.cpuUsage(before);
        meter.micros += used.user + used.system;
        meter.messages += depth;
      },
      {
        beforeAll() {
          meter.micros = 0;
          meter.messages = 0;
          settledMemoryIfPossible();
        },
      },
    );
  }
  await bench.run();
  const rates = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (!result || !('latency' in result)) throw new Error(`${task.name}: no result (${result?.state})`);
    rates[task.name] = depth / (result.latency.mean / 1000);
    rates[`${task.name} cpu`] = cpu[task.name].messages / (cpu[task.name].micros / 1e6);
  }
  for (const q of [sluiceBatch, priorityBatch]) {
    if (q.stats().inflight + q.stats().active !== 0) throw new Error(`sluice ${q.name} queue not empty`);
  }
  if (naiveBatch.size !== 0 || naivePipe.size !== 0) throw new Error('naive queue not empty');
  if (fq.consumed() === 0) throw new Error('fastq consumed nothing');
  naiveBatch.close();
  naivePipe.close();
  await broker.close();
  return rates;
}

/**
 * 64 batches of 16 inputs, each message with a priority 1..16 drawn from a fixed-seed generator (the same
 * sequence every run), so the priority rows see every priority in a shuffled order.
 */
function priorityBatches() {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  return Array.from({ length: 64 }, () =>
    Array.from({ length: BATCH }, () => ({ body: BODY, priority: 1 + (next() % 16) })),
  );
}

function settledMemoryIfPossible() {
  if (typeof globalThis.gc === 'function') settledMemory();
}

async function throughputSection() {
  const perRun = [];
  for (let run = 0; run < settings.runs; run++) {
    perRun.push(await throughputRun(run));
    process.stdout.write(`  throughput run ${run + 1}/${settings.runs} done\n`);
  }
  const rows = [];
  for (const mode of ['batch', 'pipelined']) {
    const rate = (impl) => summarize(perRun.map((r) => r[`${impl} ${mode}`]));
    const ratio = (a, b) => summarize(perRun.map((r) => r[`${a} ${mode}`] / r[`${b} ${mode}`]));
    const cpuRate = (impl) => summarize(perRun.map((r) => r[`${impl} ${mode} cpu`]));
    rows.push({
      mode,
      sluice: rate('sluice'),
      naive: rate('naive'),
      fastq: rate('fastq'),
      sluiceOverNaive: ratio('sluice', 'naive'),
      sluiceOverFastq: ratio('sluice', 'fastq'),
      priority: rate('sluice+priority'),
      priorityOverPlain: ratio('sluice+priority', 'sluice'),
      cpu: {
        sluice: cpuRate('sluice'),
        naive: cpuRate('naive'),
        fastq: cpuRate('fastq'),
        priority: cpuRate('sluice+priority'),
      },
    });
  }
  return { depth: settings.depth, unit: 'msg/s (wall clock); cpu: msg per CPU-second of the process', rows };
}

// ============================================================================ 2. memory

/** In a fresh process: fill a queue with `n` messages, then receive them all; bytes per message at each step. */
async function memoryChild(impl, n) {
  if (!(n > 0)) throw new Error('--n must be a positive number');
  const fill = 1000;
  const inputs = Array.from({ length: fill }, () => ({ body: BODY }));
  let queue;
  let broker;
  if (impl === 'sluice') {
    broker = await createBroker();
    queue = broker.createQueue('memory', { visibilityTimeout: VISIBILITY });
  } else if (impl === 'naive') {
    queue = new NaiveQueue({ visibilityTimeout: VISIBILITY });
  } else throw new Error(`unknown impl ${impl}`);
  const base = settledMemory();
  const started = performance.now();
  for (let sent = 0; sent < n; sent += fill) {
    await queue.sendBatch(sent + fill <= n ? inputs : inputs.slice(0, n - sent));
  }
  const filledMs = performance.now() - started;
  const queued = settledMemory();
  let received = 0;
  while (received < n) {
    const deliveries = await queue.receive({ max: 1000, visibilityTimeout: VISIBILITY });
    if (deliveries.length === 0) throw new Error(`receive ran dry at ${received} of ${n}`);
    received += deliveries.length;
  }
  const receivedMs = performance.now() - started - filledMs;
  const inflight = settledMemory();
  const per = (after, key) => (after[key] - base[key]) / n;
  const state = (after) => ({
    bytesPerMessage: per(after, 'total') - BODY_BYTES,
    heapPerMessage: per(after, 'heapUsed'),
    externalPerMessage: per(after, 'external'),
    arrayBuffersPerMessage: per(after, 'arrayBuffers'),
    rssPerMessage: per(after, 'rss'),
  });
  const out = { impl, n, filledMs, receivedMs, queued: state(queued), inflight: state(inflight) };
  if (impl === 'sluice') {
    const stats = queue.stats();
    if (stats.inflight !== n) throw new Error(`expected ${n} inflight, got ${stats.inflight}`);
    broker.deleteQueue('memory');
  } else queue.close();
  // The scale curve's throughput at this depth: a fresh queue in the same process, the batch cycle of the
  // throughput section (sendBatch(16) until n are queued, then receive(16) + ackBatch(16) until empty).
  const fresh =
    impl === 'sluice'
      ? broker.createQueue('scale', { visibilityTimeout: VISIBILITY })
      : new NaiveQueue({ visibilityTimeout: VISIBILITY });
  const batchInputs = [inputs.slice(0, BATCH)];
  // A short warm-up so the figure is for optimized code, as in the throughput section.
  await cycleBatch(fresh, batchInputs, Math.min(n, 16_384));
  const cycleStarted = performance.now();
  await cycleBatch(fresh, batchInputs, n);
  out.cycleMs = performance.now() - cycleStarted;
  out.cycleMsgPerSec = (n / out.cycleMs) * 1000;
  if (impl === 'sluice') await broker.close();
  else fresh.close();
  return out;
}

async function memorySection() {
  const rows = [];
  for (const { impl, n } of settings.memory) {
    const runs = [];
    for (let r = 0; r < settings.memoryRuns; r++) {
      runs.push(await runChildJson(SELF, ['--child', 'memory', '--impl', impl, '--n', String(n)]));
    }
    process.stdout.write(`  memory ${impl} ${n.toLocaleString('en-US')} done\n`);
    const pick = (stateName, key) => summarize(runs.map((r) => r[stateName][key]));
    rows.push({
      impl,
      n,
      queued: pick('queued', 'bytesPerMessage'),
      inflight: pick('inflight', 'bytesPerMessage'),
      cycleMsgPerSec: summarize(runs.map((r) => r.cycleMsgPerSec)),
      detail: runs.map(({ queued, inflight, filledMs, receivedMs, cycleMs }) => ({
        queued,
        inflight,
        filledMs,
        receivedMs,
        cycleMs,
      })),
    });
  }
  const retained = [];
  for (const { storage, n } of settings.retained) {
    const runs = [];
    for (let r = 0; r < settings.memoryRuns; r++) {
      runs.push(await runChildJson(SELF, ['--child', 'retained', '--impl', storage, '--n', String(n)]));
    }
    process.stdout.write(`  retained ${storage} ${n.toLocaleString('en-US')} done\n`);
    retained.push({
      storage,
      n,
      bytesPerMessage: summarize(runs.map((r) => r.bytesPerMessage)),
      bodyInMemory: runs[0].bodyInMemory,
      detail: runs,
    });
  }
  return {
    unit: 'bytes per message beyond the 100-byte body (heapUsed + external, after gc)',
    rows,
    retainedUnit:
      'bytes per retained message, body included when it is in memory (heapUsed + external, after gc)',
    retained,
  };
}

/**
 * In a fresh process: a topic (retention keeps consumed messages, the default) with one group; send `n`
 * messages, receive and ack them all, then read memory: what a message costs once consumed and only
 * retained. With memory storage the body stays in the arena; with log storage it is on disk only.
 */
async function retainedChild(storageName, n) {
  if (!(n > 0)) throw new Error('--n must be a positive number');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = storageName === 'log' ? mkdtempSync(join(tmpdir(), 'sluice-retained-')) : undefined;
  try {
    const broker = await createBroker(
      // The body cache is bounded (64 MiB by default) and would hold the bodies just delivered: 1 MiB here,
      // so the figure is what each retained message costs, not how full the cache happens to be.
      dir === undefined
        ? {}
        : { storage: logStorage({ dir, fsync: 'never', reserveBytes: 0, bodyCacheBytes: 1 << 20 }) },
    );
    const topic = broker.createTopic('retained');
    const group = topic.createGroup('g', { visibilityTimeout: VISIBILITY });
    const fill = 1000;
    const inputs = Array.from({ length: fill }, () => ({ body: BODY }));
    const base = settledMemory();
    const started = performance.now();
    for (let sent = 0; sent < n; sent += fill) {
      await topic.sendBatch(sent + fill <= n ? inputs : inputs.slice(0, n - sent));
    }
    let acked = 0;
    while (acked < n) {
      const deliveries = await group.receive({ max: 1000 });
      if (deliveries.length === 0) throw new Error(`receive ran dry at ${acked} of ${n}`);
      const results = await group.ackBatch(deliveries.map((d) => d.receiptHandle));
      if (results.some((r) => !r.ok)) throw new Error('an ack failed');
      acked += deliveries.length;
    }
    const cycleMs = performance.now() - started;
    const after = settledMemory();
    const stats = topic.stats();
    if (stats.messages !== n) throw new Error(`expected ${n} retained, got ${stats.messages}`);
    if (group.stats().acked !== n) throw new Error(`expected ${n} acked, got ${group.stats().acked}`);
    const out = {
      storage: storageName,
      n,
      cycleMs,
      bodyInMemory: dir === undefined,
      bytesPerMessage: (after.total - base.total) / n,
      heapPerMessage: (after.heapUsed - base.heapUsed) / n,
      externalPerMessage: (after.external - base.external) / n,
    };
    await broker.close();
    return out;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

// ============================================================================ 3. timer wheel

/** Runs the timer-wheel suite (its own file) in a child and reads the JSON it writes. */
function runTimerWheelOnce() {
  const script = fileURLToPath(new URL('./timer-wheel.bench.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script],
      { env: { ...process.env, SLUICE_BENCH_TIME: String(settings.timerTimeMs) }, maxBuffer: 16 << 20 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`timer-wheel.bench.mjs failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(readFileSync(new URL('timer-wheel.json', RESULTS_DIR), 'utf8')));
      },
    );
  });
}

async function timerSection() {
  const runs = [];
  for (let r = 0; r < settings.timerRuns; r++) {
    runs.push(await runTimerWheelOnce());
    process.stdout.write(`  timer wheel run ${r + 1}/${settings.timerRuns} done\n`);
  }
  const depths = runs[0].rows.map((row) => row.pending);
  const rows = depths.map((pending, i) => {
    const col = (key) => summarize(runs.map((run) => run.rows[i][key]));
    return {
      pending,
      wheel: col('wheel ops/s'),
      setTimeoutPending: runs[0].rows[i]['setTimeout pending'],
      setTimeout: col('setTimeout ops/s'),
      wheelOverSetTimeout: col('wheel/setTimeout'),
      wheelBytesPerTimer: col('wheel B/timer'),
      setTimeoutBytesPerTimer: col('setTimeout B/timer'),
    };
  });
  const flatness = summarize(runs.map((run) => run.rows.at(-1)['wheel ops/s'] / run.rows[0]['wheel ops/s']));
  return {
    unit: 'ops/s (one op = cancel one pending deadline + schedule one 30 s..5 min out)',
    source: 'benchmarks/timer-wheel.bench.mjs',
    rows,
    flatness,
  };
}

// ============================================================================ 4. long-poll latency

/** In a fresh process: `samples` wake-ups of a parked receiver; answers percentiles in µs. */
async function latencyChild(impl, samples) {
  const broker = await createBroker();
  const queue = broker.createQueue('latency', { visibilityTimeout: VISIBILITY });
  const input = { body: BODY };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  /** The floor: the same steps with a bare promise resolved by the "send", no queue at all. */
  let resolveFloor;
  const parkFloor = () =>
    new Promise((resolve) => {
      resolveFloor = resolve;
    });
  const one = async () => {
    let woke = 0n;
    if (impl === 'spin') {
      // The machine's own tail: the same shape, with 5 µs of spinning as the work between the two reads.
      await tick();
      const sent = process.hrtime.bigint();
      while (process.hrtime.bigint() - sent < 5000n);
      await Promise.resolve();
      return Number(process.hrtime.bigint() - sent);
    }
    if (impl === 'floor') {
      const parked = parkFloor().then((d) => {
        woke = process.hrtime.bigint();
        return d;
      });
      await tick();
      const sent = process.hrtime.bigint();
      resolveFloor([input]);
      await parked;
      return Number(woke - sent);
    }
    const parked = queue.receive({ max: 1, wait: 10_000 }).then((d) => {
      woke = process.hrtime.bigint();
      return d;
    });
    // A new macrotask, as a producer on the network would be; and the receiver is now parked for sure.
    await tick();
    if (queue.stats().waiting !== 1) throw new Error('the receiver is not parked');
    const sent = process.hrtime.bigint();
    queue.send(input);
    const deliveries = await parked;
    const ns = Number(woke - sent);
    if (deliveries.length !== 1) throw new Error('the parked receiver woke without the message');
    await queue.ack(deliveries[0].receiptHandle);
    return ns;
  };
  // Warm-up: the first few thousand wake-ups of a fresh process include V8 tiering up the path (1-15 ms
  // stalls, measured); the figures are for a warm process.
  for (let i = 0; i < 5000; i++) await one();
  const ns = new Float64Array(samples);
  for (let i = 0; i < samples; i++) ns[i] = await one();
  await broker.close();
  ns.sort();
  const us = (p) => percentileOfSorted(ns, p) / 1000;
  return { impl, samples, p50: us(50), p99: us(99), p999: us(99.9), max: ns[samples - 1] / 1000 };
}

async function latencySection() {
  const rows = [];
  for (const impl of ['sluice', 'floor', 'spin']) {
    const runs = [];
    for (let r = 0; r < settings.latencyRuns; r++) {
      runs.push(
        await runChildJson(SELF, [
          '--child',
          'latency',
          '--impl',
          impl,
          '--samples',
          String(settings.latencySamples),
        ]),
      );
    }
    const col = (key) => summarize(runs.map((run) => run[key]));
    rows.push({
      impl,
      samples: settings.latencySamples,
      p50: col('p50'),
      p99: col('p99'),
      p999: col('p999'),
      max: col('max'),
    });
  }
  process.stdout.write('  latency done\n');
  return { unit: 'µs from just before send() to the parked receiver resolving', rows };
}

// ============================================================================ report

const LATENCY_LABELS = { floor: 'floor: bare promise', spin: 'control: 5 µs spin' };

const fmtRange = (s, f = (v) => v) => `${fmt(f(s.median))} (${fmt(f(s.min))}..${fmt(f(s.max))})`;
const fmt = (v) =>
  Math.abs(v) >= 1000
    ? Math.round(v).toLocaleString('en-US')
    : Math.abs(v) >= 10
      ? v.toFixed(1)
      : v.toFixed(2);

function roundDeep(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? value : round(value);
  if (Array.isArray(value)) return value.map(roundDeep);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)]));
  return value;
}

function targets(result) {
  const out = [];
  const add = (name, goal, measured, met) => out.push({ name, goal, measured, met });
  for (const row of result.throughput?.rows ?? []) {
    add(
      `full cycle ${row.mode}, msg/s`,
      '>= 1,000,000',
      fmt(row.sluice.median),
      row.sluice.median >= 1_000_000,
    );
    add(
      `full cycle ${row.mode}, sluice / naive`,
      '>= 4x',
      `${row.sluiceOverNaive.median.toFixed(2)}x`,
      row.sluiceOverNaive.median >= 4,
    );
  }
  for (const row of result.memory?.rows ?? []) {
    // The targets are for 1M and 5M queued; the smaller depths of the scale curve are context.
    if (row.impl !== 'sluice' || row.n < 1_000_000) continue;
    const n = row.n.toLocaleString('en-US');
    add(`memory queued at ${n}, B/msg beyond body`, '<= 64', fmt(row.queued.median), row.queued.median <= 64);
    add(
      `memory inflight at ${n}, B/msg beyond body`,
      '<= 96',
      fmt(row.inflight.median),
      row.inflight.median <= 96,
    );
  }
  if (result.timerWheel) {
    for (const row of result.timerWheel.rows) {
      add(
        `timer wheel at ${row.pending.toLocaleString('en-US')} pending vs setTimeout`,
        'faster',
        `${row.wheelOverSetTimeout.median.toFixed(2)}x`,
        row.wheelOverSetTimeout.median > 1,
      );
    }
    add(
      'timer wheel flat: ops/s at 1M / at 10k pending',
      '>= 0.5 (O(1))',
      result.timerWheel.flatness.median.toFixed(2),
      result.timerWheel.flatness.median >= 0.5,
    );
  }
  const lat = result.latency?.rows.find((r) => r.impl === 'sluice');
  if (lat) add('long-poll wake-up p99, µs', '< 1000', fmt(lat.p99.median), lat.p99.median < 1000);
  return out;
}

function report(result) {
  console.log();
  if (result.throughput) {
    printTable(
      `Full cycle, ${BODY_BYTES}-byte bodies, batches of ${BATCH}, ${settings.depth.toLocaleString('en-US')} messages per iteration — msg/s, median (min..max) of ${settings.runs} runs`,
      ['mode', 'sluice', 'naive', 'fastq (no ack)', 'sluice/naive', 'sluice/fastq'],
      result.throughput.rows.map((r) => ({
        mode: r.mode,
        sluice: fmtRange(r.sluice),
        naive: fmtRange(r.naive),
        'fastq (no ack)': fmtRange(r.fastq),
        'sluice/naive': fmtRange(r.sluiceOverNaive),
        'sluice/fastq': fmtRange(r.sluiceOverFastq),
      })),
    );
    printTable(
      'Same runs, msg per CPU-second of the process (all threads, GC included): less sensitive to other load on the machine',
      ['mode', 'sluice', 'naive', 'fastq (no ack)', 'sluice/naive'],
      result.throughput.rows.map((r) => ({
        mode: r.mode,
        sluice: fmtRange(r.cpu.sluice),
        naive: fmtRange(r.cpu.naive),
        'fastq (no ack)': fmtRange(r.cpu.fastq),
        'sluice/naive': (r.cpu.sluice.median / r.cpu.naive.median).toFixed(2),
      })),
    );
    printTable(
      'Priorities, same runs: Sluice without priorities (as above) vs every message with a random priority 1..16 — msg/s wall clock and per CPU-second',
      ['mode', 'no priority', 'random priority', 'priority/none', 'cpu: no priority', 'cpu: random priority'],
      result.throughput.rows.map((r) => ({
        mode: r.mode,
        'no priority': fmtRange(r.sluice),
        'random priority': fmtRange(r.priority),
        'priority/none': fmtRange(r.priorityOverPlain),
        'cpu: no priority': fmtRange(r.cpu.sluice),
        'cpu: random priority': fmtRange(r.cpu.priority),
      })),
    );
  }
  if (result.memory) {
    printTable(
      `Memory per message beyond the ${BODY_BYTES}-byte body (heapUsed + external after gc) — bytes, median (min..max) of ${settings.memoryRuns} run(s)`,
      ['impl', 'messages', 'queued', 'inflight', 'batch cycle msg/s at this depth'],
      result.memory.rows.map((r) => ({
        impl: r.impl,
        messages: r.n,
        queued: fmtRange(r.queued),
        inflight: fmtRange(r.inflight),
        'batch cycle msg/s at this depth': fmtRange(r.cycleMsgPerSec),
      })),
    );
    printTable(
      `Bytes per retained message: consumed (acked by the topic's only group) and kept for retention — heapUsed + external after gc, median (min..max) of ${settings.memoryRuns} run(s)`,
      ['storage', 'messages', 'bytes per retained message', 'body'],
      result.memory.retained.map((r) => ({
        storage: r.storage,
        messages: r.n,
        'bytes per retained message': fmtRange(r.bytesPerMessage),
        body: r.bodyInMemory ? `in memory (${BODY_BYTES} B included)` : 'on disk',
      })),
    );
  }
  if (result.timerWheel) {
    printTable(
      `Timer wheel schedule+cancel vs setTimeout/clearTimeout — ops/s, median (min..max) of ${settings.timerRuns} run(s)`,
      ['pending', 'wheel', 'setTimeout (pending)', 'setTimeout', 'wheel/setTimeout'],
      result.timerWheel.rows.map((r) => ({
        pending: r.pending,
        wheel: fmtRange(r.wheel),
        'setTimeout (pending)': r.setTimeoutPending,
        setTimeout: fmtRange(r.setTimeout),
        'wheel/setTimeout': fmtRange(r.wheelOverSetTimeout),
      })),
    );
  }
  if (result.latency) {
    printTable(
      `Long-poll wake-up latency, send() -> parked receive({wait}) resolved — µs, median (min..max) of ${settings.latencyRuns} runs`,
      ['impl', 'samples/run', 'p50', 'p99', 'p99.9', 'max'],
      result.latency.rows.map((r) => ({
        impl: LATENCY_LABELS[r.impl] ?? r.impl,
        'samples/run': r.samples,
        p50: fmtRange(r.p50),
        p99: fmtRange(r.p99),
        'p99.9': fmtRange(r.p999),
        max: fmtRange(r.max),
      })),
    );
  }
  printTable(
    'Targets (issue 3), judged on the median',
    ['target', 'goal', 'measured', 'met'],
    result.targets.map((t) => ({
      target: t.name,
      goal: t.goal,
      measured: t.measured,
      met: t.met ? 'yes' : 'NO',
    })),
  );
}

const startedAt = new Date();
const result = {
  suite: 'core',
  date: startedAt.toISOString(),
  command: `node --expose-gc benchmarks/core.bench.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machine(),
  git: { ...gitRevision(), coreBuiltAt: coreBuiltAt() },
  settings,
};
console.log(
  `Sluice core benchmark${QUICK ? ' (quick)' : ''}: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, load ${result.machine.loadAverage.join(' ')}`,
);
if (typeof globalThis.gc !== 'function')
  console.log('note: run with node --expose-gc for a GC between tasks');
if (sections.has('throughput')) result.throughput = await throughputSection();
if (sections.has('memory')) result.memory = await memorySection();
if (sections.has('timer')) result.timerWheel = await timerSection();
if (sections.has('latency')) result.latency = await latencySection();
result.targets = targets(result);
result.elapsedSeconds = (Date.now() - startedAt.getTime()) / 1000;
result.machine.loadAverageAfter = machine().loadAverage;
report(result);
const file = writeResult(`core-${today()}${QUICK ? '-quick' : ''}.json`, roundDeep(result));
console.log(`wrote ${file} in ${result.elapsedSeconds.toFixed(0)} s`);
