/**
 * Priorities: groups deliver by priority (1 first, none ranking as 8), then in the order messages became
 * visible; a returned message goes back to the front of its priority; ordered groups ignore priorities;
 * priorities survive restarts and compaction, and records without one still read.
 */
import { describe, expect, it } from 'vitest';
import {
  type Broker,
  createBroker,
  ErrorCode,
  manualClock,
  type Queue,
  type SendInput,
} from '../src/index.js';
import { Rec, recordProblem } from '../src/storage/records.js';
import { open, START, tempDir, text } from './support/log.js';

/** Bodies of everything receivable now, one receive at a time (acked as taken), in the order received. */
async function drain(queue: Queue): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const got = await queue.receive({ max: 3 });
    if (got.length === 0) return out;
    for (const d of got) {
      out.push(text(d.body));
      await queue.ack(d.receiptHandle);
    }
  }
}

/** Sends `name:priority` bodies (priority `-` for none). */
async function sendAll(queue: Queue, specs: readonly string[]): Promise<void> {
  for (const spec of specs) {
    const p = spec.split(':')[1];
    const input: SendInput = { body: spec };
    if (p !== '-') input.priority = Number(p);
    await queue.send(input);
  }
}

/** The expected delivery order of `specs`: by priority (none = 8), then send order (a stable sort). */
function byPriority(specs: readonly string[]): string[] {
  const rank = (s: string) => (s.endsWith(':-') ? 8 : Number(s.split(':')[1]));
  return [...specs].sort((a, b) => rank(a) - rank(b));
}

async function memoryQueue(name = 'q', options = {}): Promise<{ broker: Broker; queue: Queue }> {
  const broker = await createBroker({ clock: manualClock(START) });
  return { broker, queue: broker.createQueue(name, { visibilityTimeout: 1000, ...options }) };
}

describe('priority: delivery order', () => {
  it('delivers by priority, then send order; no priority ranks with 8', async () => {
    const { broker, queue } = await memoryQueue();
    const specs = ['a:5', 'b:-', 'c:1', 'd:16', 'e:8', 'f:1', 'g:3', 'h:-', 'i:16', 'j:9', 'k:7', 'l:2'];
    await sendAll(queue, specs);
    expect(queue.peek({ max: 20 }).map((m) => text(m.body))).toEqual(byPriority(specs));
    expect(await drain(queue)).toEqual(byPriority(specs));
    await broker.close();
  });

  it('every priority against every other: for each pair, sent in both orders', async () => {
    const { broker, queue } = await memoryQueue();
    for (let p = 1; p <= 16; p++) {
      for (let r = 1; r <= 16; r++) {
        const specs = [`x:${p}`, `y:${r}`, 'z:-'];
        await sendAll(queue, specs);
        expect(await drain(queue), `${p} then ${r}`).toEqual(byPriority(specs));
      }
    }
    await broker.close();
  });

  it('messages queued before the first priority keep their order, and rank as 8', async () => {
    const { broker, queue } = await memoryQueue();
    const specs = ['a:-', 'b:-', 'c:8', 'd:-', 'e:12', 'f:-', 'g:4', 'h:8'];
    await sendAll(queue, specs);
    expect(await drain(queue)).toEqual(['g:4', 'a:-', 'b:-', 'c:8', 'd:-', 'f:-', 'h:8', 'e:12']);
    // The queue keeps working after it emptied and refilled runs.
    await sendAll(queue, ['m:16', 'n:-', 'o:1']);
    expect(await drain(queue)).toEqual(['o:1', 'n:-', 'm:16']);
    await broker.close();
  });

  it('only explicit priority 8 (or none) never changes the order: FIFO as before', async () => {
    const { broker, queue } = await memoryQueue();
    const specs = Array.from({ length: 20 }, (_, i) => `m${i}:${i % 3 === 0 ? '8' : '-'}`);
    await sendAll(queue, specs);
    expect(await drain(queue)).toEqual(specs);
    await broker.close();
  });

  it('a nacked or timed-out message goes back to the front of its priority, behind higher ones', async () => {
    const { broker, queue } = await memoryQueue();
    await sendAll(queue, ['a:3', 'b:3', 'c:3', 'd:1', 'e:9']);
    const [d] = await queue.receive({ max: 1 });
    expect(text(d!.body)).toBe('d:1');
    const [a, b] = await queue.receive({ max: 2 });
    expect([a, b].map((x) => text(x!.body))).toEqual(['a:3', 'b:3']);
    // b back by nack: ahead of c (front of run 3), behind d once d is back too.
    await queue.nack(b!.receiptHandle);
    await queue.nack(d!.receiptHandle);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['d:1', 'b:3', 'c:3', 'e:9']);
    // a back by its visibility deadline: the front of run 3.
    (broker.clock as ReturnType<typeof manualClock>).advance(1000);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['d:1', 'a:3', 'b:3', 'c:3', 'e:9']);
    // changeVisibility(0) returns it the same way.
    const [first, second] = await queue.receive({ max: 2 });
    expect(text(second!.body)).toBe('a:3');
    await queue.changeVisibility(second!.receiptHandle, 0);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['a:3', 'b:3', 'c:3', 'e:9']);
    await queue.ack(first!.receiptHandle);
    expect(await drain(queue)).toEqual(['a:3', 'b:3', 'c:3', 'e:9']);
    await broker.close();
  });

  it('a returned message of a priority whose run emptied starts a new run in its place', async () => {
    const { broker, queue } = await memoryQueue();
    await sendAll(queue, ['a:2', 'b:5', 'c:9']);
    const [a, b] = await queue.receive({ max: 2 });
    await queue.nack(b!.receiptHandle); // run 5 was empty: back between 2 (empty now) and 9
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['b:5', 'c:9']);
    await queue.nack(a!.receiptHandle);
    expect(await drain(queue)).toEqual(['a:2', 'b:5', 'c:9']);
    await broker.close();
  });

  it('retention takes a message from the end or the middle of a run and the runs stay whole', async () => {
    const broker = await createBroker({ clock: manualClock(START) });
    const clock = broker.clock as ReturnType<typeof manualClock>;
    const queue = broker.createQueue('q', { visibilityTimeout: 10_000, retention: 1000 });
    await sendAll(queue, ['old1:5', 'old2:5']);
    clock.advance(10);
    await sendAll(queue, ['new1:5', 'new2:3']);
    // old2 and old1 returned in that order: run 5 is old1, old2, new1... then the oldest are at its end.
    const got = await queue.receive({ max: 3 });
    expect(got.map((d) => text(d.body))).toEqual(['new2:3', 'old1:5', 'old2:5']);
    await queue.nack(got[2]!.receiptHandle);
    await queue.nack(got[1]!.receiptHandle);
    await queue.nack(got[0]!.receiptHandle);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual([
      'new2:3',
      'old1:5',
      'old2:5',
      'new1:5',
    ]);
    const [n2] = await queue.receive();
    clock.advance(990); // old1 and old2 expire: the start and the middle of run 5
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['new1:5']);
    await queue.nack(n2!.receiptHandle);
    await sendAll(queue, ['x:5', 'y:4']);
    expect(await drain(queue)).toEqual(['new2:3', 'y:4', 'new1:5', 'x:5']);
    // The end of a run: b returned after a stands before it, so a (older) is the run's end when it expires.
    const t0 = clock.now();
    await sendAll(queue, ['a:6']);
    clock.advance(500);
    await sendAll(queue, ['b:6']);
    const [a, b] = await queue.receive({ max: 2 });
    await queue.nack(a!.receiptHandle);
    await queue.nack(b!.receiptHandle);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['b:6', 'a:6']);
    clock.advance(t0 + 1000 - clock.now());
    await sendAll(queue, ['c:6', 'd:4']);
    expect(await drain(queue)).toEqual(['d:4', 'b:6', 'c:6']);
    await broker.close();
  });

  it('a delayed message joins the back of its priority when it becomes due', async () => {
    const { broker, queue } = await memoryQueue();
    await queue.send({ body: 'late:2', priority: 2, delay: 500 });
    await sendAll(queue, ['a:2', 'b:-', 'c:1']);
    expect(queue.peek({ max: 10 }).map((m) => text(m.body))).toEqual(['c:1', 'a:2', 'b:-']);
    (broker.clock as ReturnType<typeof manualClock>).advance(500);
    await sendAll(queue, ['d:2']);
    expect(await drain(queue)).toEqual(['c:1', 'a:2', 'late:2', 'd:2', 'b:-']);
    await broker.close();
  });

  it('a long poll parked before a higher-priority send takes that one first', async () => {
    const { broker, queue } = await memoryQueue();
    const parked = queue.receive({ max: 1, wait: 10_000 });
    await queue.sendBatch([
      { body: 'low', priority: 16 },
      { body: 'high', priority: 1 },
    ]);
    // sendBatch stores the whole batch before it wakes the receiver.
    expect((await parked).map((d) => text(d.body))).toEqual(['high']);
    await broker.close();
  });

  it('ordered groups ignore priorities: send order within a key, keys in turn', async () => {
    const { broker, queue } = await memoryQueue('o', { ordered: true });
    await queue.send({ body: 'k1-a', groupKey: 'k1', priority: 16 });
    await queue.send({ body: 'k1-b', groupKey: 'k1', priority: 1 });
    await queue.send({ body: 'k2-a', groupKey: 'k2', priority: 1 });
    const first = await queue.receive({ max: 10 });
    expect(first.map((d) => text(d.body))).toEqual(['k1-a', 'k1-b', 'k2-a']);
    expect(first.map((d) => d.priority)).toEqual([16, 1, 1]);
    await broker.close();
  });

  it('each group of a topic orders by priority on its own, a new group included (backfill)', async () => {
    const broker = await createBroker({ clock: manualClock(START) });
    const topic = broker.createTopic('t');
    const g1 = topic.createGroup('g1');
    await topic.sendBatch([{ body: 'a', priority: 9 }, { body: 'b' }, { body: 'c', priority: 2 }]);
    const g2 = topic.createGroup('g2');
    expect((await g1.receive({ max: 3 })).map((d) => text(d.body))).toEqual(['c', 'b', 'a']);
    expect((await g2.receive({ max: 3 })).map((d) => text(d.body))).toEqual(['c', 'b', 'a']);
    await broker.close();
  });
});

describe('priority: the field', () => {
  it('is echoed on deliveries, peeks and toJSON only when set', async () => {
    const { broker, queue } = await memoryQueue();
    await queue.send({ body: 'p', priority: 4 });
    await queue.send({ body: 'n' });
    const peeked = queue.peek({ max: 2 });
    expect(peeked.map((m) => m.priority)).toEqual([4, undefined]);
    const got = await queue.receive({ max: 2 });
    expect(got.map((d) => d.priority)).toEqual([4, undefined]);
    expect(JSON.parse(JSON.stringify(got[0]))).toMatchObject({ priority: 4 });
    expect('priority' in JSON.parse(JSON.stringify(got[1]))).toBe(false);
    await broker.close();
  });

  it('is refused outside 1..16 or not an integer, in send and per item of sendBatch', async () => {
    const { broker, queue } = await memoryQueue();
    for (const bad of [0, 17, -1, 1.5, Number.NaN, '3', null]) {
      await expect(queue.send({ body: 'x', priority: bad as number }), String(bad)).rejects.toMatchObject({
        code: ErrorCode.InvalidArgument,
      });
    }
    const results = await queue.sendBatch([
      { body: 'ok', priority: 16 },
      { body: 'bad', priority: 0 },
      { body: 'ok2' },
    ]);
    expect('id' in results[0]!).toBe(true);
    expect(results[1]).toMatchObject({ error: { code: ErrorCode.InvalidArgument } });
    expect('id' in results[2]!).toBe(true);
    expect(queue.stats().active).toBe(2);
    await broker.close();
  });

  it('is kept by the dead-letter copy', async () => {
    const broker = await createBroker({ clock: manualClock(START) });
    const queue = broker.createQueue('q', { maxReceiveCount: 1, deadLetterQueue: 'dlq' });
    await queue.send({ body: 'x', priority: 3 });
    const [d] = await queue.receive();
    await queue.nack(d!.receiptHandle);
    const [dead] = await broker.queue('dlq').receive();
    expect(dead?.priority).toBe(3);
    await broker.close();
  });
});

describe('priority: durable', () => {
  const specs = ['a:5', 'b:-', 'c:1', 'd:16', 'e:8', 'f:1', 'g:3', 'h:-', 'i:16', 'j:2'];

  it('the log keeps priorities: a reopen rebuilds the same order, returned messages included', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const queue = first.broker.createQueue('q', { visibilityTimeout: 1000 });
    await sendAll(queue, specs);
    await queue.send({ body: 'late:1', priority: 1, delay: 5000 });
    const taken = await queue.receive({ max: 4 });
    expect(taken.map((d) => text(d.body))).toEqual(['c:1', 'f:1', 'j:2', 'g:3']);
    await queue.nack(taken[2]!.receiptHandle); // j back at the front of 2
    await queue.ack(taken[0]!.receiptHandle);
    const before = queue.peek({ max: 20 }).map((m) => [text(m.body), m.priority]);
    await first.broker.close();

    const second = await open(dir, {}, manualClock(START));
    const again = second.broker.queue('q');
    expect(again.peek({ max: 20 }).map((m) => [text(m.body), m.priority])).toEqual(before);
    // f and g are still inflight; once their deadline passes they come back to the fronts of 1 and 3.
    second.clock.advance(1000);
    expect(await drain(again)).toEqual(['f:1', 'j:2', 'g:3', 'a:5', 'b:-', 'e:8', 'h:-', 'd:16', 'i:16']);
    second.clock.advance(5000);
    const [late] = await again.receive();
    expect([text(late!.body), late!.priority]).toEqual(['late:1', 1]);
    await second.broker.close();
  });

  it('a snapshot (compaction) keeps priorities and the order', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0, segmentBytes: 4096 });
    const queue = first.broker.createQueue('q');
    await sendAll(queue, [...specs, 'plain:-']);
    // One received and returned (a Delivered + Returned pair in the snapshot), one inflight.
    const [c, f] = await queue.receive({ max: 2 });
    await queue.nack(c!.receiptHandle);
    const expected = queue.peek({ max: 20 }).map((m) => [text(m.body), m.priority]);
    expect(expected.map(([body]) => body)).toEqual(
      byPriority([...specs, 'plain:-']).filter((x) => x !== 'f:1'),
    );
    await first.broker.compact();
    await first.broker.close();
    const second = await open(dir, { compactMinBytes: 0, segmentBytes: 4096 });
    const again = second.broker.queue('q');
    expect(again.peek({ max: 20 }).map((m) => [text(m.body), m.priority])).toEqual(expected);
    await second.broker.compact();
    await second.broker.close();
    const third = await open(dir);
    const last = third.broker.queue('q');
    expect(last.peek({ max: 20 }).map((m) => [text(m.body), m.priority])).toEqual(expected);
    await last.ack(f!.receiptHandle); // the inflight delivery's handle survived both snapshots
    await third.broker.close();
  });

  it('an Appended record may end at its slot (older logs) or carry a priority 1..16, nothing else', () => {
    const base = [Rec.Appended, 1, 1, START, null, null, null, null, 0, 0];
    expect(recordProblem(base)).toBeUndefined();
    expect(recordProblem(base.slice(0, 9))).toBeUndefined();
    for (const p of [1, 8, 16]) expect(recordProblem([...base, p])).toBeUndefined();
    for (const p of [0, 17, 2.5, -3]) expect(recordProblem([...base, p])).toMatch(/priority/);
    expect(recordProblem([...base, '3'])).toMatch(/not a number/);
    expect(recordProblem([...base, 3, 4])).toMatch(/fields/);
  });
});
