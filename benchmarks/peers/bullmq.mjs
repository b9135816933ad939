/** @module benchmarks/peers/bullmq — BullMQ on a local redis-server: produce -> consume -> complete, full cycle */
/*
 * 16 producer loops each awaiting `Queue.addBulk` of 16 jobs (one MULTI), a `Worker` with concurrency 64 on a separate connection,
 * jobs removed on completion (so Redis does not grow with the run, BullMQ's usual production setting). The
 * processor does nothing; a job counts when the worker's `completed` event fires (after BullMQ has moved it
 * to completed in Redis: the ack). Producer and worker live in one process, as an embedded queue would.
 */
import { CYCLE, produceConcurrently, versionsOf } from './shape.mjs';

/** Loads bullmq; answers why not when it cannot. */
export async function loadBullmq() {
  try {
    const bullmq = await import('bullmq');
    return { ok: true, bullmq, versions: versionsOf(['bullmq', 'ioredis']) };
  } catch (error) {
    return { ok: false, reason: `cannot load bullmq: ${error?.message ?? error}` };
  }
}

/**
 * One full cycle of `n` jobs against Redis on `port`.
 * @param {{ n: number, port: number }} options
 */
export async function runBullmqCycle({ n, port }) {
  const loaded = await loadBullmq();
  if (!loaded.ok) throw new Error(loaded.reason);
  const { Queue, Worker } = loaded.bullmq;
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = `bench-${process.pid}-${Date.now()}`;
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  const payload = { body: 'a'.repeat(CYCLE.bodyBytes - 11) };
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  const worker = new Worker(name, async () => undefined, {
    connection,
    concurrency: CYCLE.concurrency,
  });
  worker.on('completed', () => {
    if (++done === n) finish();
  });
  worker.on('failed', (_job, error) => finish(Promise.reject(error)));
  const jobs = Array.from({ length: CYCLE.batch }, () => ({
    name: 'bench',
    data: payload,
    opts: { removeOnComplete: true, removeOnFail: true },
  }));
  await produceConcurrently(n, CYCLE.batch, CYCLE.producers, (k) =>
    queue.addBulk(k === CYCLE.batch ? jobs : jobs.slice(0, k)),
  );
  await finished;
  const ms = performance.now() - started;
  await worker.close();
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
  await queue.obliterate({ force: true });
  await queue.close();
  const left = counts.waiting + counts.active + counts.delayed;
  if (left !== 0) throw new Error(`bullmq: ${left} jobs left after ${done} completed`);
  return { ms, msgPerSec: (n / ms) * 1000, done, versions: loaded.versions };
}
