/** @module benchmarks/lib/results — the machine a run was on, and the JSON result file it leaves */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { builtAt } from './packages.mjs';

/** Where result files go: benchmarks/results/. */
export const RESULTS_DIR = new URL('../results/', import.meta.url);

/**
 * What a figure depends on besides the code: Node, CPU, cores, memory and how busy the machine was.
 * The load average matters on a shared machine: a 2-core box with load 4 halves every rate.
 */
export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The git commit of the working tree and whether it had local changes (the core may be mid-edit). */
export function gitRevision() {
  const cwd = new URL('../', import.meta.url);
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', '../packages/core/src'], {
        cwd,
        encoding: 'utf8',
      }).trim().length > 0;
    return { commit, coreSourceDirty: dirty };
  } catch {
    return { commit: 'unknown', coreSourceDirty: false };
  }
}

/**
 * When the measured build of @sluice/core was made (newest file of its dist/: the snapshot named by
 * SLUICE_PACKAGES, else packages/core/dist), or undefined when not built.
 */
export function coreBuiltAt() {
  return builtAt('core');
}

/** Today's date as yyyy-mm-dd (local time: the date the person running it sees). */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Writes `data` as pretty JSON to benchmarks/results/<name>; answers the file's path.
 * @param {string} name file name, e.g. `core-2026-01-31.json`
 * @param {unknown} data
 */
export function writeResult(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const url = new URL(name, RESULTS_DIR);
  writeFileSync(url, `${JSON.stringify(data, null, 2)}\n`);
  return url.pathname;
}
