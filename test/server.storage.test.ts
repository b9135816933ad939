/**
 * @module server.storage.test — the server on a disk that fills up or is damaged: `/healthz` says why it is not
 * healthy, consumers keep draining while producers are refused with the dialect's own error, it recovers by itself,
 * SIGTERM still exits 0; a damaged data dir is refused at start, naming the file, and `sluice repair` repairs it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, type LogIo, logStorage, nodeIo } from '@sluice/core';
import { createSluiceHandler } from '@sluice/server';
import { afterEach, describe, expect, it } from 'vitest';
import { run, serve, stop, tempDir } from './helpers/cli.js';
import { type Listening, listen } from './helpers/listen.js';
import { mnsFetch } from './helpers/mns-raw.js';

const send = (url: string, body: string) =>
  mnsFetch(url, '/queues/jobs/messages', {
    method: 'POST',
    body: `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody></Message>`,
  });
const receive = (url: string) => mnsFetch(url, '/queues/jobs/messages?numOfMessages=16');
const handles = (xml: string) =>
  [...xml.matchAll(/<ReceiptHandle>([^<]+)<\/ReceiptHandle>/g)].map((m) => m[1]!);
const remove = (url: string, handle: string) =>
  mnsFetch(url, `/queues/jobs/messages?ReceiptHandle=${encodeURIComponent(handle)}`, { method: 'DELETE' });
const health = async (url: string) => {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const until = async (done: () => Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!(await done()) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await done()).toBe(true);
};

/** A disk of `capacity.bytes` holding `dir` (usage: the size of its files), for where no file system can be mounted. */
function capacityIo(dir: string, capacity: { bytes: number }): LogIo {
  const used = () => readdirSync(dir).reduce((n, name) => n + statSync(join(dir, name)).size, 0);
  return {
    async write(fd, buffer, offset, length, position, path) {
      const size = (() => {
        try {
          return statSync(path).size;
        } catch {
          return 0;
        }
      })();
      const room = capacity.bytes - used();
      const growth = Math.max(0, position + length - size);
      if (growth > 0 && room <= 0)
        throw Object.assign(new Error(`ENOSPC: write '${path}'`), { code: 'ENOSPC' });
      return nodeIo.write(
        fd,
        buffer,
        offset,
        growth > room ? length - (growth - room) : length,
        position,
        path,
      );
    },
    sync: nodeIo.sync,
    free: () => capacity.bytes - used(),
  };
}

let listening: Listening | undefined;
afterEach(async () => {
  await listening?.close();
  listening = undefined;
});

/** Fills the disk through MNS sends until one is refused; answers how many were confirmed and the refusal. */
async function fill(url: string) {
  let confirmed = 0;
  for (let i = 0; i < 2_000; i++) {
    const response = await send(url, `${i}:${'f'.repeat(3_000)}`);
    if (response.status === 201) confirmed++;
    else return { confirmed, refusal: { status: response.status, text: await response.text() } };
  }
  throw new Error('the disk never filled up');
}

describe('a full disk under the server', () => {
  it('answers sends with 500 InternalError and no internal text, keeps receives and deletes working, /healthz 503 with why, and recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-full-'));
    const capacity = { bytes: 2 * 1024 * 1024 };
    const broker = await createBroker({
      storage: logStorage({
        dir,
        io: capacityIo(dir, capacity),
        reserveBytes: 256 * 1024,
        segmentBytes: 256 * 1024,
        retryIntervalMs: 20,
      }),
    });
    try {
      listening = await listen(createSluiceHandler(broker, { processMetrics: false }).node);
      const url = listening.url;
      expect((await mnsFetch(url, '/queues/jobs', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
      expect(await health(url)).toEqual({ status: 200, body: { status: 'ok' } });
      const { confirmed, refusal } = await fill(url);
      expect(confirmed).toBeGreaterThan(100);
      expect(refusal.status).toBe(500);
      expect(refusal.text).toContain('<Code>InternalError</Code>');
      expect(refusal.text).not.toMatch(/ENOSPC|\/tmp|seg-|\.log|at /);
      const unhealthy = await health(url);
      expect(unhealthy.status).toBe(503);
      expect(unhealthy.body).toMatchObject({
        status: 'degraded',
        storage: expect.stringContaining('disk is full'),
      });
      // Consumers drain while producers are refused.
      const got = await receive(url);
      expect(got.status).toBe(200);
      const received = handles(await got.text());
      expect(received.length).toBe(16);
      for (const handle of received) expect((await remove(url, handle)).status).toBe(204);
      expect((await send(url, 'refused')).status).toBe(500);
      // Space comes back: healthy again by itself, and sends go through.
      capacity.bytes *= 4;
      await until(async () => (await health(url)).status === 200);
      expect((await send(url, 'after')).status).toBe(201);
    } finally {
      await listening?.close();
      listening = undefined;
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'on a real full file system (a small tmpfs), SIGTERM still exits 0 and a restart has every confirmed message',
    async () => {
      const dir = tempDir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
      try {
        const config = join(tempDir(), 'sluice.json');
        writeFileSync(
          config,
          JSON.stringify({ storage: { reserveBytes: 262_144, segmentBytes: 262_144, retryIntervalMs: 50 } }),
        );
        const data = join(dir, 'data');
        const first = await serve(['--port', '0', '--data-dir', data, '--config', config]);
        expect((await mnsFetch(first.url, '/queues/jobs', { method: 'PUT', body: '<Queue/>' })).status).toBe(
          201,
        );
        const { confirmed, refusal } = await fill(first.url);
        expect(refusal.status).toBe(500);
        expect((await health(first.url)).status).toBe(503);
        expect(await stop(first)).toBe(0);
        expect(first.stderr()).toMatch(/storage degraded: the disk is full/);
        execFileSync('mount', ['-o', 'remount,size=8m', dir]);
        const second = await serve(['--port', '0', '--data-dir', data, '--config', config]);
        expect(await health(second.url)).toEqual({ status: 200, body: { status: 'ok' } });
        let count = 0;
        for (;;) {
          const got = handles(await (await receive(second.url)).text());
          if (got.length === 0) break;
          count += got.length;
          for (const handle of got) await remove(second.url, handle);
        }
        expect(count).toBeGreaterThanOrEqual(confirmed);
        expect(await stop(second)).toBe(0);
      } finally {
        execFileSync('umount', ['-l', dir]);
      }
    },
  );
});

describe('a damaged data directory', () => {
  it('is refused at start naming the file; sluice repair reports, then repairs, keeping the rest', async () => {
    const data = join(tempDir(), 'data');
    const first = await serve(['--port', '0', '--data-dir', data]);
    expect((await mnsFetch(first.url, '/queues/jobs', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
    for (let i = 0; i < 20; i++) expect((await send(first.url, `job-${i}`)).status).toBe(201);
    expect(await stop(first)).toBe(0);
    const segment = readdirSync(data).find(
      (n) => n.startsWith('seg-') && readFileSync(join(data, n)).includes('job-12'),
    )!;
    const bytes = readFileSync(join(data, segment));
    const at = bytes.indexOf('job-12') + 2;
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(join(data, segment), bytes);

    const refused = run(['serve', '--port', '0', '--data-dir', data]);
    expect(await refused.exit).toBe(1);
    expect(refused.stderr()).toContain(`${segment} at offset`);
    expect(refused.stderr()).toContain('sluice repair');

    const report = run(['repair', data]);
    expect(await report.exit).toBe(1);
    expect(report.stdout()).toContain(segment);
    expect(report.stdout()).toContain('Nothing was changed');
    expect(readFileSync(join(data, segment))).toEqual(bytes);

    const repaired = run(['repair', '--apply', data]);
    expect(await repaired.exit).toBe(0);
    expect(repaired.stdout()).toMatch(
      /repaired\. Dropped:[\s\S]*The log now holds 1 queue, 0 topics, 12 messages/,
    );
    expect(readdirSync(data).some((n) => n.startsWith('damaged-'))).toBe(true);

    const again = await serve(['--port', '0', '--data-dir', data]);
    const bodies: string[] = [];
    for (;;) {
      const xml = await (await receive(again.url)).text();
      const got = [...xml.matchAll(/<MessageBody>([^<]*)<\/MessageBody>/g)].map((m) => m[1]!);
      if (got.length === 0) break;
      bodies.push(...got);
      for (const handle of handles(xml)) await remove(again.url, handle);
    }
    expect(bodies.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `job-${i}`).sort());
    expect(await stop(again)).toBe(0);
    expect(await run(['repair', data]).exit).toBe(0);
  });
});
