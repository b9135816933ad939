#!/usr/bin/env node
/**
 * `pnpm soak --minutes N`: runs the model test (packages/core/test/model.test.ts) for N minutes on new
 * random seeds, one vitest process per chunk of `--chunk` seconds (default 120), and prints every seed
 * it ran. For a failure it prints the invariant, the shrunk commands and the exact replay command:
 *
 *   SLUICE_MODEL_SEED=… SLUICE_MODEL_PATH=… SLUICE_MODEL_REPLAY_PATH=… pnpm exec vitest run --project core packages/core/test/model.test.ts
 *
 * Other SLUICE_MODEL_* variables (see packages/core/test/model/config.ts) are passed through. Exits 1
 * when any seed failed.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} needs a positive number, got ${value}`);
    process.exit(2);
  }
  return n;
}

const minutes = option('minutes', 10);
const chunk = option('chunk', 120);
const deadline = Date.now() + minutes * 60_000;
const logDir = join(root, 'node_modules', '.soak');
mkdirSync(logDir, { recursive: true });

/** Runs one vitest process on `seed` for `seconds`; answers its exit code and output. */
function run(seed, seconds) {
  return new Promise((resolve) => {
    const child = spawn(
      'pnpm',
      ['exec', 'vitest', 'run', '--project', 'core', 'packages/core/test/model.test.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          SLUICE_MODEL_SEED: String(seed),
          SLUICE_MODEL_SECONDS: String(seconds),
          FORCE_COLOR: '0',
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The failure report the test prints, from `MODEL FAILURE` to the end of its error (first lines). */
function failureReport(output) {
  const clean = output.replace(ANSI, '');
  const start = clean.indexOf('MODEL FAILURE');
  if (start < 0) return undefined;
  const lines = clean.slice(start).split('\n');
  const errorAt = lines.findIndex((l) => l.startsWith('error:'));
  const end = errorAt < 0 ? 40 : Math.min(lines.length, errorAt + 14);
  return lines
    .slice(0, end)
    .filter((l) => !/^\s*\d+\|/.test(l) && !l.includes('❯'))
    .join('\n');
}

const failures = [];
let chunks = 0;
let totalRuns = 0;
console.log(`soak: ${minutes} min of the model test, new seeds every ${chunk} s (logs in ${logDir})`);
while (Date.now() < deadline - 10_000) {
  const seconds = Math.max(5, Math.min(chunk, Math.floor((deadline - Date.now()) / 1000) - 10));
  const seed = randomInt(1, 2 ** 31 - 1);
  const started = Date.now();
  process.stdout.write(`seed ${seed} (${seconds} s)… `);
  const { code, output } = await run(seed, seconds);
  chunks++;
  writeFileSync(join(logDir, `seed-${seed}.log`), output);
  const oks = [...output.matchAll(/MODEL OK seed=(\d+) runs=(\d+)/g)];
  const runs = oks.reduce((n, m) => n + Number(m[2]), 0);
  totalRuns += runs;
  const report = failureReport(output);
  const took = ((Date.now() - started) / 1000).toFixed(0);
  if (code === 0) {
    console.log(`ok, ${runs} runs over seeds ${seed}..${seed + Math.max(0, oks.length - 1)} in ${took} s`);
    continue;
  }
  console.log(`FAILED after ${took} s`);
  const text = report ?? output.split('\n').slice(-40).join('\n');
  console.log(text.replace(/^/gm, '  '));
  failures.push({ seed, text });
}

console.log(`\nsoak done: ${chunks} process(es), ${totalRuns} passing runs, ${failures.length} failure(s)`);
for (const f of failures) {
  const replay = /replay: (.*)/.exec(f.text)?.[1];
  const seed = /MODEL FAILURE seed=(\d+)/.exec(f.text)?.[1] ?? f.seed;
  const what =
    f.text
      .split('\n')
      .find((l) => /^\[|^\s+\[/.test(l))
      ?.trim() ?? '';
  console.log(`- seed ${seed}: ${what}`);
  if (replay !== undefined) console.log(`  ${replay}`);
}
process.exit(failures.length > 0 ? 1 : 0);
