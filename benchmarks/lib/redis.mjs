/** @module benchmarks/lib/redis — a throw-away local redis-server for the Redis-backed peers (BullMQ, bee-queue) */
/*
 * The peers that need Redis get a real one, started by the benchmark itself: Debian's `redis-server` on a free
 * loopback port, in a fresh temp directory, with persistence chosen per comparison (none for the in-memory
 * rows, an append-only file fsynced every second for the durable ones). It is stopped by its PID afterwards,
 * also when the benchmark fails or is interrupted, and its directory is removed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What to print when redis-server is missing. */
export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';

/** Persistence modes: `memory` (no RDB, no AOF) and `aof` (appendonly yes, appendfsync everysec). */
export const RedisPersistence = /** @type {const} */ ({ memory: 'memory', aof: 'aof' });

/**
 * The redis-server binary and its version, or why it is not usable.
 * @returns {{ ok: true, path: string, version: string } | { ok: false, reason: string }}
 */
export function findRedisServer() {
  let path;
  try {
    path = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    path = '';
  }
  if (path === '') return { ok: false, reason: `redis-server not installed (${REDIS_INSTALL_HINT})` };
  try {
    const text = execFileSync(path, ['--version'], { encoding: 'utf8' });
    return { ok: true, path, version: /v=(\S+)/.exec(text)?.[1] ?? text.trim() };
  } catch (error) {
    return { ok: false, reason: `redis-server does not run: ${error?.message ?? error}` };
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks one; it is released just before redis binds it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, rejects after `timeoutMs`. */
async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Servers started by this process, stopped on exit whatever happens. */
const running = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  const stopAll = () => {
    for (const server of running) server.stopSync();
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopAll();
      process.exit(130);
    });
  }
}

/**
 * Starts redis-server on a free loopback port in a fresh temp dir.
 * @param {'memory' | 'aof'} persistence
 * @returns {Promise<{ port: number, pid: number, dir: string, version: string, persistence: string, stop: () => Promise<void>, stopSync: () => void }>}
 */
export async function startRedis(persistence) {
  const found = findRedisServer();
  if (!found.ok) throw new Error(found.reason);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning');
  if (persistence === 'aof') args.push('--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');
  const child = spawn(found.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped = false;
  const server = {
    port,
    pid: child.pid,
    dir,
    version: found.version,
    persistence,
    stopSync() {
      if (stopped) return;
      stopped = true;
      running.delete(server);
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  hookExit();
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      exited.then((code) => {
        throw new Error(`redis-server exited with ${code}: ${stderr.trim().slice(0, 300)}`);
      }),
    ]);
  } catch (error) {
    server.stopSync();
    throw error;
  }
  return server;
}
