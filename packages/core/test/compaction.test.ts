/**
 * Compaction replaces the log with a snapshot of one instant: after it (and a restart) every message, body,
 * receipt handle and counter is what it was, whatever ran meanwhile, and a close in the middle loses nothing.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Broker, type LogIo, nodeIo } from '../src/index.js';
import { open, tempDir, text } from './support/log.js';

/** Every group's stats of every topic and queue: what a reopen must give back. */
function state(broker: Broker) {
  const out: Record<string, unknown> = {};
  for (const name of broker.listQueues()) out[`queue ${name}`] = broker.queue(name).stats();
  for (const name of broker.listTopics()) {
    const topic = broker.topic(name);
    out[`topic ${name}`] = topic.stats().messages;
    for (const group of topic.listGroups()) out[`${name}/${group}`] = topic.group(group).stats();
  }
  return out;
}

describe('compaction', () => {
  it('close() in the middle of a compaction loses nothing, and queues stay queues', async () => {
    for (const pauseOn of ['part', 'manifest'] as const) {
      const dir = tempDir();
      let hold: (() => void) | undefined;
      let paused: (() => void) | undefined;
      const reached = new Promise<void>((resolve) => {
        paused = resolve;
      });
      const io: LogIo = {
        async write(fd, buffer, offset, length, position, path) {
          const matches =
            pauseOn === 'part' ? /snap-\d+-\d+\.log$/.test(path) : path.endsWith('.manifest.tmp');
          if (matches && paused !== undefined && !path.includes('0000000000000000.manifest')) {
            paused();
            paused = undefined;
            await new Promise<void>((resolve) => {
              hold = resolve;
            });
          }
          return nodeIo.write(fd, buffer, offset, length, position, path);
        },
        sync: nodeIo.sync,
      };
      const { broker } = await open(dir, { io, compactMinBytes: 0 });
      const queue = broker.createQueue('jobs', { visibilityTimeout: 60_000 });
      const topic = broker.createTopic('events');
      topic.createGroup('g');
      for (let i = 0; i < 50; i++) await queue.send({ body: `job ${i}` });
      for (let i = 0; i < 20; i++) await topic.send({ body: `event ${i}` });
      await queue.ackBatch((await queue.receive({ max: 10 })).map((d) => d.receiptHandle));
      const before = state(broker);
      const compaction = broker.compact();
      await reached;
      const closing = broker.close();
      hold!();
      await closing;
      await compaction.catch(() => {});
      const again = await open(dir);
      expect(state(again.broker), pauseOn).toEqual(before);
      expect(again.broker.createQueue('jobs', { visibilityTimeout: 60_000 })).toBe(
        again.broker.queue('jobs'),
      );
      const bodies = (await again.broker.queue('jobs').receive({ max: 100 })).map((d) => text(d.body));
      expect(bodies).toHaveLength(40);
      await again.broker.close();
    }
  });

  it('never serves one message’s body for another, across compactions and restarts', async () => {
    const dir = tempDir();
    const options = { compactMinBytes: 0, segmentBytes: 4096, bodyCacheBytes: 64 * 1024 };
    let { broker } = await open(dir, options);
    const sent = new Map<string, string>();
    const send = async (topic: string, n: number) => {
      const t = broker.hasTopic(topic) ? broker.topic(topic) : broker.createTopic(topic);
      if (!t.hasGroup('g')) t.createGroup('g', { visibilityTimeout: 1 });
      for (let i = 0; i < n; i++) {
        const body = `${topic}-${sent.size}-${'b'.repeat(50 + ((sent.size * 37) % 300))}`;
        sent.set((await t.send({ body })).id, body);
      }
    };
    const readAll = async () => {
      for (const name of broker.listTopics()) {
        for (const d of await broker.topic(name).group('g').receive({ max: 1000, visibilityTimeout: 0 })) {
          expect(text(d.body), d.id).toBe(sent.get(d.id));
        }
      }
    };
    for (let round = 0; round < 4; round++) {
      await send('a', 6);
      await readAll(); // caches bodies by where they are
      await broker.compact(); // old files are deleted; new ones must never be mistaken for them
      await send(`b${round}`, 6);
      await readAll();
      if (round % 2 === 1) {
        await broker.close();
        ({ broker } = await open(dir, options));
        await readAll();
      }
    }
    await broker.close();
  });

  it('keeps receipt handles of inflight messages valid across compaction and restart', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    const queue = first.broker.createQueue('q', { visibilityTimeout: 60_000 });
    await queue.sendBatch(Array.from({ length: 10 }, (_, i) => ({ body: `m${i}` })));
    // Free the first slots so the inflight messages do not sit at the start of the columns.
    await queue.ackBatch((await queue.receive({ max: 5 })).map((d) => d.receiptHandle));
    const inflight = await queue.receive({ max: 3 });
    await first.broker.compact();
    await first.broker.close();
    const second = await open(dir, {}, first.clock);
    const q = second.broker.queue('q');
    expect(q.stats()).toMatchObject({ inflight: 3, active: 2 });
    const results = await q.ackBatch(inflight.map((d) => d.receiptHandle));
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    second.clock.advance(60_000);
    expect((await q.receive({ max: 10 })).map((d) => text(d.body)).sort()).toEqual(['m8', 'm9']);
    await second.broker.close();
  });

  it('keeps a message kept for groups to come through a snapshot', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    const topic = first.broker.createTopic('t');
    await topic.send({ body: 'early', tag: 'x' });
    topic.createGroup('only-y', { tags: ['y'] });
    expect(topic.stats().messages).toBe(1);
    await first.broker.compact();
    await first.broker.close();
    const second = await open(dir);
    const t = second.broker.topic('t');
    expect(t.stats().messages).toBe(1);
    const late = t.createGroup('late');
    expect((await late.receive()).map((d) => text(d.body))).toEqual(['early']);
    await second.broker.close();
  });

  it('keeps acked, dead-lettered and expired counts through compaction and restart', async () => {
    const dir = tempDir();
    const first = await open(dir, { compactMinBytes: 0 });
    const queue = first.broker.createQueue('q', {
      visibilityTimeout: 1_000,
      maxReceiveCount: 1,
      deadLetterQueue: 'dlq',
      retention: 3_600_000,
    });
    await queue.sendBatch(Array.from({ length: 6 }, (_, i) => ({ body: `m${i}` })));
    await queue.ackBatch((await queue.receive({ max: 3 })).map((d) => d.receiptHandle));
    await queue.receive({ max: 2 });
    first.clock.advance(1_000); // the two deliveries time out: dead letters
    first.clock.advance(3_600_000); // the last one expires
    const expected = { acked: 3, deadLettered: 2, expired: 1, active: 0, inflight: 0 };
    expect(queue.stats()).toMatchObject(expected);
    await first.broker.compact();
    await first.broker.close();
    const second = await open(dir, {}, first.clock);
    expect(second.broker.queue('q').stats()).toMatchObject(expected);
    expect(second.broker.queue('dlq').stats()).toMatchObject({ active: 2 });
    await second.broker.close();
  });

  it('is the state of one instant, whatever runs while it is written', async () => {
    const dir = tempDir();
    const { broker, clock } = await open(dir, { compactMinBytes: 0, segmentBytes: 8192 });
    const queue = broker.createQueue('q', { visibilityTimeout: 30_000 });
    const topic = broker.createTopic('t');
    topic.createGroup('a');
    topic.createGroup('b', { tags: ['keep'] });
    for (let i = 0; i < 300; i++) {
      await queue.send({ body: `q${i}` });
      await topic.send({ body: `t${i}`, tag: i % 3 ? 'keep' : 'drop' });
    }
    const compaction = broker.compact();
    // Traffic in every turn while the snapshot is written: sends, receives, acks, nacks, timeouts.
    const handles: string[] = [];
    for (let round = 0; round < 30; round++) {
      await queue.send({ body: `during${round}` });
      const got = await queue.receive({ max: 7 });
      handles.push(...got.slice(3).map((d) => d.receiptHandle));
      await queue.ackBatch(got.slice(0, 2).map((d) => d.receiptHandle));
      if (got[2] !== undefined) await queue.nack(got[2].receiptHandle);
      const ga = await topic.group('a').receive({ max: 5 });
      await topic.group('a').ackBatch(ga.map((d) => d.receiptHandle));
      clock.advance(1_000);
    }
    await compaction;
    const before = state(broker);
    await broker.close();
    const again = await open(dir, {}, clock);
    expect(state(again.broker)).toEqual(before);
    // Handles of deliveries made while the snapshot was written are still good (those not timed out).
    expect(handles.length).toBeGreaterThan(20);
    const live = await again.broker.queue('q').ackBatch(handles.slice(-20));
    expect(live).toEqual(handles.slice(-20).map(() => ({ ok: true })));
    expect(readdirSync(dir).filter((n) => n.endsWith('.manifest'))).toHaveLength(1);
    await again.broker.close();
  });
});
