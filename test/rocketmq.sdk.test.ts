/** @module rocketmq.sdk.test — the RocketMQ HTTP dialect against the official `@aliyunmq/mq-http-sdk`. */
import { createHash } from 'node:crypto';
import { deadLetterQueueName } from '@sluice/rocketmq';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode, NS, props, type RocketMqFixture, SK, startRocketMq } from './rocketmq/fixture.js';

let fx: RocketMqFixture;
afterEach(async () => {
  await fx?.close();
});

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();

describe('publish, consume, ack', () => {
  it('round-trips a message with tag, key and properties', async () => {
    fx = await startRocketMq();
    const producer = fx.client.getProducer(NS, 'orders');
    const p = props();
    p.messageKey('order-1');
    p.putProperty('region', 'eu');
    // (The SDK wraps bodies in CDATA without splitting `]]>`: such bodies are covered by the raw-HTTP tests.)
    const body = 'héllo <world> & "quotes" done';
    const sent = await producer.publishMessage(body, 'TagA', p);
    expect(sent.code).toBe(201);
    expect(sent.body.MessageId).toMatch(/^[0-9A-F]{32}$/);
    expect(sent.body.MessageBodyMD5).toBe(md5(body));
    expect(sent.requestId).toMatch(/^[0-9A-F]{24}$/);

    const consumer = fx.client.getConsumer(NS, 'orders', 'GID_main');
    const got = await consumer.consumeMessage(16);
    expect(got.code).toBe(200);
    expect(got.body).toHaveLength(1);
    const [m] = got.body;
    expect(m).toMatchObject({
      MessageId: sent.body.MessageId,
      MessageBodyMD5: md5(body),
      MessageBody: body,
      MessageTag: 'TagA',
      MessageKey: 'order-1',
      ConsumedTimes: '1',
      Properties: { region: 'eu' },
    });
    const now = fx.clock!.now();
    expect(Number(m!.PublishTime)).toBe(now);
    expect(Number(m!.FirstConsumeTime)).toBe(now);
    expect(Number(m!.NextConsumeTime)).toBe(now + 300_000);

    const acked = await consumer.ackMessage([m!.ReceiptHandle]);
    expect(acked.code).toBe(204);
    expect(acked.body).toBeUndefined();
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
    fx.clock!.advance(300_001);
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
  });

  it('returns at most numOfMessages, in publish order', async () => {
    fx = await startRocketMq();
    const producer = fx.client.getProducer(NS, 'batch');
    for (let i = 0; i < 20; i++) await producer.publishMessage(`m${i}`);
    const consumer = fx.client.getConsumer(NS, 'batch', 'GID_batch');
    const first = await consumer.consumeMessage(16);
    expect(first.body.map((m) => m.MessageBody)).toEqual(Array.from({ length: 16 }, (_, i) => `m${i}`));
    const second = await consumer.consumeMessage(16);
    expect(second.body.map((m) => m.MessageBody)).toEqual(['m16', 'm17', 'm18', 'm19']);
    const acked = await consumer.ackMessage(first.body.map((m) => m.ReceiptHandle));
    expect(acked.code).toBe(204);
  });

  it('keeps instances apart: the same topic name in two ns is two topics', async () => {
    fx = await startRocketMq();
    await fx.client.getProducer(NS, 'shared').publishMessage('in ns');
    await fx.client.getProducer('', 'shared').publishMessage('default instance');
    const a = await fx.client.getConsumer(NS, 'shared', 'GID_x').consumeMessage(16);
    const b = await fx.client.getConsumer('', 'shared', 'GID_x').consumeMessage(16);
    expect(a.body.map((m) => m.MessageBody)).toEqual(['in ns']);
    expect(b.body.map((m) => m.MessageBody)).toEqual(['default instance']);
  });
});

describe('tag filtering', () => {
  it('delivers only the subscribed tags, and skips the others for that group', async () => {
    fx = await startRocketMq({ invisibility: 10_000 });
    const producer = fx.client.getProducer(NS, 'tags');
    for (const tag of ['TagA', 'TagB', 'TagC', undefined, 'TagA'])
      await producer.publishMessage(`body-${tag}`, tag);

    // A group that subscribes to everything, registered first: the core keeps a message only while some group
    // still has to consume it.
    const everything = fx.client.getConsumer(NS, 'tags', 'GID_all', '*');
    const all = await everything.consumeMessage(16);
    expect(all.body.map((m) => m.MessageBody)).toEqual([
      'body-TagA',
      'body-TagB',
      'body-TagC',
      'body-undefined',
      'body-TagA',
    ]);
    const ab = fx.client.getConsumer(NS, 'tags', 'GID_ab', 'TagA||TagB');
    const got = await ab.consumeMessage(16);
    expect(got.body.map((m) => m.MessageTag)).toEqual(['TagA', 'TagB', 'TagA']);
    await ab.ackMessage(got.body.map((m) => m.ReceiptHandle));
    // The skipped messages were consumed for this group: they never come back.
    fx.clock!.advance(10_001);
    expect(await errorCode(ab.consumeMessage(16))).toBe('MessageNotExist');
    const c = await fx.client.getConsumer(NS, 'tags', 'GID_c', 'TagC').consumeMessage(1);
    expect(c.body.map((m) => m.MessageBody)).toEqual(['body-TagC']);
  });
});

describe('consumer groups', () => {
  it('fans out to every group; competing consumers inside one group share the messages', async () => {
    fx = await startRocketMq();
    const producer = fx.client.getProducer(NS, 'fan');
    for (let i = 0; i < 4; i++) await producer.publishMessage(`m${i}`);
    const a1 = fx.client.getConsumer(NS, 'fan', 'GID_A');
    const a2 = fx.client.getConsumer(NS, 'fan', 'GID_A');
    const b = fx.client.getConsumer(NS, 'fan', 'GID_B');
    const x = await a1.consumeMessage(2);
    const y = await a2.consumeMessage(16);
    const z = await b.consumeMessage(16);
    expect(x.body.map((m) => m.MessageBody)).toEqual(['m0', 'm1']);
    expect(y.body.map((m) => m.MessageBody)).toEqual(['m2', 'm3']);
    expect(z.body.map((m) => m.MessageBody)).toEqual(['m0', 'm1', 'm2', 'm3']);
    // A group first seen later starts from the earliest retained message.
    const late = await fx.client.getConsumer(NS, 'fan', 'GID_late').consumeMessage(16);
    expect(late.body).toHaveLength(4);
  });
});

describe('long polling', () => {
  it('wakes a parked consume the moment a message arrives', async () => {
    fx = await startRocketMq();
    const consumer = fx.client.getConsumer(NS, 'poll', 'GID_poll');
    await expect(consumer.consumeMessage(1)).rejects.toMatchObject({ Code: 'MessageNotExist' });
    const started = Date.now();
    const parked = consumer.consumeMessage(16, 10);
    await new Promise((r) => setTimeout(r, 150));
    await fx.client.getProducer(NS, 'poll').publishMessage('wake up');
    const got = await parked;
    expect(got.body.map((m) => m.MessageBody)).toEqual(['wake up']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('answers MessageNotExist when the wait ends empty', async () => {
    fx = await startRocketMq({}, { realClock: true });
    const consumer = fx.client.getConsumer(NS, 'poll', 'GID_poll');
    const started = Date.now();
    expect(await errorCode(consumer.consumeMessage(16, 1))).toBe('MessageNotExist');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(2500);
  });

  it('keeps waiting past non-matching messages for a tag subscription', async () => {
    fx = await startRocketMq();
    const consumer = fx.client.getConsumer(NS, 'poll', 'GID_tagpoll', 'Wanted');
    const parked = consumer.consumeMessage(16, 10);
    await new Promise((r) => setTimeout(r, 100));
    const producer = fx.client.getProducer(NS, 'poll');
    await producer.publishMessage('noise', 'Other');
    await new Promise((r) => setTimeout(r, 100));
    await producer.publishMessage('signal', 'Wanted');
    expect((await parked).body.map((m) => m.MessageBody)).toEqual(['signal']);
  });
});

describe('redelivery and handles', () => {
  it('redelivers after NextConsumeTime with a new handle and ConsumedTimes + 1', async () => {
    fx = await startRocketMq({ invisibility: 10_000 });
    await fx.client.getProducer(NS, 'retry').publishMessage('again');
    const consumer = fx.client.getConsumer(NS, 'retry', 'GID_retry');
    const [first] = (await consumer.consumeMessage(1)).body;
    expect(await errorCode(consumer.consumeMessage(1))).toBe('MessageNotExist');
    fx.clock!.advance(10_000);
    const [second] = (await consumer.consumeMessage(1)).body;
    expect(second!.MessageId).toBe(first!.MessageId);
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
    expect(second!.ConsumedTimes).toBe('2');
    expect(second!.FirstConsumeTime).toBe(first!.FirstConsumeTime);
    expect(Number(second!.NextConsumeTime)).toBe(fx.clock!.now() + 10_000);

    // The older handle was superseded by the redelivery: MessageNotExist, as data (the SDK does not throw).
    const stale = await consumer.ackMessage([first!.ReceiptHandle]);
    expect(stale.code).toBe(404);
    expect(stale.body).toEqual([
      {
        ErrorCode: 'MessageNotExist',
        ErrorMessage: 'The receipt handle you provided has expired.',
        ReceiptHandle: first!.ReceiptHandle,
      },
    ]);
    expect((await consumer.ackMessage([second!.ReceiptHandle])).code).toBe(204);
    // Single use: the same handle again.
    const again = await consumer.ackMessage([second!.ReceiptHandle]);
    expect(again.body?.[0]?.ErrorCode).toBe('MessageNotExist');
  });

  it('answers MessageNotExist for a handle acked after its NextConsumeTime', async () => {
    fx = await startRocketMq({ invisibility: 10_000 });
    await fx.client.getProducer(NS, 'late').publishMessage('slow consumer');
    const consumer = fx.client.getConsumer(NS, 'late', 'GID_late');
    const [m] = (await consumer.consumeMessage(1)).body;
    fx.clock!.advance(10_001);
    const res = await consumer.ackMessage([m!.ReceiptHandle]);
    expect(res.code).toBe(404);
    expect(res.body).toEqual([
      {
        ErrorCode: 'MessageNotExist',
        ErrorMessage: 'The receipt handle you provided has expired.',
        ReceiptHandle: m!.ReceiptHandle,
      },
    ]);
    // Not acked: it is delivered again.
    expect((await consumer.consumeMessage(1)).body[0]!.ConsumedTimes).toBe('2');
  });

  it('acks the good handles of a batch and lists only the bad ones', async () => {
    fx = await startRocketMq();
    const producer = fx.client.getProducer(NS, 'mixed');
    await producer.publishMessage('one');
    await producer.publishMessage('two');
    const consumer = fx.client.getConsumer(NS, 'mixed', 'GID_mixed');
    const other = fx.client.getConsumer(NS, 'mixed', 'GID_other');
    const mine = (await consumer.consumeMessage(16)).body;
    const theirs = (await other.consumeMessage(1)).body;
    const res = await consumer.ackMessage([
      mine[0]!.ReceiptHandle,
      'garbage',
      theirs[0]!.ReceiptHandle,
      mine[1]!.ReceiptHandle,
    ]);
    expect(res.code).toBe(404);
    expect(res.body!.map((e) => [e.ErrorCode, e.ReceiptHandle])).toEqual([
      ['ReceiptHandleError', 'garbage'],
      ['ReceiptHandleError', theirs[0]!.ReceiptHandle],
    ]);
    fx.clock!.advance(300_001);
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
  });

  it('dead-letters after the max deliveries into the group DLQ', async () => {
    fx = await startRocketMq({ invisibility: 1000, maxDeliveries: 2 });
    const sent = await fx.client.getProducer(NS, 'dlq').publishMessage('poison', 'Bad');
    const consumer = fx.client.getConsumer(NS, 'dlq', 'GID_dlq');
    for (let i = 1; i <= 2; i++) {
      const [m] = (await consumer.consumeMessage(1)).body;
      expect(m!.ConsumedTimes).toBe(String(i));
      fx.clock!.advance(1000);
    }
    expect(await errorCode(consumer.consumeMessage(1))).toBe('MessageNotExist');
    const dlq = fx.broker.queue(deadLetterQueueName(NS, 'GID_dlq'));
    const dead = dlq.peek({ max: 10 });
    expect(dead).toHaveLength(1);
    expect(Buffer.from(dead[0]!.body).toString()).toBe('poison');
    expect(dead[0]!.tag).toBe('Bad');
    expect(sent.body.MessageId).toMatch(/^[0-9A-F]{32}$/);
  });
});

describe('ordered consumption', () => {
  it('keeps publish order per sharding key and locks a partition until it is acked', async () => {
    fx = await startRocketMq({ orderedInvisibility: 5000 });
    const producer = fx.client.getProducer(NS, 'fifo');
    const publish = async (body: string, key: string) => {
      const p = props();
      p.shardingKey(key);
      await producer.publishMessage(body, 'T', p);
    };
    await publish('s1-1', 'S1');
    await publish('s2-1', 'S2');
    await publish('s1-2', 'S1');
    await publish('s2-2', 'S2');
    await publish('s1-3', 'S1');

    const consumer = fx.client.getConsumer(NS, 'fifo', 'GID_fifo');
    const first = (await consumer.consumeMessageOrderly(16)).body;
    const bodies = first.map((m) => m.MessageBody);
    expect(bodies.filter((b) => b.startsWith('s1'))).toEqual(['s1-1', 's1-2', 's1-3']);
    expect(bodies.filter((b) => b.startsWith('s2'))).toEqual(['s2-1', 's2-2']);
    expect(first.find((m) => m.MessageBody === 's1-1')!.ShardingKey).toBe('S1');
    expect(Number(first[0]!.NextConsumeTime)).toBe(fx.clock!.now() + 5000);

    // S1 is not acked, S2 is: a new S2 message flows, S1 stays locked.
    await consumer.ackMessage(
      first.filter((m) => m.MessageBody.startsWith('s2')).map((m) => m.ReceiptHandle),
    );
    await publish('s2-3', 'S2');
    await publish('s1-4', 'S1');
    const second = (await consumer.consumeMessageOrderly(16)).body;
    expect(second.map((m) => m.MessageBody)).toEqual(['s2-3']);
    await consumer.ackMessage([second[0]!.ReceiptHandle]);
    expect(await errorCode(consumer.consumeMessageOrderly(16))).toBe('MessageNotExist');

    // After the ordered NextConsumeTime, S1 is redelivered from its first unacked message, in order.
    fx.clock!.advance(5000);
    const third = (await consumer.consumeMessageOrderly(16)).body;
    expect(third.map((m) => m.MessageBody)).toEqual(['s1-1', 's1-2', 's1-3', 's1-4']);
    expect(third.slice(0, 3).map((m) => m.ConsumedTimes)).toEqual(['2', '2', '2']);
    expect(third[3]!.ConsumedTimes).toBe('1');
    expect((await consumer.ackMessage(third.map((m) => m.ReceiptHandle))).code).toBe(204);
    expect(await errorCode(consumer.consumeMessageOrderly(16))).toBe('MessageNotExist');
  });
});

describe('transactional messages', () => {
  it('commits through the publish handle: consumers then see it under its id', async () => {
    fx = await startRocketMq();
    const tp = fx.client.getTransProducer(NS, 'trans', 'GID_producer');
    const consumer = fx.client.getConsumer(NS, 'trans', 'GID_consumer');
    const p = props();
    p.transCheckImmunityTime(10);
    p.messageKey('tx-1');
    const half = await tp.publishMessage('pay 10', 'Pay', p);
    expect(half.code).toBe(201);
    expect(half.body.ReceiptHandle).toMatch(/^[0-9A-F]{32}-/);
    // Invisible while half.
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
    const committed = await tp.commit(half.body.ReceiptHandle!);
    expect(committed.code).toBe(204);
    const [m] = (await consumer.consumeMessage(16)).body;
    expect(m).toMatchObject({
      MessageId: half.body.MessageId,
      MessageBody: 'pay 10',
      MessageTag: 'Pay',
      MessageKey: 'tx-1',
    });
    expect(m!.Properties).toEqual({});
    // The handle was used; nothing comes back for check-back either.
    expect((await tp.commit(half.body.ReceiptHandle!)).body?.[0]?.ErrorCode).toBe('MessageNotExist');
    fx.clock!.advance(10_000);
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
  });

  it('commits once when the same handle is used twice at the same time', async () => {
    fx = await startRocketMq();
    const tp = fx.client.getTransProducer(NS, 'trans', 'GID_producer');
    const p = props();
    p.transCheckImmunityTime(10);
    const half = await tp.publishMessage('once', undefined, p);
    const results = await Promise.all([
      tp.commit(half.body.ReceiptHandle!),
      tp.commit(half.body.ReceiptHandle!),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([204, 404]);
    const got = await fx.client.getConsumer(NS, 'trans', 'GID_once').consumeMessage(16);
    expect(got.body.map((m) => m.MessageBody)).toEqual(['once']);
  });

  it('rolls back through the publish handle: consumers never see it', async () => {
    fx = await startRocketMq();
    const tp = fx.client.getTransProducer(NS, 'trans', 'GID_producer');
    const p = props();
    p.transCheckImmunityTime(10);
    const half = await tp.publishMessage('cancelled', undefined, p);
    expect((await tp.rollback(half.body.ReceiptHandle!)).code).toBe(204);
    fx.clock!.advance(60_000);
    expect(await errorCode(fx.client.getConsumer(NS, 'trans', 'GID_c').consumeMessage(16))).toBe(
      'MessageNotExist',
    );
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
  });

  it('checks back unresolved half messages, re-offers them, and commits by the check handle', async () => {
    fx = await startRocketMq();
    const tp = fx.client.getTransProducer(NS, 'trans', 'GID_producer');
    const p = props();
    p.transCheckImmunityTime(20);
    const half = await tp.publishMessage('decide later', 'T', p);
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
    fx.clock!.advance(20_000);
    // The publish handle expired with the first check time.
    expect((await tp.commit(half.body.ReceiptHandle!)).body?.[0]?.ErrorCode).toBe('MessageNotExist');

    const [c1] = (await tp.consumeHalfMessage(16)).body;
    expect(c1).toMatchObject({
      MessageId: half.body.MessageId,
      MessageBody: 'decide later',
      ConsumedTimes: '1',
    });
    expect(Number(c1!.NextConsumeTime)).toBe(fx.clock!.now() + 20_000);
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
    fx.clock!.advance(20_000);
    const [c2] = (await tp.consumeHalfMessage(16)).body;
    expect(c2!.ConsumedTimes).toBe('2');
    expect(c2!.ReceiptHandle).not.toBe(c1!.ReceiptHandle);
    expect((await tp.commit(c1!.ReceiptHandle)).body?.[0]?.ErrorCode).toBe('MessageNotExist');
    expect((await tp.commit(c2!.ReceiptHandle)).code).toBe(204);

    const [m] = (await fx.client.getConsumer(NS, 'trans', 'GID_c').consumeMessage(16)).body;
    expect(m!.MessageId).toBe(half.body.MessageId);
    expect(m!.PublishTime).toBe(c1!.PublishTime);
    fx.clock!.advance(60_000);
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
  });

  it('rolls back by the check handle, and discards after the check limit', async () => {
    fx = await startRocketMq({ transactionCheckLimit: 2 });
    const tp = fx.client.getTransProducer(NS, 'trans', 'GID_producer');
    const p = props();
    p.transCheckImmunityTime(10);
    await tp.publishMessage('rolled back', undefined, p);
    await tp.publishMessage('forgotten', undefined, p);
    fx.clock!.advance(10_000);
    const checks = (await tp.consumeHalfMessage(16)).body;
    expect(checks.map((m) => m.MessageBody)).toEqual(['rolled back', 'forgotten']);
    expect((await tp.rollback(checks[0]!.ReceiptHandle)).code).toBe(204);
    fx.clock!.advance(10_000);
    const again = (await tp.consumeHalfMessage(16)).body;
    expect(again.map((m) => [m.MessageBody, m.ConsumedTimes])).toEqual([['forgotten', '2']]);
    fx.clock!.advance(10_000);
    expect(await errorCode(tp.consumeHalfMessage(16))).toBe('MessageNotExist');
    expect(await errorCode(fx.client.getConsumer(NS, 'trans', 'GID_c').consumeMessage(16))).toBe(
      'MessageNotExist',
    );
  });
});

describe('scheduled delivery', () => {
  it('holds a message until __STARTDELIVERTIME', async () => {
    fx = await startRocketMq();
    const at = fx.clock!.now() + 60_000;
    const p = props();
    p.startDeliverTime(at);
    await fx.client.getProducer(NS, 'timer').publishMessage('later', undefined, p);
    const consumer = fx.client.getConsumer(NS, 'timer', 'GID_timer');
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
    fx.clock!.advance(59_999);
    expect(await errorCode(consumer.consumeMessage(16))).toBe('MessageNotExist');
    fx.clock!.advance(1);
    const [m] = (await consumer.consumeMessage(16)).body;
    expect(m!.MessageBody).toBe('later');
    expect(m!.StartDeliverTime).toBe(at);
  });
});

describe('authentication', () => {
  it('rejects a wrong secret and an unknown AccessKeyId', async () => {
    fx = await startRocketMq();
    const wrong = fx.clientWith('test-ak', `${SK}x`);
    expect(await errorCode(wrong.getProducer(NS, 'auth').publishMessage('x'))).toBe('SignatureDoesNotMatch');
    expect(await errorCode(wrong.getConsumer(NS, 'auth', 'GID_auth').consumeMessage(1))).toBe(
      'SignatureDoesNotMatch',
    );
    const unknown = fx.clientWith('nobody', SK);
    expect(await errorCode(unknown.getProducer(NS, 'auth').publishMessage('x'))).toBe('InvalidAccessKeyId');
    // Nothing was published by the refused calls.
    expect(await errorCode(fx.client.getConsumer(NS, 'auth', 'GID_auth').consumeMessage(16))).toBe(
      'MessageNotExist',
    );
  });

  it('verifies tag consumes over the percent-encoded target', async () => {
    fx = await startRocketMq();
    await fx.client.getProducer(NS, 'auth').publishMessage('tagged', 'A B');
    const got = await fx.client.getConsumer(NS, 'auth', 'GID_auth', 'A B||C').consumeMessage(16);
    expect(got.body.map((m) => m.MessageTag)).toEqual(['A B']);
  });
});

describe('pre-declared topics', () => {
  it('answers TopicNotExist / ConsumerNotExist when autoCreate is off', async () => {
    fx = await startRocketMq({ autoCreate: false });
    expect(await errorCode(fx.client.getProducer(NS, 'decl').publishMessage('x'))).toBe('TopicNotExist');
    fx.handler.declareTopic('decl', NS);
    await fx.client.getProducer(NS, 'decl').publishMessage('x');
    expect(await errorCode(fx.client.getConsumer(NS, 'decl', 'GID_decl').consumeMessage(1))).toBe(
      'ConsumerNotExist',
    );
    fx.handler.declareConsumer('decl', 'GID_decl', { ns: NS });
    expect((await fx.client.getConsumer(NS, 'decl', 'GID_decl').consumeMessage(1)).body[0]!.MessageBody).toBe(
      'x',
    );
  });
});
