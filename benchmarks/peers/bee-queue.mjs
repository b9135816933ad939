/** @module benchmarks/peers/bee-queue — bee-queue on a local redis-server: produce -> process -> done, full cycle */
/*
 * bee-queue's fast path: 16 producer loops each awaiting `saveAll` of 16 jobs (one pipeline), `process` with concurrency 64,
 * `removeOnSuccess` (the job hash is deleted when it succeeds: the ack), events and job storage off on the
 * worker side (`getEvents`/`sendEvents`/`storeJobs` false), as its own benchmark configures it.
 */
import { createRequire } from 'node:module';
import { CYCLE, produceConcurrently, versionsOf } from './shape.mjs';

const require = createRequire(import.meta.url);

/** Loads bee-queue; answers why not when it cannot. */
export async function loadBeeQueue() {
  try {
    const Queue = require('bee-queue');
    return { ok: true, Queue, versions: versionsOf(['bee-queue', 'redis']) };
  } catch (error) {
    return { ok: false, reason: `cannot load bee-queue: ${error?.message ?? error}` };
  }
}

/**
 * One full cycle of `n` jobs against Redis on `port`.
 * @param {{ n: number, port: number }} options
 */
export async function runBeeQueueCycle({ n, port }) {
  const loaded = await loadBeeQueue();
  if (!loaded.ok) throw new Error(loaded.reason);
  const { Queue } = loaded;
  const name = `bench-${process.pid}-${Date.now()}`;
  const redis = { host: '127.0.0.1', port };
  const producer = new Queue(name, { redis, isWorker: false, getEvents: false, sendEvents: false });
  const worker = new Queue(name, {
    redis,
    removeOnSuccess: true,
    getEvents: false,
    sendEvents: false,
    storeJobs: false,
  });
  await Promise.all([producer.ready(), worker.ready()]);
  const payload = { body: 'a'.repeat(CYCLE.bodyBytes - 11) };
  let done = 0;
  let finish;
  let fail;
  const finished = new Promise((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const started = performance.now();
  worker.on('succeeded', () => {
    if (++done === n) finish();
  });
  worker.on('failed', (_job, error) => fail(error));
  worker.on('error', (error) => fail(error));
  worker.process(CYCLE.concurrency, async () => undefined);
  await produceConcurrently(n, CYCLE.batch, CYCLE.producers, async (k) => {
    const jobs = [];
    for (let i = 0; i < k; i++) jobs.push(producer.createJob(payload));
    const errors = await producer.saveAll(jobs);
    if (errors.size > 0) throw new Error(`bee-queue saveAll: ${[...errors.values()][0]}`);
  });
  await finished;
  const ms = performance.now() - started;
  const counts = await producer.checkHealth();
  await producer.destroy();
  await Promise.all([worker.close(), producer.close()]);
  const left = counts.waiting + counts.active + counts.delayed;
  if (left !== 0) throw new Error(`bee-queue: ${left} jobs left after ${done} succeeded`);
  return { ms, msgPerSec: (n / ms) * 1000, done, versions: loaded.versions };
}
