import { describe, expect, it } from 'vitest';
import { createBroker, ErrorCode, manualClock, SluiceError } from '../src/index.js';

async function setup(options?: Parameters<Awaited<ReturnType<typeof createBroker>>['createQueue']>[1]) {
  const clock = manualClock(1_000_000);
  const broker = await createBroker({ clock });
  const queue = broker.createQueue('q', options);
  return { clock, broker, queue };
}

const text = (body: Uint8Array) => Buffer.from(body).toString('utf8');

describe('queue basics', () => {
  it('sends, receives and acks', async () => {
    const { queue, clock } = await setup();
    const { id } = await queue.send({ body: 'hello', tag: 't', keys: ['k'], properties: { a: 'b' } });
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    const [d] = await queue.receive();
    expect(d).toBeDefined();
    expect(text(d!.body)).toBe('hello');
    expect(d!.id).toBe(id);
    expect(d!.tag).toBe('t');
    expect(d!.keys).toEqual(['k']);
    expect(d!.properties).toEqual({ a: 'b' });
    expect(d!.receiveCount).toBe(1);
    expect(d!.firstReceivedAt).toBe(clock.now());
    expect(d!.publishedAt).toBe(clock.now());
    expect(d!.visibleAt).toBe(clock.now() + 30_000);
    expect(d!.receiptHandle).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(queue.stats()).toMatchObject({ active: 0, inflight: 1 });
    await queue.ack(d!.receiptHandle);
    expect(queue.stats()).toMatchObject({ active: 0, inflight: 0, acked: 1 });
    expect(queue.topic.stats().messages).toBe(0);
    await expect(queue.ack(d!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.MessageNotExist });
  });

  it('redelivers after the visibility timeout with a new handle; the old one is expired', async () => {
    const { queue, clock } = await setup({ visibilityTimeout: 1000 });
    await queue.send({ body: 'x' });
    const [first] = await queue.receive();
    expect(await queue.receive()).toEqual([]);
    clock.advance(999);
    expect(await queue.receive()).toEqual([]);
    clock.advance(1);
    const [second] = await queue.receive();
    expect(second!.receiveCount).toBe(2);
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(second!.firstReceivedAt).toBe(first!.firstReceivedAt);
    await expect(queue.ack(first!.receiptHandle)).rejects.toMatchObject({
      code: ErrorCode.ReceiptHandleExpired,
    });
    await queue.ack(second!.receiptHandle);
  });

  it('tells malformed, foreign and forged handles apart', async () => {
    const { queue, broker } = await setup();
    const other = broker.createQueue('other');
    await queue.send({ body: 'a' });
    await other.send({ body: 'b' });
    const [d] = await queue.receive();
    const [o] = await other.receive();
    await expect(queue.ack('nope')).rejects.toMatchObject({ code: ErrorCode.ReceiptHandleError });
    await expect(queue.ack(o!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.ReceiptHandleError });
    const h = d!.receiptHandle;
    const forged = h.slice(0, -2) + (h.endsWith('AA') ? 'BA' : 'AA');
    await expect(queue.ack(forged)).rejects.toMatchObject({ code: ErrorCode.ReceiptHandleError });
    expect(await queue.ackBatch([h, 'bad', h])).toEqual([
      { ok: true },
      { ok: false, code: 'ReceiptHandleError' },
      { ok: false, code: 'MessageNotExist' },
    ]);
  });

  it('changeVisibility returns a new handle and retires the old one', async () => {
    const { queue, clock } = await setup({ visibilityTimeout: 1000 });
    await queue.send({ body: 'x' });
    const [d] = await queue.receive();
    const change = await queue.changeVisibility(d!.receiptHandle, 5000);
    expect(change.visibleAt).toBe(clock.now() + 5000);
    await expect(queue.ack(d!.receiptHandle)).rejects.toMatchObject({ code: ErrorCode.ReceiptHandleExpired });
    clock.advance(4000);
    expect(await queue.receive()).toEqual([]);
    await queue.ack(change.receiptHandle);
    expect(queue.stats().acked).toBe(1);
  });

  it('nack makes the message visible at once and dead-letters after maxReceiveCount', async () => {
    const { queue, broker } = await setup({ maxReceiveCount: 2, deadLetterQueue: 'dlq' });
    const dead: string[] = [];
    broker.on('deadLetter', (m) => dead.push(m.id));
    const { id } = await queue.send({ body: 'poison', properties: { p: '1' } });
    const [a] = await queue.receive();
    await queue.nack(a!.receiptHandle);
    const [b] = await queue.receive();
    expect(b!.receiveCount).toBe(2);
    await queue.nack(b!.receiptHandle);
    expect(await queue.receive()).toEqual([]);
    expect(queue.stats()).toMatchObject({ deadLettered: 1, active: 0, inflight: 0 });
    expect(dead).toEqual([id]);
    const [copy] = await broker.queue('dlq').receive();
    expect(text(copy!.body)).toBe('poison');
    expect(copy!.properties).toEqual({ p: '1' });
  });

  it('long polling wakes parked receivers in arrival order', async () => {
    const { queue } = await setup();
    const first = queue.receive({ wait: 10_000 });
    const second = queue.receive({ wait: 10_000 });
    expect(queue.stats().waiting).toBe(2);
    await queue.send({ body: '1' });
    await queue.send({ body: '2' });
    expect(text((await first)[0]!.body)).toBe('1');
    expect(text((await second)[0]!.body)).toBe('2');
  });

  it('a long poll ends with [] when the wait passes or the signal aborts', async () => {
    const { queue, clock } = await setup();
    const waiting = queue.receive({ wait: 5000 });
    clock.advance(5000);
    expect(await waiting).toEqual([]);
    const controller = new AbortController();
    const aborted = queue.receive({ wait: 5000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toEqual([]);
    expect(queue.stats().waiting).toBe(0);
  });

  it('deleting a queue rejects parked receivers', async () => {
    const { queue, broker } = await setup();
    const waiting = queue.receive({ wait: 5000 });
    broker.deleteQueue('q');
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.QueueNotExist });
    expect(() => broker.queue('q')).toThrow(SluiceError);
  });

  it('delays messages until due', async () => {
    const { queue, clock } = await setup();
    await queue.send({ body: 'later', delay: 2000 });
    await queue.send({ body: 'at', deliverAt: clock.now() + 1000 });
    expect(queue.stats()).toMatchObject({ delayed: 2, active: 0 });
    expect(await queue.receive()).toEqual([]);
    clock.advance(1000);
    expect(text((await queue.receive())[0]!.body)).toBe('at');
    clock.advance(1000);
    expect(text((await queue.receive())[0]!.body)).toBe('later');
  });

  it('expires messages at retention', async () => {
    const { queue, clock, broker } = await setup({ retention: 60_000 });
    const expired: string[] = [];
    broker.on('expired', (m) => expired.push(m.id));
    const { id } = await queue.send({ body: 'old' });
    clock.advance(30_000);
    await queue.send({ body: 'new' });
    clock.advance(30_000);
    expect(expired).toEqual([id]);
    expect(queue.stats()).toMatchObject({ active: 1, expired: 1 });
    expect(queue.topic.stats().messages).toBe(1);
  });

  it('createQueue is idempotent for the same options and refuses others', async () => {
    const { broker, queue } = await setup({ visibilityTimeout: 5 });
    expect(broker.createQueue('q', { visibilityTimeout: 5 })).toBe(queue);
    expect(() => broker.createQueue('q', { visibilityTimeout: 6 })).toThrow(
      expect.objectContaining({ code: ErrorCode.QueueAlreadyExist }),
    );
    expect(broker.listQueues()).toEqual(['q']);
  });

  it('refuses bad input with InvalidArgument or MessageTooLarge', async () => {
    const { queue } = await setup({ maxMessageSize: 4 });
    await expect(queue.send({ body: 12 as never })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await expect(queue.send({ body: '12345' })).rejects.toMatchObject({ code: ErrorCode.MessageTooLarge });
    await expect(queue.receive({ max: 0 })).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    const results = await queue.sendBatch([{ body: 'ok' }, { body: 'too long' }]);
    expect(results[0]).toHaveProperty('id');
    expect(results[1]).toMatchObject({ error: { code: ErrorCode.MessageTooLarge } });
  });

  it('takes names of 1..1024 characters for queues, topics and groups (room for a dialect prefix)', async () => {
    const { broker } = await setup();
    const longest = 'n'.repeat(1024);
    const invalid = { code: ErrorCode.InvalidArgument };
    expect(broker.createQueue(`q${longest.slice(1)}`).name).toHaveLength(1024);
    const topic = broker.createTopic(longest);
    expect(topic.createGroup(longest).name).toHaveLength(1024);
    const dlq = 'm'.repeat(1024);
    expect(broker.createQueue('d', { deadLetterQueue: dlq }).options.deadLetterQueue).toBe(dlq);
    for (const name of ['', `${longest}x`]) {
      expect(() => broker.createQueue(name)).toThrow(expect.objectContaining(invalid));
      expect(() => broker.createTopic(name)).toThrow(expect.objectContaining(invalid));
      expect(() => topic.createGroup(name)).toThrow(expect.objectContaining(invalid));
      expect(() => broker.createQueue('e', { deadLetterQueue: name })).toThrow(
        expect.objectContaining(invalid),
      );
    }
  });
});
