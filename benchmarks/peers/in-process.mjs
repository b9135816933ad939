/** @module benchmarks/peers/in-process — Sluice (memory and logStorage), the naive reference, fastq and p-queue in the peers' cycle shape */
/*
 * The same cycle as the Redis and SQLite peers (peers/shape.mjs): 16 producer loops each awaiting a batch of
 * 16 (`sendBatch`), consumer loops each taking 16 and acknowledging them (`receive({ max: 16 })` + `ackBatch`,
 * a long poll of 50 ms when the queue is momentarily empty; see queueCycle for how many loops). Sluice and the naive
 * reference run the very same code. fastq and p-queue have no acknowledgement, no handle and no deadline:
 * they are the ceiling of an in-process queue, with 64 workers and the producers pushing 16 at a time (and
 * yielding once more than 1,024 tasks wait: see BACKLOG).
 */
import { importCore } from '../lib/packages.mjs';
import { NaiveQueue } from '../naive-queue.mjs';
import { CYCLE, produceConcurrently, versionsOf } from './shape.mjs';

const VISIBILITY = 3_600_000;
/**
 * The no-ack ceilings hold at most this many tasks before a producer yields a macrotask: a producer that never
 * waits would queue all N at once, and p-queue dequeues with `Array.prototype.shift` (O(n) on a long array:
 * 6,700 tasks/s with 300k queued), which measures the array, not the queue.
 */
const BACKLOG = 1024;
const yieldMacrotask = () => new Promise((resolve) => setImmediate(resolve));
const BODY = Buffer.alloc(CYCLE.bodyBytes, 0x61);

/**
 * Producer and consumer loops over anything with Sluice's queue API (sendBatch, receive, ackBatch).
 * `loops` consumer loops each receive 16 and ack them: 4 in memory (64 in processing, as the peers' workers),
 * 64 on a log (each ack waits for its fsync; group commit shares one fsync among all loops waiting, so
 * the loops, not the messages per receive, are what a durable consumer side scales with).
 */
async function queueCycle(queue, n, loops) {
  const inputs = Array.from({ length: CYCLE.batch }, () => ({ body: BODY }));
  let acked = 0;
  const consumer = async () => {
    while (acked < n) {
      const deliveries = await queue.receive({
        max: CYCLE.receiveMax,
        wait: 50,
        visibilityTimeout: VISIBILITY,
      });
      if (deliveries.length === 0) continue;
      const handles = deliveries.map((d) => d.receiptHandle);
      const results = await queue.ackBatch(handles);
      for (const r of results) if (!r.ok) throw new Error(`ack failed: ${r.code}`);
      acked += results.length;
    }
  };
  const started = performance.now();
  await Promise.all([
    produceConcurrently(n, CYCLE.batch, CYCLE.producers, (k) =>
      queue.sendBatch(k === CYCLE.batch ? inputs : inputs.slice(0, k)),
    ),
    ...Array.from({ length: loops }, consumer),
  ]);
  const ms = performance.now() - started;
  if (acked !== n) throw new Error(`acked ${acked} of ${n}`);
  return { ms, msgPerSec: (n / ms) * 1000 };
}

/**
 * Sluice with memory storage (`fsync` undefined) or logStorage in `dir` with the given fsync policy.
 * @param {{ n: number, dir?: string, fsync?: 'always' | 'interval' | 'never' }} options
 */
export async function runSluiceCycle({ n, dir, fsync }) {
  const core = await importCore();
  const storage = fsync === undefined ? undefined : core.logStorage({ dir, fsync });
  const broker = await core.createBroker(storage === undefined ? {} : { storage });
  const queue = broker.createQueue('bench', { visibilityTimeout: VISIBILITY });
  try {
    const loops = fsync === undefined ? CYCLE.concurrency / CYCLE.receiveMax : CYCLE.concurrency;
    const out = await queueCycle(queue, n, loops);
    const stats = queue.stats();
    if (stats.active + stats.inflight !== 0) throw new Error('sluice queue not empty at the end');
    return out;
  } finally {
    await broker.close();
  }
}

/** The naive in-memory reference (naive-queue.mjs), same loops as Sluice. */
export async function runNaiveCycle({ n }) {
  const queue = new NaiveQueue({ visibilityTimeout: VISIBILITY });
  try {
    return await queueCycle(queue, n, CYCLE.concurrency / CYCLE.receiveMax);
  } finally {
    queue.close();
  }
}

/** fastq.promise with 64 workers: producers push 16 at a time (awaiting the push of their batch), no ack. */
export async function runFastqCycle({ n }) {
  const { default: fastq } = await import('fastq');
  let consumed = 0;
  const queue = fastq.promise(async (input) => {
    consumed += input.body.length > 0 ? 1 : 0;
  }, CYCLE.concurrency);
  const input = { body: BODY };
  const started = performance.now();
  await produceConcurrently(n, CYCLE.batch, CYCLE.producers, async (k) => {
    for (let i = 0; i < k; i++) void queue.push(input);
    if (queue.length() > BACKLOG) await yieldMacrotask();
  });
  await queue.drained();
  const ms = performance.now() - started;
  if (consumed !== n) throw new Error(`fastq consumed ${consumed} of ${n}`);
  return { ms, msgPerSec: (n / ms) * 1000, versions: versionsOf(['fastq']) };
}

/** p-queue with concurrency 64: producers add 16 tasks at a time, no ack. */
export async function runPQueueCycle({ n }) {
  const { default: PQueue } = await import('p-queue');
  const queue = new PQueue({ concurrency: CYCLE.concurrency });
  let consumed = 0;
  const input = { body: BODY };
  const task = async () => {
    consumed += input.body.length > 0 ? 1 : 0;
  };
  const started = performance.now();
  await produceConcurrently(n, CYCLE.batch, CYCLE.producers, async (k) => {
    for (let i = 0; i < k; i++) void queue.add(task);
    if (queue.size > BACKLOG) await yieldMacrotask();
  });
  await queue.onIdle();
  const ms = performance.now() - started;
  if (consumed !== n) throw new Error(`p-queue consumed ${consumed} of ${n}`);
  return { ms, msgPerSec: (n / ms) * 1000, versions: versionsOf(['p-queue']) };
}
