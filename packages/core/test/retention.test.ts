/**
 * Retention for late groups: a topic keeps its messages for its retention whatever its groups did
 * (`keepConsumed`), a new group starts at the earliest retained message or only takes new ones (`startAt`),
 * the same live, after a restart and after compaction; queues still free a message on ack.
 */
import { describe, expect, it } from 'vitest';
import { type Broker, createBroker, ErrorCode, type Group, manualClock } from '../src/index.js';
import { open, tempDir, text } from './support/log.js';

const bodies = async (group: Group) => (await group.receive({ max: 100 })).map((d) => text(d.body));

/** Sends a1 (tag a), c1 (tag c), a2; group `a` (tags [a]) acks what it gets, or not. */
async function traffic(broker: Broker, ackFirst: boolean) {
  const topic = broker.createTopic('t', { retention: 60_000 });
  const a = topic.createGroup('a', { tags: ['a'] });
  await topic.sendBatch([
    { body: 'a1', tag: 'a' },
    { body: 'c1', tag: 'c' },
    { body: 'a2', tag: 'a' },
  ]);
  if (ackFirst) {
    const got = await a.receive({ max: 10 });
    await a.ackBatch(got.map((d) => d.receiptHandle));
  }
  return topic;
}

describe('a topic keeps its messages for its retention (keepConsumed, the default)', () => {
  for (const ackFirst of [false, true]) {
    it(`a late group gets every retained message in publish order (other group ${ackFirst ? 'acked' : 'idle'})`, async () => {
      const broker = await createBroker({ clock: manualClock(1_000_000) });
      const topic = await traffic(broker, ackFirst);
      // What a new group sees does not depend on how far the other got, nor on its tag filter.
      expect(topic.stats().messages).toBe(3);
      const late = topic.createGroup('late');
      expect(await bodies(late)).toEqual(['a1', 'c1', 'a2']);
      expect(late.stats().retained).toBe(3);
      expect(topic.group('a').stats().retained).toBe(2);
      const latest = topic.createGroup('latest', { startAt: 'latest' });
      expect(await bodies(latest)).toEqual([]);
      await topic.send({ body: 'new' });
      expect(await bodies(latest)).toEqual(['new']);
      expect(latest.stats().retained).toBe(1);
    });
  }

  it('retention frees what every group finished (and what no group took), bytes included', async () => {
    const clock = manualClock(1_000_000);
    const broker = await createBroker({ clock });
    const topic = await traffic(broker, true);
    expect(topic.stats()).toMatchObject({ messages: 3, bytes: 6 });
    clock.advance(59_999);
    expect(topic.stats().messages).toBe(3);
    clock.advance(1);
    expect(topic.stats()).toMatchObject({ messages: 0, bytes: 0 });
    expect(topic.group('a').stats()).toMatchObject({ retained: 0, acked: 2, expired: 0 });
    expect(await bodies(topic.createGroup('late'))).toEqual([]);
  });

  it('deleting every group keeps the messages for groups to come', async () => {
    const broker = await createBroker({ clock: manualClock(1_000_000) });
    const topic = await traffic(broker, false);
    topic.deleteGroup('a');
    expect(topic.stats().messages).toBe(3);
    expect(await bodies(topic.createGroup('b', { tags: ['c'] }))).toEqual(['c1']);
  });

  it('keepConsumed: false frees a message once its groups are done and drops one nobody takes', async () => {
    const broker = await createBroker({ clock: manualClock(1_000_000) });
    const topic = broker.createTopic('t', { keepConsumed: false });
    const a = topic.createGroup('a', { tags: ['a'] });
    await topic.sendBatch([
      { body: 'a1', tag: 'a' },
      { body: 'c1', tag: 'c' },
    ]);
    expect(topic.stats().messages).toBe(1);
    const [d] = await a.receive();
    await a.ack(d!.receiptHandle);
    expect(topic.stats().messages).toBe(0);
    expect(a.stats().retained).toBe(0);
    expect(await bodies(topic.createGroup('late'))).toEqual([]);
  });

  it('queues free a message on ack, and refuse keepConsumed and startAt', async () => {
    const broker = await createBroker({ clock: manualClock(1_000_000) });
    const queue = broker.createQueue('q');
    expect(queue.topic.options.keepConsumed).toBe(false);
    expect(queue.options).not.toHaveProperty('keepConsumed');
    expect(queue.options).not.toHaveProperty('startAt');
    await queue.send({ body: 'x' });
    const [d] = await queue.receive();
    await queue.ack(d!.receiptHandle);
    expect(queue.stats()).toMatchObject({ acked: 1, retained: 0 });
    expect(queue.topic.stats().messages).toBe(0);
    expect(broker.createQueue('q')).toBe(queue);
    for (const bad of [{ keepConsumed: true }, { keepConsumed: false }, { startAt: 'latest' }]) {
      expect(() => broker.createQueue('q2', bad as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidArgument }),
      );
      expect(() => queue.setOptions(bad as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidArgument }),
      );
    }
  });

  it('validates the options and keeps them fixed once the topic or group exists', async () => {
    const broker = await createBroker({ clock: manualClock(1_000_000) });
    const invalid = expect.objectContaining({ code: ErrorCode.InvalidArgument });
    expect(() => broker.createTopic('x', { keepConsumed: 'yes' as never })).toThrow(invalid);
    const topic = broker.createTopic('t');
    expect(topic.options.keepConsumed).toBe(true);
    expect(() => topic.setOptions({ keepConsumed: false })).toThrow(invalid);
    topic.setOptions({ keepConsumed: true, retention: 1000 });
    expect(() => broker.createTopic('t', { keepConsumed: false })).toThrow(
      expect.objectContaining({ code: ErrorCode.TopicAlreadyExist }),
    );
    expect(() => topic.createGroup('g', { startAt: 'first' as never })).toThrow(invalid);
    const g = topic.createGroup('g', { startAt: 'latest' });
    expect(g.options.startAt).toBe('latest');
    expect(topic.createGroup('g', { startAt: 'latest' })).toBe(g);
    expect(() => topic.createGroup('g')).toThrow(
      expect.objectContaining({ code: ErrorCode.GroupAlreadyExist }),
    );
    expect(() => g.setOptions({ startAt: 'earliest' })).toThrow(invalid);
    g.setOptions({ startAt: 'latest', visibilityTimeout: 5 });
    expect(topic.createGroup('e').options.startAt).toBe('earliest');
  });
});

describe('retention on durable storage: replay and snapshots give the live result', () => {
  for (const compact of [false, true]) {
    const how = compact ? 'compaction + restart' : 'restart';
    it(`a consumed message survives ${how}; a group made after sees it; a 'latest' one does not`, async () => {
      const dir = tempDir();
      const first = await open(dir, { compactMinBytes: 0 });
      const topic = await traffic(first.broker, true);
      const latest = topic.createGroup('latest', { startAt: 'latest' });
      await topic.send({ body: 'after', tag: 'a' });
      expect(await bodies(latest)).toEqual(['after']);
      if (compact) await first.broker.compact();
      await first.broker.close();

      const second = await open(dir, { compactMinBytes: 0 }, first.clock);
      const t = second.broker.topic('t');
      expect(t.stats().messages).toBe(4);
      expect(t.group('latest').stats()).toMatchObject({ retained: 1, inflight: 1, active: 0 });
      expect(t.group('a').stats()).toMatchObject({ retained: 3, acked: 2, active: 1 });
      expect(await bodies(t.createGroup('late'))).toEqual(['a1', 'c1', 'a2', 'after']);
      const late2 = t.createGroup('late2', { startAt: 'latest' });
      if (compact) await second.broker.compact();
      await second.broker.close();

      const third = await open(dir, { compactMinBytes: 0 }, first.clock);
      const t3 = third.broker.topic('t');
      expect(t3.group('late2').stats()).toMatchObject({ retained: 0, active: 0 });
      expect(await bodies(t3.group('late2'))).toEqual([]);
      expect(t3.group(late2.name).options.startAt).toBe('latest');
      await third.broker.close();
    });
  }

  it('a message every group acked never comes back once past retention (restart, compaction)', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    const topic = await traffic(first.broker, true);
    first.clock.advance(60_000);
    expect(topic.stats().messages).toBe(0);
    await first.broker.compact();
    await first.broker.close();
    for (let i = 0; i < 2; i++) {
      const again = await open(dir, { compactMinBytes: 0 }, first.clock);
      const t = again.broker.topic('t');
      expect(t.stats().messages).toBe(0);
      expect(await bodies(t.createGroup(`late${i}`))).toEqual([]);
      await again.broker.close();
    }
  });

  it('retention that ran out while the broker was down applies on open, before any group is made', async () => {
    const dir = tempDir();
    const first = await open(dir);
    await traffic(first.broker, true);
    await first.broker.close();
    first.clock.advance(60_000);
    const again = await open(dir, {}, first.clock);
    const t = again.broker.topic('t');
    expect(t.stats().messages).toBe(0);
    expect(await bodies(t.createGroup('late'))).toEqual([]);
    await again.broker.close();
  });
});
