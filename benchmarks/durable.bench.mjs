/** @module benchmarks/durable — durable storage (logStorage): full-cycle throughput per fsync policy vs plainjob, recovery time, disk bytes */
/*
 * The benchmark part of issue 4, side by side in one run. Every measurement runs in a fresh child process
 * (this file with --child ...) in its own temp directory under os.tmpdir(), deleted afterwards, so one
 * measurement's heap, page cache pressure and open files stay out of the next.
 *
 *   1. cycle     durable full cycle, 100-byte bodies: `producers` async loops each awaiting sendBatch of
 *                `batch` messages, while `consumers` loops receive({max:16}) and ackBatch(16) until all N
 *                are acked; with fsync 'always', 'interval' and 'never' (the ceiling). plainjob on
 *                better-sqlite3 (WAL, its defaults: see peers/plainjob.mjs) does the same produce ->
 *                consume -> complete cycle. Runs are interleaved and ratios are taken within a run.
 *                Extra rows: 'always' with plain send (group commit with at most 64 writers per fsync),
 *                'interval' with compaction off, and memoryStorage (no disk) as the ceiling durability
 *                is paid against. A run that fails is reported with its error line, never dropped.
 *   2. recovery  a log of 1M and 5M queued messages is written (fsync 'never', sendBatch of 1000), closed,
 *                then reopened (createBroker on the dir: replay) in a fresh child per run; ms, ms per
 *                million records, RSS after open and peak RSS of that child; then, in the same child, the
 *                time of broker.compact() with every message live (the worst case: all of it is copied).
 *   3. disk      sum of the file sizes in the dir per 100-byte message: after sending N, after receiving
 *                and acking 90% of them, and after broker.compact().
 *
 * Run:  node benchmarks/durable.bench.mjs [--quick] [--runs N] [--only cycle,recovery,disk]
 *       (build first: pnpm turbo run build --filter=@sluice/core; the benchmarks import the built core)
 * Writes benchmarks/results/durable-<yyyy-mm-dd>.json (durable-<yyyy-mm-dd>-quick.json with --quick: small sizes).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runChildJson } from './lib/memory.mjs';
import { builtAt, importCore } from './lib/packages.mjs';
import { gitRevision, machine, today, writeResult } from './lib/results.mjs';
import { round, summarize } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { loadPlainjob, runPlainjobCycle } from './peers/plainjob.mjs';

const BODY_BYTES = 100;
const RECEIVE_MAX = 16;
/** Long enough that no visibility deadline fires during a benchmark (no redeliveries). */
const VISIBILITY = 3_600_000;
const SELF = fileURLToPath(import.meta.url);

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    child: { type: 'string' },
    impl: { type: 'string' },
    fsync: { type: 'string' },
    n: { type: 'string' },
    dir: { type: 'string' },
    producers: { type: 'string' },
    batch: { type: 'string' },
    consumers: { type: 'string' },
    'no-compact': { type: 'boolean', default: false },
    compact: { type: 'boolean', default: false },
  },
});

// ============================================================================ children

if (argv.child !== undefined) {
  const result = await runChild(argv.child);
  console.log(JSON.stringify(result));
  process.exit(0);
}

async function runChild(kind) {
  const n = Number(argv.n);
  switch (kind) {
    case 'cycle': {
      const shape = {
        n,
        producers: Number(argv.producers),
        batch: Number(argv.batch),
        consumers: Number(argv.consumers),
      };
      return withTempDir((dir) =>
        argv.impl === 'plainjob'
          ? runPlainjobCycle({ dir, ...shape, workers: shape.consumers, bodyBytes: BODY_BYTES })
          : sluiceCycle(dir, argv.fsync, shape, argv['no-compact']),
      );
    }
    case 'build':
      return buildLog(argv.dir, n);
    case 'recover':
      return recover(argv.dir, n, argv.compact);
    case 'disk':
      return withTempDir((dir) => diskBytes(dir, n));
    default:
      throw new Error(`unknown child ${kind}`);
  }
}

/** A fresh temp directory for `fn`, removed afterwards whatever happens. */
async function withTempDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-durable-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Counts fsync/fdatasync calls (to report messages per fsync: how much group commit shares). Patches
 * node:fs before the core is loaded; syncBuiltinESMExports makes the core's named imports see the wrappers.
 */
async function loadCoreCountingSyncs() {
  const fs = await import('node:fs');
  const counter = { syncs: 0 };
  for (const name of ['fsync', 'fdatasync', 'fsyncSync', 'fdatasyncSync']) {
    const original = fs.default[name];
    fs.default[name] = function counted(...args) {
      counter.syncs++;
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports();
  const core = await importCore();
  return { core, counter };
}

/** Sum of the sizes of the files in `dir` (the log, snapshots, the lock file). */
/** Bytes and number of the log's files (the RESERVE and LOCK files are not the log). */
function dirBytes(dir) {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'RESERVE' || name === 'LOCK') continue;
    bytes += statSync(join(dir, name)).size;
    files++;
  }
  return { bytes, files };
}

function inputsOf(count, body) {
  return Array.from({ length: count }, () => ({ body }));
}

/** Acks every delivery; throws on any per-item failure (a benchmark that loses acks measures nothing). */
async function ackAll(queue, deliveries) {
  const handles = new Array(deliveries.length);
  for (let i = 0; i < deliveries.length; i++) handles[i] = deliveries[i].receiptHandle;
  const results = await queue.ackBatch(handles);
  for (let i = 0; i < results.length; i++)
    if (!results[i].ok) throw new Error(`ack failed: ${results[i].code}`);
}

/** 1. The durable full cycle with `fsync` policy; answers msg/s and messages per fsync. */
async function sluiceCycle(dir, fsync, { n, producers, batch, consumers }, noCompact) {
  const { core, counter } = await loadCoreCountingSyncs();
  const storage =
    fsync === 'memory'
      ? core.memoryStorage()
      : core.logStorage({ dir, fsync, ...(noCompact ? { compactMinBytes: 2 ** 50 } : {}) });
  const broker = await core.createBroker({ storage });
  const queue = broker.createQueue('bench', { visibilityTimeout: VISIBILITY });
  const body = Buffer.alloc(BODY_BYTES, 0x61);
  const inputs = inputsOf(batch, body);
  const syncsBefore = counter.syncs;
  let claimed = 0;
  let acked = 0;
  const started = performance.now();
  const producer = async () => {
    while (claimed < n) {
      const k = Math.min(batch, n - claimed);
      claimed += k;
      const results =
        k === 1
          ? [await queue.send(inputs[0])]
          : await queue.sendBatch(k === batch ? inputs : inputs.slice(0, k));
      for (const r of results) if (r.error !== undefined) throw new Error(`send failed: ${r.error.code}`);
    }
  };
  const consumer = async () => {
    while (acked < n) {
      // A short long-poll: parked consumers wake on the next send; the deadline only ends the last loops.
      const deliveries = await queue.receive({ max: RECEIVE_MAX, wait: 20 });
      if (deliveries.length === 0) continue;
      await ackAll(queue, deliveries);
      acked += deliveries.length;
    }
  };
  await Promise.all([
    ...Array.from({ length: producers }, producer),
    ...Array.from({ length: consumers }, consumer),
  ]);
  const ms = performance.now() - started;
  const syncs = counter.syncs - syncsBefore;
  const stats = queue.stats();
  if (acked !== n || stats.active !== 0 || stats.inflight !== 0) {
    throw new Error(
      `cycle ended with ${acked} acked of ${n}, ${stats.active} active, ${stats.inflight} inflight`,
    );
  }
  const disk = dirBytes(dir);
  await broker.close();
  return {
    ms,
    msgPerSec: (n / ms) * 1000,
    syncs,
    msgPerSync: syncs > 0 ? n / syncs : null,
    logBytes: disk.bytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** 2a. Writes a log of `n` queued messages fast: fsync 'never', sendBatch of 1000, then close. */
async function buildLog(dir, n) {
  const core = await importCore();
  const started = performance.now();
  const broker = await core.createBroker({ storage: core.logStorage({ dir, fsync: 'never' }) });
  const queue = broker.createQueue('bench', { visibilityTimeout: VISIBILITY });
  const body = Buffer.alloc(BODY_BYTES, 0x61);
  const inputs = inputsOf(1000, body);
  for (let sent = 0; sent < n; sent += 1000) {
    const results = await queue.sendBatch(sent + 1000 <= n ? inputs : inputs.slice(0, n - sent));
    if (results[0].error !== undefined) throw new Error(`send failed: ${results[0].error.code}`);
  }
  const active = queue.stats().active;
  await broker.close();
  if (active !== n) throw new Error(`built ${active} of ${n}`);
  return { ms: performance.now() - started, ...dirBytes(dir) };
}

/**
 * 2b. Reopens the log in `dir` (this is a fresh process): time to createBroker, and memory after. With
 * `compact`, then times a compaction of all of it (every message live: the most a snapshot copies).
 */
async function recover(dir, n, compact) {
  const core = await importCore();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const broker = await core.createBroker({ storage: core.logStorage({ dir, fsync: 'never' }) });
  const ms = performance.now() - started;
  const memory = process.memoryUsage();
  const queue = broker.queue('bench');
  const stats = queue.stats();
  // peek changes nothing (no record written) and proves the oldest body reads back from disk intact.
  const [first] = queue.peek({ max: 1 });
  const bodyOk = first !== undefined && first.body.length === BODY_BYTES && first.body[0] === 0x61;
  let compactMs;
  if (compact) {
    const compactStarted = performance.now();
    await broker.compact();
    compactMs = performance.now() - compactStarted;
  }
  await broker.close();
  if (stats.active !== n || !bodyOk)
    throw new Error(`recovered ${stats.active} of ${n} (body ok: ${bodyOk})`);
  return {
    ms,
    compactMs,
    msPerMillion: (ms / n) * 1e6,
    rssBeforeOpenBytes: rssBefore,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** 3. Disk bytes per message: after sending n, after acking 90% of them, after compact(). */
async function diskBytes(dir, n) {
  const core = await importCore();
  // Compaction only when asked, so the three figures are taken at known points.
  const storage = core.logStorage({ dir, fsync: 'never', compactMinBytes: 2 ** 50 });
  const broker = await core.createBroker({ storage });
  const queue = broker.createQueue('bench', { visibilityTimeout: VISIBILITY });
  const body = Buffer.alloc(BODY_BYTES, 0x61);
  const inputs = inputsOf(1000, body);
  for (let sent = 0; sent < n; sent += 1000) await queue.sendBatch(inputs);
  await broker.flush();
  const afterSend = dirBytes(dir);
  const toAck = Math.floor(n * 0.9);
  let acked = 0;
  while (acked < toAck) {
    const deliveries = await queue.receive({ max: Math.min(RECEIVE_MAX, toAck - acked) });
    await ackAll(queue, deliveries);
    acked += deliveries.length;
  }
  await broker.flush();
  const afterAck = dirBytes(dir);
  const compactStarted = performance.now();
  await broker.compact();
  const compactMs = performance.now() - compactStarted;
  await broker.flush();
  const afterCompact = dirBytes(dir);
  const stats = queue.stats();
  await broker.close();
  if (stats.active !== n - toAck)
    throw new Error(`after compaction ${stats.active} active, expected ${n - toAck}`);
  return { n, acked: toAck, live: n - toAck, afterSend, afterAck, afterCompact, compactMs };
}

// ============================================================================ parent

const QUICK = argv.quick;
/** Everything that shapes the figures, written into the result file. */
const settings = {
  quick: QUICK,
  bodyBytes: BODY_BYTES,
  receiveMax: RECEIVE_MAX,
  visibilityTimeoutMs: VISIBILITY,
  runs: Number(argv.runs ?? 3),
  producers: Number(argv.producers ?? 64),
  /** Messages per producer call: sendBatch of this many (plainjob: addMany). */
  batch: Number(argv.batch ?? 8),
  consumers: Number(argv.consumers ?? 64),
  recoverySizes: QUICK ? [200_000, 1_000_000] : [1_000_000, 5_000_000],
  recoveryRuns: QUICK ? 2 : 3,
  diskN: QUICK ? 100_000 : 1_000_000,
};
const sections = new Set((argv.only ?? 'cycle,recovery,disk').split(','));
/** When the measured core was built: others rebuild it while benchmarks run (see lib/packages.mjs). */
const coreBuiltAt = () => builtAt('core') ?? null;

const results = {
  benchmark: 'durable',
  date: today(),
  machine: machine(),
  git: gitRevision(),
  settings,
};

const rate = (s) => round(s, 4);
const fmt = (s) => ({ median: rate(s.median), min: rate(s.min), max: rate(s.max), runs: s.runs.map(rate) });

/**
 * The cycle contenders. `batch` is what each producer awaits per call (sendBatch of that many; 1 = send).
 * `memory` (memoryStorage, nothing on disk) is the ceiling the durable rows are paid against.
 */
function cycleContenders() {
  const quick = QUICK;
  const { producers, batch, consumers } = settings;
  const c = (name, impl, fsync, n, shape = {}) => ({
    name,
    impl,
    fsync,
    n,
    producers,
    batch,
    consumers,
    ...shape,
  });
  return [
    // 600k messages make a log past the 64 MiB compactMinBytes: background compaction runs during the cycle.
    c('always', 'sluice', 'always', quick ? 50_000 : 600_000),
    c('always-send1', 'sluice', 'always', quick ? 20_000 : 100_000, { batch: 1 }),
    c('interval', 'sluice', 'interval', quick ? 100_000 : 600_000),
    // 'interval' with background compaction off: a figure for the policy while 'interval' + compaction
    // fails (EBADF from the interval fdatasync on a segment compaction already closed; see the report).
    c('interval-nocompact', 'sluice', 'interval', quick ? 100_000 : 600_000, { noCompact: true }),
    c('never', 'sluice', 'never', quick ? 100_000 : 600_000),
    c('memory', 'sluice', 'memory', quick ? 100_000 : 600_000),
    // plainjob is ~50x slower: fewer messages, runs of the same order of seconds.
    c('plainjob', 'plainjob', 'none', quick ? 5_000 : 30_000),
  ];
}

/** The line of a child's stderr that names the error (e.g. `SluiceError: log write failed: EBADF ...`). */
function errorLine(error) {
  const text = String(error?.message ?? error);
  const line = text.split('\n').find((l) => /^\w*Error\b.*:/.test(l.trim()));
  return (line ?? text.split('\n')[0]).trim().slice(0, 300);
}

function label(c) {
  if (c.impl === 'plainjob')
    return `plainjob (better-sqlite3, WAL), add${c.batch > 1 ? `Many(${c.batch})` : ''}`;
  if (c.fsync === 'memory') return `sluice memoryStorage (no disk), sendBatch(${c.batch})`;
  const compaction = c.noCompact ? ', compaction off' : '';
  return `sluice fsync '${c.fsync}', ${c.batch > 1 ? `sendBatch(${c.batch})` : 'send'}${compaction}`;
}

async function cycleSection() {
  const plainjob = await loadPlainjob();
  const contenders = cycleContenders();
  const perRun = [];
  const errors = {};
  if (!plainjob.ok) errors.plainjob = [{ run: 0, error: plainjob.reason }];
  for (let run = 0; run < settings.runs; run++) {
    const figures = {};
    // Rotate the order so no contender always runs first (cold disk cache) or last.
    const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]);
    for (const c of order) {
      if (c.impl === 'plainjob' && !plainjob.ok) continue;
      const args = ['--child', 'cycle', '--impl', c.impl, '--fsync', c.fsync, '--n', String(c.n)];
      args.push(
        '--producers',
        String(c.producers),
        '--batch',
        String(c.batch),
        '--consumers',
        String(c.consumers),
      );
      if (c.noCompact) args.push('--no-compact');
      try {
        figures[c.name] = await runChildJson(SELF, args);
      } catch (error) {
        // A failed run is a finding, not noise: keep the error line itself (not the stack) per run.
        errors[c.name] = [...(errors[c.name] ?? []), { run: run + 1, error: errorLine(error) }];
      }
    }
    perRun.push(figures);
    process.stdout.write(`  cycle run ${run + 1}/${settings.runs} done (load ${machine().loadAverage[0]})\n`);
  }
  const out = { contenders: {}, ratios: {}, errors };
  if (plainjob.ok) out.peerVersions = plainjob.versions;
  for (const c of contenders) {
    const runs = perRun.map((r) => r[c.name]).filter((r) => r !== undefined);
    if (runs.length === 0) continue;
    out.contenders[c.name] = {
      label: label(c),
      impl: c.impl,
      fsync: c.fsync,
      n: c.n,
      producers: c.producers,
      batch: c.batch,
      consumers: c.consumers,
      compaction: c.impl === 'sluice' && c.fsync !== 'memory' ? !c.noCompact : null,
      msgPerSec: fmt(summarize(runs.map((r) => r.msgPerSec))),
      runsOk: runs.length,
      runsFailed: errors[c.name]?.length ?? 0,
      // Only meaningful where fsync is the policy; 'never' counts compaction's and close's fsyncs.
      msgPerSync:
        c.fsync === 'always' || c.fsync === 'interval' ? fmt(summarize(runs.map((r) => r.msgPerSync))) : null,
      maxRssBytes: fmt(summarize(runs.map((r) => r.maxRssBytes))),
      ...(c.impl === 'plainjob'
        ? { journalMode: runs[0].journalMode, synchronous: runs[0].synchronous }
        : {}),
    };
  }
  // Ratios within each run (both measured minutes apart at most), then summarized.
  for (const c of contenders) {
    if (c.impl === 'plainjob') continue;
    const ratios = perRun
      .filter((r) => r[c.name] !== undefined && r.plainjob !== undefined)
      .map((r) => r[c.name].msgPerSec / r.plainjob.msgPerSec);
    if (ratios.length > 0) out.ratios[`${c.name}/plainjob`] = fmt(summarize(ratios));
    const ofMemory = perRun
      .filter((r) => r[c.name] !== undefined && r.memory !== undefined)
      .map((r) => r[c.name].msgPerSec / r.memory.msgPerSec);
    if (ofMemory.length > 0 && c.name !== 'memory') out.ratios[`${c.name}/memory`] = fmt(summarize(ofMemory));
  }
  const rows = contenders.map((c) => {
    const fig = out.contenders[c.name];
    const failed = errors[c.name];
    const note = failed === undefined ? '' : `${failed.length} run(s) FAILED: ${failed[0].error}`;
    if (fig === undefined) return { contender: label(c), note: `no figure: ${note}` };
    const ratio = out.ratios[`${c.name}/plainjob`]?.median;
    let target = '';
    if (c.name === 'always') {
      target = `>=100k & >=15x: ${fig.msgPerSec.median >= 100_000 && (ratio ?? 0) >= 15 ? 'met' : 'MISSED'}`;
    } else if (c.name === 'interval' || c.name === 'interval-nocompact') {
      target = `>=300k: ${fig.msgPerSec.median >= 300_000 ? 'met' : 'MISSED'}`;
    }
    return {
      contender: label(c),
      'msg/s median': fig.msgPerSec.median,
      min: fig.msgPerSec.min,
      max: fig.msgPerSec.max,
      'x plainjob': ratio ?? null,
      'x memory': out.ratios[`${c.name}/memory`]?.median ?? null,
      'msg/fsync': fig.msgPerSync?.median ?? null,
      'runs ok': `${fig.runsOk}/${settings.runs}`,
      target,
      note,
    };
  });
  printTable(
    `Durable full cycle, ${BODY_BYTES}-byte bodies: ${settings.producers} producers, ${settings.consumers} consumers x receive(${RECEIVE_MAX}) + ackBatch; median of ${settings.runs} runs (ratios within a run)`,
    [
      'contender',
      'msg/s median',
      'min',
      'max',
      'x plainjob',
      'x memory',
      'msg/fsync',
      'runs ok',
      'target',
      'note',
    ],
    rows,
  );
  results.cycle = out;
}

async function recoverySection() {
  const out = { sizes: [] };
  const rows = [];
  for (const n of settings.recoverySizes) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-recovery-'));
    try {
      const built = await runChildJson(SELF, ['--child', 'build', '--dir', dir, '--n', String(n)]);
      const runs = [];
      for (let run = 0; run < settings.recoveryRuns; run++) {
        runs.push(await runChildJson(SELF, ['--child', 'recover', '--dir', dir, '--n', String(n)]));
      }
      // Then: a compaction of all of it, and reopening the snapshot it wrote.
      const compaction = await runChildJson(SELF, [
        '--child',
        'recover',
        '--dir',
        dir,
        '--n',
        String(n),
        '--compact',
      ]);
      const fromSnapshot = await runChildJson(SELF, ['--child', 'recover', '--dir', dir, '--n', String(n)]);
      const entry = {
        n,
        buildMs: round(built.ms),
        logBytes: built.bytes,
        logFiles: built.files,
        bodyBytes: n * BODY_BYTES,
        ms: fmt(summarize(runs.map((r) => r.ms))),
        msPerMillion: fmt(summarize(runs.map((r) => r.msPerMillion))),
        compactMs: round(compaction.compactMs),
        snapshotReopenMs: round(fromSnapshot.ms),
        rssBytes: fmt(summarize(runs.map((r) => r.rssBytes))),
        maxRssBytes: fmt(summarize(runs.map((r) => r.maxRssBytes))),
        heapUsedBytes: fmt(summarize(runs.map((r) => r.heapUsedBytes))),
        externalBytes: fmt(summarize(runs.map((r) => r.externalBytes))),
      };
      out.sizes.push(entry);
      rows.push({
        messages: n,
        'log MB': built.bytes / 1e6,
        'reopen ms median': entry.ms.median,
        min: entry.ms.min,
        max: entry.ms.max,
        'ms / 1M records': entry.msPerMillion.median,
        'RSS after MB': entry.rssBytes.median / 1e6,
        'peak RSS MB': entry.maxRssBytes.median / 1e6,
        'bodies MB': (n * BODY_BYTES) / 1e6,
        // ArrayBuffers after open, per message: the typed-array columns (sized in powers of two), not bodies.
        'external B/msg': entry.externalBytes.median / n,
        'target <1000 ms/1M': entry.msPerMillion.median < 1000 ? 'met' : 'MISSED',
        'compact all ms / 1M': (compaction.compactMs / n) * 1e6,
        'target <=1000 ms/1M ': (compaction.compactMs / n) * 1e6 <= 1000 ? 'met' : 'MISSED',
        'reopen snapshot ms / 1M': (fromSnapshot.ms / n) * 1e6,
      });
      process.stdout.write(`  recovery ${n.toLocaleString('en-US')} done\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(
    `Recovery: createBroker on an existing log of queued ${BODY_BYTES}-byte messages, fresh process per reopen; median of ${settings.recoveryRuns}`,
    Object.keys(rows[0]),
    rows,
  );
  results.recovery = out;
}

async function diskSection() {
  const d = await runChildJson(SELF, ['--child', 'disk', '--n', String(settings.diskN)]);
  const per = (b) => b / d.n;
  results.disk = { ...d, singleRun: true };
  printTable(
    `Disk: sum of file sizes in the log dir, ${d.n.toLocaleString('en-US')} messages of ${BODY_BYTES} bytes (single run; deterministic)`,
    ['point', 'bytes', 'files', 'bytes / message sent', 'bytes / live message'],
    [
      {
        point: 'after send',
        bytes: d.afterSend.bytes,
        files: d.afterSend.files,
        'bytes / message sent': per(d.afterSend.bytes),
        'bytes / live message': d.afterSend.bytes / d.n,
      },
      {
        point: `after ack of ${d.acked.toLocaleString('en-US')} (90%)`,
        bytes: d.afterAck.bytes,
        files: d.afterAck.files,
        'bytes / message sent': per(d.afterAck.bytes),
        'bytes / live message': d.afterAck.bytes / d.live,
      },
      {
        point: `after compact() (${round(d.compactMs, 3)} ms)`,
        bytes: d.afterCompact.bytes,
        files: d.afterCompact.files,
        'bytes / message sent': per(d.afterCompact.bytes),
        'bytes / live message': d.afterCompact.bytes / d.live,
      },
    ],
  );
}

console.log(
  `durable benchmark${QUICK ? ' (quick)' : ''}: node ${process.version}, load ${results.machine.loadAverage.join(' ')}\n`,
);
const started = performance.now();
const builtAtStart = coreBuiltAt();
if (sections.has('cycle')) await cycleSection();
if (sections.has('recovery')) await recoverySection();
if (sections.has('disk')) await diskSection();
results.totalMs = round(performance.now() - started);
results.coreBuild = { atStart: builtAtStart, atEnd: coreBuiltAt() };
results.coreBuild.changedDuringRun = results.coreBuild.atStart !== results.coreBuild.atEnd;
if (results.coreBuild.changedDuringRun) {
  console.log(
    `WARNING: @sluice/core was rebuilt during this run (${builtAtStart} -> ${results.coreBuild.atEnd}): figures mix two builds`,
  );
}
results.machine.loadAverageAfter = machine().loadAverage;
// A quick run is a smoke test with small sizes: its file is named -quick so it never stands for the figures.
const file = writeResult(`durable-${results.date}${QUICK ? '-quick' : ''}.json`, results);
console.log(`wrote ${file} (${(results.totalMs / 1000).toFixed(1)} s)`);
