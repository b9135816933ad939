/** @module benchmarks/lib/collect — turns the suites' result files into one list of figures, comparisons and issue-9 targets */
import { summarize } from './stats.mjs';

/** A figure as the combined result keeps it: what, unit, min/median/max over the runs, and which suite measured it. */
function figure(id, label, unit, summary, source) {
  if (summary === undefined || summary === null) return undefined;
  const { min, median, max } = summary;
  const runs = summary.runs ?? [median];
  return { id, label, unit, min, median, max, runs, source };
}

/**
 * One flat list of every figure of the run (each with min/median/max over its runs).
 * @param {{ core?: any, durable?: any, peers?: any, http?: Record<string, any> }} suites
 */
export function collectFigures({ core, durable, peers, objects, http }) {
  const out = [];
  const add = (f) => {
    if (f !== undefined) out.push(f);
  };
  for (const row of objects?.rows ?? []) {
    const one = { median: row.bytesPerObject, min: row.bytesPerObject, max: row.bytesPerObject };
    add(figure(`objects.${row.kind}.${row.n}`, `empty ${row.kind}, ${row.n} of them`, 'B', one, 'objects'));
  }
  for (const row of core?.throughput?.rows ?? []) {
    for (const impl of ['sluice', 'naive', 'fastq']) {
      add(
        figure(
          `core.${row.mode}.${impl}`,
          `core full cycle (${row.mode}): ${impl}`,
          'msg/s',
          row[impl],
          'core',
        ),
      );
      add(
        figure(
          `core.${row.mode}.${impl}.cpu`,
          `core full cycle (${row.mode}): ${impl}, per CPU-second`,
          'msg/cpu-s',
          row.cpu?.[impl],
          'core',
        ),
      );
    }
    add(
      figure(
        `core.${row.mode}.sluice/naive`,
        `core full cycle (${row.mode}): sluice / naive`,
        'x',
        row.sluiceOverNaive,
        'core',
      ),
    );
    add(
      figure(
        `core.${row.mode}.sluice/fastq`,
        `core full cycle (${row.mode}): sluice / fastq`,
        'x',
        row.sluiceOverFastq,
        'core',
      ),
    );
  }
  for (const row of core?.memory?.rows ?? []) {
    const at = `${row.impl} at ${row.n}`;
    add(
      figure(
        `memory.${row.impl}.${row.n}.queued`,
        `memory queued, ${at}`,
        'B/msg beyond body',
        row.queued,
        'core',
      ),
    );
    add(
      figure(
        `memory.${row.impl}.${row.n}.inflight`,
        `memory inflight, ${at}`,
        'B/msg beyond body',
        row.inflight,
        'core',
      ),
    );
    add(
      figure(
        `scale.${row.impl}.${row.n}.cycle`,
        `batch cycle at depth, ${at}`,
        'msg/s',
        row.cycleMsgPerSec,
        'core',
      ),
    );
  }
  for (const row of core?.timerWheel?.rows ?? []) {
    add(
      figure(
        `timer.${row.pending}.wheel`,
        `timer wheel schedule+cancel, ${row.pending} pending`,
        'ops/s',
        row.wheel,
        'core',
      ),
    );
    add(
      figure(
        `timer.${row.pending}.setTimeout`,
        `setTimeout schedule+cancel, ${row.pending} pending`,
        'ops/s',
        row.setTimeout,
        'core',
      ),
    );
    add(
      figure(
        `timer.${row.pending}.ratio`,
        `timer wheel / setTimeout, ${row.pending} pending`,
        'x',
        row.wheelOverSetTimeout,
        'core',
      ),
    );
  }
  for (const row of core?.latency?.rows ?? []) {
    for (const p of ['p50', 'p99', 'p999', 'max']) {
      add(figure(`latency.${row.impl}.${p}`, `long-poll wake-up ${p}, ${row.impl}`, 'µs', row[p], 'core'));
    }
  }
  for (const [name, c] of Object.entries(durable?.cycle?.contenders ?? {})) {
    add(figure(`durable.${name}`, `durable cycle: ${c.label}`, 'msg/s', c.msgPerSec, 'durable'));
  }
  for (const [name, r] of Object.entries(durable?.cycle?.ratios ?? {})) {
    add(figure(`durable.${name}`, `durable cycle ratio ${name}`, 'x', r, 'durable'));
  }
  for (const s of durable?.recovery?.sizes ?? []) {
    add(figure(`recovery.${s.n}.ms`, `recovery of ${s.n} queued messages`, 'ms', s.ms, 'durable'));
    add(
      figure(
        `recovery.${s.n}.msPerMillion`,
        `recovery per 1M records, ${s.n}`,
        'ms',
        s.msPerMillion,
        'durable',
      ),
    );
  }
  if (durable?.disk) {
    const d = durable.disk;
    const one = (v) => ({ min: v, median: v, max: v, runs: [v] });
    add(
      figure(
        'disk.afterSend',
        'disk bytes per message sent',
        'B/msg',
        one(d.afterSend.bytes / d.n),
        'durable',
      ),
    );
    add(
      figure(
        'disk.afterCompact',
        'disk bytes per live message after compact()',
        'B/msg',
        one(d.afterCompact.bytes / d.live),
        'durable',
      ),
    );
  }
  for (const row of Object.values(peers?.rows ?? {})) {
    if (row.msgPerSec)
      add(figure(`peers.${row.name}`, `peers cycle: ${row.label}`, 'msg/s', row.msgPerSec, 'peers'));
    if (row.sluiceOver)
      add(
        figure(
          `peers.${row.sluiceOver.against}/${row.name}`,
          `peers cycle: ${row.sluiceOver.against} / ${row.name}`,
          'x',
          row.sluiceOver,
          'peers',
        ),
      );
  }
  for (const [dialect, h] of Object.entries(http ?? {})) {
    for (const s of h.scenarios ?? []) {
      add(
        figure(
          `http.${dialect}.${s.scenario}.sluice`,
          `HTTP ${dialect} ${s.scenario}: sluice`,
          'req/s',
          s.sluice,
          `http-${dialect}`,
        ),
      );
      add(
        figure(
          `http.${dialect}.${s.scenario}.bare`,
          `HTTP ${dialect} ${s.scenario}: bare node:http`,
          'req/s',
          s.bare,
          `http-${dialect}`,
        ),
      );
      add(
        figure(
          `http.${dialect}.${s.scenario}.ratio`,
          `HTTP ${dialect} ${s.scenario}: sluice / bare`,
          'x',
          s.ratio,
          `http-${dialect}`,
        ),
      );
    }
  }
  return out;
}

/**
 * The HTTP suites' per-run files, normalized to { scenario, sluice, bare, ratio } summaries (each suite names
 * its columns its own way).
 * @param {any[]} runs the parsed result file of each run of one HTTP suite
 */
export function summarizeHttp(runs) {
  const byScenario = new Map();
  for (const run of runs) {
    for (const row of run.rows ?? []) {
      const scenario = row.scenario ?? row.workload;
      const sluice = row['sluice req/s'];
      const bare = row['bare req/s'] ?? row['bare req/s (same shape)'];
      if (typeof sluice !== 'number' || typeof bare !== 'number') continue;
      const list = byScenario.get(scenario) ?? [];
      list.push({ sluice, bare, ratio: sluice / bare });
      byScenario.set(scenario, list);
    }
  }
  return [...byScenario].map(([scenario, list]) => ({
    scenario,
    sluice: summarize(list.map((r) => r.sluice)),
    bare: summarize(list.map((r) => r.bare)),
    ratio: summarize(list.map((r) => r.ratio)),
  }));
}

/**
 * The issue-9 targets, each judged on the median: met, or missed and by how much.
 * `direction` 'min' means measured must be >= goal; 'max' means <= (or < when `strict`).
 */
export function collectTargets({ core, durable, peers, objects, http }) {
  const out = [];
  const add = (id, target, goal, direction, summary, unit, source, strict = false) => {
    // A suite left out with --only has no targets to show; a suite that ran without the figure says so.
    const ran = source.startsWith('http-')
      ? http?.[source.slice(5)]
      : { core, durable, peers, objects }[source];
    if (summary === undefined && ran === undefined) return;
    if (summary === undefined) {
      out.push({ id, target, goal, direction, unit, source, status: 'not measured' });
      return;
    }
    const measured = summary.median;
    const met = direction === 'min' ? measured >= goal : strict ? measured < goal : measured <= goal;
    out.push({
      id,
      target,
      goal,
      direction,
      unit,
      source,
      measured,
      min: summary.min,
      max: summary.max,
      status: met ? 'met' : 'missed',
      // >= targets: the share of the goal reached; <= targets: how far over the goal.
      ofGoal: measured / goal,
      by: direction === 'min' ? goal - measured : measured - goal,
    });
  };
  // Issue 13: an idle object costs at most 4 KB, in the core and through each dialect.
  for (const row of objects?.rows ?? []) {
    if (row.n < 100_000) continue;
    const one = { median: row.bytesPerObject, min: row.bytesPerObject, max: row.bytesPerObject };
    add(
      `objects-${row.kind}`,
      `memory of an empty ${row.kind} (of 100,000)`,
      4096,
      'max',
      one,
      'B',
      'objects',
    );
  }
  const rows = core?.throughput?.rows ?? [];
  for (const row of rows) {
    add(
      `memory-cycle-${row.mode}`,
      `in-memory full cycle (${row.mode})`,
      1_000_000,
      'min',
      row.sluice,
      'msg/s',
      'core',
    );
  }
  for (const row of rows) {
    add(
      `naive-${row.mode}`,
      `in-memory vs naive reference (${row.mode})`,
      4,
      'min',
      row.sluiceOverNaive,
      'x',
      'core',
    );
  }
  const bull = peers?.rows?.bullmq;
  add('bullmq', 'in-memory vs BullMQ (same cycle, local redis)', 100, 'min', bull?.sluiceOver, 'x', 'peers');
  if (bull && bull.status !== 'ok') out.at(-1).status = `not run: ${bull.reason}`;
  const always = durable?.cycle?.contenders?.always?.msgPerSec;
  add('durable-always', "durable fsync 'always' (group commit)", 100_000, 'min', always, 'msg/s', 'durable');
  add(
    'durable-plainjob',
    "durable 'always' vs plainjob",
    15,
    'min',
    durable?.cycle?.ratios?.['always/plainjob'],
    'x',
    'durable',
  );
  const interval = durable?.cycle?.contenders?.interval?.msgPerSec;
  add('durable-interval', "durable fsync 'interval'", 300_000, 'min', interval, 'msg/s', 'durable');
  // Issue 12: the storage made trustworthy must stay this fast.
  add('storage-always', "durable fsync 'always' (issue 12)", 250_000, 'min', always, 'msg/s', 'durable');
  add(
    'storage-plainjob',
    "durable 'always' vs plainjob (issue 12)",
    40,
    'min',
    durable?.cycle?.ratios?.['always/plainjob'],
    'x',
    'durable',
  );
  for (const r of durable?.recovery?.sizes ?? []) {
    add(
      `recovery-${r.n}`,
      `recovery of ${r.n.toLocaleString('en-US')} records, per million`,
      1000,
      'max',
      r.msPerMillion,
      'ms',
      'durable',
    );
  }
  const disk = durable?.disk;
  const compactMs =
    disk === undefined ? undefined : { median: disk.compactMs, min: disk.compactMs, max: disk.compactMs };
  add('compaction-1m', 'compaction of a 1M-message log (90% acked)', 1000, 'max', compactMs, 'ms', 'durable');
  for (const [dialect, h] of Object.entries(http ?? {})) {
    for (const s of h.scenarios ?? []) {
      add(
        `http-${dialect}-${s.scenario}`,
        `HTTP ${dialect} ${s.scenario} vs bare node:http`,
        0.5,
        'min',
        s.ratio,
        'x',
        `http-${dialect}`,
      );
    }
  }
  const lat = core?.latency?.rows?.find((r) => r.impl === 'sluice');
  add('long-poll-p99', 'long-poll wake-up p99', 1000, 'max', lat?.p99, 'µs', 'core', true);
  for (const row of core?.memory?.rows ?? []) {
    if (row.impl !== 'sluice' || row.n < 1_000_000) continue;
    add(
      `memory-queued-${row.n}`,
      `memory per queued message at ${row.n.toLocaleString('en-US')}`,
      64,
      'max',
      row.queued,
      'B',
      'core',
    );
    add(
      `memory-inflight-${row.n}`,
      `memory per inflight message at ${row.n.toLocaleString('en-US')}`,
      96,
      'max',
      row.inflight,
      'B',
      'core',
    );
  }
  return out;
}
