/**
 * @module rocketmq.handles.test — a receipt handle is `<MessageId>-<kind><token>`: a live token behind another
 * message's id is a forged handle, for every kind (normal and ordered acks, check-back and publish handles of a
 * transaction's commit or rollback). It is answered `ReceiptHandleError`, and neither message is settled by it.
 */
import { createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createRocketMqHandler } from '@sluice/rocketmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';

const NS_Q = 'ns=MQ_INST_1';
let srv: Listening;
let clock: ManualClock;
let closeBroker: () => Promise<void>;

beforeEach(async () => {
  clock = manualClock(Date.now());
  const broker = await createBroker({ clock });
  closeBroker = () => broker.close();
  srv = await listen(createRocketMqHandler(broker).node);
});
afterEach(async () => {
  await srv?.close();
  await closeBroker?.();
});

async function call(
  method: string,
  target: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${srv.url}${target}`, {
    method,
    headers: { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, text: await res.text() };
}

const message = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/">${inner}</Message>`;
const handlesDoc = (handles: string[]) =>
  `<ReceiptHandles xmlns="http://mq.aliyuncs.com/doc/v1/">${handles.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`;
const publish = (inner: string) => call('POST', `/topics/t/messages?${NS_Q}`, message(inner));
const consume = (query: string) => call('GET', `/topics/t/messages?${NS_Q}&${query}`);
const settle = (handles: string[], consumer = 'GID_a', extra = '') =>
  call('DELETE', `/topics/t/messages?consumer=${consumer}&${NS_Q}${extra}`, handlesDoc(handles));
const handlesIn = (text: string) =>
  [...text.matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map((m) => m[1]!);
const idsIn = (text: string) => [...text.matchAll(/<MessageId>([^<]*)<\/MessageId>/g)].map((m) => m[1]!);
const errorsIn = (text: string) =>
  [
    ...text.matchAll(
      /<ErrorCode>(\w+)<\/ErrorCode><ErrorMessage>[^<]*<\/ErrorMessage><ReceiptHandle>([^<]*)</g,
    ),
  ].map((m) => [m[1], m[2]]);

/** `b`'s token behind `a`'s message id. */
const swap = (a: string, b: string) => `${a.slice(0, 32)}${b.slice(32)}`;

describe('a live token behind another message id', () => {
  it('is refused for a normal ack, and acks neither message', async () => {
    await publish('<MessageBody>one</MessageBody>');
    await publish('<MessageBody>two</MessageBody>');
    const [a, b] = handlesIn((await consume('consumer=GID_a&numOfMessages=2')).text);
    expect(a).toMatch(/^[0-9A-F]{32}-N/);
    const forged = [swap(a!, b!), swap(b!, a!)];
    const res = await settle(forged);
    expect(res.status).toBe(404);
    expect(errorsIn(res.text)).toEqual(forged.map((h) => ['ReceiptHandleError', h]));
    // Both deliveries are still live: the genuine handles ack them.
    expect((await settle([a!, b!])).status).toBe(204);
  });

  it('is refused for an ordered ack, and acks neither message', async () => {
    await publish('<MessageBody>one</MessageBody><Properties>__SHARDINGKEY:k1</Properties>');
    await publish('<MessageBody>two</MessageBody><Properties>__SHARDINGKEY:k2</Properties>');
    const [a, b] = handlesIn((await consume('consumer=GID_a&numOfMessages=2&trans=order')).text);
    expect(a).toMatch(/^[0-9A-F]{32}-O/);
    expect(b).toMatch(/^[0-9A-F]{32}-O/);
    const forged = swap(a!, b!);
    const res = await settle([forged]);
    expect(errorsIn(res.text)).toEqual([['ReceiptHandleError', forged]]);
    expect((await settle([a!, b!])).status).toBe(204);
  });

  it('is refused for a commit with check-back handles, and resolves neither half message', async () => {
    await publish('<MessageBody>one</MessageBody><Properties>__TransCheckT:10</Properties>');
    await publish('<MessageBody>two</MessageBody><Properties>__TransCheckT:10</Properties>');
    clock.advance(10_001);
    const [a, b] = handlesIn((await consume('consumer=GID_p&numOfMessages=2&trans=pop')).text);
    expect(a).toMatch(/^[0-9A-F]{32}-T/);
    const forged = swap(a!, b!);
    const res = await settle([forged], 'GID_p', '&trans=commit');
    expect(errorsIn(res.text)).toEqual([['ReceiptHandleError', forged]]);
    // Nothing was committed; the genuine handles still work.
    expect((await consume('consumer=GID_a&numOfMessages=2')).status).toBe(404);
    expect((await settle([a!], 'GID_p', '&trans=commit')).status).toBe(204);
    expect((await settle([b!], 'GID_p', '&trans=rollback')).status).toBe(204);
    const delivered = await consume('consumer=GID_a&numOfMessages=2');
    expect(delivered.text).toContain('<MessageBody>one</MessageBody>');
    expect(delivered.text).not.toContain('<MessageBody>two</MessageBody>');
  });

  it('is refused for a commit or rollback with publish handles, and resolves neither half message', async () => {
    const one = await publish('<MessageBody>one</MessageBody><Properties>__TransCheckT:10</Properties>');
    const two = await publish('<MessageBody>two</MessageBody><Properties>__TransCheckT:10</Properties>');
    const [a] = handlesIn(one.text);
    const [b] = handlesIn(two.text);
    expect(a).toMatch(/^[0-9A-F]{32}-P/);
    expect(idsIn(one.text)[0]).toBe(a!.slice(0, 32));
    for (const trans of ['commit', 'rollback']) {
      const forged = [swap(a!, b!), swap(b!, a!)];
      const res = await settle(forged, 'GID_p', `&trans=${trans}`);
      expect(errorsIn(res.text)).toEqual(forged.map((h) => ['ReceiptHandleError', h]));
    }
    expect((await consume('consumer=GID_a&numOfMessages=2')).status).toBe(404);
    expect((await settle([a!, b!], 'GID_p', '&trans=commit')).status).toBe(204);
    expect((await consume('consumer=GID_a&numOfMessages=2')).text).toContain(
      '<MessageBody>two</MessageBody>',
    );
  });
});
