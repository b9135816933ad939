/**
 * Settings of the model test, from the environment.
 *
 * - SLUICE_MODEL_SEED: run this seed only (with SLUICE_MODEL_PATH and SLUICE_MODEL_REPLAY_PATH: replay
 *   that exact failing case, as printed by a failure).
 * - SLUICE_MODEL_SECONDS: with SLUICE_MODEL_SEED, run seeds SEED, SEED+1, … for this long (soak; scripts/soak.mjs
 *   starts each chunk at a new random seed).
 * - SLUICE_MODEL_RUNS: runs per seed (default: 30 in CI and in a replay, 10 per seed of a soak).
 * - SLUICE_MODEL_SKIP: exploration only, comma-separated command kinds never to generate (see
 *   commands.ts `KINDS`), to look past a known failure that masks others. The default skips nothing.
 * - SLUICE_MODEL_TICK_ON_OPEN=1: exploration only, advance the clock by 0 right after every open, so
 *   that a broker that applies due work only at its first tick is not reported (I6) at every reopen.
 * - SLUICE_MODEL_VERBOSE=1: print every step of every run.
 */
export interface Config {
  readonly seed: number | undefined;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
  readonly seconds: number | undefined;
  readonly runs: number | undefined;
  readonly skip: ReadonlySet<string>;
  readonly tickOnOpen: boolean;
  readonly verbose: boolean;
}

function num(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${v}`);
  return n;
}

function str(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

export function readConfig(): Config {
  return {
    seed: num('SLUICE_MODEL_SEED'),
    path: str('SLUICE_MODEL_PATH'),
    replayPath: str('SLUICE_MODEL_REPLAY_PATH'),
    seconds: num('SLUICE_MODEL_SECONDS'),
    runs: num('SLUICE_MODEL_RUNS'),
    skip: new Set(
      (str('SLUICE_MODEL_SKIP') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
    tickOnOpen: str('SLUICE_MODEL_TICK_ON_OPEN') === '1',
    verbose: str('SLUICE_MODEL_VERBOSE') === '1',
  };
}
