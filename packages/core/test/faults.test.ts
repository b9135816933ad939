/**
 * Faults in the core never leave a message half-moved or the broker stuck: odd inputs, options that
 * cannot work, listeners that throw, writes that fail, clocks that step back, counters at their limits.
 */
import { describe, expect, it } from 'vitest';
import {
  createBroker,
  ErrorCode,
  type LogIo,
  manualClock,
  memoryStorage,
  nodeIo,
  SluiceError,
} from '../src/index.js';
import { open, START, tempDir, text } from './support/log.js';

/** An io whose writes fail with `code` while `failing.on` is set. */
function failingIo(code: string) {
  const failing = { on: false };
  const io: LogIo = {
    write(fd, buffer, offset, length, position, path) {
      if (failing.on)
        return Promise.reject(Object.assign(new Error(`${code}: injected, write '${path}'`), { code }));
      return nodeIo.write(fd, buffer, offset, length, position, path);
    },
    sync: nodeIo.sync,
  };
  return { io, failing };
}

describe('faults never leave state half-changed', () => {
  it('takes any number of distinct tags in a topic, and replays them', async () => {
    const dir = tempDir();
    const { broker } = await open(dir);
    const topic = broker.createTopic('t');
    const n = 33_000;
    for (let i = 0; i < n; i += 1000) {
      const results = await topic.sendBatch(
        Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ body: `m${i + j}`, tag: `tag-${i + j}` })),
      );
      expect(results.every((r) => 'id' in r)).toBe(true);
    }
    await broker.close();
    const again = await open(dir);
    const late = again.broker.topic('t').createGroup('late', { tags: ['tag-32999', 'tag-5'] });
    const got = await late.receive({ max: 10 });
    expect(got.map((d) => [text(d.body), d.tag])).toEqual([
      ['m5', 'tag-5'],
      ['m32999', 'tag-32999'],
    ]);
    await again.broker.close();
  });

  it('refuses a dead-letter queue that is a topic or the queue itself, and keeps a message whose queue became a topic', async () => {
    const clock = manualClock(START);
    const broker = await createBroker({ clock });
    broker.createTopic('a-topic');
    const invalid = { code: ErrorCode.InvalidArgument };
    expect(() => broker.createQueue('q', { deadLetterQueue: 'a-topic' })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(() => broker.createQueue('self', { deadLetterQueue: 'self' })).toThrow(
      expect.objectContaining(invalid),
    );
    const queue = broker.createQueue('q', {
      visibilityTimeout: 1_000,
      maxReceiveCount: 1,
      deadLetterQueue: 'later',
    });
    expect(() => queue.setOptions({ deadLetterQueue: 'q' })).toThrow(expect.objectContaining(invalid));
    expect(() => queue.setOptions({ deadLetterQueue: 'a-topic' })).toThrow(expect.objectContaining(invalid));
    expect(() => broker.topic('a-topic').createGroup('g', { deadLetterQueue: 'a-topic' })).toThrow(
      expect.objectContaining(invalid),
    );
    expect(queue.options.deadLetterQueue).toBe('later');
    // The name is taken by a topic after the queue was configured: dead letters stay where they are.
    broker.createTopic('later');
    const errors: Error[] = [];
    broker.on('error', (e) => errors.push(e));
    const other = broker.createQueue('other', { visibilityTimeout: 5_000 });
    await queue.send({ body: 'stuck' });
    await other.send({ body: 'times out' });
    const [d] = await queue.receive();
    const nacked = queue.nack(d!.receiptHandle);
    await expect(nacked).resolves.toBeUndefined();
    expect(queue.stats()).toMatchObject({ active: 1, inflight: 0, deadLettered: 0 });
    expect(errors.map((e) => e.message).join()).toContain('later');
    const [again] = await queue.receive();
    await other.receive();
    clock.advance(5_000); // both deliveries time out: the broker's timer keeps running
    expect(queue.stats()).toMatchObject({ active: 1, inflight: 0, deadLettered: 0 });
    expect(other.stats()).toMatchObject({ active: 1, inflight: 0 });
    await expect(queue.ack(again!.receiptHandle)).rejects.toMatchObject({ code: 'ReceiptHandleExpired' });
    await broker.close();
  });

  it('isolates a throwing listener: expiry and dead-lettering complete, the error is reported', async () => {
    const dir = tempDir();
    const { broker, clock, storage } = await open(dir);
    const queue = broker.createQueue('q', { retention: 1_000, maxReceiveCount: 1, deadLetterQueue: 'dlq' });
    const errors: Error[] = [];
    broker.on('error', (e) => errors.push(e));
    let calls = 0;
    queue.group.on('expired', () => {
      calls++;
      throw new Error('listener bug');
    });
    broker.on('deadLetter', () => {
      throw new Error('another listener bug');
    });
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const [d] = await queue.receive();
    await queue.nack(d!.receiptHandle);
    expect(broker.queue('dlq').stats().active).toBe(1);
    const bytes = storage.bytes;
    clock.advance(1_000);
    expect(calls).toBe(2);
    expect(queue.stats()).toMatchObject({ active: 0, expired: 2, deadLettered: 1 });
    expect(errors.map((e) => e.message)).toEqual(['another listener bug', 'listener bug', 'listener bug']);
    await broker.flush();
    expect(storage.bytes - bytes).toBeLessThan(200);
    await broker.close();
  });

  it('stores an empty body, first or not, in memory and on disk', async () => {
    const memory = await createBroker({ storage: memoryStorage() });
    const t = memory.createTopic('t');
    t.createGroup('g');
    await t.send({ body: '' });
    await t.sendBatch([{ body: new Uint8Array(0) }, { body: 'x' }]);
    expect((await t.group('g').receive({ max: 5 })).map((d) => text(d.body))).toEqual(['', '', 'x']);
    await memory.close();
  });

  it('answers every promise API with a rejection, never a throw, for bad input and for a failing disk', async () => {
    const dir = tempDir();
    const { io, failing } = failingIo('EIO');
    const { broker } = await open(dir, { io, retryIntervalMs: 5 });
    const queue = broker.createQueue('q', { maxReceiveCount: 1, deadLetterQueue: 'dlq' });
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }]);
    const [d1, d2] = await queue.receive({ max: 2 });
    const calls: (() => Promise<unknown>)[] = [
      () => queue.ack(42 as unknown as string),
      () => queue.ackBatch('x' as unknown as string[]),
      () => queue.changeVisibility(d1!.receiptHandle, -1),
      () => queue.send(null as unknown as { body: string }),
      () => queue.sendBatch(null as unknown as []),
      () => queue.receive({ max: 0 }),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      await expect(promise).rejects.toBeInstanceOf(SluiceError);
    }
    failing.on = true;
    await expect(queue.send({ body: 'c' })).rejects.toMatchObject({ code: ErrorCode.StorageError });
    for (const call of [
      () => queue.ack(d1!.receiptHandle),
      () => queue.nack(d2!.receiptHandle),
      () => queue.changeVisibility(d1!.receiptHandle, 10),
      () => queue.send({ body: 'd' }),
    ]) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      await expect(promise).rejects.toMatchObject({ code: ErrorCode.StorageError });
    }
    // Nothing was half-done: the nack that would dead-letter was refused before it changed anything.
    expect(queue.stats()).toMatchObject({ inflight: 2, deadLettered: 0 });
    expect(broker.status().state).toBe('degraded');
    failing.on = false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.status()).toEqual({ state: 'ok' });
    await queue.nack(d2!.receiptHandle);
    expect(queue.stats()).toMatchObject({ inflight: 1, deadLettered: 1 });
    expect(broker.queue('dlq').stats().active).toBe(1);
    await broker.close();
  });

  it('keeps a dead-letter queue set back to none across restart and compaction', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    const queue = first.broker.createQueue('q', { maxReceiveCount: 3, deadLetterQueue: 'dlq' });
    queue.setOptions({ deadLetterQueue: undefined });
    await first.broker.close();
    const second = await open(dir, { compactMinBytes: 0 });
    expect(second.broker.queue('q').options.deadLetterQueue).toBeUndefined();
    expect(second.broker.queue('q').options.maxReceiveCount).toBe(3);
    await second.broker.compact();
    await second.broker.close();
    const third = await open(dir);
    expect(third.broker.queue('q').options.deadLetterQueue).toBeUndefined();
    await third.broker.close();
  });

  it('tells an old handle from a forged one however many deliveries and visibility changes came after it', async () => {
    const broker = await createBroker({ clock: manualClock(START) });
    const queue = broker.createQueue('q', { visibilityTimeout: 60_000 });
    await queue.send({ body: 'x' });
    const [first] = await queue.receive();
    let handle = first!.receiptHandle;
    for (let i = 0; i < 65_537; i++) handle = (await queue.changeVisibility(handle, 60_000)).receiptHandle;
    await expect(queue.ack(first!.receiptHandle)).rejects.toMatchObject({ code: 'ReceiptHandleExpired' });
    await queue.nack(handle);
    for (let i = 0; i < 65_537; i++) {
      const [d] = await queue.receive();
      if (i < 65_536) await queue.nack(d!.receiptHandle);
      else {
        expect(d!.receiveCount).toBe(65_538);
        await expect(queue.ack(first!.receiptHandle)).rejects.toMatchObject({ code: 'ReceiptHandleExpired' });
        await queue.ack(d!.receiptHandle);
      }
    }
    await broker.close();
  });

  it('applies what fell due while the broker was down before the first call', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q', { retention: 3_600_000, visibilityTimeout: 60_000 });
    await queue.send({ body: 'old' });
    first.clock.advance(1_800_000);
    await queue.send({ body: 'inflight' });
    await queue.receive({ max: 2 });
    await first.broker.close();
    const later = manualClock(START + 3_600_000);
    const second = await open(dir, {}, later);
    const q = second.broker.queue('q');
    // No timer has run yet: `old` is past its retention, `inflight` past its deadline.
    expect(q.stats()).toMatchObject({ expired: 1, inflight: 0, active: 1 });
    expect((await q.receive({ max: 5 })).map((d) => text(d.body))).toEqual(['inflight']);
    await second.broker.close();
  });

  it('keeps a first receive at time 0 as received, across a restart', async () => {
    const dir = tempDir();
    const first = await open(dir, {}, manualClock(0));
    const queue = first.broker.createQueue('q', { visibilityTimeout: 1_000 });
    await queue.send({ body: 'x' });
    const [d] = await queue.receive();
    expect(d).toMatchObject({ firstReceivedAt: 0, receiveCount: 1 });
    await first.broker.close();
    const second = await open(dir, {}, manualClock(5_000));
    const [again] = await second.broker.queue('q').receive();
    expect(again).toMatchObject({ firstReceivedAt: 0, receiveCount: 2 });
    await second.broker.close();
  });

  it('wakes a receiver parked on an ordered group when an ack or an expiry unlocks its key', async () => {
    const clock = manualClock(START);
    const broker = await createBroker({ clock });
    const queue = broker.createQueue('fifo', { ordered: true, visibilityTimeout: 60_000, retention: 10_000 });
    await queue.sendBatch([
      { body: 'k1', groupKey: 'k' },
      { body: 'k2', groupKey: 'k' },
    ]);
    const [d1] = await queue.receive();
    const parked = queue.receive({ wait: 5_000 });
    await queue.ack(d1!.receiptHandle);
    const [d2] = await parked;
    expect(text(d2!.body)).toBe('k2');

    // Retention expires the inflight head of a key: the next of that key goes to a parked receiver.
    clock.advance(1_000);
    await queue.send({ body: 'k3', groupKey: 'k' });
    clock.advance(2_000);
    await queue.send({ body: 'k4', groupKey: 'k' });
    await queue.ack(d2!.receiptHandle);
    const [d3] = await queue.receive();
    expect(text(d3!.body)).toBe('k3');
    const waiting = queue.receive({ wait: 20_000 });
    clock.advance(8_000); // k3, inflight, reaches its retention; k4 lives 2 s longer
    expect((await waiting).map((d) => text(d.body))).toEqual(['k4']);
    await broker.close();
  });

  it('fires a deadline set after the wall clock stepped back after its own duration', async () => {
    const clock = manualClock(START);
    const broker = await createBroker({ clock });
    const queue = broker.createQueue('q', { visibilityTimeout: 10_000 });
    await queue.sendBatch([{ body: 'before' }, { body: 'after' }]);
    await queue.receive();
    clock.set(START - 3_600_000); // NTP steps the clock back an hour
    const [d] = await queue.receive();
    expect(text(d!.body)).toBe('after');
    clock.advance(10_000);
    expect(queue.stats()).toMatchObject({ inflight: 1, active: 1 });
    await broker.close();
  });
});
