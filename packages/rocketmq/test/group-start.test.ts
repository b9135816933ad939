/** @module group-start.test — where a consumer group seen for the first time starts (`groupStart`). */
import { createBroker, manualClock } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { createRocketMqHandler } from '../src/handler.js';
import type { RocketMqOptions } from '../src/options.js';

const headers = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8', host: 'mq.test' };
const doc = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody></Message>`;

async function setup(options: RocketMqOptions) {
  const broker = await createBroker({ clock: manualClock(1_700_000_000_000) });
  const mq = createRocketMqHandler(broker, options);
  const publish = async (body: string) => {
    const res = await mq.fetch(
      new Request('http://mq.test/topics/T/messages', { method: 'POST', headers, body: doc(body) }),
    );
    expect(res.status).toBe(201);
  };
  /** Consumes up to 16 for `consumer` and acks them; answers the bodies. */
  const consume = async (consumer: string): Promise<string[]> => {
    const res = await mq.fetch(
      new Request(`http://mq.test/topics/T/messages?consumer=${consumer}&numOfMessages=16`, { headers }),
    );
    const text = await res.text();
    if (res.status === 404) return [];
    expect(res.status).toBe(200);
    const bodies = [...text.matchAll(/<MessageBody>([^<]*)<\/MessageBody>/g)].map((m) => m[1]!);
    const handles = [...text.matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map((m) => m[1]!);
    const ack = await mq.fetch(
      new Request(`http://mq.test/topics/T/messages?consumer=${consumer}`, {
        method: 'DELETE',
        headers,
        body: `<ReceiptHandles xmlns="http://mq.aliyuncs.com/doc/v1/">${handles.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`,
      }),
    );
    expect(ack.status).toBe(204);
    return bodies;
  };
  return { broker, publish, consume };
}

describe('groupStart', () => {
  it("'earliest' (default): a new group gets what another group already consumed, within retention", async () => {
    const { broker, publish, consume } = await setup({});
    await publish('one');
    await publish('two');
    expect(await consume('GID_A')).toEqual(['one', 'two']);
    expect(await consume('GID_A')).toEqual([]);
    expect(await consume('GID_B')).toEqual(['one', 'two']);
    await broker.close();
  });

  it("'latest': a new group only gets what is published after it first consumed", async () => {
    const { broker, publish, consume } = await setup({ groupStart: 'latest' });
    await publish('one');
    expect(await consume('GID_A')).toEqual([]);
    await publish('two');
    expect(await consume('GID_A')).toEqual(['two']);
    expect(await consume('GID_B')).toEqual([]);
    await publish('three');
    expect(await consume('GID_B')).toEqual(['three']);
    await broker.close();
  });

  it('refuses anything else', async () => {
    await expect(setup({ groupStart: 'first' as never })).rejects.toThrow(/groupStart/);
  });
});
