/**
 * Model-based test of the broker on durable storage, with crashes.
 *
 * fast-check generates sequences of commands (`fc.commands`, run by `fc.asyncModelRun`, so a failure
 * shrinks to a short sequence): sends and batches of random bytes (empty, long runs of NUL and 0xff,
 * bytes holding well-formed log frames), tags, keys, properties, priorities, delays, ordering keys; receives,
 * parked long polls (woken by a send, a nack, an ack freeing an ordered key, a deadline; ended by their
 * wait or an AbortSignal), acks, batches of valid, stale, forged and garbage handles, nacks,
 * changeVisibility; groups and queues created, deleted and reconfigured (dead-letter queues set and
 * unset); the clock moved forward and stepped back; compaction awaited or racing the next commands;
 * graceful close and reopen; and kill -9: a copy of the data directory taken at a chosen write of the
 * log (before it, or after a torn prefix of it, including writes of a compaction) or between commands,
 * reopened by a new broker. The real broker runs `logStorage({ fsync: 'always' })` with tiny segments
 * and eager compaction, on a test clock (model/clock.ts).
 *
 * A reference model in plain TypeScript (model/world.ts, model/rules.ts) is checked after every step
 * against everything the broker shows (model/observe.ts: options, group and topic stats, every visible
 * message with its fields). Where the broker may choose (which visible messages a woken long poll takes,
 * which of two timers due at the same instant runs first) or a crash leaves things open (each call not
 * answered when the image was taken may or may not be in it: a send may or may not exist, an ack may or
 * may not have happened, a receive may have made a message inflight with a handle nobody has), the model
 * keeps every possible world (model/explore.ts, model/replay.ts) and lets observations rule them out.
 *
 * Invariants (a failure names one):
 * - I1 acknowledged is durable: after a reopen or a crash, a message whose send resolved and that no
 *   resolved ack, dead letter or expiry finished is still held by each group that held it, with its id,
 *   body bytes, tag, keys, properties, groupKey, priority and publishedAt; receive counts never go backwards.
 * - I2 nothing comes back: an acked, dead-lettered or expired message is never delivered again.
 * - I3 handles: the handle of a live delivery acks, across close + reopen, compaction and crash; a stale
 *   one answers ReceiptHandleExpired, a finished message MessageNotExist, garbage, forged or another
 *   group's handle ReceiptHandleError.
 * - I4 answers: receive returns only visible messages, at most max, all it can up to max, never two
 *   deliveries of one message at once; ordered groups never deliver a key with a message inflight and
 *   keep send order within a key; bodies are byte-equal; long polls are woken when something is ready.
 * - I5 stats: active / inflight / delayed match exactly; acked / deadLettered / expired count since the
 *   group was created and survive reopen and compaction; topic messages and bytes match.
 * - I6 due work applied on open: what fell due while the broker was down (deadlines, delays,
 *   retention) is applied before the first call: nothing past its retention is delivered.
 * - options: options as set, and a dead-letter queue naming a topic or the queue itself is refused.
 *
 * Semantics the model had to choose where the code is silent:
 * - What fell due while the broker was down (or what a crash image lost of the last step's timed work)
 *   is applied on open in due order, as if the broker had run: a message whose visibility deadline came
 *   before its retention is dead-lettered, not expired. Dead-letter copies made then are dated at the
 *   open. A copy made by a deadline that a crash may not have kept may be on disk, be made again on open,
 *   or both (at-least-once); a copy is never lost once its dead letter is.
 * - After the wall clock steps back, a deadline set afterwards fires its duration of clock time after it
 *   was set (and firstReceivedAt is the clock at that receive). Steps back are only taken when no
 *   deadline set before is pending (nothing delayed or inflight, no message in a short-retention topic):
 *   for those, both "by the wall clock" and "after the remaining time" are defensible.
 * - Records of calls that had not answered when a crash image was taken are each in it or not,
 *   independently (a batch need not be atomic); admin calls (create, delete, setOptions) are followed by
 *   `broker.flush()` and count as answered once it resolves. A create is atomic: a half-made queue is a bug.
 * - Messages without a groupKey in an ordered group share the key '' (one batch inflight at a time);
 *   their order among themselves is not asserted (delays may reorder them). Messages with a groupKey are
 *   never delayed by the generators, and ordered queues are never dead-letter targets.
 * - A group's tag filter never matches an untagged message.
 * - A create naming an existing queue or group with a dead-letter queue that must be refused may answer
 *   either error.
 *
 * `pnpm test` runs fixed seeds (CI_SEEDS, CI_RUNS runs each, shrinking bounded by CI_BUDGET_MS per
 * seed), then every failure found so far as a fixed, named command sequence (model/found.ts).
 * `pnpm soak --minutes N` runs new seeds for N minutes and prints how to replay a failure exactly:
 *   SLUICE_MODEL_SEED=… SLUICE_MODEL_PATH=… SLUICE_MODEL_REPLAY_PATH=… pnpm exec vitest run --project core packages/core/test/model.test.ts
 * See model/config.ts for the exploration switches (skip command kinds, tick on open) and verbose steps.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { commandArb, SETUP_DESCRIPTION, setupCommands } from './model/commands.js';
import { readConfig } from './model/config.js';
import { FOUND } from './model/found.js';
import { Harness } from './model/harness.js';

const config = readConfig();

/** Fixed seeds for CI: deterministic command sequences. */
const CI_SEEDS = [1, 2, 3, 4];
const CI_RUNS = 30;
/** Per seed, generation and shrinking included (a safety net: the runs above fit well within it). */
const CI_BUDGET_MS = 18_000;
const MAX_COMMANDS = 60;

interface RunOptions {
  readonly seed: number;
  readonly runs: number;
  readonly budgetMs: number | undefined;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
}

function report(
  seed: number,
  details: fc.RunDetails<[Iterable<fc.AsyncCommand<object, Harness>>]>,
  cut: boolean,
): string {
  const lines = [`MODEL FAILURE seed=${seed}`];
  if (details.counterexample === null) {
    lines.push(String(details.errorInstance ?? 'no counterexample'));
    return lines.join('\n');
  }
  const [cmds] = details.counterexample;
  const replayPath = /\/\*replayPath="(.*)"\*\//.exec(String(cmds))?.[1];
  // The commands generated depend on SLUICE_MODEL_SKIP: a replay needs the same settings.
  const settings = ['SLUICE_MODEL_SKIP', 'SLUICE_MODEL_TICK_ON_OPEN']
    .filter((name) => process.env[name] !== undefined && process.env[name] !== '')
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  const ran = [...(cmds as Iterable<{ hasRan?: boolean; toString(): string }>)].filter((c) => c.hasRan);
  lines.push(
    `path=${details.counterexamplePath}`,
    `replayPath=${replayPath ?? ''}`,
    `replay: ${settings}SLUICE_MODEL_SEED=${seed} SLUICE_MODEL_PATH='${details.counterexamplePath}' SLUICE_MODEL_REPLAY_PATH='${replayPath ?? ''}' pnpm exec vitest run --project core packages/core/test/model.test.ts`,
    `after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s)${cut ? ' (shrinking cut short by the time budget)' : ''}`,
    `setup: ${SETUP_DESCRIPTION}`,
    'commands:',
    ...ran.map((c, i) => `  ${i + 1}. ${c.toString()}`),
    'error:',
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
  );
  return lines.join('\n');
}

async function runModel(options: RunOptions): Promise<void> {
  const commands = fc.commands([commandArb(config.skip)], {
    maxCommands: MAX_COMMANDS,
    size: 'max',
    ...(options.replayPath !== undefined && { replayPath: options.replayPath }),
  });
  // The budget (generation and shrinking): past it, a run executes no more commands and passes, so
  // fast-check ends with the smallest failure found so far.
  const deadline = options.budgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.budgetMs;
  let cut = false;
  const property = fc.asyncProperty(commands, async (cmds) => {
    if (Date.now() > deadline) {
      cut = true;
      return;
    }
    const h = await Harness.create(config, setupCommands());
    h.deadline = deadline;
    try {
      await fc.asyncModelRun(() => ({ model: {}, real: h }), cmds);
      if (h.findings.length > 0) throw new Error(`[crash image] findings:\n  ${h.findings.join('\n  ')}`);
    } finally {
      cut ||= h.cut;
      await h.dispose();
    }
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path !== undefined && { path: options.path, endOnFailure: true }),
  });
  if (details.failed) throw new Error(report(options.seed, details, cut));
  console.log(
    `MODEL OK seed=${options.seed} runs=${details.numRuns}${cut ? ' (time budget reached: some runs cut short)' : ''}`,
  );
}

/** Soak: runs per fast-check call (each call's seed is printed), and the time a failure may shrink. */
const SOAK_BATCH = 10;
const SOAK_SHRINK_MS = 180_000;

describe('broker against the reference model (log storage, crashes)', () => {
  const seed = config.seed;
  const seconds = config.seconds;
  if (seed !== undefined && seconds !== undefined) {
    // Soak: consecutive seeds from `seed` until the time is up; a failure stops it (and names its seed).
    it(
      `seeds from ${seed} for ${seconds} s`,
      async () => {
        const end = Date.now() + seconds * 1000;
        for (let s = seed; Date.now() < end; s++) {
          await runModel({
            seed: s,
            runs: config.runs ?? SOAK_BATCH,
            budgetMs: SOAK_SHRINK_MS,
            path: undefined,
            replayPath: undefined,
          });
        }
      },
      (seconds + SOAK_SHRINK_MS / 1000 + 120) * 1000,
    );
  } else if (seed !== undefined) {
    // Replay (with SLUICE_MODEL_PATH and SLUICE_MODEL_REPLAY_PATH: exactly the printed counterexample).
    it(
      `seed ${seed}`,
      () =>
        runModel({
          seed,
          runs: config.runs ?? CI_RUNS,
          budgetMs: undefined,
          path: config.path,
          replayPath: config.replayPath,
        }),
      3_600_000,
    );
  } else {
    for (const s of CI_SEEDS) {
      it(
        `seed ${s}`,
        () =>
          runModel({
            seed: s,
            runs: config.runs ?? CI_RUNS,
            budgetMs: CI_BUDGET_MS,
            path: undefined,
            replayPath: undefined,
          }),
        CI_BUDGET_MS + 30_000,
      );
    }
  }
});

// Not in a soak or a replay: those run one seed.
describe.runIf(config.seed === undefined)(
  'failures found so far, as fixed command sequences (after the same setup)',
  () => {
    for (const found of FOUND) {
      it(`${found.name} [${found.invariant}]`, async () => {
        const h = await Harness.create(config, setupCommands());
        try {
          for (const cmd of found.commands()) await h.exec(cmd);
        } finally {
          await h.dispose();
        }
      });
    }
  },
);
