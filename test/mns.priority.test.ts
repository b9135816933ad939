/**
 * @module mns.priority.test — MNS Priority over raw HTTP: the Go SDK's `<Priority>0</Priority>` (an unset
 * Priority) is the default, and receive/peek deliver by Priority, then send order, echoing each message's.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

let srv: MnsServer;
beforeEach(async () => {
  srv = await startMns();
  expect((await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
});
afterEach(() => srv.stop());

/**
 * A POST of `body` to /queues/q/messages with the headers aliyun-mns-go-sdk sets: its xml.Marshal output (no
 * declaration, no namespace), `Content-Type: application/xml` and a Content-MD5 that is the base64 of the
 * hex MD5.
 */
function goSdkSend(body: string): Promise<Response> {
  const hex = createHash('md5').update(body).digest('hex');
  return mnsFetch(srv.url, '/queues/q/messages', {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/xml',
      'content-md5': Buffer.from(hex).toString('base64'),
    },
  });
}

/** Each `<Message>`'s MessageBody and Priority of a receive or peek answer, in order. */
function bodiesAndPriorities(xml: string): [string, number][] {
  return [...xml.matchAll(/<MessageBody>([^<]*)<\/MessageBody>.*?<Priority>(\d+)<\/Priority>/g)].map((m) => [
    m[1]!,
    Number(m[2]),
  ]);
}

async function receiveAll(): Promise<[string, number][]> {
  const res = await mnsFetch(srv.url, '/queues/q/messages?numOfMessages=16');
  expect(res.status).toBe(200);
  return bodiesAndPriorities(await res.text());
}

describe('MNS Priority 0 is "not set" (aliyun-mns-go-sdk)', () => {
  it('SendMessage with the exact bytes the Go SDK sends for an unset Priority: 201, echoed as 8', async () => {
    const res = await goSdkSend(
      '<Message><MessageBody>hello</MessageBody><DelaySeconds>0</DelaySeconds><Priority>0</Priority></Message>',
    );
    expect(res.status).toBe(201);
    expect(await res.text()).toMatch(/<MessageId>[0-9A-F]{32}<\/MessageId>/);
    const got = await mnsFetch(srv.url, '/queues/q/messages');
    expect(got.status).toBe(200);
    expect(bodiesAndPriorities(await got.text())).toEqual([['hello', 8]]);
  });

  it('BatchSendMessage with the Go SDK bytes: an unset Priority among set ones', async () => {
    const res = await goSdkSend(
      '<Messages>' +
        '<Message><MessageBody>unset</MessageBody><DelaySeconds>0</DelaySeconds><Priority>0</Priority></Message>' +
        '<Message><MessageBody>three</MessageBody><DelaySeconds>0</DelaySeconds><Priority>3</Priority></Message>' +
        '<Message><MessageBody>sixteen</MessageBody><DelaySeconds>0</DelaySeconds><Priority>16</Priority></Message>' +
        '<Message><MessageBody>eight</MessageBody><DelaySeconds>0</DelaySeconds><Priority>8</Priority></Message>' +
        '</Messages>',
    );
    expect(res.status).toBe(201);
    expect((await res.text()).match(/<MessageId>/g)).toHaveLength(4);
    expect(await receiveAll()).toEqual([
      ['three', 3],
      ['unset', 8],
      ['eight', 8],
      ['sixteen', 16],
    ]);
  });

  it('0 in any digit form is unset; everything else outside 1..16 is still 400 InvalidArgument', async () => {
    for (const zero of ['00', ' 0 ']) {
      const res = await goSdkSend(
        `<Message><MessageBody>z</MessageBody><Priority>${zero}</Priority></Message>`,
      );
      expect(res.status, zero).toBe(201);
    }
    for (const bad of ['17', '-1', '1.5', 'x', '', '+3']) {
      const res = await goSdkSend(
        `<Message><MessageBody>z</MessageBody><Priority>${bad}</Priority></Message>`,
      );
      const text = await res.text();
      expect([res.status, errorCodeOf(text)], bad).toEqual([400, 'InvalidArgument']);
      if (bad === '17') expect(text).toContain('should between 1 and 16');
    }
    // Per item in a batch: the bad item fails, the others are sent.
    const batch = await goSdkSend(
      '<Messages><Message><MessageBody>a</MessageBody><Priority>0</Priority></Message>' +
        '<Message><MessageBody>b</MessageBody><Priority>17</Priority></Message></Messages>',
    );
    expect(batch.status).toBe(500);
    const text = await batch.text();
    expect(text.match(/<MessageId>/g)).toHaveLength(1);
    expect(text).toContain('<ErrorCode>InvalidArgument</ErrorCode>');
  });
});

describe('MNS Priority orders delivery', () => {
  it('BatchPeek and BatchReceive deliver by Priority, then send order; each message echoes its own', async () => {
    const priorities = [9, 0, 1, 16, 8, 1, 3, 0, 16, 2, 15, 4, 8, 5, 1, 12];
    const body =
      '<Messages>' +
      priorities
        .map((p, i) => `<Message><MessageBody>m${i}</MessageBody><Priority>${p}</Priority></Message>`)
        .join('') +
      '</Messages>';
    expect((await goSdkSend(body)).status).toBe(201);
    const expected = priorities
      .map((p, i) => [`m${i}`, p === 0 ? 8 : p] as [string, number])
      .sort((a, b) => a[1] - b[1]);
    const peeked = await mnsFetch(srv.url, '/queues/q/messages?peekonly=true&numOfMessages=16');
    expect(bodiesAndPriorities(await peeked.text())).toEqual(expected);
    expect(await receiveAll()).toEqual(expected);
  });

  it('a message whose visibility ends comes back ahead of its Priority, behind higher ones', async () => {
    const send = (b: string, p: number) =>
      goSdkSend(`<Message><MessageBody>${b}</MessageBody><Priority>${p}</Priority></Message>`);
    await send('a', 5);
    await send('b', 5);
    const got = await mnsFetch(srv.url, '/queues/q/messages');
    const handle = /<ReceiptHandle>([^<]+)</.exec(await got.text())![1]!;
    await send('c', 2);
    // ChangeMessageVisibility to 0 s is refused by MNS (1..43200), so end the delivery through the core.
    const queue = srv.broker.queue('mns:queue:q');
    await queue.nack(handle);
    expect(await receiveAll()).toEqual([
      ['c', 2],
      ['a', 5],
      ['b', 5],
    ]);
  });

  it('a message stored with the Priority property of older versions still echoes it', async () => {
    // What a log written before core priorities replays into: the priority kept as a property.
    await srv.broker.queue('mns:queue:q').send({ body: 'old', properties: { 'mns:priority': '3' } });
    const peeked = await mnsFetch(srv.url, '/queues/q/messages?peekonly=true');
    expect(bodiesAndPriorities(await peeked.text())).toEqual([['old', 3]]);
    expect(await receiveAll()).toEqual([['old', 3]]);
  });
});
