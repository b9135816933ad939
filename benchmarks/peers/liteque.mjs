/** @module benchmarks/peers/liteque — liteque (SQLite via drizzle + better-sqlite3, WAL): enqueue -> run -> complete */
/*
 * liteque has no bulk enqueue: producers `enqueue` one job at a time (16 producer loops). A `Runner` with
 * concurrency 64 and a 1 ms poll interval claims, runs and finalizes each job. `buildDBClient` sets
 * `journal_mode = WAL` and `synchronous = NORMAL` (commits reach the WAL, fsync at checkpoints), the same
 * promise as plainjob's defaults and Sluice's `fsync: 'interval'`.
 */
import { join } from 'node:path';
import { CYCLE, produceConcurrently, versionsOf } from './shape.mjs';

/** Loads liteque and proves its native SQLite binding opens a database; answers why not when it cannot. */
export async function loadLiteque() {
  try {
    const liteque = await import('liteque');
    // A one-job cycle on an in-memory database proves it works with the installed better-sqlite3 (liteque
    // 0.8 hands drizzle an async transaction callback, which better-sqlite3 12 refuses).
    const db = liteque.buildDBClient(':memory:', { runMigrations: true });
    const queue = new liteque.SqliteQueue('probe', db, {
      defaultJobArgs: { numRetries: 0 },
      keepFailedJobs: false,
    });
    await queue.enqueue({ probe: true });
    await queue.attemptDequeue({ timeoutSecs: 60 });
    return {
      ok: true,
      liteque,
      versions: { ...versionsOf(['liteque', 'better-sqlite3']), ...versionsOf(['drizzle-orm'], 'liteque') },
    };
  } catch (error) {
    const versions = {
      ...versionsOf(['liteque', 'better-sqlite3']),
      ...versionsOf(['drizzle-orm'], 'liteque'),
    };
    const stack =
      versions.liteque === undefined
        ? ''
        : ` (liteque ${versions.liteque}, drizzle-orm ${versions['drizzle-orm']}, better-sqlite3 ${versions['better-sqlite3']})`;
    return { ok: false, reason: `liteque fails on this install${stack}: ${error?.message ?? error}` };
  }
}

/**
 * One full cycle of `n` jobs in a fresh database in `dir`.
 * @param {{ n: number, dir: string }} options
 */
export async function runLitequeCycle({ n, dir }) {
  const loaded = await loadLiteque();
  if (!loaded.ok) throw new Error(loaded.reason);
  const { buildDBClient, SqliteQueue, Runner } = loaded.liteque;
  const db = buildDBClient(join(dir, 'liteque.db'), { runMigrations: true });
  const queue = new SqliteQueue('bench', db, {
    defaultJobArgs: { numRetries: 0 },
    keepFailedJobs: false,
  });
  const payload = { body: 'a'.repeat(CYCLE.bodyBytes - 11) };
  let done = 0;
  let finish;
  let fail;
  const finished = new Promise((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const started = performance.now();
  const runner = new Runner(
    queue,
    {
      run: async () => undefined,
      onComplete: async () => {
        if (++done === n) finish();
      },
      onError: async (job) => fail(new Error(`liteque job failed: ${job.error}`)),
    },
    { concurrency: CYCLE.concurrency, pollIntervalMs: 1, timeoutSecs: 3600 },
  );
  const running = runner.run();
  await produceConcurrently(n, 1, CYCLE.producers, () => queue.enqueue(payload));
  await finished;
  const ms = performance.now() - started;
  runner.stop();
  await running;
  const stats = await queue.stats();
  const left = stats.pending + stats.pending_retry + stats.running;
  if (left !== 0) throw new Error(`liteque: ${left} jobs left after ${done} completed`);
  return { ms, msgPerSec: (n / ms) * 1000, done, versions: loaded.versions };
}
