/** @module benchmarks/lib/report — latest.md: Sluice vs each peer, the issue-9 targets, the scale curve and the charts */
import { TARGET_NOTES } from './target-notes.mjs';

const int = (v) => Math.round(v).toLocaleString('en-US');
/** Numbers as people read them: thousands separators for big ones, 2-3 significant digits for small ones. */
export function num(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1000) return int(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
const range = (s) => (s ? `${num(s.median)} (${num(s.min)}..${num(s.max)})` : '—');
const ratio = (s) => (s ? `${num(s.median)}x (${num(s.min)}..${num(s.max)})` : '—');
const table = (head, rows, align) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function targetCell(t) {
  if (t.status === 'met') return 'met';
  if (t.status === 'missed') {
    if (t.direction === 'min') {
      const pct = Math.round((1 - t.ofGoal) * 100);
      return `**missed** by ${num(t.by)}${t.unit === 'x' ? 'x' : ` ${t.unit}`} (${pct}% short: ${num(t.ofGoal)} of the goal)`;
    }
    return `**missed** by ${num(t.by)} ${t.unit} over`;
  }
  return `**${t.status}**`;
}

function goalCell(t) {
  const op = t.direction === 'min' ? '≥' : '≤';
  if (t.unit === 'x') return `${op} ${t.goal < 1 ? `${t.goal * 100}% of bare` : `${t.goal}x`}`;
  if (t.unit === 'µs') return `< ${num(t.goal / 1000)} ms`;
  return `${op} ${num(t.goal)} ${t.unit}`;
}

function measuredCell(t) {
  if (t.measured === undefined) return '—';
  const unit = t.unit === 'x' ? 'x' : ` ${t.unit}`;
  return `${num(t.measured)}${unit} (${num(t.min)}..${num(t.max)})`;
}

/**
 * The whole latest.md.
 * @param {any} combined the combined result (results/<date>.json)
 * @param {{ throughput?: string, memory?: string, scale?: string }} charts chart file names, relative to latest.md
 */
export function renderMarkdown(combined, charts) {
  const { machine, core, durable, peers, objects, http } = combined;
  const lines = [];
  const p = (text = '') => lines.push(text);
  p(
    `# Sluice benchmarks: latest run${combined.quick ? ' (quick: small sizes, 1 run — not the figures to quote)' : ''}`,
  );
  p();
  p(
    `\`${combined.command}\` on ${combined.date.slice(0, 10)} (${combined.date.slice(11, 16)} UTC, ${Math.round(combined.elapsedSeconds / 60)} min): ` +
      `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}. ` +
      `**Load average ${machine.loadAverageStart.join(' / ')} at the start, ${machine.loadAverageEnd.join(' / ')} at the end** ` +
      '(1 / 5 / 15 min): the machine is shared with other work, so absolute rates drift; every ratio below is taken ' +
      'between contenders measured in the same run, then summarized. Figures are the median (min..max) over ' +
      `${combined.runs} runs unless a row says otherwise. Combined result file: [\`${combined.file}\`](${combined.file}).`,
  );
  p();
  if (charts.throughput || charts.memory || charts.scale) {
    p(
      'Charts (SVG, rendered by Vega-Lite): ' +
        [
          charts.throughput && `[throughput by contender](${charts.throughput})`,
          charts.memory && `[memory per message by queue depth](${charts.memory})`,
          charts.scale && `[throughput by queue depth](${charts.scale})`,
        ]
          .filter(Boolean)
          .join(' · '),
    );
    p();
    if (charts.throughput) p(`![throughput by contender](${charts.throughput})`);
    p();
  }

  // ---------------------------------------------------------------- peers
  p('## Sluice vs each peer');
  p();
  if (peers) {
    p(
      `One full cycle for everyone (\`benchmarks/peers.bench.mjs\`): ${peers.settings.bodyBytes}-byte messages, ` +
        `${peers.settings.producers} producer loops each awaiting a batch of ${peers.settings.batch} (the peer's bulk API where it has one), ` +
        `up to ${peers.settings.concurrency} messages in processing on the consumer side, every message acknowledged / completed; ` +
        'producers and consumers at once, in one process, a fresh child process per measurement after a warm-up. ' +
        '"Sluice ÷ peer" is taken inside each run against the Sluice row of the same group ' +
        "(in memory: memoryStorage; durable: logStorage fsync 'always').",
    );
    p();
    const rows = Object.values(peers.rows).map((r) => [
      r.label,
      r.group,
      int(r.n),
      r.status === 'ok' ? range(r.msgPerSec) : '—',
      r.sluiceOver ? ratio(r.sluiceOver) : r.name.startsWith('sluice') ? '(Sluice)' : '—',
      r.status === 'ok'
        ? r.ceiling
          ? 'ok — no ack: a ceiling, not a peer'
          : 'ok'
        : `**${r.status}**: ${r.reason}`,
      versionCell(r),
    ]);
    p(
      table(['contender', 'group', 'messages', 'msg/s', 'Sluice ÷ peer', 'status', 'versions'], rows, [
        '',
        '',
        'r',
        'r',
        'r',
        '',
        '',
      ]),
    );
  } else p(`**The peers suite did not produce a result**: ${combined.suites.peers?.error ?? 'not run'}`);
  p();

  // ---------------------------------------------------------------- targets
  p('## Targets (issue 9), judged on the median');
  p();
  p(
    table(
      ['target', 'goal', 'measured: median (min..max)', 'result', 'suite'],
      combined.targets.map((t) => [t.target, goalCell(t), measuredCell(t), targetCell(t), t.source]),
      ['', '', 'r', '', ''],
    ),
  );
  p();
  const missed = combined.targets.filter((t) => t.status !== 'met');
  if (missed.length > 0) {
    p('### What holds the missed targets back');
    p();
    const seen = new Set();
    for (const t of missed) {
      // The note of the longest id prefix that has one (e.g. `memory-queued` covers every depth).
      const key = Object.keys(TARGET_NOTES)
        .filter((k) => t.id.startsWith(k))
        .sort((a, b) => b.length - a.length)[0];
      const text = key === undefined ? 'See benchmarks/README.md.' : TARGET_NOTES[key];
      if (seen.has(text)) {
        p(`- **${t.target}**: see above.`);
        continue;
      }
      seen.add(text);
      p(`- **${t.target}**: ${text}`);
    }
    p();
  }

  // ---------------------------------------------------------------- core
  if (core) {
    p('## Core in memory (`core.bench.mjs`)');
    p();
    p(
      `Full cycle sendBatch(16) → receive({max:16}) → ackBatch(16), 100-byte bodies, ${int(core.settings.depth)} messages per iteration; ` +
        '"batch" sends them all then drains, "pipelined" interleaves 16 at a time. fastq has no ack (a ceiling).',
    );
    p();
    p(
      table(
        ['mode', 'sluice msg/s', 'naive msg/s', 'fastq msg/s', 'sluice ÷ naive', 'sluice msg per CPU-s'],
        core.throughput.rows.map((r) => [
          r.mode,
          range(r.sluice),
          range(r.naive),
          range(r.fastq),
          ratio(r.sluiceOverNaive),
          range(r.cpu?.sluice),
        ]),
        ['', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    if (core.throughput.rows.some((r) => r.priority)) {
      p();
      p('### Priorities: the cost of using them, and of not using them');
      p();
      p(
        'Same runs: the plain rows above are a queue that never sees a priority (the code path of a queue before ' +
          'priorities existed); here every message carries a random priority 1..16, so the group orders its ready list.',
      );
      p();
      p(
        table(
          ['mode', 'no priority msg/s', 'random priority msg/s', 'priority ÷ none'],
          core.throughput.rows.map((r) => [
            r.mode,
            range(r.sluice),
            range(r.priority),
            ratio(r.priorityOverPlain),
          ]),
          ['', 'r', 'r', 'r'],
        ),
      );
    }
    p();
    p('### Scale curve: memory and throughput by queue depth');
    p();
    p(
      'Fresh `node --expose-gc` child per run: fill the queue with N messages (sendBatch of 1,000), measure, receive them all ' +
        '(visibility 1 h), measure; then on a fresh queue in the same process the batch cycle at that depth ' +
        '(sendBatch(16) until N are queued, receive(16) + ackBatch(16) until empty). Bytes are `(heapUsed + external) / N − 100` after GC.',
    );
    p();
    if (charts.memory) p(`![memory per message by queue depth](${charts.memory})`);
    p();
    p(
      table(
        ['impl', 'messages', 'queued B/msg', 'inflight B/msg', 'batch cycle msg/s at this depth'],
        core.memory.rows.map((r) => [
          r.impl,
          int(r.n),
          range(r.queued),
          range(r.inflight),
          range(r.cycleMsgPerSec),
        ]),
        ['', 'r', 'r', 'r', 'r'],
      ),
    );
    p();
    if (charts.scale) p(`![throughput by queue depth](${charts.scale})`);
    p();
    if (core.memory.retained) {
      p('### Bytes per retained message');
      p();
      p(
        'A topic keeps a message for its retention after every group has acked it. 1,000,000 messages of 100 bytes, ' +
          `sent, received and acked by the topic's only group, then measured: ${core.memory.retainedUnit}.`,
      );
      p();
      p(
        table(
          ['storage', 'messages', 'B per retained message', 'body'],
          core.memory.retained.map((r) => [
            r.storage,
            int(r.n),
            range(r.bytesPerMessage),
            r.bodyInMemory ? 'in memory (counted)' : 'on disk',
          ]),
          ['', 'r', 'r', ''],
        ),
      );
      p();
    }

    if (core.timerWheel) {
      p('### Timer wheel vs setTimeout (schedule + cancel, ops/s)');
      p();
      p(
        table(
          ['pending', 'TimerWheel', 'setTimeout', 'wheel ÷ setTimeout'],
          core.timerWheel.rows.map((r) => [
            int(r.pending),
            range(r.wheel),
            range(r.setTimeout),
            ratio(r.wheelOverSetTimeout),
          ]),
          ['r', 'r', 'r', 'r'],
        ),
      );
      p();
      p(`Flatness (ops/s at 1M pending ÷ at 10k): ${range(core.timerWheel.flatness)}.`);
      p();
    }
    if (core.latency) {
      p('### Long-poll wake-up latency (µs, send() → parked receive resolved, in process)');
      p();
      const labels = { sluice: 'Sluice', floor: 'floor: bare promise', spin: 'control: 5 µs spin' };
      p(
        table(
          ['', 'p50', 'p99', 'p99.9', 'max'],
          core.latency.rows.map((r) => [
            labels[r.impl] ?? r.impl,
            range(r.p50),
            range(r.p99),
            range(r.p999),
            range(r.max),
          ]),
          ['', 'r', 'r', 'r', 'r'],
        ),
      );
      p();
    }
  } else p(`**Core suite: no result** (${combined.suites.core?.error ?? 'not run'})\n`);

  // ---------------------------------------------------------------- durable
  if (durable?.cycle) {
    p('## Durable (`durable.bench.mjs`)');
    p();
    const s = durable.settings;
    p(
      `Full cycle on logStorage in a temp dir: ${s.producers} producers awaiting sendBatch(${s.batch}), ${s.consumers} consumers receive(${s.receiveMax}) + ackBatch; ` +
        'plainjob in the same shape (addMany, 64 workers). Ratios within a run.',
    );
    p();
    const rows = Object.entries(durable.cycle.contenders).map(([name, c]) => [
      c.label,
      range(c.msgPerSec),
      durable.cycle.ratios[`${name}/plainjob`] ? ratio(durable.cycle.ratios[`${name}/plainjob`]) : '—',
      c.msgPerSync ? num(c.msgPerSync.median) : '—',
      `${c.runsOk}/${s.runs}${c.runsFailed ? ` (${c.runsFailed} failed)` : ''}`,
    ]);
    for (const [name, errs] of Object.entries(durable.cycle.errors ?? {})) {
      if (!durable.cycle.contenders[name]) rows.push([name, '—', '—', '—', `**failed**: ${errs[0].error}`]);
    }
    p(table(['contender', 'msg/s', '÷ plainjob', 'msg per fsync', 'runs ok'], rows, ['', 'r', 'r', 'r', '']));
    p();
    if (durable.recovery) {
      p(
        table(
          [
            'recovery: queued messages',
            'log MB',
            'reopen ms',
            'ms per 1M records',
            'compact all (every message live) ms',
            'reopen from that snapshot ms',
          ],
          durable.recovery.sizes.map((r) => [
            int(r.n),
            num(r.logBytes / 1e6),
            range(r.ms),
            range(r.msPerMillion),
            r.compactMs === undefined ? '—' : int(r.compactMs),
            r.snapshotReopenMs === undefined ? '—' : int(r.snapshotReopenMs),
          ]),
          ['r', 'r', 'r', 'r', 'r', 'r'],
        ),
      );
      p();
    }
    if (durable.disk) {
      const d = durable.disk;
      p(
        `Disk (single deterministic run, ${int(d.n)} messages): ${num(d.afterSend.bytes / d.n)} B per message sent, ` +
          `${num(d.afterCompact.bytes / d.live)} B per live message after acking 90% and compact() ` +
          `(which took ${int(d.compactMs)} ms).`,
      );
      p();
    }
  } else p(`**Durable suite: no result** (${combined.suites.durable?.error ?? 'not run'})\n`);

  // ---------------------------------------------------------------- objects
  if (objects?.rows) {
    p('## Memory of an empty object (`objects.bench.mjs`)');
    p();
    p(
      'N empty objects made in a fresh process after a warm-up; settled heap + external per object (RSS per ' +
        `object beside it). Goal: <= ${int(objects.goalBytes)} B. Dialect rows go through each handler's fetch.`,
    );
    p();
    const rows = objects.rows.map((r) => [
      r.kind,
      int(r.n),
      int(r.bytesPerObject),
      int(r.rssPerObject),
      r.bytesPerObject <= objects.goalBytes ? 'met' : '**missed**',
    ]);
    p(table(['object', 'n', 'B each', 'RSS B each', 'goal'], rows, ['', 'r', 'r', 'r', '']));
    p();
  } else if (combined.suites.objects)
    p(`**Objects suite: no result** (${combined.suites.objects.error ?? 'not run'})\n`);

  // ---------------------------------------------------------------- http
  p(
    '## HTTP dialects vs a bare node:http server (requests/s over loopback, autocannon in a separate process)',
  );
  p();
  const httpRows = [];
  for (const [dialect, h] of Object.entries(http ?? {})) {
    for (const s of h.scenarios)
      httpRows.push([dialect, s.scenario, range(s.sluice), range(s.bare), ratio(s.ratio), `${h.runs}`]);
  }
  for (const name of ['mns', 'rocketmq', 'dms']) {
    const suite = combined.suites[`http-${name}`];
    if (suite && suite.status !== 'ok' && !http?.[name])
      httpRows.push([name, '—', '—', '—', '—', `**failed**: ${suite.error}`]);
  }
  p(
    table(
      ['dialect', 'scenario', 'sluice req/s', 'bare req/s (same body shape)', 'sluice ÷ bare', 'runs'],
      httpRows,
      ['', '', 'r', 'r', 'r', 'r'],
    ),
  );
  p();

  // ---------------------------------------------------------------- versions and suites
  p('## Versions and suites');
  p();
  p(
    Object.entries(combined.versions)
      .map(([k, v]) => `${k} ${v ?? '(not installed)'}`)
      .join(' · '),
  );
  p();
  p(
    table(
      ['suite', 'status', 'seconds', 'result file'],
      Object.entries(combined.suites).map(([name, s]) => [
        name,
        s.status === 'ok' ? 'ok' : `**${s.status}**: ${s.error ?? ''}`,
        num(s.seconds),
        s.files?.map((f) => `\`${f}\``).join(', ') ?? '',
      ]),
      ['', '', 'r', ''],
    ),
  );
  p();
  return `${lines.join('\n')}\n`;
}

function versionCell(r) {
  const parts = Object.entries(r.versions ?? {}).map(([k, v]) => `${k} ${v}`);
  if (r.redis) parts.push(`redis-server ${r.redis.version} (${r.redis.persistence})`);
  return parts.join(', ');
}
