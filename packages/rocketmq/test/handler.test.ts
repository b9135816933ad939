/** @module handler.test — the dialect through its fetch adapter and wire handler, without a server. */
import { createBroker, manualClock } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { createRocketMqHandler } from '../src/handler.js';

const doc = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody><![CDATA[${body}]]></MessageBody></Message>`;
const headers = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8', host: 'mq.test' };

describe('createRocketMqHandler', () => {
  it('publishes and consumes through the fetch adapter (Hono, Bun, workers)', async () => {
    const broker = await createBroker({ clock: manualClock(1_700_000_000_000) });
    const mq = createRocketMqHandler(broker);
    const sent = await mq.fetch(
      new Request('http://mq.test/topics/T/messages', { method: 'POST', headers, body: doc('hi') }),
    );
    expect(sent.status).toBe(201);
    expect(sent.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    expect(await sent.text()).toContain('<MessageBodyMD5>49F68A5C8493EC2C0BF489821C21FC3B</MessageBodyMD5>');
    const got = await mq.fetch(
      new Request('http://mq.test/topics/T/messages?consumer=G&numOfMessages=1', { headers }),
    );
    expect(got.status).toBe(200);
    const text = await got.text();
    expect(text).toContain('<MessageBody>hi</MessageBody>');
    expect(text).toContain('<PublishTime>1700000000000</PublishTime>');
    expect(text).toContain('<NextConsumeTime>1700000300000</NextConsumeTime>');
    expect(broker.listTopics()).toEqual(['rocketmq::T']);
    await broker.close();
  });

  it('answers undefined for requests that are not RocketMQ', async () => {
    const broker = await createBroker();
    const mq = createRocketMqHandler(broker);
    const out = await mq.wire(
      {
        method: 'GET',
        target: '/healthz',
        path: '/healthz',
        query: new Map(),
        headers: {},
        body: new Uint8Array(),
      },
      new AbortController().signal,
    );
    expect(out).toBeUndefined();
    await broker.close();
  });

  it('turns an unexpected failure into a 500 InternalError without a stack', async () => {
    const broker = await createBroker();
    const mq = createRocketMqHandler(broker, {
      credentials: () => {
        throw new Error('secret store down');
      },
    });
    const res = await mq.fetch(
      new Request('http://mq.test/topics/T/messages?consumer=G&numOfMessages=1', {
        headers: { ...headers, date: new Date().toUTCString(), authorization: 'MQ a:b' },
      }),
    );
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('<Code>InternalError</Code>');
    expect(text).not.toContain('secret store down');
    await broker.close();
  });

  it('reports a closed broker as ServiceUnavailable', async () => {
    const broker = await createBroker();
    const mq = createRocketMqHandler(broker);
    await broker.close();
    const res = await mq.fetch(
      new Request('http://mq.test/topics/T/messages', { method: 'POST', headers, body: doc('x') }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    expect(await res.text()).toContain('<Code>ServiceUnavailable</Code>');
  });
});
