/** @module mns.alicloud.test — `@alicloud/mns` 1.2.0 against a real Sluice MNS server: every operation it offers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aliCloudClient } from './helpers/mns-clients.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

// biome-ignore lint/suspicious/noExplicitAny: the SDK ships no types
type Client = any;

/** The error the SDK throws, by its `name` (`MNS<Code>Error`). */
async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
}

let srv: MnsServer;
let client: Client;

describe('@alicloud/mns: queues', () => {
  beforeEach(async () => {
    srv = await startMns();
    client = aliCloudClient(srv.url);
  });
  afterEach(() => srv.stop());

  it('CreateQueue: 201 + Location, 204 for the same attributes, 409 for different ones', async () => {
    const created = await client.createQueue('orders', { VisibilityTimeout: 60, PollingWaitSeconds: 2 });
    expect(created.code).toBe(201);
    expect(created.headers.location).toBe(`${srv.url}/queues/orders`);
    expect((await client.createQueue('orders', { VisibilityTimeout: 60, PollingWaitSeconds: 2 })).code).toBe(
      204,
    );
    expect(await errorName(client.createQueue('orders', { VisibilityTimeout: 61 }))).toBe(
      'MNSQueueAlreadyExistError',
    );
    // Defaults filled in: an empty create equals an explicit default one.
    await client.createQueue('plain');
    expect((await client.createQueue('plain', { VisibilityTimeout: 30, DelaySeconds: 0 })).code).toBe(204);
  });

  it('CreateQueue refuses bad names and out-of-range attributes', async () => {
    expect(await errorName(client.createQueue('-bad'))).toBe('MNSInvalidQueueNameError');
    expect(await errorName(client.createQueue('a_b'))).toBe('MNSInvalidQueueNameError');
    expect(await errorName(client.createQueue('a'.repeat(257)))).toBe('MNSQueueNameLengthErrorError');
    for (const attrs of [
      { VisibilityTimeout: 0 },
      { VisibilityTimeout: 43201 },
      { DelaySeconds: 604801 },
      { MaximumMessageSize: 1023 },
      { MaximumMessageSize: 65537 },
      { MessageRetentionPeriod: 59 },
      { PollingWaitSeconds: 31 },
      { LoggingEnabled: 'maybe' },
      { VisibilityTimeout: 'x' },
    ]) {
      expect(await errorName(client.createQueue('q', attrs))).toBe('MNSInvalidArgumentError');
    }
    expect(srv.broker.listQueues()).toEqual([]);
  });

  it('GetQueueAttributes returns all twelve fields; SetQueueAttributes changes them', async () => {
    await client.createQueue('q', { DelaySeconds: 5, LoggingEnabled: 'True' });
    const got = (await client.getQueueAttributes('q')).body;
    expect(Object.keys(got)).toEqual([
      'QueueName',
      'CreateTime',
      'LastModifyTime',
      'DelaySeconds',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'VisibilityTimeout',
      'PollingWaitSeconds',
      'ActiveMessages',
      'InactiveMessages',
      'DelayMessages',
      'LoggingEnabled',
    ]);
    expect(got).toMatchObject({
      QueueName: 'q',
      DelaySeconds: '5',
      MaximumMessageSize: '65536',
      MessageRetentionPeriod: '345600',
      VisibilityTimeout: '30',
      PollingWaitSeconds: '0',
      LoggingEnabled: 'True',
    });
    expect(Math.abs(Number(got.CreateTime) - Date.now() / 1000)).toBeLessThan(5);
    const set = await client.setQueueAttributes('q', {
      VisibilityTimeout: 100,
      PollingWaitSeconds: 3,
      LoggingEnabled: 'false',
    });
    expect(set.code).toBe(204);
    const after = (await client.getQueueAttributes('q')).body;
    expect(after).toMatchObject({
      VisibilityTimeout: '100',
      PollingWaitSeconds: '3',
      DelaySeconds: '5',
      LoggingEnabled: 'False',
    });
    expect(await errorName(client.setQueueAttributes('q', { VisibilityTimeout: 0 }))).toBe(
      'MNSInvalidArgumentError',
    );
    expect(await errorName(client.setQueueAttributes('nope', { VisibilityTimeout: 10 }))).toBe(
      'MNSQueueNotExistError',
    );
    expect(await errorName(client.getQueueAttributes('nope'))).toBe('MNSQueueNotExistError');
  });

  it('GetQueueAttributes counts Active, Inactive and Delay messages live', async () => {
    await client.createQueue('q');
    await client.sendMessage('q', { MessageBody: 'a' });
    await client.sendMessage('q', { MessageBody: 'b' });
    await client.sendMessage('q', { MessageBody: 'c', DelaySeconds: 100 });
    await client.receiveMessage('q');
    const got = (await client.getQueueAttributes('q')).body;
    expect(got).toMatchObject({ ActiveMessages: '1', InactiveMessages: '1', DelayMessages: '1' });
  });

  it('DeleteQueue is 204 (also for an unknown queue) and the queue is gone', async () => {
    await client.createQueue('q');
    expect((await client.deleteQueue('q')).code).toBe(204);
    expect((await client.deleteQueue('q')).code).toBe(204);
    expect(await errorName(client.getQueueAttributes('q'))).toBe('MNSQueueNotExistError');
  });

  it('ListQueue: sorted, MNS queues only, prefix, marker and ret-number', async () => {
    for (const q of ['b1', 'a1', 'a2', 'a3']) await client.createQueue(q);
    // Objects of other dialects in the same broker are not MNS queues.
    srv.broker.createQueue('rocketmq-queue');
    srv.broker.createQueue('a0');
    const all = await client.listQueue();
    expect(all.body.map((q: { QueueURL: string }) => q.QueueURL)).toEqual(
      ['a1', 'a2', 'a3', 'b1'].map((n) => `${srv.url}/queues/${n}`),
    );
    const first = await client.get('/queues', 'Queues', {
      headers: { 'x-mns-prefix': 'a', 'x-mns-ret-number': '2' },
    });
    expect(first.body.Queue.map((q: { QueueURL: string }) => q.QueueURL.split('/').pop())).toEqual([
      'a1',
      'a2',
    ]);
    expect(first.body.NextMarker).toBe('a3');
    const second = await client.listQueue('a3', 2, 'a');
    expect(second.body.map((q: { QueueURL: string }) => q.QueueURL.split('/').pop())).toEqual(['a3']);
    expect(await errorName(client.listQueue(undefined, 1001, 'a'))).toBe('MNSInvalidArgumentError');
    const meta = await client.get('/queues', 'Queues', {
      headers: { 'x-mns-with-meta': 'true', 'x-mns-prefix': 'b' },
    });
    expect(meta.body.Queue[0]).toMatchObject({
      QueueName: 'b1',
      VisibilityTimeout: '30',
      ActiveMessages: '0',
    });
  });
});

describe('@alicloud/mns: messages', () => {
  beforeEach(async () => {
    srv = await startMns();
    client = aliCloudClient(srv.url);
    await client.createQueue('q');
  });
  afterEach(() => srv.stop());

  it('SendMessage -> ReceiveMessage -> DeleteMessage, with MD5, priority and counts', async () => {
    const sent = await client.sendMessage('q', { MessageBody: 'héllo world', Priority: 3 });
    expect(sent.code).toBe(201);
    expect(sent.body.MessageId).toMatch(/^[0-9A-F]{32}$/);
    expect(sent.body.MessageBodyMD5).toMatch(/^[0-9A-F]{32}$/);
    const got = await client.receiveMessage('q');
    expect(got.code).toBe(200);
    expect(Object.keys(got.body)).toEqual([
      'MessageId',
      'ReceiptHandle',
      'MessageBodyMD5',
      'MessageBody',
      'EnqueueTime',
      'NextVisibleTime',
      'FirstDequeueTime',
      'DequeueCount',
      'Priority',
    ]);
    expect(got.body).toMatchObject({
      MessageId: sent.body.MessageId,
      MessageBody: 'héllo world',
      MessageBodyMD5: sent.body.MessageBodyMD5,
      DequeueCount: '1',
      Priority: '3',
    });
    expect(got.body.ReceiptHandle).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Number(got.body.NextVisibleTime) - Number(got.body.FirstDequeueTime)).toBe(30_000);
    expect((await client.deleteMessage('q', got.body.ReceiptHandle)).code).toBe(204);
    expect(await errorName(client.deleteMessage('q', got.body.ReceiptHandle))).toBe(
      'MNSMessageNotExistError',
    );
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
  });

  it('MessageBodyMD5 is the upper-case MD5 of the UTF-8 body', async () => {
    const { createHash } = await import('node:crypto');
    const sent = await client.sendMessage('q', { MessageBody: 'héllo' });
    expect(sent.body.MessageBodyMD5).toBe(
      createHash('md5').update('héllo', 'utf8').digest('hex').toUpperCase(),
    );
  });

  it('an XML-escaped body is stored decoded and returned escaped', async () => {
    await client.sendMessage('q', { MessageBody: 'a &lt;b&gt; &amp; c' });
    expect((await client.receiveMessage('q')).body.MessageBody).toBe('a <b> & c');
  });

  it('SendMessage errors: unknown queue, out-of-range, too large, malformed', async () => {
    expect(await errorName(client.sendMessage('nope', { MessageBody: 'x' }))).toBe('MNSQueueNotExistError');
    expect(await errorName(client.sendMessage('q', { MessageBody: 'x', Priority: 17 }))).toBe(
      'MNSInvalidArgumentError',
    );
    // Priority 0 is "not set" (the Go SDK sends it for an unset Priority): see mns.priority.test.ts.
    expect(await errorName(client.sendMessage('q', { MessageBody: 'x', Priority: -1 }))).toBe(
      'MNSInvalidArgumentError',
    );
    expect(await errorName(client.sendMessage('q', { MessageBody: 'x', DelaySeconds: 604801 }))).toBe(
      'MNSInvalidArgumentError',
    );
    expect(await errorName(client.sendMessage('q', { MessageBody: '' }))).toBe('MNSInvalidArgumentError');
    await client.setQueueAttributes('q', { MaximumMessageSize: 1024 });
    expect(await errorName(client.sendMessage('q', { MessageBody: 'x'.repeat(1025) }))).toBe(
      'MNSInvalidArgumentError',
    );
    expect((await client.sendMessage('q', { MessageBody: 'x'.repeat(1024) })).code).toBe(201);
    // @alicloud/mns does not escape the body: a raw '<' makes the XML malformed.
    expect(await errorName(client.sendMessage('q', { MessageBody: 'a<b' }))).toBe('MNSMalformedXMLError');
  });

  it('DelaySeconds keeps a message out of reach until due; the queue default applies when absent', async () => {
    await client.sendMessage('q', { MessageBody: 'later', DelaySeconds: 60 });
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
    expect((await client.getQueueAttributes('q')).body.DelayMessages).toBe('1');
    await client.setQueueAttributes('q', { DelaySeconds: 60 });
    await client.sendMessage('q', { MessageBody: 'queue default' });
    await client.sendMessage('q', { MessageBody: 'override', DelaySeconds: 0 });
    expect((await client.receiveMessage('q')).body.MessageBody).toBe('override');
    expect((await client.getQueueAttributes('q')).body.DelayMessages).toBe('2');
  });

  it('BatchSendMessage sends 16 and refuses 17; BatchReceive/BatchPeek/BatchDelete', async () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => ({ MessageBody: `m${i}`, Priority: (i % 16) + 1 }));
    const sent = await client.batchSendMessage('q', sixteen);
    expect(sent.code).toBe(201);
    expect(sent.body).toHaveLength(16);
    expect(Object.keys(sent.body[0])).toEqual(['MessageId', 'MessageBodyMD5']);
    expect(await errorName(client.batchSendMessage('q', [...sixteen, { MessageBody: 'x' }]))).toBe(
      'MNSInvalidArgumentError',
    );
    const peeked = await client.batchPeekMessage('q', 16);
    expect(peeked.body).toHaveLength(16);
    expect(Object.keys(peeked.body[0])).toEqual([
      'MessageId',
      'MessageBodyMD5',
      'MessageBody',
      'EnqueueTime',
      'FirstDequeueTime',
      'DequeueCount',
      'Priority',
    ]);
    expect(peeked.body[0]).toMatchObject({
      MessageBody: 'm0',
      FirstDequeueTime: '0',
      DequeueCount: '0',
      Priority: '1',
    });
    const one = await client.peekMessage('q');
    expect(one.body.MessageBody).toBe('m0');
    const got = await client.batchReceiveMessage('q', 10);
    expect(got.body).toHaveLength(10);
    const rest = await client.batchReceiveMessage('q', 16);
    expect(rest.body).toHaveLength(6);
    expect(await errorName(client.batchReceiveMessage('q', 16))).toBe('MNSMessageNotExistError');
    expect(await errorName(client.batchPeekMessage('q', 16))).toBe('MNSMessageNotExistError');
    expect(await errorName(client.peekMessage('q'))).toBe('MNSMessageNotExistError');
    const handles = [...got.body, ...rest.body].map((m: { ReceiptHandle: string }) => m.ReceiptHandle);
    const deleted = await client.batchDeleteMessage('q', handles);
    expect(deleted.code).toBe(204);
    expect((await client.getQueueAttributes('q')).body).toMatchObject({
      ActiveMessages: '0',
      InactiveMessages: '0',
    });
  });

  it('BatchSendMessage partial failure: 500 with one entry per input, in order', async () => {
    await client.setQueueAttributes('q', { MaximumMessageSize: 1024 });
    const res = await client.batchSendMessage('q', [
      { MessageBody: 'ok1' },
      { MessageBody: 'x'.repeat(1025) },
      { MessageBody: 'ok2', Priority: 99 },
      { MessageBody: 'ok3' },
    ]);
    expect(res.code).toBe(500);
    expect(res.body).toHaveLength(4);
    expect(Object.keys(res.body[0])).toEqual(['MessageId', 'MessageBodyMD5']);
    expect(Object.keys(res.body[1])).toEqual(['ErrorCode', 'ErrorMessage']);
    expect(res.body[1].ErrorCode).toBe('InvalidArgument');
    expect(res.body[2].ErrorCode).toBe('InvalidArgument');
    expect(res.body[3].MessageId).toMatch(/^[0-9A-F]{32}$/);
    const got = await client.batchReceiveMessage('q', 16);
    expect(got.body.map((m: { MessageBody: string }) => m.MessageBody)).toEqual(['ok1', 'ok3']);
  });

  it('BatchSendMessage refuses more than 64 KB of bodies in total', async () => {
    const big = Array.from({ length: 2 }, () => ({ MessageBody: 'x'.repeat(40_000) }));
    expect(await errorName(client.batchSendMessage('q', big))).toBe('MNSInvalidArgumentError');
  });

  it('BatchDeleteMessage partial failure: 404 <Errors> with each failed handle; good ones are deleted', async () => {
    await client.batchSendMessage('q', [{ MessageBody: 'a' }, { MessageBody: 'b' }]);
    const got = await client.batchReceiveMessage('q', 2);
    const [h1, h2] = got.body.map((m: { ReceiptHandle: string }) => m.ReceiptHandle);
    await client.deleteMessage('q', h1);
    const res = await client.batchDeleteMessage('q', [h1, h2, 'forged-handle']);
    expect(res.code).toBe(404);
    expect(res.body).toEqual([
      { ErrorCode: 'MessageNotExist', ErrorMessage: 'Message not exist.', ReceiptHandle: h1 },
      {
        ErrorCode: 'ReceiptHandleError',
        ErrorMessage: 'The receipt handle you provide is not valid.',
        ReceiptHandle: 'forged-handle',
      },
    ]);
    expect((await client.getQueueAttributes('q')).body.InactiveMessages).toBe('0');
    const tooMany = Array.from({ length: 17 }, () => h2);
    expect(await errorName(client.batchDeleteMessage('q', tooMany))).toBe('MNSInvalidArgumentError');
  });

  it('ChangeMessageVisibility: a new handle and NextVisibleTime; the old handle stops working', async () => {
    await client.sendMessage('q', { MessageBody: 'a' });
    const got = (await client.receiveMessage('q')).body;
    const before = Date.now();
    const changed = await client.changeMessageVisibility('q', got.ReceiptHandle, 100);
    expect(changed.code).toBe(200);
    expect(Object.keys(changed.body)).toEqual(['ReceiptHandle', 'NextVisibleTime']);
    expect(changed.body.ReceiptHandle).not.toBe(got.ReceiptHandle);
    expect(Number(changed.body.NextVisibleTime)).toBeGreaterThanOrEqual(before + 100_000 - 5);
    expect(Number(changed.body.NextVisibleTime)).toBeLessThanOrEqual(Date.now() + 100_000 + 5);
    expect(await errorName(client.deleteMessage('q', got.ReceiptHandle))).toBe('MNSReceiptHandleErrorError');
    expect(await errorName(client.changeMessageVisibility('q', got.ReceiptHandle, 10))).toBe(
      'MNSReceiptHandleErrorError',
    );
    expect(await errorName(client.changeMessageVisibility('q', changed.body.ReceiptHandle, 0))).toBe(
      'MNSInvalidArgumentError',
    );
    expect(await errorName(client.changeMessageVisibility('q', changed.body.ReceiptHandle, 43201))).toBe(
      'MNSInvalidArgumentError',
    );
    expect((await client.deleteMessage('q', changed.body.ReceiptHandle)).code).toBe(204);
  });

  it('a forged or foreign handle is ReceiptHandleError, never a wrong delete', async () => {
    await client.createQueue('other');
    await client.sendMessage('q', { MessageBody: 'a' });
    await client.sendMessage('other', { MessageBody: 'b' });
    const mine = (await client.receiveMessage('q')).body.ReceiptHandle;
    const theirs = (await client.receiveMessage('other')).body.ReceiptHandle;
    expect(await errorName(client.deleteMessage('q', theirs))).toBe('MNSReceiptHandleErrorError');
    expect(await errorName(client.deleteMessage('q', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).toBe(
      'MNSReceiptHandleErrorError',
    );
    expect(await errorName(client.deleteMessage('q', 'x'))).toBe('MNSReceiptHandleErrorError');
    expect(await errorName(client.deleteMessage('nope', mine))).toBe('MNSQueueNotExistError');
    expect((await client.deleteMessage('q', mine)).code).toBe(204);
    expect((await client.deleteMessage('other', theirs)).code).toBe(204);
  });

  it('numOfMessages outside 1..16 and waitseconds outside 0..30 are InvalidArgument', async () => {
    expect(await errorName(client.batchReceiveMessage('q', 17))).toBe('MNSInvalidArgumentError');
    expect(await errorName(client.batchReceiveMessage('q', 0))).toBe('MNSInvalidArgumentError');
    expect(await errorName(client.batchPeekMessage('q', 17))).toBe('MNSInvalidArgumentError');
    expect(await errorName(client.receiveMessage('q', 31))).toBe('MNSInvalidArgumentError');
  });
});

describe('@alicloud/mns: long polling', () => {
  beforeEach(async () => {
    srv = await startMns();
    client = aliCloudClient(srv.url);
    await client.createQueue('q');
  });
  afterEach(() => srv.stop());

  it('a parked receive wakes as soon as a message is sent', async () => {
    const t0 = Date.now();
    const parked = client.receiveMessage('q', 10);
    await new Promise((r) => setTimeout(r, 200));
    await client.sendMessage('q', { MessageBody: 'wake' });
    const got = await parked;
    expect(got.body.MessageBody).toBe('wake');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('waitseconds holds the request, then 404 MessageNotExist', async () => {
    const t0 = Date.now();
    expect(await errorName(client.batchReceiveMessage('q', 16, 1))).toBe('MNSMessageNotExistError');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('without waitseconds the queue PollingWaitSeconds applies', async () => {
    await client.setQueueAttributes('q', { PollingWaitSeconds: 1 });
    const t0 = Date.now();
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('parked receivers wake in arrival order', async () => {
    const first = client.receiveMessage('q', 5);
    await new Promise((r) => setTimeout(r, 100));
    const second = client.receiveMessage('q', 5);
    await new Promise((r) => setTimeout(r, 100));
    await client.sendMessage('q', { MessageBody: '1' });
    await client.sendMessage('q', { MessageBody: '2' });
    expect((await first).body.MessageBody).toBe('1');
    expect((await second).body.MessageBody).toBe('2');
  });

  it('deleting the queue ends a parked receive with QueueNotExist', async () => {
    const parked = errorName(client.receiveMessage('q', 10));
    await new Promise((r) => setTimeout(r, 150));
    await client.deleteQueue('q');
    expect(await parked).toBe('MNSQueueNotExistError');
  });
});

describe('@alicloud/mns: visibility expiry (manual clock)', () => {
  beforeEach(async () => {
    srv = await startMns({ manual: true });
    client = aliCloudClient(srv.url);
    await client.createQueue('q', { VisibilityTimeout: 10 });
  });
  afterEach(() => srv.stop());

  it('an undeleted message comes back after VisibilityTimeout with a new handle; the old one is stale', async () => {
    await client.sendMessage('q', { MessageBody: 'a' });
    const first = (await client.receiveMessage('q')).body;
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
    srv.clock!.advance(9_999);
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
    srv.clock!.advance(1);
    const second = (await client.receiveMessage('q')).body;
    expect(second).toMatchObject({
      MessageId: first.MessageId,
      DequeueCount: '2',
      FirstDequeueTime: first.FirstDequeueTime,
    });
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(await errorName(client.deleteMessage('q', first.ReceiptHandle))).toBe(
      'MNSReceiptHandleErrorError',
    );
    expect((await client.deleteMessage('q', second.ReceiptHandle)).code).toBe(204);
  });

  it('a handle past its NextVisibleTime is stale even before anyone re-receives', async () => {
    await client.sendMessage('q', { MessageBody: 'a' });
    const first = (await client.receiveMessage('q')).body;
    srv.clock!.advance(10_000);
    expect(await errorName(client.deleteMessage('q', first.ReceiptHandle))).toBe(
      'MNSReceiptHandleErrorError',
    );
    expect((await client.getQueueAttributes('q')).body.ActiveMessages).toBe('1');
  });

  it('ChangeMessageVisibility counts from the call and moves the deadline', async () => {
    await client.sendMessage('q', { MessageBody: 'a' });
    const first = (await client.receiveMessage('q')).body;
    srv.clock!.advance(8_000);
    const changed = (await client.changeMessageVisibility('q', first.ReceiptHandle, 5)).body;
    expect(Number(changed.NextVisibleTime)).toBe(srv.clock!.now() + 5_000);
    srv.clock!.advance(4_999);
    expect(await errorName(client.receiveMessage('q'))).toBe('MNSMessageNotExistError');
    srv.clock!.advance(1);
    expect((await client.receiveMessage('q')).body.DequeueCount).toBe('2');
  });

  it('delayed messages become Active when due; retention removes messages', async () => {
    await client.setQueueAttributes('q', { MessageRetentionPeriod: 60 });
    await client.sendMessage('q', { MessageBody: 'd', DelaySeconds: 30 });
    srv.clock!.advance(29_999);
    expect(await errorName(client.peekMessage('q'))).toBe('MNSMessageNotExistError');
    srv.clock!.advance(1);
    expect((await client.peekMessage('q')).body.MessageBody).toBe('d');
    srv.clock!.advance(60_000);
    expect(await errorName(client.peekMessage('q'))).toBe('MNSMessageNotExistError');
    expect((await client.getQueueAttributes('q')).body).toMatchObject({
      ActiveMessages: '0',
      DelayMessages: '0',
    });
  });
});

describe('@alicloud/mns: topics', () => {
  beforeEach(async () => {
    srv = await startMns();
    client = aliCloudClient(srv.url);
  });
  afterEach(() => srv.stop());

  it('CreateTopic / GetTopicAttributes / SetTopicAttributes / ListTopic', async () => {
    const created = await client.createTopic('news', { MaximumMessageSize: 2048 });
    expect(created.code).toBe(201);
    expect(created.headers.location).toBe(`${srv.url}/topics/news`);
    expect((await client.createTopic('news', { MaximumMessageSize: 2048 })).code).toBe(204);
    expect(await errorName(client.createTopic('news'))).toBe('MNSTopicAlreadyExistError');
    expect(await errorName(client.createTopic('bad_name'))).toBe('MNSInvalidTopicNameError');
    expect(await errorName(client.createTopic('t', { MaximumMessageSize: 10 }))).toBe(
      'MNSInvalidArgumentError',
    );
    const got = (await client.getTopicAttributes('news')).body;
    expect(Object.keys(got)).toEqual([
      'TopicName',
      'CreateTime',
      'LastModifyTime',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'MessageCount',
      'LoggingEnabled',
    ]);
    expect(got).toMatchObject({
      TopicName: 'news',
      MaximumMessageSize: '2048',
      MessageRetentionPeriod: '86400',
      LoggingEnabled: 'False',
    });
    expect(
      (await client.setTopicAttributes('news', { MaximumMessageSize: 4096, LoggingEnabled: 'True' })).code,
    ).toBe(204);
    expect((await client.getTopicAttributes('news')).body).toMatchObject({
      MaximumMessageSize: '4096',
      LoggingEnabled: 'True',
    });
    await client.createTopic('alerts');
    const list = await client.listTopic();
    expect(list.body.map((t: { TopicURL: string }) => t.TopicURL)).toEqual([
      `${srv.url}/topics/alerts`,
      `${srv.url}/topics/news`,
    ]);
    expect(await errorName(client.getTopicAttributes('nope'))).toBe('MNSTopicNotExistError');
    // A topic and a queue of the same name are different objects.
    await client.createQueue('news');
    expect((await client.listQueue()).body).toHaveLength(1);
  });

  it('PublishMessage answers MessageId and MD5; unknown topic is TopicNotExist', async () => {
    await client.createTopic('news');
    const res = await client.publishMessage('news', { MessageBody: 'hi', MessageTag: 'x' });
    expect(res.code).toBe(201);
    expect(Object.keys(res.body)).toEqual(['MessageId', 'MessageBodyMD5']);
    expect(res.body.MessageBodyMD5).toBe('49F68A5C8493EC2C0BF489821C21FC3B');
    expect(await errorName(client.publishMessage('nope', { MessageBody: 'hi' }))).toBe(
      'MNSTopicNotExistError',
    );
  });
});
