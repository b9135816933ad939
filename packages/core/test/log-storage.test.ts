import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Broker,
  createBroker,
  ErrorCode,
  type LogStorageOptions,
  logStorage,
  type ManualClock,
  manualClock,
} from '../src/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-log-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');
const START = 1_700_000_000_000;

async function open(
  dir: string,
  options: Partial<LogStorageOptions> = {},
  clock: ManualClock | undefined = manualClock(START),
) {
  const storage = logStorage({ reserveBytes: 0, ...options, dir });
  const broker = await createBroker({ storage, ...(clock && { clock }) });
  return { broker, storage, clock };
}

function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort();
}

describe('logStorage', () => {
  it('rebuilds queues, topics, groups and every message state exactly after a restart', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q', { visibilityTimeout: 10_000, metadata: { owner: 'me' } });
    const topic = first.broker.createTopic('t', { retention: 3_600_000 });
    const group = topic.createGroup('g', { tags: ['a'] });
    await queue.sendBatch([
      { body: 'acked' },
      { body: 'inflight', properties: { k: 'v' }, keys: ['key'], tag: 'x' },
      { body: 'active' },
      { body: 'later', delay: 60_000 },
    ]);
    const [acked, inflight] = await queue.receive({ max: 2 });
    await queue.ack(acked!.receiptHandle);
    await topic.sendBatch([
      { body: 'a1', tag: 'a' },
      { body: 'b1', tag: 'b' },
    ]);
    const [g1] = await group.receive();
    await group.nack(g1!.receiptHandle);
    await first.broker.close();

    const clock = manualClock(START + 1000);
    const second = await open(dir, {}, clock);
    const q = second.broker.queue('q');
    expect(q.options.metadata).toEqual({ owner: 'me' });
    expect(q.stats()).toMatchObject({ active: 1, inflight: 1, delayed: 1 });
    // The inflight message stays invisible until its deadline, and its handle still works.
    const [active] = await q.receive({ max: 5 });
    expect(text(active!.body)).toBe('active');
    expect(await q.receive()).toEqual([]);
    await q.ack(inflight!.receiptHandle);
    await q.ack(active!.receiptHandle);
    // Acked messages never come back.
    clock.advance(60_000);
    const [later] = await q.receive({ max: 5 });
    expect(text(later!.body)).toBe('later');
    const g = second.broker.topic('t').group('g');
    const [again] = await g.receive();
    expect(text(again!.body)).toBe('a1');
    expect(again!.receiveCount).toBe(2);
    expect(again!.id).toBe(g1!.id);
    await second.broker.close();
  });

  it('keeps receive counts and dead-letter progress, without copying a dead letter twice', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q', {
      visibilityTimeout: 1000,
      maxReceiveCount: 2,
      deadLetterQueue: 'dlq',
    });
    await queue.send({ body: 'poison' });
    await queue.receive();
    first.clock.advance(1000);
    await queue.receive();
    first.clock.advance(1000);
    expect(first.broker.queue('dlq').stats().active).toBe(1);
    await first.broker.close();
    const second = await open(dir, {}, manualClock(START + 10_000));
    expect(second.broker.queue('q').stats()).toMatchObject({ active: 0, inflight: 0 });
    expect(second.broker.queue('dlq').stats().active).toBe(1);
    await second.broker.close();
  });

  it('answers a delivery made before a restart with its own deadline after it', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q', { visibilityTimeout: 5000 });
    await queue.send({ body: 'x' });
    const [d] = await queue.receive();
    const changed = await queue.changeVisibility(d!.receiptHandle, 20_000);
    await first.broker.close();
    const clock = manualClock(START + 19_000);
    const second = await open(dir, {}, clock);
    const q = second.broker.queue('q');
    await expect(q.ack(d!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.ReceiptHandleExpired });
    expect(await q.receive()).toEqual([]);
    clock.advance(1000);
    const [back] = await q.receive();
    expect(back!.receiveCount).toBe(2);
    await expect(q.ack(changed.receiptHandle)).rejects.toMatchObject({
      code: ErrorCode.ReceiptHandleExpired,
    });
    await second.broker.close();
  });

  for (const fsync of ['always', 'interval', 'never'] as const) {
    it(`fsync '${fsync}': every acknowledged send is there after reopening`, async () => {
      const dir = tempDir();
      const first = await open(dir, { fsync, fsyncIntervalMs: 5 });
      const queue = first.broker.createQueue('q');
      const sends = await Promise.all(Array.from({ length: 200 }, (_, i) => queue.send({ body: `m${i}` })));
      await first.broker.close();
      const second = await open(dir, { fsync });
      const got = await second.broker.queue('q').receive({ max: 1000 });
      expect(got.map((d) => d.id)).toEqual(sends.map((s) => s.id));
      await second.broker.close();
    });
  }

  it('cuts a torn tail at every byte offset of the last record and keeps the records before it', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q');
    await queue.send({ body: 'one' });
    await queue.send({ body: 'two' });
    const sizeBefore = statSync(join(dir, segments(dir).at(-1)!)).size;
    await queue.send({ body: 'three' });
    await first.broker.close();
    const file = join(dir, segments(dir).at(-1)!);
    const full = readFileSync(file);
    for (let cut = sizeBefore; cut < full.length; cut++) {
      writeFileSync(file, full.subarray(0, cut));
      const { broker, storage } = await open(dir);
      const bodies = (await broker.queue('q').receive({ max: 10 })).map((d) => text(d.body));
      expect(bodies).toEqual(['one', 'two']);
      if (cut > sizeBefore) expect(storage.warnings.map((w) => w.kind)).toContain('torn-tail');
      await broker.close();
      // Reopening wrote a new segment; drop it so the next cut starts from the same files.
      for (const name of segments(dir))
        if (join(dir, name) !== file && name > file.slice(dir.length + 1)) rmSync(join(dir, name));
    }
  });

  it('refuses a second broker on a locked directory, and a directory it cannot use', async () => {
    const dir = tempDir();
    const first = await open(dir);
    await expect(open(dir)).rejects.toMatchObject({
      code: ErrorCode.StorageError,
      message: expect.stringContaining('already open'),
    });
    await first.broker.close();
    const again = await open(dir);
    await again.broker.close();
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    await expect(open(join(file, 'data'))).rejects.toMatchObject({ code: ErrorCode.StorageError });
  });

  it('opens a directory whose LOCK names a dead pid or an unrelated live one (the OS lock decides)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'LOCK'), '999999999');
    const { broker } = await open(dir);
    await broker.close();
    writeFileSync(join(dir, 'LOCK'), String(process.ppid));
    const again = await open(dir);
    await again.broker.close();
  });

  it('refuses a segment from a newer format version and changes nothing', async () => {
    const dir = tempDir();
    const first = await open(dir);
    await first.broker.createQueue('q').send({ body: 'x' });
    await first.broker.close();
    const name = segments(dir)[0]!;
    const bytes = readFileSync(join(dir, name));
    bytes.writeUInt32LE(99, 8);
    writeFileSync(join(dir, name), bytes);
    const before = readdirSync(dir).sort();
    await expect(open(dir)).rejects.toMatchObject({
      code: ErrorCode.StorageError,
      message: expect.stringContaining('version 99'),
    });
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readFileSync(join(dir, name))).toEqual(bytes);
  });

  it('reads bodies back from disk beyond the cache budget', async () => {
    const dir = tempDir();
    const { broker } = await open(dir, { bodyCacheBytes: 4096 });
    const queue = broker.createQueue('q');
    const bodies = Array.from({ length: 300 }, (_, i) => `${i}:${'y'.repeat(200)}`);
    for (let i = 0; i < bodies.length; i += 50)
      await queue.sendBatch(bodies.slice(i, i + 50).map((body) => ({ body })));
    const got = await queue.receive({ max: 1000 });
    expect(got.map((d) => text(d.body))).toEqual(bodies);
    await broker.close();
  });

  it('compacts a mostly acked log, keeps live messages and their handles, and survives a reopen', async () => {
    const dir = tempDir();
    const { broker, storage } = await open(dir, {
      segmentBytes: 64 * 1024,
      compactMinBytes: 0,
      // Only the compaction the test asks for, so the sizes before and after are its own.
      compactRatio: 0,
      bodyCacheBytes: 1024,
    });
    const queue = broker.createQueue('q', { visibilityTimeout: 60_000 });
    for (let i = 0; i < 2000; i += 100) {
      await queue.sendBatch(Array.from({ length: 100 }, (_, j) => ({ body: `${i + j}:${'z'.repeat(100)}` })));
    }
    for (;;) {
      const batch = await queue.receive({ max: 100 });
      const keep = batch.filter((d) => d.body.length > 0 && Number(text(d.body).split(':')[0]) % 100 === 0);
      await queue.ackBatch(batch.filter((d) => !keep.includes(d)).map((d) => d.receiptHandle));
      if (batch.length < 100) break;
    }
    const inflight = await queue.receive({ max: 100 });
    expect(inflight).toEqual([]);
    const bytesBefore = storage.bytes;
    await broker.compact();
    expect(storage.bytes).toBeLessThan(bytesBefore / 4);
    expect(readdirSync(dir).some((n) => n.endsWith('.manifest'))).toBe(true);
    await broker.close();
    const second = await open(dir, { segmentBytes: 64 * 1024 }, manualClock(START + 60_000));
    // Their deadlines passed while the broker was down: they are visible again at the first tick.
    second.clock.advance(0);
    const back = await second.broker.queue('q').receive({ max: 100 });
    expect(back.map((d) => text(d.body).split(':')[0]).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i * 100)),
    );
    await second.broker.close();
  });

  it('keeps writing while a compaction runs, and replays both', async () => {
    const dir = tempDir();
    const { broker } = await open(dir, { compactMinBytes: 0 });
    const queue = broker.createQueue('q');
    await queue.sendBatch(Array.from({ length: 500 }, (_, i) => ({ body: `old${i}` })));
    const compaction = broker.compact();
    const during = await queue.send({ body: 'during' });
    const [first] = await queue.receive();
    await compaction;
    await queue.ack(first!.receiptHandle);
    await broker.close();
    const { broker: again } = await open(dir);
    const got = await again.queue('q').receive({ max: 1000 });
    expect(got).toHaveLength(500);
    expect(got.some((d) => d.id === during.id)).toBe(true);
    expect(got.some((d) => d.id === first!.id)).toBe(false);
    await again.close();
  });
});

describe('logStorage under load', () => {
  it("keeps 'interval' fsync working while background compactions delete segments", {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    const { broker, storage } = await open(
      dir,
      { fsync: 'interval', fsyncIntervalMs: 5, segmentBytes: 64 * 1024, compactMinBytes: 256 * 1024 },
      undefined,
    );
    const queue = broker.createQueue('q');
    const body = Buffer.alloc(100, 97);
    for (let round = 0; round < 3000; round++) {
      await queue.sendBatch(Array.from({ length: 16 }, () => ({ body })));
      const got = await queue.receive({ max: 16 });
      await queue.ackBatch(got.map((d) => d.receiptHandle));
    }
    await broker.flush();
    // It compacted (more than once: 48 000 messages went through) and kept the log small.
    expect(readdirSync(dir).some((n) => n.endsWith('.manifest'))).toBe(true);
    expect(storage.bytes).toBeLessThan(2 * 1024 * 1024);
    await broker.close();
  });

  it('replays a topic deleted and created again under the same name as the new one', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    await first.broker.createTopic('t').send({ body: 'old' });
    first.broker.deleteTopic('t');
    const topic = first.broker.createTopic('t');
    const group = topic.createGroup('g');
    await topic.send({ body: 'new' });
    await first.broker.compact();
    await topic.send({ body: 'after' });
    await first.broker.close();
    const second = await open(dir);
    const got = await second.broker.topic('t').group('g').receive({ max: 10 });
    expect(got.map((d) => text(d.body))).toEqual(['new', 'after']);
    expect(group.name).toBe('g');
    await second.broker.close();
  });
});

export type { Broker };
