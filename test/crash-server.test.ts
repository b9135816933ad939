/**
 * @module crash-server.test — `sluice serve` under HTTP load in all three dialects at once, killed with SIGKILL at
 * random moments and restarted on the same data directory, with storage tuned so compaction runs every second or
 * so. At the end it restarts once more and drains every queue and group, then checks the ledger (crash/ledger.ts):
 * no confirmed send lost, no confirmed ack resurrected, no body changed, no live handle refused, no 5xx.
 *
 * Without `--access-key` the server checks no signatures, so the requests are raw HTTP with the dialects' shapes.
 * `CRASH_SEED=n` replays the random choices (sizes, timings) of a run; `CRASH_KEEP=1` keeps its data directory.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompactionWatch } from './crash/compaction-watch.js';
import { DmsDriver } from './crash/dms-driver.js';
import type { Driver } from './crash/driver.js';
import { Ledger } from './crash/ledger.js';
import { type Life, pause } from './crash/life.js';
import { MnsDriver } from './crash/mns-driver.js';
import { byKind, report } from './crash/report.js';
import { Rng } from './crash/rng.js';
import { RocketMqDriver } from './crash/rocketmq-driver.js';
import { type SluiceProcess, startSluice } from './crash/sluice-process.js';
import { ackCarried, type CarryOver, drainGroup, runLoad } from './crash/workers.js';

const seed = Number(process.env['CRASH_SEED'] ?? randomInt(2 ** 31));
const root = mkdtempSync(join(tmpdir(), 'sluice-crash-server-'));
afterAll(() => {
  if (process.env['CRASH_KEEP'] !== '1') rmSync(root, { recursive: true, force: true });
});

/** Short timeouts, so what was received but not acked before a kill comes back within the test. */
const MNS_VISIBILITY_S = 3;
const ROCKETMQ_INVISIBILITY_MS = 3000;
/** DMS's shortest `ack_wait`, seconds. */
const DMS_ACK_WAIT_S = 15;

const CONFIG = {
  // Small segments and an eager compaction: one starts whenever less than 90% of a log over 32 KiB is live, which
  // under this load is all the time (each completed one leaves a snap-*.manifest; a healthy core completes several
  // a second).
  storage: { segmentBytes: 64 * 1024, compactMinBytes: 32 * 1024, compactRatio: 0.9 },
  mns: { queues: [{ name: 'crashq', attributes: { VisibilityTimeout: MNS_VISIBILITY_S } }] },
  rocketmq: {
    invisibility: ROCKETMQ_INVISIBILITY_MS,
    topics: [{ name: 'crash', consumers: ['GID_a', 'GID_b'] }],
  },
  dms: { queues: [{ project: 'crashproj', name: 'crashq', groups: ['g1', 'g2'] }] },
};

const prefixed = (life: number, text: string): string =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `life ${life}: ${line}\n`)
    .join('');

describe('sluice serve under load, killed with SIGKILL again and again', () => {
  it('loses no confirmed send, resurrects no confirmed ack and changes no body across compactions', async () => {
    const began = Date.now();
    const rng = new Rng(seed);
    const dataDir = join(root, 'data');
    const configFile = join(root, 'sluice.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    const ledger = new Ledger({
      mns: ['mns:crashq'],
      rocketmq: ['rocketmq:GID_a', 'rocketmq:GID_b'],
      dms: ['dms:g1', 'dms:g2'],
    });
    const drivers: Driver[] = [
      new MnsDriver('crashq', MNS_VISIBILITY_S * 1000, ledger, rng),
      new RocketMqDriver('crash', ['GID_a', 'GID_b'], ROCKETMQ_INVISIBILITY_MS, ledger, rng),
      new DmsDriver('crashproj', 'crashq', ['g1', 'g2'], DMS_ACK_WAIT_S, ledger, rng),
    ];
    const watch = new CompactionWatch(dataDir);
    const carry: CarryOver = new Map();
    const lives: { index: number; loadMs: number }[] = [];
    const compactionsPerLife: number[] = [];
    let serverLog = '';
    let lastKillAt = 0;

    /** Starts the server on the data directory; it must come up every time. */
    const start = async (index: number): Promise<{ proc: SluiceProcess; life: Life }> => {
      const proc = await startSluice(dataDir, configFile);
      const life: Life = { index, url: proc.url, stopped: false };
      for (const driver of drivers) await driver.prepare(life);
      return { proc, life };
    };

    // 7 kills or more, until the lives add up to 10 s of load and every dialect has 300 confirmed sends (at most 12).
    let kills = 0;
    let loaded = 0;
    const thin = () =>
      ['mns', 'rocketmq', 'dms'].some((d) => (ledger.counts.get(`${d} sends confirmed`) ?? 0) < 300);
    try {
      for (let index = 1; index <= 7 || ((loaded < 10_000 || thin()) && index <= 12); index++) {
        kills = index;
        const before = watch.manifests.size;
        const { proc, life } = await start(index);
        const loadMs = rng.int(300, 2000);
        const load = runLoad(drivers, life, ledger, rng, carry);
        await pause(loadMs);
        await proc.kill();
        lastKillAt = Date.now();
        life.stopped = true;
        await load;
        serverLog += prefixed(index, proc.stderr());
        lives.push({ index, loadMs });
        loaded += loadMs;
        watch.poll();
        compactionsPerLife.push(watch.manifests.size - before);
      }

      // The last restart: ack what was left waiting, then take everything that is left, in every group at once.
      const { proc, life } = await start(kills + 1);
      const deadline = Date.now() + 45_000;
      await Promise.all(
        drivers.flatMap((driver) =>
          driver.groups.map(async (group) => {
            await ackCarried(driver, life, group, carry);
            // By then every delivery made before the last kill has timed out and is visible again.
            const quietFrom = lastKillAt + driver.visibilityMs(group) + 1500;
            await drainGroup(driver, life, group, ledger, quietFrom, deadline);
          }),
        ),
      );
      await proc.kill();
      serverLog += prefixed(kills + 1, proc.stderr());
      ledger.judgeLost();
    } finally {
      // Also when a restart failed (the error names its exit code and stderr): what was seen until then.
      watch.stop();
      console.log(
        report(ledger, {
          seed,
          dataDir,
          lives,
          compactions: watch.manifests.size,
          abandonedCompactions: watch.abandoned(),
          compactionsPerLife,
          durationMs: Date.now() - began,
          serverLog,
        }),
      );
    }

    // Enough happened for the run to mean something.
    for (const dialect of ['mns', 'rocketmq', 'dms']) {
      expect
        .soft(ledger.counts.get(`${dialect} sends confirmed`) ?? 0, `${dialect} sends confirmed`)
        .toBeGreaterThanOrEqual(100);
    }
    expect.soft(ledger.counts.get('acks confirmed') ?? 0, 'acks confirmed').toBeGreaterThanOrEqual(300);
    expect.soft(watch.manifests.size, 'compactions that completed').toBeGreaterThanOrEqual(5);
    // The invariants, each with its examples in the failure message.
    const kinds = byKind(ledger.violations);
    for (const kind of ['lost', 'resurrected', 'changed', 'handle refused', 'server error']) {
      expect.soft(kinds.get(kind) ?? { count: 0, examples: [] }, `${kind} (seed ${seed})`).toEqual({
        count: 0,
        examples: [],
      });
    }
  }, 150_000);
});
