/** @module benchmarks/peers — Sluice side by side with the queues people would pick instead, one cycle shape for all */
/*
 * Every contender runs the same full cycle (peers/shape.mjs): N messages of 100 bytes, 16 producer loops each
 * awaiting a batch of 16 (the peer's bulk API where it has one), consumers taking 16 at a time and
 * acknowledging / completing each message, producers and consumers at the same time in one process.
 * Each measurement runs in a fresh child process; runs are interleaved (order rotated) and every ratio is
 * taken inside a run before it is summarized, because the machine is shared.
 *
 *   in memory   sluice (memoryStorage), the naive reference, BullMQ and bee-queue on a local redis-server
 *               with persistence off; fastq and p-queue as the no-ack ceiling of an in-process queue.
 *   durable     sluice logStorage fsync 'always' (group commit) and 'interval'; plainjob and liteque
 *               (SQLite WAL, synchronous NORMAL); BullMQ on redis-server with appendonly + everysec.
 *
 * A peer that cannot be installed, loaded or started keeps its row with the reason (e.g. "redis-server not
 * installed"). redis-server is started here on free loopback ports in temp dirs and stopped by PID at the end,
 * also on failure.
 *
 * Run:  node benchmarks/peers.bench.mjs [--quick] [--runs N] [--only name,name]   (build @sluice/core first)
 * Writes benchmarks/results/peers-<yyyy-mm-dd>.json (peers-<yyyy-mm-dd>-quick.json with --quick).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChildJson } from './lib/memory.mjs';
import { findRedisServer, REDIS_INSTALL_HINT, startRedis } from './lib/redis.mjs';
import { coreBuiltAt, gitRevision, machine, today, writeResult } from './lib/results.mjs';
import { round, summarize } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { loadBeeQueue, runBeeQueueCycle } from './peers/bee-queue.mjs';
import { loadBullmq, runBullmqCycle } from './peers/bullmq.mjs';
import { runFastqCycle, runNaiveCycle, runPQueueCycle, runSluiceCycle } from './peers/in-process.mjs';
import { loadLiteque, runLitequeCycle } from './peers/liteque.mjs';
import { loadPlainjob, runPlainjobCycle } from './peers/plainjob.mjs';
import { CYCLE, versionsOf } from './peers/shape.mjs';

const SELF = fileURLToPath(import.meta.url);

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    child: { type: 'string' },
    n: { type: 'string' },
    port: { type: 'string' },
  },
});

/**
 * The contenders. `group` picks the Sluice row the ratio is taken against; `redis` the server it needs;
 * `n` is sized so each run takes seconds, not minutes (the slow peers get fewer messages).
 */
const CONTENDERS = [
  { name: 'sluice', group: 'memory', label: 'Sluice, memoryStorage', n: [300_000, 100_000] },
  { name: 'naive', group: 'memory', label: 'naive in-memory reference', n: [300_000, 100_000] },
  {
    name: 'bullmq',
    group: 'memory',
    label: 'BullMQ, redis-server (no persistence)',
    n: [20_000, 3_000],
    redis: 'memory',
  },
  {
    name: 'bee-queue',
    group: 'memory',
    label: 'bee-queue, redis-server (no persistence)',
    n: [40_000, 5_000],
    redis: 'memory',
  },
  {
    name: 'fastq',
    group: 'memory',
    label: 'fastq (no ack: ceiling)',
    n: [1_000_000, 100_000],
    ceiling: true,
  },
  {
    name: 'p-queue',
    group: 'memory',
    label: 'p-queue (no ack: ceiling)',
    n: [300_000, 40_000],
    ceiling: true,
  },
  {
    name: 'sluice-always',
    group: 'durable',
    label: "Sluice, logStorage fsync 'always'",
    n: [200_000, 20_000],
  },
  {
    name: 'sluice-interval',
    group: 'durable',
    label: "Sluice, logStorage fsync 'interval'",
    n: [300_000, 40_000],
  },
  { name: 'plainjob', group: 'durable', label: 'plainjob (better-sqlite3, WAL)', n: [20_000, 3_000] },
  { name: 'liteque', group: 'durable', label: 'liteque (drizzle + better-sqlite3, WAL)', n: [3_000, 500] },
  {
    name: 'bullmq-aof',
    group: 'durable',
    label: 'BullMQ, redis-server (AOF, fsync everysec)',
    n: [20_000, 3_000],
    redis: 'aof',
  },
];

/** The Sluice row each group's peers are compared with. */
const SLUICE_OF_GROUP = { memory: 'sluice', durable: 'sluice-always' };

// ============================================================================ child

if (argv.child !== undefined) {
  const n = Number(argv.n);
  // Warm-up in the same process first (a tenth of the run, fresh queue / database / dir): the figure is for
  // code V8 has already optimized and connections already open, not for a cold start.
  await runChild(argv.child, Math.max(200, Math.floor(n / 10)), Number(argv.port));
  console.log(JSON.stringify(await runChild(argv.child, n, Number(argv.port))));
  process.exit(0);
}

async function withTempDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-peers-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runChild(name, n, port) {
  switch (name) {
    case 'sluice':
      return runSluiceCycle({ n });
    case 'sluice-always':
      return withTempDir((dir) => runSluiceCycle({ n, dir, fsync: 'always' }));
    case 'sluice-interval':
      return withTempDir((dir) => runSluiceCycle({ n, dir, fsync: 'interval' }));
    case 'naive':
      return runNaiveCycle({ n });
    case 'fastq':
      return runFastqCycle({ n });
    case 'p-queue':
      return runPQueueCycle({ n });
    case 'bullmq':
    case 'bullmq-aof':
      return runBullmqCycle({ n, port });
    case 'bee-queue':
      return runBeeQueueCycle({ n, port });
    case 'plainjob':
      return withTempDir((dir) =>
        runPlainjobCycle({
          dir,
          n,
          producers: CYCLE.producers,
          batch: CYCLE.batch,
          workers: CYCLE.concurrency,
          bodyBytes: CYCLE.bodyBytes,
        }),
      );
    case 'liteque':
      return withTempDir((dir) => runLitequeCycle({ n, dir }));
    default:
      throw new Error(`unknown contender ${name}`);
  }
}

// ============================================================================ parent

const QUICK = argv.quick;
const settings = {
  quick: QUICK,
  ...CYCLE,
  consumerLoopsSluice: 4,
  runs: Number(argv.runs ?? (QUICK ? 1 : 3)),
};
const only = argv.only === undefined ? undefined : new Set(argv.only.split(','));
const contenders = CONTENDERS.filter((c) => only === undefined || only.has(c.name)).map((c) => ({
  ...c,
  n: c.n[QUICK ? 1 : 0],
}));

/** The line of a child's error output that names the error, not the whole stack. */
function errorLine(error) {
  const text = String(error?.message ?? error);
  const line = text.split('\n').find((l) => /^\s*\w*Error\b.*:/.test(l));
  return (line ?? text.split('\n')[0]).trim().slice(0, 300);
}

/** Why each peer cannot run on this machine, found before any measuring (install, native build, redis). */
async function availability() {
  const redis = findRedisServer();
  const loaders = {
    bullmq: loadBullmq,
    'bullmq-aof': loadBullmq,
    'bee-queue': loadBeeQueue,
    plainjob: loadPlainjob,
    liteque: loadLiteque,
  };
  const out = {};
  for (const c of contenders) {
    if (c.redis !== undefined && !redis.ok) {
      out[c.name] = { ok: false, reason: redis.reason };
      continue;
    }
    const load = loaders[c.name];
    if (load === undefined) {
      out[c.name] = { ok: true };
      continue;
    }
    const loaded = await load();
    out[c.name] = loaded.ok ? { ok: true, versions: loaded.versions } : { ok: false, reason: loaded.reason };
  }
  return { redis, byName: out };
}

async function main() {
  const started = new Date();
  const result = {
    suite: 'peers',
    date: started.toISOString(),
    command: `node benchmarks/peers.bench.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    git: { ...gitRevision(), coreBuiltAt: coreBuiltAt() },
    settings,
  };
  console.log(
    `Sluice vs peers${QUICK ? ' (quick)' : ''}: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, load ${result.machine.loadAverage.join(' ')}`,
  );
  const avail = await availability();
  if (!avail.redis.ok) {
    console.log(
      `redis-server is not installed: BullMQ and bee-queue rows are not run. Install it with: ${REDIS_INSTALL_HINT}`,
    );
  }
  const servers = {};
  const perRun = [];
  const errors = {};
  try {
    for (const kind of new Set(contenders.map((c) => c.redis).filter((r) => r !== undefined))) {
      if (!avail.redis.ok) break;
      try {
        servers[kind] = await startRedis(kind);
      } catch (error) {
        for (const c of contenders) {
          if (c.redis === kind)
            avail.byName[c.name] = { ok: false, reason: `redis-server failed to start: ${errorLine(error)}` };
        }
      }
    }
    for (let run = 0; run < settings.runs; run++) {
      const figures = {};
      const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]);
      for (const c of order) {
        if (!avail.byName[c.name].ok) continue;
        const args = ['--child', c.name, '--n', String(c.n)];
        if (c.redis !== undefined) args.push('--port', String(servers[c.redis].port));
        try {
          figures[c.name] = await runChildJson(SELF, args, { timeoutMs: 5 * 60_000 });
        } catch (error) {
          errors[c.name] = [...(errors[c.name] ?? []), { run: run + 1, error: errorLine(error) }];
        }
      }
      perRun.push(figures);
      process.stdout.write(
        `  peers run ${run + 1}/${settings.runs} done (load ${machine().loadAverage[0]})\n`,
      );
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
  const rows = {};
  for (const c of contenders) {
    const runs = perRun.map((r) => r[c.name]).filter((r) => r !== undefined);
    const row = { name: c.name, group: c.group, label: c.label, n: c.n, ceiling: c.ceiling === true };
    if (c.redis !== undefined && servers[c.redis]) {
      row.redis = {
        version: servers[c.redis].version,
        persistence: c.redis === 'aof' ? 'appendonly yes, appendfsync everysec' : "save '', appendonly no",
      };
    }
    const versions = avail.byName[c.name].versions ?? runs[0]?.versions;
    if (versions) row.versions = versions;
    if (!avail.byName[c.name].ok) {
      row.status = 'not run';
      row.reason = avail.byName[c.name].reason;
    } else if (runs.length === 0) {
      row.status = 'failed';
      row.reason = errors[c.name]?.[0]?.error ?? 'no run finished';
    } else {
      row.status = 'ok';
      row.msgPerSec = summarize(runs.map((r) => r.msgPerSec));
      if (errors[c.name]) row.failedRuns = errors[c.name];
      const sluice = SLUICE_OF_GROUP[c.group];
      if (!c.name.startsWith('sluice')) {
        const ratios = perRun
          .filter((r) => r[c.name] !== undefined && r[sluice] !== undefined)
          .map((r) => r[sluice].msgPerSec / r[c.name].msgPerSec);
        if (ratios.length > 0) row.sluiceOver = { against: sluice, ...summarize(ratios) };
      }
    }
    rows[c.name] = row;
  }
  result.rows = rows;
  result.versions = {
    node: process.version,
    ...versionsOf([
      'fastq',
      'p-queue',
      'bullmq',
      'ioredis',
      'bee-queue',
      'plainjob',
      'liteque',
      'better-sqlite3',
    ]),
    'redis-server': avail.redis.ok ? avail.redis.version : null,
  };
  result.elapsedSeconds = (Date.now() - started.getTime()) / 1000;
  result.machine.loadAverageAfter = machine().loadAverage;
  const fmt = (v) => (v === undefined ? '' : round(v, 3));
  printTable(
    `Full cycle, ${CYCLE.bodyBytes}-byte messages, ${CYCLE.producers} producers x batches of ${CYCLE.batch}, up to ${CYCLE.concurrency} in processing — msg/s, median of ${settings.runs} run(s)`,
    ['contender', 'group', 'messages', 'msg/s', 'min', 'max', 'sluice / this', 'status'],
    Object.values(rows).map((r) => ({
      contender: r.label,
      group: r.group,
      messages: r.n,
      'msg/s': r.msgPerSec?.median,
      min: r.msgPerSec?.min,
      max: r.msgPerSec?.max,
      'sluice / this': r.sluiceOver ? `${fmt(r.sluiceOver.median)}x (vs ${r.sluiceOver.against})` : '',
      status: r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason}`,
    })),
  );
  const file = writeResult(`peers-${today()}${QUICK ? '-quick' : ''}.json`, result);
  console.log(`wrote ${file} in ${result.elapsedSeconds.toFixed(0)} s`);
}

await main();
