/** @module benchmarks/timer-wheel — TimerWheel vs setTimeout/clearTimeout: schedule + cancel with 10k..1M deadlines pending */
/*
 * One operation = cancel one pending deadline and schedule a new one (a visibility timeout being moved),
 * with `depth` deadlines pending, all due 30 s .. 5 min out. Both contenders run the same loop under the
 * same tinybench harness; each task iteration does BATCH operations so the harness's own clock reads do
 * not dominate a ~20 ns operation.
 *
 * Node keeps a `Timeout` object per timer plus a list per distinct duration: a million real timers take about
 * 140 MB of heap (400 MB RSS for the whole run). That is practical here, so both sides run at full depth by
 * default; on a smaller machine cap the setTimeout side with SLUICE_BENCH_REAL_TIMERS=100000 (the table
 * shows the depth it really ran at).
 *
 * Run: node --expose-gc benchmarks/timer-wheel.bench.mjs            (needs `pnpm build` of @sluice/core)
 *      SLUICE_WHEEL=/tmp/wheel-build/wheel.js node benchmarks/timer-wheel.bench.mjs   (a wheel compiled alone)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { packageEntry } from './lib/packages.mjs';

const override = process.env.SLUICE_WHEEL;
const { TimerWheel } = await import(
  override ? pathToFileURL(isAbsolute(override) ? override : resolve(override)).href : packageEntry('core')
);

const DEPTHS = [10_000, 100_000, 1_000_000];
const REAL_TIMER_CAP = Number(process.env.SLUICE_BENCH_REAL_TIMERS ?? 1_000_000);
const BATCH = 1000;
const TIME_MS = Number(process.env.SLUICE_BENCH_TIME ?? 1000);

/** Pre-drawn delays (30 s .. 5 min), shared by both contenders so neither pays for Math.random in the loop. */
const DELAYS = new Float64Array(1 << 16);
for (let i = 0; i < DELAYS.length; i++) DELAYS[i] = 30_000 + Math.floor(Math.random() * 270_000);
const MASK = DELAYS.length - 1;

const noop = () => {};

/** Heap + ArrayBuffer bytes after a full GC (0 when not run with --expose-gc). */
function memory() {
  if (typeof globalThis.gc !== 'function') return 0;
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function wheelContender(depth) {
  const now = Date.now();
  const ring = new Uint32Array(depth);
  const before = memory();
  const wheel = new TimerWheel({ now, payloadWidth: 1 });
  for (let i = 0; i < depth; i++) ring[i] = wheel.add(now + DELAYS[i & MASK]);
  const bytes = (memory() - before) / depth;
  let cursor = 0;
  let d = 0;
  return {
    bytes,
    pending: () => wheel.size,
    run() {
      for (let n = 0; n < BATCH; n++) {
        wheel.remove(ring[cursor]);
        ring[cursor] = wheel.add(now + DELAYS[d++ & MASK]);
        if (++cursor === depth) cursor = 0;
      }
    },
    dispose() {
      wheel.clear();
    },
  };
}

function setTimeoutContender(depth) {
  const ring = new Array(depth).fill(null);
  const before = memory();
  for (let i = 0; i < depth; i++) ring[i] = setTimeout(noop, DELAYS[i & MASK]);
  const bytes = (memory() - before) / depth;
  let cursor = 0;
  let d = 0;
  return {
    bytes,
    pending: () => depth,
    run() {
      for (let n = 0; n < BATCH; n++) {
        clearTimeout(ring[cursor]);
        ring[cursor] = setTimeout(noop, DELAYS[d++ & MASK]);
        if (++cursor === depth) cursor = 0;
      }
    },
    dispose() {
      for (let i = 0; i < depth; i++) clearTimeout(ring[i]);
      ring.length = 0;
    },
  };
}

/** Runs one contender alone (so the other's pending timers do not share its heap) and returns ops/s. */
async function measure(name, contender) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 200, throws: true });
  bench.add(name, () => contender.run());
  await bench.run();
  const task = bench.tasks[0];
  const result = task.result;
  if (!result || !('throughput' in result)) throw new Error(`${name}: no result (${result?.state})`);
  const opsPerSecond = result.throughput.mean * BATCH;
  const rme = result.throughput.rme;
  if (contender.pending() <= 0) throw new Error(`${name}: nothing pending`);
  contender.dispose();
  return { opsPerSecond, rme };
}

const rows = [];
for (const depth of DEPTHS) {
  const realDepth = Math.min(depth, REAL_TIMER_CAP);
  const wheel = wheelContender(depth);
  const w = await measure(`TimerWheel ${depth}`, wheel);
  const timers = setTimeoutContender(realDepth);
  const t = await measure(`setTimeout ${realDepth}`, timers);
  rows.push({
    pending: depth,
    'wheel ops/s': Math.round(w.opsPerSecond),
    'wheel ±%': Number(w.rme.toFixed(1)),
    'wheel B/timer': Math.round(wheel.bytes),
    'setTimeout pending': realDepth,
    'setTimeout ops/s': Math.round(t.opsPerSecond),
    'setTimeout ±%': Number(t.rme.toFixed(1)),
    'setTimeout B/timer': Math.round(timers.bytes),
    'wheel/setTimeout': Number((w.opsPerSecond / t.opsPerSecond).toFixed(2)),
  });
}

console.log(
  `schedule + cancel (one op = clear one pending deadline + set a new one 30 s..5 min out), Node ${process.version}`,
);
console.table(rows);
const flat = rows.at(-1)['wheel ops/s'] / rows[0]['wheel ops/s'];
console.log(`wheel ops/s at ${DEPTHS.at(-1)} pending / at ${DEPTHS[0]} pending: ${flat.toFixed(2)}`);
if (REAL_TIMER_CAP < DEPTHS.at(-1)) {
  console.log(
    `setTimeout rows above ${REAL_TIMER_CAP} pending use ${REAL_TIMER_CAP} real timers (SLUICE_BENCH_REAL_TIMERS).`,
  );
}
if (typeof globalThis.gc !== 'function')
  console.log('run with --expose-gc to measure bytes per pending timer');

const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(
  new URL('timer-wheel.json', results),
  `${JSON.stringify({ suite: 'timer-wheel', node: process.version, date: new Date().toISOString(), batch: BATCH, rows }, null, 2)}\n`,
);
