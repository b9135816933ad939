/** @module benchmarks/peers/plainjob — the plainjob (SQLite job queue on better-sqlite3) full cycle, for side-by-side runs */
/*
 * plainjob keeps jobs in one SQLite table in WAL mode with `synchronous = NORMAL` (its defaults, set by
 * `defineQueue`): a commit is written to the WAL but not fsynced; SQLite fsyncs at checkpoints. So it
 * survives a process crash but can lose the last commits on power loss — the same promise as Sluice's
 * `fsync: 'interval'`, a weaker one than `'always'`.
 *
 * The cycle mirrors the Sluice one: `producers` async loops each add `batch` jobs at a time (`add` for
 * one, `addMany` — one transaction — for several), while plainjob's own workers (`defineWorker`: claim
 * one job in an IMMEDIATE transaction, read it, run the processor, mark it done) consume until all `n`
 * jobs are done. better-sqlite3 is synchronous, so "concurrent" producers and workers interleave on the
 * one event loop, as they would in a real single-process app.
 */
import { join } from 'node:path';

/** Logger that drops everything: plainjob logs every job at debug level to `console` by default. */
const SILENT = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Loads plainjob and better-sqlite3; answers why not when they are missing or fail to load (native build).
 * @returns {Promise<{ ok: true, plainjob: any, Database: any, versions: Record<string, string> } | { ok: false, reason: string }>}
 */
export async function loadPlainjob() {
  try {
    const plainjob = await import('plainjob');
    const { default: Database } = await import('better-sqlite3');
    // Opening a database proves the native addon loads for this Node version.
    new Database(':memory:').close();
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const versions = {
      plainjob: require('plainjob/package.json').version,
      'better-sqlite3': require('better-sqlite3/package.json').version,
    };
    return { ok: true, plainjob, Database, versions };
  } catch (error) {
    return { ok: false, reason: `cannot load plainjob/better-sqlite3: ${error?.message ?? error}` };
  }
}

/**
 * Runs produce -> consume -> complete for `n` jobs with 100-byte payloads in a fresh database in `dir`.
 * @param {{ dir: string, n: number, producers: number, batch: number, workers: number, bodyBytes: number }} options
 * @returns {Promise<{ ms: number, msgPerSec: number, done: number, journalMode: string, synchronous: number, versions: Record<string, string> }>}
 */
export async function runPlainjobCycle({ dir, n, producers, batch, workers, bodyBytes }) {
  const loaded = await loadPlainjob();
  if (!loaded.ok) throw new Error(loaded.reason);
  const { plainjob, Database, versions } = loaded;
  const db = new Database(join(dir, 'plainjob.db'));
  const queue = plainjob.defineQueue({ connection: plainjob.better(db), logger: SILENT });
  // What plainjob actually set, recorded next to the figure.
  const journalMode = String(db.pragma('journal_mode', { simple: true }));
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  // A 100-byte payload once serialized (plainjob stores JSON text: a string of bodyBytes - 2 chars plus quotes).
  const payload = 'a'.repeat(bodyBytes - 2);

  let done = 0;
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const started = performance.now();
  const workerList = [];
  for (let w = 0; w < workers; w++) {
    const worker = plainjob.defineWorker(
      'bench',
      () => {
        if (++done === n) finish();
      },
      // pollIntervall (sic) is plainjob's spelling; 1 ms keeps an idle worker from sleeping a full second.
      { queue, logger: SILENT, pollIntervall: 1 },
    );
    workerList.push(worker);
    void worker.start();
  }
  let claimed = 0;
  const producer = async () => {
    const list = [];
    while (claimed < n) {
      const k = Math.min(batch, n - claimed);
      claimed += k;
      if (k === 1) queue.add('bench', payload);
      else {
        list.length = 0;
        for (let i = 0; i < k; i++) list.push(payload);
        queue.addMany('bench', list);
      }
      // Yield like an awaited send would, so producers and workers interleave.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: producers }, producer));
  await finished;
  const ms = performance.now() - started;
  await Promise.all(workerList.map((w) => w.stop()));
  const left = queue.countJobs({ status: 0 }) + queue.countJobs({ status: 1 });
  const completed = queue.countJobs({ status: 2 });
  queue.close();
  if (left !== 0 || completed !== n) throw new Error(`plainjob: ${completed} done, ${left} left of ${n}`);
  return { ms, msgPerSec: (n / ms) * 1000, done: completed, journalMode, synchronous, versions };
}
