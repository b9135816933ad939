/** @module benchmarks/run — `pnpm bench`: every suite in sequence, each in its own process, then one result file, latest.md and charts */
/*
 * Runs core.bench.mjs, durable.bench.mjs, peers.bench.mjs and the three HTTP suites one after another (each in
 * a child process, so one suite's heap and timers stay out of the next), reads back the JSON each one writes,
 * and writes:
 *   benchmarks/results/<yyyy-mm-dd>.json   every figure with min/median/max over its runs, the issue-9 targets,
 *                                          versions, the machine and its load average at the start and the end
 *   benchmarks/results/latest.md           Sluice vs each peer with ratios, targets met / missed and by how much
 *   benchmarks/results/*.svg               charts (Vega-Lite rendered in Node)
 * With --quick (small sizes, one run each; under 2 minutes) or --only everything goes to benchmarks/results/quick/
 * instead, which git ignores: a quick run never replaces the figures.
 *
 * Run:  pnpm bench [--quick] [--only core,durable,peers,objects,http-mns,http-rocketmq,http-dms] [--runs N]
 *       node benchmarks/run.mjs --render results/<date>.json   (redraw latest.md and the charts, measure nothing)
 *       (the root script builds the packages first; this file imports the built dist/ of each package)
 * A suite that fails is reported as failed with its error line; the others still run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { memoryChart, scaleChart, throughputChart } from './lib/charts.mjs';
import { collectFigures, collectTargets, summarizeHttp } from './lib/collect.mjs';
import { builtAt, snapshotPackages } from './lib/packages.mjs';
import { findRedisServer, REDIS_INSTALL_HINT } from './lib/redis.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { gitRevision, machine, RESULTS_DIR, today } from './lib/results.mjs';
import { versionsOf } from './peers/shape.mjs';

const { values: argv } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string' },
    render: { type: 'string' },
  },
});
const QUICK = argv.quick;
const RUNS = Number(argv.runs ?? (QUICK ? 1 : 3));
const HERE = fileURLToPath(new URL('./', import.meta.url));
/** A quick or partial (--only) run is development output: it never replaces the committed report. */
const OUT_DIR = QUICK || argv.only !== undefined ? new URL('quick/', RESULTS_DIR) : RESULTS_DIR;
/** Where the packages measured in this run are frozen (git-ignored; see lib/packages.mjs). */
const LIVE_PACKAGES = fileURLToPath(new URL('../packages/', import.meta.url));
const SNAPSHOT = fileURLToPath(new URL('results/tmp/packages/', import.meta.url));
const repoRelative = (url) => relative(fileURLToPath(new URL('../', import.meta.url)), fileURLToPath(url));

/**
 * The suites. `files(date)` names the result file(s) a suite writes; HTTP suites run `runs` times (each
 * run's file is read right after it, they overwrite one name). `env` shortens the HTTP runs.
 */
function suites(date) {
  const q = QUICK ? '-quick' : '';
  const runsArg = argv.runs === undefined ? [] : ['--runs', String(RUNS)];
  const quickArg = QUICK ? ['--quick'] : [];
  return [
    {
      name: 'core',
      script: 'core.bench.mjs',
      nodeArgs: ['--expose-gc'],
      args: [...quickArg, ...runsArg],
      file: `core-${date}${q}.json`,
    },
    {
      name: 'durable',
      script: 'durable.bench.mjs',
      nodeArgs: [],
      args: [...quickArg, ...(QUICK ? ['--runs', '1'] : runsArg)],
      file: `durable-${date}${q}.json`,
    },
    {
      name: 'peers',
      script: 'peers.bench.mjs',
      nodeArgs: ['--expose-gc'],
      args: [...quickArg, ...runsArg],
      file: `peers-${date}${q}.json`,
    },
    {
      name: 'objects',
      script: 'objects.bench.mjs',
      nodeArgs: ['--expose-gc'],
      args: [...quickArg],
      file: `objects-${date}${q}.json`,
    },
    {
      name: 'http-mns',
      script: 'http-mns.bench.mjs',
      env: { SLUICE_BENCH_SECONDS: QUICK ? '2' : '5', SLUICE_BENCH_CYCLES: QUICK ? '1000' : '3000' },
      file: `http-mns${q}.json`,
      repeat: RUNS,
    },
    {
      name: 'http-rocketmq',
      script: 'http-rocketmq.bench.mjs',
      // One round per run: the runs themselves are the repetitions (the suite's own rounds keep the best).
      env: {
        SLUICE_BENCH_SECONDS: QUICK ? '2' : '5',
        SLUICE_BENCH_CYCLES: QUICK ? '1000' : '3000',
        SLUICE_BENCH_ROUNDS: '1',
      },
      file: `http-rocketmq${q}.json`,
      repeat: RUNS,
    },
    {
      name: 'http-dms',
      script: 'http-dms.bench.mjs',
      // The consume stock must outlast the run: ~8k req/s x 5 s = 20k consumes of 10 messages (the suite's default
      // prefill, 400k, leaves room); a run that drains it measures empty receives.
      env: { SLUICE_BENCH_DURATION: QUICK ? '2' : '5', SLUICE_BENCH_PREFILL: QUICK ? '100000' : '400000' },
      file: `http-dms${q}.json`,
      repeat: RUNS,
    },
  ];
}

/**
 * Freezes the build: the packages are rebuilt by other work while this runs. Copies every dist/ into the
 * snapshot and checks that each package loads from there; a copy taken in the middle of someone's rebuild
 * fails that check, and is retaken after a rebuild of our own (three tries).
 */
function freezeBuild() {
  for (let attempt = 1; ; attempt++) {
    const build = snapshotPackages(SNAPSHOT);
    if (build.core === undefined)
      throw new Error('packages/core/dist is missing: run pnpm build first (pnpm bench does)');
    const imports = Object.keys(build)
      .map(
        (name) => `await import(${JSON.stringify(pathToFileURL(`${SNAPSHOT}${name}/dist/index.js`).href)});`,
      )
      .join('');
    const check = spawnSync(process.execPath, ['--input-type=module', '-e', imports], { encoding: 'utf8' });
    if (check.status === 0) return build;
    const why = check.stderr.split('\n').find((l) => /Error/.test(l)) ?? check.stderr.slice(0, 200);
    if (attempt === 3) throw new Error(`the built packages do not load: ${why}`);
    console.log(`the snapshot does not load (${why.trim()}): rebuilding and copying again`);
    spawnSync('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      stdio: 'inherit',
    });
  }
}

/** Runs `node <nodeArgs> <script> <args>` with inherited output; resolves with its exit code. */
function runNode(script, nodeArgs, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, `${HERE}${script}`, ...args], {
      cwd: HERE,
      env: { ...process.env, SLUICE_PACKAGES: SNAPSHOT, ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** The first line of stderr that names an error, for the report. */
function errorLine(stderr, code, signal) {
  // The root cause, e.g. `SyntaxError: …` thrown in a child of the suite, rather than the re-throw around it.
  const lines = stderr.split('\n').map((l) => l.trim());
  const named = lines.filter((l) => /^[A-Z]\w*Error: /.test(l));
  const line = named.find((l) => !l.startsWith('Error: ')) ?? named[0];
  return (line ?? `exited with ${signal ?? code}`).trim().slice(0, 300);
}

/** Reads a suite's JSON result if it was written after `since` (ms); undefined otherwise. */
function readFresh(name, since) {
  const url = new URL(name, RESULTS_DIR);
  if (!existsSync(url) || statSync(url).mtimeMs < since) return undefined;
  return JSON.parse(readFileSync(url, 'utf8'));
}

async function runSuite(suite) {
  const started = Date.now();
  const status = { status: 'ok', seconds: 0, files: [] };
  const outputs = [];
  const times = suite.repeat ?? 1;
  for (let i = 0; i < times; i++) {
    const since = Date.now();
    const label = times > 1 ? ` (run ${i + 1}/${times})` : '';
    console.log(
      `\n=== ${suite.name}${label}: node ${[...(suite.nodeArgs ?? []), suite.script, ...(suite.args ?? [])].join(' ')}`,
    );
    // The HTTP suites write the file name they are given (a quick run's name is git-ignored).
    const env =
      suite.repeat === undefined ? (suite.env ?? {}) : { ...suite.env, SLUICE_BENCH_RESULT: suite.file };
    const { code, signal, stderr } = await runNode(suite.script, suite.nodeArgs ?? [], suite.args ?? [], env);
    const data = readFresh(suite.file, since);
    if (code !== 0 || data === undefined) {
      status.status = 'failed';
      status.error = code !== 0 ? errorLine(stderr, code, signal) : `no fresh ${suite.file} written`;
      break;
    }
    outputs.push(data);
  }
  status.seconds = (Date.now() - started) / 1000;
  status.files = [`benchmarks/results/${suite.file}`];
  return { status, outputs };
}

async function main() {
  const date = today();
  const only = argv.only === undefined ? undefined : new Set(argv.only.split(','));
  const startMachine = machine();
  const started = new Date();
  console.log(
    `pnpm bench${QUICK ? ' --quick' : ''}: ${startMachine.cpu}, ${startMachine.cores} cores, Node ${startMachine.node}, load average ${startMachine.loadAverage.join(' ')}`,
  );
  const build = freezeBuild();
  console.log(
    `measuring a snapshot of the built packages (core built ${build.core}) in ${repoRelative(pathToFileURL(SNAPSHOT))}`,
  );
  const redis = findRedisServer();
  if (!redis.ok) {
    console.log(
      `note: ${redis.reason}. BullMQ and bee-queue rows will say "not run"; install it with: ${REDIS_INSTALL_HINT}`,
    );
  }
  const results = {};
  const suiteStatus = {};
  for (const suite of suites(date)) {
    if (only !== undefined && !only.has(suite.name)) continue;
    const { status, outputs } = await runSuite(suite);
    suiteStatus[suite.name] = status;
    results[suite.name] = outputs;
  }
  const core = results.core?.[0];
  const durable = results.durable?.[0];
  const peers = results.peers?.[0];
  const objects = results.objects?.[0];
  const http = {};
  for (const dialect of ['mns', 'rocketmq', 'dms']) {
    const runs = results[`http-${dialect}`];
    if (runs && runs.length > 0)
      http[dialect] = { runs: runs.length, scenarios: summarizeHttp(runs), raw: runs };
  }
  const endMachine = machine();
  const fileName = `${date}.json`;
  const combined = {
    date: started.toISOString(),
    command: `pnpm bench${QUICK ? ' --quick' : ''}${argv.only ? ` --only ${argv.only}` : ''}${argv.runs ? ` --runs ${argv.runs}` : ''}`,
    quick: QUICK,
    runs: RUNS,
    file: fileName,
    elapsedSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: startMachine.memoryGiB,
      platform: startMachine.platform,
      node: process.version,
      v8: process.versions.v8,
      loadAverageStart: startMachine.loadAverage,
      loadAverageEnd: endMachine.loadAverage,
    },
    versions: {
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
        'autocannon',
        'tinybench',
        'vega',
        'vega-lite',
      ]),
      'redis-server': redis.ok ? redis.version : `not installed (${REDIS_INSTALL_HINT})`,
    },
    git: gitRevision(),
    // The build measured (frozen at the start), and whether the live one was rebuilt meanwhile.
    build: { snapshotBuiltAt: build, liveCoreBuiltAtEnd: builtAt('core', LIVE_PACKAGES) ?? null },
    suites: suiteStatus,
  };
  const parts = { core, durable, peers, objects, http };
  combined.targets = collectTargets(parts);
  combined.figures = collectFigures(parts);
  Object.assign(combined, parts);

  mkdirSync(OUT_DIR, { recursive: true });
  if (QUICK)
    writeFileSync(new URL('.gitignore', OUT_DIR), '# pnpm bench --quick output: never committed\n*\n');
  const charts = await writeCharts(combined);
  writeFileSync(new URL(fileName, OUT_DIR), `${JSON.stringify(combined, null, 2)}\n`);
  const md = renderMarkdown(combined, charts);
  writeFileSync(new URL('latest.md', OUT_DIR), md);
  const missed = combined.targets.filter((t) => t.status !== 'met');
  console.log(
    `\nwrote ${repoRelative(new URL(fileName, OUT_DIR))}, ${repoRelative(new URL('latest.md', OUT_DIR))} and ${Object.keys(charts).length} chart(s) in ${Math.round(combined.elapsedSeconds)} s`,
  );
  console.log(
    `targets: ${combined.targets.length - missed.length} met, ${missed.length} missed or not measured`,
  );
  for (const t of missed)
    console.log(
      `  - ${t.target}: ${t.status}${t.measured !== undefined ? ` (median ${Math.round(t.measured * 100) / 100} vs goal ${t.goal})` : ''}`,
    );
  const failed = Object.entries(suiteStatus).filter(([, s]) => s.status !== 'ok');
  for (const [name, s] of failed) console.log(`suite ${name} FAILED: ${s.error}`);
  if (failed.length > 0) process.exitCode = 1;
}

/** Renders the charts that have data; a chart that fails to render is reported, not fatal. */
async function writeCharts(combined) {
  const out = {};
  const subtitle = `${combined.date.slice(0, 10)}, ${combined.machine.cpu} x${combined.machine.cores}, Node ${combined.machine.node}, load ${combined.machine.loadAverageStart[0]} -> ${combined.machine.loadAverageEnd[0]}`;
  const write = async (name, render) => {
    try {
      const svg = await render();
      writeFileSync(new URL(name, OUT_DIR), svg);
      out[name.replace(/^(\w+).*/, '$1')] = name;
    } catch (error) {
      console.log(`chart ${name} failed: ${error?.message ?? error}`);
    }
  };
  const peerRows = Object.values(combined.peers?.rows ?? {})
    .filter((r) => r.status === 'ok')
    .map((r) => ({
      contender: r.label,
      group: r.group === 'memory' ? 'in memory' : 'durable',
      kind: r.name.startsWith('sluice') ? 'Sluice' : r.ceiling ? 'no-ack ceiling' : 'peer (with ack)',
      median: r.msgPerSec.median,
      min: r.msgPerSec.min,
      max: r.msgPerSec.max,
    }));
  if (peerRows.length > 0)
    await write('throughput-by-contender.svg', () => throughputChart(peerRows, subtitle));
  const mem = (combined.core?.memory?.rows ?? []).filter((r) => r.impl === 'sluice');
  if (mem.length > 0) {
    const rows = mem.flatMap((r) => [
      { depth: r.n, state: 'queued', ...pick(r.queued) },
      { depth: r.n, state: 'inflight', ...pick(r.inflight) },
    ]);
    await write('memory-by-depth.svg', () => memoryChart(rows, subtitle));
    const scale = mem.filter((r) => r.cycleMsgPerSec).map((r) => ({ depth: r.n, ...pick(r.cycleMsgPerSec) }));
    if (scale.length > 0) await write('scale-throughput-by-depth.svg', () => scaleChart(scale, subtitle));
  }
  return out;
}

const pick = (s) => ({ median: s.median, min: s.min, max: s.max });

/** --render: latest.md and the charts again from an existing combined result (e.g. after editing the notes). */
async function render(file) {
  const combined = JSON.parse(readFileSync(file, 'utf8'));
  combined.targets = collectTargets(combined);
  const charts = await writeCharts(combined);
  writeFileSync(new URL('latest.md', OUT_DIR), renderMarkdown(combined, charts));
  writeFileSync(file, `${JSON.stringify(combined, null, 2)}\n`);
  console.log(`rendered ${repoRelative(new URL('latest.md', OUT_DIR))} from ${file}`);
}

if (argv.render !== undefined) await render(argv.render);
else await main();
