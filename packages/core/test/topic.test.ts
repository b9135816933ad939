import { describe, expect, it } from 'vitest';
import { createBroker, ErrorCode, manualClock } from '../src/index.js';

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

async function setup() {
  const clock = manualClock(5_000_000);
  const broker = await createBroker({ clock });
  return { clock, broker };
}

describe('topics and consumer groups', () => {
  it('fans out to every group; each progresses on its own', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('orders');
    const billing = topic.createGroup('billing');
    const shipping = topic.createGroup('shipping');
    await topic.sendBatch([{ body: '1' }, { body: '2' }]);
    const [b1] = await billing.receive();
    await billing.ack(b1!.receiptHandle);
    expect(billing.stats()).toMatchObject({ active: 1, acked: 1 });
    expect(shipping.stats()).toMatchObject({ active: 2, acked: 0 });
    const shipped = await shipping.receive({ max: 10 });
    expect(shipped.map((d) => text(d.body))).toEqual(['1', '2']);
    // A message is stored once, and kept for the topic's retention when every group is done with it.
    expect(topic.stats().messages).toBe(2);
    await shipping.ackBatch(shipped.map((d) => d.receiptHandle));
    expect(topic.stats().messages).toBe(2);
    expect(shipping.stats()).toMatchObject({ active: 0, inflight: 0, acked: 2, retained: 2 });
  });

  it('competing consumers in one group never get the same message while its handle is live', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('t');
    const group = topic.createGroup('g');
    await topic.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: String(i) })));
    const a = await group.receive({ max: 6 });
    const b = await group.receive({ max: 6 });
    expect(a.length + b.length).toBe(10);
    const ids = new Set([...a, ...b].map((d) => d.id));
    expect(ids.size).toBe(10);
  });

  it('a group created later starts from the earliest retained message', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('t');
    await topic.send({ body: 'before' });
    const late = topic.createGroup('late');
    await topic.send({ body: 'after' });
    expect((await late.receive({ max: 5 })).map((d) => text(d.body))).toEqual(['before', 'after']);
  });

  it('a tag filter means the group never sees other tags', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('t');
    const red = topic.createGroup('red', { tags: ['red'] });
    const all = topic.createGroup('all');
    await topic.sendBatch([{ body: 'r', tag: 'red' }, { body: 'b', tag: 'blue' }, { body: 'n' }]);
    expect((await red.receive({ max: 5 })).map((d) => d.tag)).toEqual(['red']);
    expect((await all.receive({ max: 5 })).map((d) => d.tag)).toEqual(['red', 'blue', undefined]);
  });

  it('ordered groups keep send order per key and never have two of one key inflight', async () => {
    const { broker, clock } = await setup();
    const topic = broker.createTopic('t');
    const group = topic.createGroup('g', { ordered: true, visibilityTimeout: 1000 });
    await topic.sendBatch([
      { body: 'a1', groupKey: 'a' },
      { body: 'b1', groupKey: 'b' },
      { body: 'a2', groupKey: 'a' },
      { body: 'a3', groupKey: 'a' },
      { body: 'b2', groupKey: 'b' },
    ]);
    const first = await group.receive({ max: 2 });
    expect(first.map((d) => text(d.body))).toEqual(['a1', 'a2']);
    const second = await group.receive({ max: 16 });
    expect(second.map((d) => text(d.body))).toEqual(['b1', 'b2']);
    // Key a is locked until a1 and a2 are acked; a3 waits.
    expect(await group.receive({ max: 16 })).toEqual([]);
    await group.ack(first[1]!.receiptHandle);
    expect(await group.receive({ max: 16 })).toEqual([]);
    // a1 times out: redelivery restarts at the first unacked one.
    clock.advance(1000);
    const again = await group.receive({ max: 16 });
    const bodies = again.map((d) => text(d.body));
    expect(bodies.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a3']);
    expect(bodies.filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(again.find((d) => text(d.body) === 'a1')!.receiveCount).toBe(2);
  });

  it('deleting a group releases its messages and parked receivers', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('t', { keepConsumed: false });
    const group = topic.createGroup('g');
    const other = topic.createGroup('o');
    await topic.send({ body: 'x' });
    await other.ack((await other.receive())[0]!.receiptHandle);
    // g holds the message inflight, so its next receiver parks.
    expect(await group.receive()).toHaveLength(1);
    const parked = group.receive({ wait: 1000 });
    expect(group.stats().waiting).toBe(1);
    topic.deleteGroup('o');
    expect(topic.stats().messages).toBe(1);
    topic.deleteGroup('g');
    await expect(parked).rejects.toMatchObject({ code: ErrorCode.GroupNotExist });
    expect(topic.stats().messages).toBe(0);
    expect(() => topic.group('g')).toThrow(expect.objectContaining({ code: ErrorCode.GroupNotExist }));
  });

  it('deleting a topic rejects parked receivers with TopicNotExist', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('t');
    const group = topic.createGroup('g');
    const parked = group.receive({ wait: 1000 });
    broker.deleteTopic('t');
    await expect(parked).rejects.toMatchObject({ code: ErrorCode.TopicNotExist });
    await expect(topic.send({ body: 'x' })).rejects.toMatchObject({ code: ErrorCode.TopicNotExist });
  });

  it('keeps queues and topics in one namespace with clear errors', async () => {
    const { broker } = await setup();
    broker.createQueue('q');
    broker.createTopic('t');
    expect(() => broker.createTopic('q')).toThrow(
      expect.objectContaining({ code: ErrorCode.TopicAlreadyExist }),
    );
    expect(() => broker.createQueue('t')).toThrow(
      expect.objectContaining({ code: ErrorCode.QueueAlreadyExist }),
    );
    expect(() => broker.topic('q')).toThrow(expect.objectContaining({ code: ErrorCode.TopicNotExist }));
    expect(broker.listTopics()).toEqual(['t']);
    expect(broker.listQueues()).toEqual(['q']);
    expect(() => broker.createQueue('')).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
  });

  it('grows past its initial capacity and many arena chunks without losing a body', async () => {
    const { broker } = await setup();
    const queue = broker.createQueue('big', { maxMessageSize: 1 << 20 });
    const n = 5000;
    const body = (i: number) => `${i}:${'x'.repeat(400)}`;
    for (let i = 0; i < n; i += 100) {
      await queue.sendBatch(Array.from({ length: 100 }, (_, j) => ({ body: body(i + j) })));
    }
    await queue.send({ body: new Uint8Array(600_000).fill(7) });
    expect(queue.stats().active).toBe(n + 1);
    let seen = 0;
    for (;;) {
      const batch = await queue.receive({ max: 1000 });
      if (batch.length === 0) break;
      for (const d of batch) {
        if (seen < n) expect(text(d.body)).toBe(body(seen));
        else expect(d.body.length).toBe(600_000);
        seen++;
      }
      await queue.ackBatch(batch.map((d) => d.receiptHandle));
    }
    expect(seen).toBe(n + 1);
    expect(queue.topic.stats()).toMatchObject({ messages: 0, bytes: 0 });
  });

  it('peeks visible messages without changing them', async () => {
    const { broker } = await setup();
    const queue = broker.createQueue('q');
    await queue.sendBatch([{ body: 'a' }, { body: 'b' }]);
    expect(queue.peek({ max: 5 }).map((m) => text(m.body))).toEqual(['a', 'b']);
    expect(queue.stats().active).toBe(2);
  });
});

describe('handleIsFor', () => {
  it('ties a handle to the id of the message it was issued for, live or not, in its own group only', async () => {
    const { broker } = await setup();
    const topic = broker.createTopic('orders');
    const group = topic.createGroup('billing');
    const other = topic.createGroup('shipping');
    const elsewhere = broker.createTopic('returns');
    const a = await topic.send({ body: '1' });
    const b = await topic.send({ body: '2' });
    const { id: foreignId } = await elsewhere.send({ body: 'x' });
    const [da, db] = await group.receive({ max: 2 });
    expect(group.handleIsFor(da!.receiptHandle, a.id)).toBe(true);
    expect(group.handleIsFor(db!.receiptHandle, b.id)).toBe(true);
    expect(group.handleIsFor(da!.receiptHandle, b.id)).toBe(false);
    expect(group.handleIsFor(db!.receiptHandle, a.id)).toBe(false);
    // Same sequence number, another topic's prefix.
    expect(group.handleIsFor(da!.receiptHandle, foreignId)).toBe(false);
    expect(other.handleIsFor(da!.receiptHandle, a.id)).toBe(false);
    expect(group.handleIsFor('garbage', a.id)).toBe(false);
    expect(group.handleIsFor(da!.receiptHandle, a.id.toLowerCase())).toBe(false);
    expect(group.handleIsFor(da!.receiptHandle, `${a.id}0`)).toBe(false);
    // Still true once the delivery is over: the caller then gets the group's own answer for a spent handle.
    await group.ack(da!.receiptHandle);
    expect(group.handleIsFor(da!.receiptHandle, a.id)).toBe(true);
  });
});
