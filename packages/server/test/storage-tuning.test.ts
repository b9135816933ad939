/** @module storage-tuning.test — `startServer`'s `storage` settings reach the durable log. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SluiceServer, startServer } from '../src/server.js';

const dirs: string[] = [];
let server: SluiceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(storage: object): Promise<{ s: SluiceServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tuning-'));
  dirs.push(dir);
  server = await startServer({ port: 0, dataDir: dir, processMetrics: false, storage });
  return { s: server, dir };
}

describe('storage tuning', () => {
  it('segmentBytes seals segments at that size', async () => {
    const { s, dir } = await start({ segmentBytes: 4096 });
    const queue = s.broker.createQueue('q');
    for (let i = 0; i < 8; i++) await queue.send({ body: 'x'.repeat(1000) });
    // The core default (64 MiB) would keep all 8 KB in one segment.
    expect(readdirSync(dir).filter((f) => /^seg-\d+\.log$/.test(f)).length).toBeGreaterThan(1);
  });

  it('compactMinBytes and compactRatio make the log compact on its own', async () => {
    const { s, dir } = await start({ compactMinBytes: 0, compactRatio: 1 });
    const queue = s.broker.createQueue('q');
    await queue.send({ body: 'x'.repeat(1000) });
    const [delivery] = await queue.receive();
    await queue.ack(delivery!.receiptHandle);
    // The next write finds a log of dead records and starts a compaction in the background.
    await queue.send({ body: 'y' });
    const deadline = Date.now() + 5000;
    while (!readdirSync(dir).some((f) => f.endsWith('.manifest')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(readdirSync(dir).some((f) => /^snap-\d+\.manifest$/.test(f))).toBe(true);
  });

  it('a bad value is refused before anything is opened', async () => {
    await expect(startServer({ port: 0, memory: true, storage: { segmentBytes: 10 } })).rejects.toThrow(
      /storage\.segmentBytes must be an integer from 4096/,
    );
  });
});
