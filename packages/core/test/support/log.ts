/** Helpers for tests of durable storage: temporary data directories and brokers opened on them. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import {
  createBroker,
  type LogStorageOptions,
  logStorage,
  type ManualClock,
  manualClock,
} from '../../src/index.js';

/** The start of virtual time in these tests. */
export const START = 1_700_000_000_000;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory, deleted after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-log-'));
  dirs.push(dir);
  return dir;
}

/** A broker on `logStorage({ dir, ...options })` and a manual clock. */
export async function open(
  dir: string,
  options: Partial<LogStorageOptions> = {},
  clock: ManualClock = manualClock(START),
) {
  const storage = logStorage({ reserveBytes: 0, ...options, dir });
  const broker = await createBroker({ storage, clock });
  return { broker, storage, clock };
}

/** A body as text. */
export const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

/** Names of the segments of `dir`, in order. */
export function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('seg-'))
    .sort();
}

/** Every file of `dir` with its bytes: to check that something changed nothing. */
export function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = readFileSync(join(dir, name)).toString('base64');
  return out;
}
