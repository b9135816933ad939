/**
 * The data-directory lock against real processes: other brokers are child `node` processes running
 * `src/storage/lock.ts` itself.
 *
 * How the children run TypeScript: Node 20 cannot strip types and the workspace has no tsx or
 * vite-node, and building `dist` in `beforeAll` is slow and can test stale or half-written output
 * (core's other files change under other branches). So each child is started with a small module
 * hook (`module.register`) that transpiles `.ts` files with the workspace's own `typescript`
 * (`transpileModule`: no type check, which the typecheck step does) and maps `./x.js` imports to
 * `./x.ts`, as the source is written for `nodenext`. The source runs in place, so
 * `createRequire(import.meta.url)` in lock.ts finds `fs-native-extensions` exactly as it does in `dist`.
 * For the fallback, a `--require` preload makes `fs-native-extensions` unresolvable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, SluiceError } from '../src/errors.js';
import { acquireLock, LOCK_FALLBACK_WARNING, lockMechanism, releaseLock } from '../src/storage/lock.js';

const require = createRequire(import.meta.url);
const LOCK_TS = new URL('../src/storage/lock.ts', import.meta.url).href;

let scratch: string;
let hooks: { register: string; block: string; child: string };
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sluice-lock-'));
  const file = (name: string, text: string) => {
    const path = join(scratch, name);
    writeFileSync(path, text);
    return path;
  };
  const loader = file(
    'ts-hooks.mjs',
    `import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from ${JSON.stringify(pathToFileURL(require.resolve('typescript')).href)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!specifier.endsWith('.js') || !context.parentURL?.endsWith('.ts')) throw error;
    return next(specifier.slice(0, -3) + '.ts', context);
  }
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
`,
  );
  hooks = {
    register: file(
      'register.mjs',
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(loader).href)});\n`,
    ),
    block: file(
      'block-native.cjs',
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'fs-native-extensions') {
    throw Object.assign(new Error('blocked by lock.test.ts'), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`,
    ),
    // Takes the lock of each directory in argv, prints one JSON line, then exits (or stays, HOLD=1).
    child: file(
      'child.mjs',
      `const { acquireLock, lockMechanism } = await import(process.env.SLUICE_LOCK_TS);
const warnings = [];
process.on('warning', (warning) => warnings.push(warning.code));
const results = process.argv.slice(2).map((dir) => {
  try {
    acquireLock(dir);
    return { ok: true };
  } catch (error) {
    return { ok: false, name: error.name, code: error.code, message: error.message };
  }
});
await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
process.stdout.write(JSON.stringify({ mechanism: lockMechanism(), results, warnings }) + '\\n');
if (process.env.HOLD === '1') setInterval(() => {}, 1 << 30);
`,
    ),
  };
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Report {
  mechanism: 'os' | 'pid';
  results: { ok: boolean; name?: string; code?: string; message?: string }[];
  warnings: string[];
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children) await kill(child);
  children.clear();
  for (const dir of dirs.splice(0)) {
    releaseLock(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-lock-dir-'));
  dirs.push(dir);
  return dir;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** A live process that has nothing to do with Sluice. */
function bystander(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.add(child);
  return child;
}

/** Runs child.mjs on `dirs`: resolves with the child and its report once it has tried them all. */
function broker(
  lockDirs: string[],
  { hold = false, fallback = false } = {},
): Promise<{ child: ChildProcess; pid: number; report: Report }> {
  const preload = fallback ? ['--require', hooks.block] : [];
  const child = spawn(process.execPath, [...preload, '--import', hooks.register, hooks.child, ...lockDirs], {
    env: { ...process.env, SLUICE_LOCK_TS: LOCK_TS, HOLD: hold ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.indexOf('\n');
      if (line >= 0) resolve({ child, pid: child.pid!, report: JSON.parse(out.slice(0, line)) as Report });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) first: ${err}`)));
  });
}

/** The `SluiceError` that `fn` throws. */
function thrown(fn: () => void): SluiceError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe(ErrorCode.StorageError);
    return error as SluiceError;
  }
  throw new Error('expected a StorageError, nothing was thrown');
}

const lockFile = (dir: string) => readFileSync(join(dir, 'LOCK'), 'utf8');

describe('data directory lock', () => {
  it('uses the OS lock here (fs-native-extensions has a prebuild for this platform)', () => {
    expect(lockMechanism()).toBe('os');
  });

  it('takes a directory whose LOCK names a live process that is not a broker (reboot, pid reuse)', async () => {
    const other = bystander();
    expect(() => process.kill(other.pid!, 0)).not.toThrow();
    const dir = tempDir();
    writeFileSync(join(dir, 'LOCK'), String(other.pid));
    acquireLock(dir);
    expect(lockFile(dir)).toBe(String(process.pid));
    releaseLock(dir);

    // The same from a fresh process, whose LOCK names its own parent.
    const child = tempDir();
    writeFileSync(join(child, 'LOCK'), String(process.pid));
    const { report } = await broker([child]);
    expect(report.mechanism).toBe('os');
    expect(report.results).toEqual([{ ok: true }]);
  });

  it('refuses a directory another live process holds, naming its pid, and gets it at once when that process is SIGKILLed', async () => {
    const dir = tempDir();
    const holder = await broker([dir], { hold: true });
    expect(holder.report.results).toEqual([{ ok: true }]);
    expect(lockFile(dir)).toBe(String(holder.pid));

    const error = thrown(() => acquireLock(dir));
    expect(error.message).toBe(`data directory ${dir} is locked by another broker (pid ${holder.pid})`);
    expect(error.details).toEqual({ dir, pid: holder.pid });

    holder.child.kill('SIGKILL');
    await once(holder.child, 'exit');
    acquireLock(dir); // no retry, no wait: the kernel dropped the lock with the process
    expect(lockFile(dir)).toBe(String(process.pid));

    // And the other way round: this process holds it, a fresh one is refused.
    const late = await broker([dir]);
    expect(late.report.results).toEqual([
      {
        ok: false,
        name: 'SluiceError',
        code: ErrorCode.StorageError,
        message: `data directory ${dir} is locked by another broker (pid ${process.pid})`,
      },
    ]);
  });

  it('refuses the same directory twice in one process, and gives it back on release without deleting LOCK', () => {
    const dir = tempDir();
    acquireLock(dir);
    expect(thrown(() => acquireLock(dir)).message).toBe(
      `data directory ${dir} is already open in this process`,
    );
    expect(thrown(() => acquireLock(`${dir}/.`)).message).toContain('already open in this process');
    releaseLock(dir);
    expect(existsSync(join(dir, 'LOCK'))).toBe(true);
    expect(lockFile(dir)).toBe(''); // no stale pid left behind
    acquireLock(dir);
    releaseLock(dir);
    releaseLock(dir); // a second release is a no-op
    expect(existsSync(join(dir, 'LOCK'))).toBe(true);
  });

  it('conflicts with another open file of this process too, and omits a pid LOCK does not hold', () => {
    const native = require('fs-native-extensions') as {
      tryLock(fd: number): boolean;
      unlock(fd: number): void;
    };
    const dir = tempDir();
    writeFileSync(join(dir, 'LOCK'), '');
    const fd = openSync(join(dir, 'LOCK'), 'r+');
    try {
      expect(native.tryLock(fd)).toBe(true);
      expect(thrown(() => acquireLock(dir)).message).toBe(
        `data directory ${dir} is locked by another broker`,
      );
      writeFileSync(join(dir, 'LOCK'), String(process.pid));
      expect(thrown(() => acquireLock(dir)).message).toContain('already open in this process');
      native.unlock(fd);
      acquireLock(dir);
    } finally {
      closeSync(fd);
    }
  });

  it('names the directory it cannot use', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const underFile = join(file, 'data');
    const first = thrown(() => acquireLock(underFile));
    expect(first.message).toContain(`cannot lock data directory ${underFile}: `);
    expect(first.details).toEqual({ dir: underFile });
    const missing = join(tempDir(), 'missing', 'data');
    expect(thrown(() => acquireLock(missing)).message).toContain(`cannot lock data directory ${missing}: `);
    expect(existsSync(join(missing, 'LOCK'))).toBe(false);
  });

  it('falls back to the pid check, warning once, when fs-native-extensions cannot be loaded', async () => {
    const other = bystander();
    const [busy, free, stale] = [tempDir(), tempDir(), tempDir()];
    writeFileSync(join(busy, 'LOCK'), String(other.pid));
    writeFileSync(join(stale, 'LOCK'), '999999999'); // above any pid_max: nobody
    const { pid, report } = await broker([busy, free, stale], { fallback: true });
    expect(report.mechanism).toBe('pid');
    expect(report.warnings).toEqual([LOCK_FALLBACK_WARNING]);
    expect(report.results[0]).toMatchObject({ ok: false, code: ErrorCode.StorageError });
    expect(report.results[0]?.message).toContain(
      `data directory ${busy} is locked by another broker (pid ${other.pid})`,
    );
    expect(report.results[0]?.message).toContain('fs-native-extensions could not be loaded');
    expect(report.results[0]?.message).toContain(`if no broker uses ${busy}, empty its LOCK file`);
    expect(report.results.slice(1)).toEqual([{ ok: true }, { ok: true }]);
    expect(lockFile(busy)).toBe(String(other.pid));
    expect(lockFile(free)).toBe(String(pid));
    expect(lockFile(stale)).toBe(String(pid));
  });
});
