/**
 * A full disk and I/O errors are answers, not crashes: the calls that need the disk fail with a clear
 * error, the rest go on (acks and receives from the reserve), the status says why, and writing resumes
 * by itself once it can. Nothing acknowledged is lost, and nothing refused half-happened.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type LogIo, nodeIo, type StorageStatus } from '../src/index.js';
import { open, tempDir, text } from './support/log.js';

const enospc = (path: string) =>
  Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });

/**
 * A disk of `capacity` bytes holding `dir`: usage is the size of the files in it, a write past the free
 * space writes what fits and the next one fails with ENOSPC. Stands in for a small file system when the
 * test cannot mount one.
 */
function capacityIo(dir: string, capacity: { bytes: number }): LogIo {
  const used = () =>
    readdirSync(dir).reduce(
      (n, name) => n + (statSync(join(dir, name)).isFile() ? statSync(join(dir, name)).size : 0),
      0,
    );
  return {
    async write(fd, buffer, offset, length, position, path) {
      let size = 0;
      try {
        size = statSync(path).size;
      } catch {
        // a new file
      }
      const growth = Math.max(0, position + length - size);
      const room = capacity.bytes - used();
      if (growth > 0 && room <= 0) throw enospc(path);
      const n = growth > room ? length - (growth - room) : length;
      return nodeIo.write(fd, buffer, offset, n, position, path);
    },
    sync: nodeIo.sync,
    free: () => capacity.bytes - used(),
  };
}

/** Mounts a tmpfs of `bytes` at a new directory when this process may (root); undefined otherwise. */
function mountTmpfs(bytes: number): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

const until = async (done: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
};

describe('a full disk', () => {
  it('refuses sends, takes acks and receives from the reserve, and recovers by itself (real or simulated disk)', async () => {
    const capacity = 1536 * 1024;
    const mounted = mountTmpfs(capacity);
    const dir = mounted ?? tempDir();
    try {
      const disk = { bytes: capacity };
      const io = mounted === undefined ? capacityIo(dir, disk) : nodeIo;
      const { broker, storage } = await open(dir, {
        io,
        reserveBytes: 256 * 1024,
        retryIntervalMs: 10,
        segmentBytes: 256 * 1024,
      });
      const statuses: StorageStatus[] = [];
      storage.on('status', (s) => statuses.push(s));
      const queue = broker.createQueue('q', { visibilityTimeout: 60_000 });
      // Fill the disk: sends succeed until the reserve is gone, then they are refused.
      const body = 'f'.repeat(4096);
      const sent: string[] = [];
      let refused: unknown;
      for (let i = 0; i < 1000 && refused === undefined; i++) {
        try {
          sent.push((await queue.send({ body: `${i}:${body}` })).id);
        } catch (error) {
          refused = error;
        }
      }
      expect(refused).toMatchObject({ code: ErrorCode.StorageError });
      expect((refused as Error).message).toContain('disk');
      expect((refused as Error).message).not.toMatch(/ENOSPC|\/tmp|seg-/);
      expect(broker.status().state).toBe('degraded');
      expect(statuses[0]).toMatchObject({ state: 'degraded' });
      const stored = queue.stats().active;
      expect(stored).toBeGreaterThanOrEqual(sent.length - 1);
      // Consumers drain: receives and acks go on.
      const got = await queue.receive({ max: 20 });
      expect(got).toHaveLength(20);
      expect((await queue.ackBatch(got.map((d) => d.receiptHandle))).every((r) => r.ok)).toBe(true);
      await expect(queue.send({ body: 'more' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
      expect(queue.stats().active).toBe(stored - 20);
      // Space comes back: the storage notices by itself, writes its reserve again, and sends work.
      if (mounted === undefined) disk.bytes = capacity * 4;
      else execFileSync('mount', ['-o', `remount,size=${capacity * 4}`, dir]);
      await until(() => broker.status().state === 'ok');
      expect(statuses.at(-1)).toEqual({ state: 'ok' });
      await queue.send({ body: 'after' });
      expect(queue.stats().active).toBe(stored - 20 + 1);
      await broker.close();
      const again = await open(dir);
      const q = again.broker.queue('q');
      expect(q.stats().active).toBe(stored - 20 + 1);
      const acked = new Set(got.map((d) => d.id));
      const back = await q.receive({ max: 1000 });
      expect(back.some((d) => acked.has(d.id))).toBe(false);
      expect(back.map((d) => text(d.body)).at(-1)).toBe('after');
      await again.broker.close();
    } finally {
      // Lazily: a failed assertion may leave the broker's files open.
      if (mounted !== undefined) execFileSync('umount', ['-l', mounted]);
    }
  });

  it('fails every change once the reserve is used up too, keeps reads working, and loses nothing acknowledged', async () => {
    const dir = tempDir();
    const fault = { on: false };
    const io: LogIo = {
      write(fd, buffer, offset, length, position, path) {
        if (fault.on && !path.endsWith('RESERVE.tmp')) return Promise.reject(enospc(path));
        return nodeIo.write(fd, buffer, offset, length, position, path);
      },
      sync: nodeIo.sync,
    };
    const { broker } = await open(dir, { io, reserveBytes: 64 * 1024, retryIntervalMs: 10 });
    const queue = broker.createQueue('q', { visibilityTimeout: 60_000 });
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const [a, b] = await queue.receive({ max: 2 });
    fault.on = true;
    // The ack's write fails, the reserve is given up and the write fails again: the ack is not confirmed.
    await expect(queue.ack(a!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.StorageError });
    expect(broker.status()).toMatchObject({ state: 'degraded', reason: expect.stringContaining('full') });
    await expect(queue.ack(b!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.StorageError });
    await expect(queue.receive()).rejects.toMatchObject({ code: ErrorCode.StorageError });
    expect(queue.peek({ max: 5 }).map((m) => text(m.body))).toEqual(['c']);
    expect(queue.stats()).toMatchObject({ inflight: 1, active: 1, acked: 1 });
    fault.on = false;
    await until(() => broker.status().state === 'ok');
    await queue.ack(b!.receiptHandle);
    await broker.close();
    const again = await open(dir);
    // `a`'s ack was written once the disk had room again; `b`'s was confirmed: both are gone for good.
    expect(again.broker.queue('q').stats()).toMatchObject({ active: 1, inflight: 0, acked: 2 });
    await again.broker.close();
  });
});

describe('I/O errors', () => {
  it('an EIO on write fails the call, and writing resumes once writes succeed', async () => {
    const dir = tempDir();
    const fault = { writes: 0 };
    const io: LogIo = {
      write(fd, buffer, offset, length, position, path) {
        if (fault.writes > 0) {
          fault.writes--;
          return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
        }
        return nodeIo.write(fd, buffer, offset, length, position, path);
      },
      sync: nodeIo.sync,
    };
    const { broker } = await open(dir, { io, retryIntervalMs: 10 });
    const queue = broker.createQueue('q');
    fault.writes = 3;
    await expect(queue.send({ body: 'lost?' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
    expect(broker.status()).toMatchObject({
      state: 'degraded',
      reason: expect.stringContaining('I/O error'),
    });
    await until(() => broker.status().state === 'ok');
    await queue.send({ body: 'kept' });
    await broker.close();
    const again = await open(dir);
    // The refused send was written when the retry succeeded: at least once, never altered.
    expect((await again.broker.queue('q').receive({ max: 5 })).map((d) => text(d.body))).toEqual([
      'lost?',
      'kept',
    ]);
    await again.broker.close();
  });

  it('an EIO on fsync fails the storage for good (what the disk holds is unknown) until it is reopened', async () => {
    const dir = tempDir();
    const fault = { on: false };
    const io: LogIo = {
      write: nodeIo.write,
      sync(fd, full, path) {
        if (fault.on)
          return Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
        return nodeIo.sync(fd, full, path);
      },
    };
    const { broker } = await open(dir, { io, retryIntervalMs: 10 });
    const queue = broker.createQueue('q');
    await queue.send({ body: 'acknowledged' });
    fault.on = true;
    await expect(queue.send({ body: 'unknown' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
    fault.on = false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.status()).toMatchObject({ state: 'failed', reason: expect.stringContaining('restart') });
    await expect(queue.send({ body: 'refused' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
    expect(queue.stats().active).toBe(2);
    await broker.close();
    const again = await open(dir);
    const bodies = (await again.broker.queue('q').receive({ max: 5 })).map((d) => text(d.body));
    expect(bodies[0]).toBe('acknowledged');
    expect(bodies).not.toContain('refused');
    await again.broker.close();
  });
});

describe('closing', () => {
  it('resolves while the disk refuses the last writes (nothing acknowledged is lost), and says so', async () => {
    const dir = tempDir();
    const fault = { on: false };
    const io: LogIo = {
      write(fd, buffer, offset, length, position, path) {
        if (fault.on) return Promise.reject(enospc(path));
        return nodeIo.write(fd, buffer, offset, length, position, path);
      },
      sync: nodeIo.sync,
    };
    const { broker, storage } = await open(dir, { io, retryIntervalMs: 10 });
    const queue = broker.createQueue('q');
    await queue.send({ body: 'kept' });
    fault.on = true;
    await expect(queue.send({ body: 'refused' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
    await expect(broker.close()).resolves.toBeUndefined();
    expect(storage.warnings.at(-1)!.message).toMatch(
      /closed with \d+ bytes of unanswered changes not written/,
    );
    fault.on = false;
    const again = await open(dir);
    expect((await again.broker.queue('q').receive({ max: 5 })).map((d) => text(d.body))).toEqual(['kept']);
    await again.broker.close();
    mkdirSync(join(dir, 'x'));
    rmSync(join(dir, 'x'), { recursive: true });
  });
});
