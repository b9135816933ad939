/**
 * @module rocketmq.wire2.test — the exact commit/rollback requests of the Go and Python SDKs (issue 14 item 5), and
 * the longest names of every kind (item 9), over signed raw HTTP.
 */
import { createHash } from 'node:crypto';
import { createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createRocketMqHandler, sign } from '@sluice/rocketmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';

const NS = 'http://mq.aliyuncs.com/doc/v1/';
let srv: Listening;
let clock: ManualClock;
let closeBroker: () => Promise<void>;

async function start(): Promise<void> {
  clock = manualClock(Date.now());
  const broker = await createBroker({ clock });
  closeBroker = () => broker.close();
  srv = await listen(
    createRocketMqHandler(broker, { credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] }).node,
  );
}
afterEach(async () => {
  await srv?.close();
  await closeBroker?.();
});

/** Which SDK's header set to imitate. */
type Sdk = 'go' | 'python';

interface Answer {
  status: number;
  text: string;
}

/**
 * Sends `target` signed with the headers `sdk` sends: Go (fasthttp) puts Content-Type and a Content-MD5 of
 * base64(hex(md5)) on every request, Python puts `text/xml;charset=UTF-8` only on requests with a body, no MD5.
 */
async function send(sdk: Sdk, method: string, target: string, body?: string): Promise<Answer> {
  const headers: Record<string, string> = {
    'x-mq-version': '2015-06-06',
    date: new Date().toUTCString(),
  };
  if (sdk === 'go') {
    const hex = createHash('md5')
      .update(body ?? '')
      .digest('hex');
    headers['content-type'] = 'text/xml;charset=utf-8';
    headers['content-md5'] = Buffer.from(hex).toString('base64');
    headers['user-agent'] = 'mq-go-sdk/1.0.3(fasthttp)';
  } else {
    if (body !== undefined) headers['content-type'] = 'text/xml;charset=UTF-8';
    headers['user-agent'] = 'mq-python-sdk/1.0.3(Linux/6.1;3.11.4)';
  }
  headers['authorization'] = `MQ ak:${sign('sk', method, headers, target)}`;
  const res = await fetch(srv.url + target, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, text: await res.text() };
}

const codeOf = (text: string) => /<(?:Error)?Code>([^<]*)<\/(?:Error)?Code>/.exec(text)?.[1];
const handlesIn = (text: string) =>
  [...text.matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map((m) => m[1]!);

/** Go `xml.Marshal(ReceiptHandles{...})`: no declaration, no namespace. */
const goHandles = (h: string) => `<ReceiptHandles><ReceiptHandle>${h}</ReceiptHandle></ReceiptHandles>`;
/** Python minidom `toxml("utf-8")`: a lower-case encoding in the declaration and the namespace on the root. */
const pyHandles = (h: string) =>
  `<?xml version="1.0" encoding="utf-8"?><ReceiptHandles xmlns="${NS}"><ReceiptHandle>${h}</ReceiptHandle></ReceiptHandles>`;

/** A half message as the Go SDK publishes it (`Properties` as `k:v|`); answers its publish handle. */
async function publishHalf(topic: string, body: string, nsQuery = ''): Promise<string> {
  const res = await send(
    'go',
    'POST',
    `/topics/${topic}/messages${nsQuery === '' ? '' : `?${nsQuery}`}`,
    `<Message><MessageBody>${body}</MessageBody><Properties>__TransCheckT:10|</Properties></Message>`,
  );
  expect(res.status).toBe(201);
  const [handle] = handlesIn(res.text);
  expect(handle).toBeDefined();
  return handle!;
}

/** Consumes up to 16 messages of `topic` for `group`; answers the bodies (none: []). */
async function bodies(topic: string, group: string, nsQuery = ''): Promise<string[]> {
  const res = await send(
    'go',
    'GET',
    `/topics/${topic}/messages?consumer=${group}${nsQuery === '' ? '' : `&${nsQuery}`}&numOfMessages=16`,
  );
  if (res.status === 404) {
    expect(codeOf(res.text)).toBe('MessageNotExist');
    return [];
  }
  expect(res.status).toBe(200);
  return [...res.text.matchAll(/<MessageBody>([^<]*)<\/MessageBody>/g)].map((m) => m[1]!);
}

/** Pops the half messages due for a check-back (`trans=pop`), as both SDKs do; answers their handles. */
async function checkBack(topic: string, group: string, nsQuery = ''): Promise<string[]> {
  clock.advance(11_000);
  const res = await send(
    'go',
    'GET',
    `/topics/${topic}/messages?consumer=${group}${nsQuery === '' ? '' : `&${nsQuery}`}&numOfMessages=16&trans=pop`,
  );
  if (res.status === 404) {
    expect(codeOf(res.text)).toBe('MessageNotExist');
    return [];
  }
  expect(res.status).toBe(200);
  return handlesIn(res.text);
}

describe('commit and rollback as the SDKs send them (item 5)', () => {
  it('Go on the default instance: `consumer=` empty commits by the publish handle and rolls back by a check-back handle', async () => {
    await start();
    const committed = await publishHalf('tx', 'c');
    const rolledBack = await publishHalf('tx', 'r');
    // Exactly the Go SDK's target on the default instance: the instance id (empty) where the group id belongs.
    const commit = await send(
      'go',
      'DELETE',
      '/topics/tx/messages?consumer=&trans=commit',
      goHandles(committed),
    );
    expect(commit).toEqual({ status: 204, text: '' });
    expect(await bodies('tx', 'GID_a')).toEqual(['c']);
    const checks = await checkBack('tx', 'GID_tx');
    // Only the unresolved one comes back, under the message id its publish handle carried.
    expect(checks).toHaveLength(1);
    const check = checks[0];
    expect(check!.slice(0, 32)).toBe(rolledBack.slice(0, 32));
    const rollback = await send(
      'go',
      'DELETE',
      '/topics/tx/messages?consumer=&trans=rollback',
      goHandles(check!),
    );
    expect(rollback).toEqual({ status: 204, text: '' });
    // Resolved for good: no second check-back, nothing delivered.
    expect(await checkBack('tx', 'GID_tx')).toEqual([]);
    expect(await bodies('tx', 'GID_a')).toEqual([]);
  });

  it('Go on a named instance and Python (consumer, ns, trans; namespaced body) are accepted the same way', async () => {
    await start();
    const ns = 'ns=MQ_INST_1_x';
    const a = await publishHalf('tx', 'go', ns);
    const b = await publishHalf('tx', 'py', ns);
    expect(
      await send('go', 'DELETE', `/topics/tx/messages?consumer=GID_tx&${ns}&trans=commit`, goHandles(a)),
    ).toEqual({ status: 204, text: '' });
    expect(
      await send('python', 'DELETE', `/topics/tx/messages?consumer=GID_tx&${ns}&trans=commit`, pyHandles(b)),
    ).toEqual({ status: 204, text: '' });
    expect((await bodies('tx', 'GID_any', ns)).sort()).toEqual(['go', 'py']);
  });

  it('without any consumer parameter, and with one that names no group, the handle alone decides', async () => {
    await start();
    const a = await publishHalf('tx', 'a');
    const b = await publishHalf('tx', 'b');
    expect((await send('go', 'DELETE', '/topics/tx/messages?trans=commit', goHandles(a))).status).toBe(204);
    expect(
      (await send('go', 'DELETE', '/topics/tx/messages?consumer=GID_never_seen&trans=rollback', goHandles(b)))
        .status,
    ).toBe(204);
    expect(await bodies('tx', 'GID_a')).toEqual(['a']);
  });

  it('the handle still has to belong to the topic and instance of the path, and is single use', async () => {
    await start();
    const h = await publishHalf('tx', 'x');
    const elsewhere = await send(
      'go',
      'DELETE',
      '/topics/other/messages?consumer=&trans=commit',
      goHandles(h),
    );
    expect(elsewhere.status).toBe(404);
    expect(codeOf(elsewhere.text)).toBe('ReceiptHandleError');
    const otherNs = await send(
      'go',
      'DELETE',
      '/topics/tx/messages?consumer=&ns=MQ_INST_2&trans=commit',
      goHandles(h),
    );
    expect(codeOf(otherNs.text)).toBe('ReceiptHandleError');
    expect(
      (await send('go', 'DELETE', '/topics/tx/messages?consumer=&trans=commit', goHandles(h))).status,
    ).toBe(204);
    const again = await send('go', 'DELETE', '/topics/tx/messages?consumer=&trans=commit', goHandles(h));
    expect(again.status).toBe(404);
    expect(codeOf(again.text)).toBe('MessageNotExist');
  });

  it('a plain ack still needs its consumer', async () => {
    await start();
    const res = await send('go', 'DELETE', '/topics/tx/messages?consumer=', goHandles('x'));
    expect(res.status).toBe(400);
    expect(codeOf(res.text)).toBe('InvalidArgument');
  });
});

describe('names of the longest documented length (item 9)', () => {
  const topic = `${`T${'_x-'.repeat(30)}`.slice(0, 63)}Z`;
  const group = `GID_${'y'.repeat(60)}`;
  const ns = `MQ_INST_${'1'.repeat(50)}_B.x-z`.slice(0, 64);

  it('a 64-character topic, group and instance id publish, consume and ack; one more is InvalidArgument', async () => {
    await start();
    expect([topic.length, group.length, ns.length]).toEqual([64, 64, 64]);
    const sent = await send(
      'go',
      'POST',
      `/topics/${topic}/messages?ns=${ns}`,
      '<Message><MessageBody>long</MessageBody></Message>',
    );
    expect(sent.status).toBe(201);
    const got = await send(
      'go',
      'GET',
      `/topics/${topic}/messages?consumer=${group}&ns=${ns}&numOfMessages=1`,
    );
    expect(got.status).toBe(200);
    const [handle] = handlesIn(got.text);
    expect(
      (
        await send(
          'python',
          'DELETE',
          `/topics/${topic}/messages?consumer=${group}&ns=${ns}`,
          pyHandles(handle!),
        )
      ).status,
    ).toBe(204);
    for (const target of [
      `/topics/${topic}x/messages?consumer=${group}&ns=${ns}&numOfMessages=1`,
      `/topics/${topic}/messages?consumer=${group}x&ns=${ns}&numOfMessages=1`,
      `/topics/${topic}/messages?consumer=${group}&ns=${ns}x&numOfMessages=1`,
    ]) {
      const res = await send('go', 'GET', target);
      expect(res.status).toBe(400);
      expect(codeOf(res.text)).toBe('InvalidArgument');
    }
  });

  it('a transactional half message on the longest names commits', async () => {
    await start();
    const h = await publishHalf(topic, 'tx', `ns=${ns}`);
    const [check] = await checkBack(topic, group, `ns=${ns}`);
    expect(check).toBeDefined();
    // The publish handle was superseded by the check-back; commit by the live one.
    expect(
      (
        await send(
          'go',
          'DELETE',
          `/topics/${topic}/messages?consumer=${group}&ns=${ns}&trans=commit`,
          goHandles(check!),
        )
      ).status,
    ).toBe(204);
    expect(h).toBeDefined();
    expect(await bodies(topic, group, `ns=${ns}`)).toEqual(['tx']);
  });
});
