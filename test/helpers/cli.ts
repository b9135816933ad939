/**
 * @module cli — the `sluice` CLI as child processes for tests (node packages/server/dist/cli.js; `pnpm test` builds
 * first): run a command, start `sluice serve` and wait for its ready line, stop it with SIGTERM. Children and temp
 * dirs are cleaned up after each test (kept ones, a describe's shared server, after all).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

export const CLI = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));

/** A CLI child process and what it printed. */
export interface Child {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exit: Promise<number | string>;
}

export interface Serving extends Child {
  readonly url: string;
  readonly port: number;
}

/** Children of the running test, killed after it; `kept` ones (a describe's shared server) only at the end. */
const children = new Set<ChildProcess>();
const kept = new Set<ChildProcess>();
const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  dirs.push(dir);
  return dir;
}

export function run(args: readonly string[], cwd = tempDir(), keep = false): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  (keep ? kept : children).add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      kept.delete(child);
      resolve(code ?? signal ?? -1);
    });
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Starts `sluice serve …` and waits for its ready line. */
export async function serve(args: readonly string[], keep = false): Promise<Serving> {
  const c = run(['serve', ...args], undefined, keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /sluice listening on (http:\/\/\S+)/.exec(c.stdout());
      if (m !== null) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 20);
    c.exit.then((code) => {
      clearInterval(timer);
      reject(new Error(`sluice exited with ${code}: ${c.stderr()}`));
    });
  });
  return { ...c, url, port: Number(new URL(url).port) };
}

export async function stop(s: Child): Promise<number | string> {
  s.child.kill('SIGTERM');
  return s.exit;
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
});
afterAll(() => {
  for (const child of kept) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
