/**
 * @module settings.test — `settingsFor` overrides reach the core topics and groups the dialect creates (declared and
 * auto-created), a bad answer is refused naming the call, and `applyRocketMqSettings` brings existing ones in line.
 */
import { createBroker, manualClock } from '@sluice/core';
import { splitTarget } from '@sluice/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRocketMqHandler } from '../src/handler.js';
import { coreTopicName, deadLetterQueueName, halfQueueName } from '../src/names.js';
import { applyRocketMqSettings, type SettingsResolver } from '../src/settings.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function broker() {
  const b = await createBroker({ clock: manualClock(1_000_000) });
  closers.push(() => b.close());
  return b;
}

const settingsFor: SettingsResolver = (instance, topic, consumer) => {
  if (instance !== 'I') return undefined;
  if (topic === 't' && consumer === 'fast')
    return { invisibility: 2000, orderedInvisibility: 1000, maxDeliveries: 3, retention: 5 };
  if (topic === 't') return { invisibility: 20_000, retention: 3_600_000 };
  return { maxDeliveries: 7 };
};

/** A consume request as the wire handler receives it (auto-creates the topic and group). */
function consume(
  mq: ReturnType<typeof createRocketMqHandler>,
  ns: string,
  topic: string,
  gid: string,
  order = false,
) {
  const target = `/topics/${topic}/messages?consumer=${gid}&ns=${ns}&numOfMessages=1${order ? '&trans=order' : ''}`;
  const headers = { host: 'localhost', 'x-mq-version': '2015-06-06' };
  return mq.wire(
    { method: 'GET', target, ...splitTarget(target), headers, body: new Uint8Array() },
    new AbortController().signal,
  );
}

describe('settingsFor', () => {
  it('overrides the options of declared and auto-created topics and groups, field by field', async () => {
    const b = await broker();
    const mq = createRocketMqHandler(b, { invisibility: 10_000, maxDeliveries: 9, settingsFor });
    const t = mq.declareTopic('t', 'I');
    expect(t.options.retention).toBe(3_600_000);
    expect(mq.declareConsumer('t', 'fast', { ns: 'I' }).options).toMatchObject({
      visibilityTimeout: 2000,
      maxReceiveCount: 3,
      deadLetterQueue: deadLetterQueueName('I', 'fast'),
    });
    expect(mq.declareConsumer('t', 'fast', { ns: 'I', ordered: true }).options.visibilityTimeout).toBe(1000);
    expect(mq.declareConsumer('t', 'slow', { ns: 'I' }).options).toMatchObject({
      visibilityTimeout: 20_000,
      maxReceiveCount: 9,
    });
    // Auto-created by a consume: on another topic of the instance, and in another instance.
    expect((await consume(mq, 'I', 'u', 'g'))?.status).toBe(404);
    expect(b.topic(coreTopicName('I', 'u')).group('g').options).toMatchObject({
      visibilityTimeout: 10_000,
      maxReceiveCount: 7,
    });
    expect(b.topic(coreTopicName('I', 'u')).options.retention).toBe(3 * 86_400_000);
    expect((await consume(mq, 'J', 't', 'fast', true))?.status).toBe(404);
    expect(b.topic(coreTopicName('J', 't')).group('fast%ORDER').options.visibilityTimeout).toBe(60_000);
  });

  it('refuses an answer out of range or not an object, naming the call and the field', async () => {
    const b = await broker();
    const bad = createRocketMqHandler(b, { settingsFor: () => ({ invisibility: 0 }) });
    bad.declareTopic('t', 'I');
    expect(() => bad.declareConsumer('t', 'g', { ns: 'I' })).toThrow(
      /^settingsFor\("I", "t", "g"\)\.invisibility must be an integer from 1 to/,
    );
    const odd = createRocketMqHandler(b, { settingsFor: (() => 5) as unknown as SettingsResolver });
    expect(() => odd.declareTopic('u', 'I')).toThrow(/settingsFor must answer an object or undefined, got 5/);
    expect(() => createRocketMqHandler(b, { settingsFor: 'x' as unknown as SettingsResolver })).toThrow(
      'settingsFor must be a function',
    );
  });
});

describe('applyRocketMqSettings', () => {
  it('changes what differs, reports it, and leaves other dialects and matching objects alone', async () => {
    const b = await broker();
    const before = createRocketMqHandler(b);
    before.declareConsumer('t', 'fast', { ns: 'I', ordered: true });
    before.declareConsumer('t', 'slow', { ns: 'I' });
    before.declareConsumer('t', 'same', { ns: 'K' });
    b.createQueue(halfQueueName('I', 't'), { retention: 3 * 86_400_000 });
    const mns = b.createTopic('mns:acct:q', { retention: 1000 });
    mns.createGroup('fast', { visibilityTimeout: 1 });

    const changes = applyRocketMqSettings(b, { settingsFor });
    expect(changes).toEqual([
      { instance: 'I', topic: 't', setting: 'retention', from: 3 * 86_400_000, to: 3_600_000 },
      {
        instance: 'I',
        topic: 't',
        consumer: 'fast',
        ordered: true,
        setting: 'orderedInvisibility',
        from: 60_000,
        to: 1000,
      },
      {
        instance: 'I',
        topic: 't',
        consumer: 'fast',
        ordered: true,
        setting: 'maxDeliveries',
        from: 288,
        to: 3,
      },
      {
        instance: 'I',
        topic: 't',
        consumer: 'slow',
        ordered: false,
        setting: 'invisibility',
        from: 300_000,
        to: 20_000,
      },
    ]);
    const t = b.topic(coreTopicName('I', 't'));
    expect(t.options.retention).toBe(3_600_000);
    expect(b.queue(halfQueueName('I', 't')).options.retention).toBe(3_600_000);
    expect(t.group('fast%ORDER').options).toMatchObject({
      visibilityTimeout: 1000,
      maxReceiveCount: 3,
      ordered: true,
      deadLetterQueue: deadLetterQueueName('I', 'fast'),
    });
    expect(t.group('slow').options).toMatchObject({ visibilityTimeout: 20_000, maxReceiveCount: 288 });
    expect(mns.options.retention).toBe(1000);
    expect(mns.group('fast').options.visibilityTimeout).toBe(1);
    // Idempotent: nothing left to change.
    expect(applyRocketMqSettings(b, { settingsFor })).toEqual([]);
  });
});
