/**
 * @module server.process.test — `sluice serve` as a process at its edges in time: a SIGTERM the instant the ready
 * line appears (or while it is still starting) is always the graceful shutdown, and a port in use fails before the
 * data directory is created.
 */
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './helpers/cli.js';

/** Starts `sluice serve` and sends SIGTERM from the very data event that carries the ready line. */
async function termAtReady(args: readonly string[]): Promise<{ exit: number | string; stdout: string }> {
  const c = run(['serve', ...args]);
  let seen = '';
  c.child.stdout!.on('data', (chunk: string) => {
    if (seen.includes('sluice listening on')) return;
    seen += chunk;
    if (seen.includes('sluice listening on')) c.child.kill('SIGTERM');
  });
  const exit = await c.exit;
  return { exit, stdout: c.stdout() };
}

const freePort = async (): Promise<number> => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
};

describe('signals', () => {
  it('a SIGTERM the instant the ready line appears always shuts down gracefully (20 tries)', async () => {
    const outcomes: { exit: number | string; stdout: string }[] = [];
    // Five at a time: quick, without starving the machine.
    for (let round = 0; round < 4; round++) {
      outcomes.push(
        ...(await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            termAtReady(
              i % 2 === 0 ? ['--port', '0', '--memory'] : ['--port', '0', '--data-dir', join(tempDir(), 'd')],
            ),
          ),
        )),
      );
    }
    for (const o of outcomes) {
      expect(o.exit).toBe(0);
      expect(o.stdout).toContain('sluice: SIGTERM, shutting down');
      expect(o.stdout).toContain('sluice: stopped');
    }
  }, 60_000);

  it('a SIGTERM once the port accepts connections, before the ready line, is the graceful shutdown too', async () => {
    const port = await freePort();
    const c = run(['serve', '--port', String(port), '--data-dir', join(tempDir(), 'd')]);
    // Poll the port: the first connection that succeeds is the earliest moment a client could see the server.
    let connected = false;
    while (!connected) {
      connected = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (!connected) await new Promise((r) => setTimeout(r, 2));
    }
    c.child.kill('SIGTERM');
    expect(await c.exit).toBe(0);
    expect(c.stdout()).toContain('sluice: stopped');
  }, 20_000);
});

describe('a port in use', () => {
  it('fails before the data directory (or its lock) is created', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    const data = join(tempDir(), 'fresh', 'data');
    try {
      const c = run(['serve', '--port', String(port), '--data-dir', data]);
      expect(await c.exit).toBe(1);
      expect(c.stderr()).toBe(
        `sluice: port ${port} on 127.0.0.1 is already in use (choose another with --port, or --port 0 for a free one)\n`,
      );
      expect(existsSync(data)).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
