/** @module mns.ali-mns.test — `ali-mns` 2.6.8 against a real Sluice MNS server: queues, messages, topics, subscriptions. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AliMns, aliCloudClient, aliMnsAccount, localize } from './helpers/mns-clients.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
type Any = any;

/** ali-mns rejects with the parsed `{ Error: { Code, ... } }` body: its code. */
async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Any)?.Error?.Code ?? `unexpected ${String(e)}`;
  }
  return 'no error';
}

let srv: MnsServer;
let account: Any;
const mq = (name: string): Any => localize(new AliMns.MQBatch(name, account, 'hangzhou'), srv.url);
const mns = (): Any => localize(new AliMns.MNSTopic(account, 'hangzhou'), srv.url);
const topic = (name: string): Any => localize(new AliMns.Topic(name, account, 'hangzhou'), srv.url);

beforeEach(async () => {
  srv = await startMns();
  account = aliMnsAccount();
});
afterEach(() => srv.stop());

describe('ali-mns: queues and messages', () => {
  it('create, list, attributes, delete', async () => {
    const m = mns();
    expect(await m.createP('jobs', { VisibilityTimeout: 45 })).toBe(201);
    expect(await m.createP('jobs', { VisibilityTimeout: 45 })).toBe(204);
    expect(await errorCode(m.createP('jobs', { VisibilityTimeout: 46 }))).toBe('QueueAlreadyExist');
    await m.createP('jobs2');
    const list = await m.listP('job', 1);
    expect(list.Queues.Queue.QueueURL).toBe(`${srv.url}/queues/jobs`);
    expect(list.Queues.NextMarker).toBe('jobs2');
    const page2 = await m.listP('job', 1, 'jobs2');
    expect(page2.Queues.Queue.QueueURL).toBe(`${srv.url}/queues/jobs2`);
    expect(page2.Queues.NextMarker).toBeUndefined();
    const q = mq('jobs');
    expect((await q.getAttrsP()).Queue).toMatchObject({ QueueName: 'jobs', VisibilityTimeout: '45' });
    expect(await q.setAttrsP({ DelaySeconds: 2 })).toBe(204);
    expect((await q.getAttrsP()).Queue.DelaySeconds).toBe('2');
    expect(await m.deleteP('jobs2')).toBe(204);
    expect(await errorCode(mq('jobs2').getAttrsP())).toBe('QueueNotExist');
  });

  it('send (base64 by the SDK), receive, peek, reserve, delete', async () => {
    await mns().createP('q');
    const q = mq('q');
    const sent = await q.sendP('héllo <ünïcode> & more', 2);
    expect(sent.Message.MessageId).toMatch(/^[0-9A-F]{32}$/);
    const peeked = await q.peekP(1);
    expect(peeked.Message.MessageBody).toBe('héllo <ünïcode> & more');
    const got = await q.recvP(1, 1);
    expect(got.Message).toMatchObject({
      MessageBody: 'héllo <ünïcode> & more',
      Priority: '2',
      DequeueCount: '1',
    });
    const reserved = await q.reserveP(got.Message.ReceiptHandle, 120);
    expect(reserved.ChangeVisibility.ReceiptHandle).not.toBe(got.Message.ReceiptHandle);
    expect(await errorCode(q.reserveP(got.Message.ReceiptHandle, 10))).toBe('ReceiptHandleError');
    expect(await errorCode(q.reserveP(reserved.ChangeVisibility.ReceiptHandle, 43201))).toBe(
      'InvalidArgument',
    );
    // MQBatch.deleteP(string) drops the promise; use the plain MQ's.
    const single = localize(new AliMns.MQ('q', account, 'hangzhou'), srv.url);
    expect(await single.deleteP(reserved.ChangeVisibility.ReceiptHandle)).toBe(204);
    expect(await errorCode(single.deleteP(reserved.ChangeVisibility.ReceiptHandle))).toBe('MessageNotExist');
    expect(await errorCode(q.recvP(1, 1))).toBe('MessageNotExist');
  });

  it('batch send, batch receive, batch peek, batch delete', async () => {
    await mns().createP('q');
    const q = mq('q');
    const msgs = Array.from({ length: 16 }, (_, i) => new AliMns.Msg(`m${i}`, (i % 16) + 1, 0));
    const sent = await q.sendP(msgs);
    expect(sent.Messages.Message).toHaveLength(16);
    const peeked = await q.peekP(16);
    expect(peeked.Messages.Message).toHaveLength(16);
    const got = await q.recvP(1, 16);
    const list = got.Messages.Message as Any[];
    expect(list).toHaveLength(16);
    // The SDK base64-encodes on send and decodes on receive; the server stores the text as sent.
    expect(list.map((m) => m.MessageBody)).toEqual(Array.from({ length: 16 }, (_, i) => `m${i}`));
    expect(srv.broker.queue('mns:queue:q').stats().inflight).toBe(16);
    const deleted = await q.deleteP(list.map((m) => m.ReceiptHandle));
    expect(deleted).toBe(204);
    // Deleting them again: every item is MessageNotExist, in the <Errors> list ali-mns rejects with.
    const again = await q.deleteP(list.slice(0, 2).map((m) => m.ReceiptHandle)).then(
      () => undefined,
      (e: Any) => e,
    );
    expect(again.Errors.Error.map((e: Any) => e.ErrorCode)).toEqual(['MessageNotExist', 'MessageNotExist']);
  });

  it('batch delete partial failure rejects with the <Errors> list', async () => {
    await mns().createP('q');
    const q = mq('q');
    await q.sendP([new AliMns.Msg('a'), new AliMns.Msg('b')]);
    const got = (await q.recvP(1, 2)).Messages.Message as Any[];
    try {
      await q.deleteP([got[0].ReceiptHandle, 'bogus']);
      expect.unreachable();
    } catch (e) {
      expect((e as Any).Errors.Error).toEqual({
        ErrorCode: 'ReceiptHandleError',
        ErrorMessage: 'The receipt handle you provide is not valid.',
        ReceiptHandle: 'bogus',
      });
    }
  });

  it('long poll: recvP(waitSeconds) returns as soon as a message arrives', async () => {
    await mns().createP('q');
    const q = mq('q');
    const t0 = Date.now();
    const parked = q.recvP(5, 1);
    await new Promise((r) => setTimeout(r, 150));
    await q.sendP('late');
    expect((await parked).Message.MessageBody).toBe('late');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('out-of-range numOfMessages and unknown queue', async () => {
    await mns().createP('q');
    expect(await errorCode(mq('q').recvP(1, 17))).toBe('InvalidArgument');
    expect(await errorCode(mq('nope').sendP('x'))).toBe('QueueNotExist');
  });
});

describe('ali-mns: topics and subscriptions', () => {
  it('create/list/delete topics; subscribe/list/get/set/unsubscribe', async () => {
    const m = mns();
    expect(await m.createTopicP('news')).toBe(201);
    expect(await m.createTopicP('news')).toBe(204);
    expect((await m.listTopicP()).Topics.Topic.TopicURL).toBe(`${srv.url}/topics/news`);
    const t = topic('news');
    expect((await t.getAttrsP()).Topic.TopicName).toBe('news');
    expect(await t.setAttrsP({ MaximumMessageSize: 1024 })).toBe(204);
    expect((await t.getAttrsP()).Topic.MaximumMessageSize).toBe('1024');
    const endpoint = 'acs:mns:cn-hangzhou:1234567890123456:queues/inbox';
    expect(await t.subscribeP('s1', endpoint, 'BACKOFF_RETRY', 'SIMPLIFIED', 'red')).toBe(201);
    expect(await t.subscribeP('s1', endpoint, 'BACKOFF_RETRY', 'SIMPLIFIED', 'red')).toBe(204);
    expect(await errorCode(t.subscribeP('s1', endpoint, 'BACKOFF_RETRY', 'XML', 'red'))).toBe(
      'SubscriptionAlreadyExist',
    );
    expect(await errorCode(t.subscribeP('s2', 'mail:directmail:someone@example.com'))).toBe(
      'InvalidEndpoint',
    );
    expect(await errorCode(t.subscribeP('s2', endpoint, 'SOMETIMES'))).toBe('InvalidArgument');
    expect(await errorCode(t.subscribeP('bad_name', endpoint))).toBe('InvalidSubscriptionName');
    await t.subscribeP('s0', endpoint);
    const subs = await t.listP();
    expect(subs.Subscriptions.Subscription.map((s: Any) => s.SubscriptionURL)).toEqual([
      `${srv.url}/topics/news/subscriptions/s0`,
      `${srv.url}/topics/news/subscriptions/s1`,
    ]);
    const sub = localize(new AliMns.Subscription('s1', t), srv.url);
    const attrs = (await sub.getAttrsP()).Subscription;
    expect(Object.keys(attrs).filter((k) => k !== '$')).toEqual([
      'TopicOwner',
      'TopicName',
      'SubscriptionName',
      'Endpoint',
      'NotifyStrategy',
      'NotifyContentFormat',
      'FilterTag',
      'CreateTime',
      'LastModifyTime',
    ]);
    expect(attrs).toMatchObject({
      TopicName: 'news',
      SubscriptionName: 's1',
      Endpoint: endpoint,
      FilterTag: 'red',
      NotifyContentFormat: 'SIMPLIFIED',
    });
    expect(await sub.setAttrsP({ NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' })).toBe(204);
    expect((await sub.getAttrsP()).Subscription.NotifyStrategy).toBe('EXPONENTIAL_DECAY_RETRY');
    expect(await t.unsubscribeP('s1')).toBe(204);
    expect(await errorCode(sub.getAttrsP())).toBe('SubscriptionNotExist');
    expect(await m.deleteTopicP('news')).toBe(204);
    expect(await errorCode(t.getAttrsP())).toBe('TopicNotExist');
  });

  it('PublishMessage fans out to subscribed queues, honouring FilterTag and NotifyContentFormat', async () => {
    const m = mns();
    for (const q of ['all', 'reds', 'json']) await m.createP(q);
    await m.createTopicP('news');
    const t = topic('news');
    const ep = (q: string) => `acs:mns:cn-hangzhou:1234567890123456:queues/${q}`;
    await t.subscribeP('to-all', ep('all'), undefined, 'SIMPLIFIED');
    await t.subscribeP('to-reds', ep('reds'), undefined, 'XML', 'red');
    await t.subscribeP('to-json', ep('json'), undefined, 'JSON');
    await t.subscribeP('to-missing', ep('missing'), undefined, 'SIMPLIFIED');
    const published = await t.publishP('hello', true, 'red');
    const id = published.Message.MessageId;
    await t.publishP('blue one', true, 'blue');

    const all = (await mq('all').recvP(1, 16)).Messages.Message as Any[];
    expect(all.map((x) => x.MessageBody)).toEqual(['hello', 'blue one']);

    // XML and JSON notifications are not base64: read them with a client that does not decode bodies.
    const reader = aliCloudClient(srv.url);
    const [red] = (await reader.batchReceiveMessage('reds', 16)).body;
    const notification: string = red.MessageBody;
    expect(notification).toContain('<Notification xmlns="http://mns.aliyuncs.com/doc/v1/">');
    expect(notification).toContain(`<MessageId>${id}</MessageId>`);
    expect(notification).toContain('<TopicName>news</TopicName>');
    expect(notification).toContain('<SubscriptionName>to-reds</SubscriptionName>');
    expect(notification).toContain('<MessageTag>red</MessageTag>');
    expect(notification).toContain(`<Message>${Buffer.from('hello').toString('base64')}</Message>`);
    expect(await errorCode(mq('reds').recvP(1, 1))).toBe('MessageNotExist');

    const json = (await reader.batchReceiveMessage('json', 16)).body;
    expect(json).toHaveLength(2);
    const first = JSON.parse(json[0].MessageBody);
    expect(first).toMatchObject({
      TopicName: 'news',
      SubscriptionName: 'to-json',
      MessageId: id,
      MessageTag: 'red',
    });
    expect(Buffer.from(first.Message, 'base64').toString()).toBe('hello');
  });
});
