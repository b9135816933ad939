/**
 * @module rocketmq.raw.test — what the SDK never sends: malformed XML, too many handles, out-of-range parameters,
 * forged handles, over-long request lines, bad signatures; every answer checked for its exact code, status, root
 * element and content type, and for the absence of a stack.
 */
import { createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createRocketMqHandler, type RocketMqOptions, sign } from '@sluice/rocketmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen, rawRequest } from './helpers/listen.js';

const NS_Q = 'ns=MQ_INST_1';
let srv: Listening;
let clock: ManualClock;
let closeBroker: () => Promise<void>;

async function start(options: RocketMqOptions = {}): Promise<void> {
  clock = manualClock(Date.now());
  const broker = await createBroker({ clock });
  closeBroker = () => broker.close();
  srv = await listen(createRocketMqHandler(broker, options).node);
}
afterEach(async () => {
  await srv?.close();
  await closeBroker?.();
});

interface Answer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  text: string;
}

async function call(
  method: string,
  target: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${srv.url}${target}`, {
    method,
    headers: { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    requestId: res.headers.get('x-mq-request-id'),
    text: await res.text(),
  };
}

/** Asserts a single-error document and answers its code. */
function errorOf(answer: Answer, status: number): string {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe('text/xml;charset=utf-8');
  expect(answer.requestId).toMatch(/^[0-9A-F]{24}$/);
  expect(answer.text).toMatch(
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error xmlns="http:\/\/mq.aliyuncs.com\/doc\/v1\/">/,
  );
  expect(answer.text).toContain(`<RequestId>${answer.requestId}</RequestId>`);
  expect(answer.text).toContain(`<HostId>http://127.0.0.1:${srv.port}</HostId>`);
  expect(answer.text).not.toMatch(/\n\s+at |\.ts:\d|node:internal/);
  return /<Code>([^<]*)<\/Code>/.exec(answer.text)![1]!;
}

const message = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/">${inner}</Message>`;
const handlesDoc = (handles: string[]) =>
  `<ReceiptHandles xmlns="http://mq.aliyuncs.com/doc/v1/">${handles.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`;
const publish = (inner: string, topic = 'raw') =>
  call('POST', `/topics/${topic}/messages?${NS_Q}`, message(inner));
const consume = (query: string, topic = 'raw') => call('GET', `/topics/${topic}/messages?${NS_Q}&${query}`);
const ack = (handles: string[], consumer = 'GID_raw', extra = '') =>
  call('DELETE', `/topics/raw/messages?consumer=${consumer}&${NS_Q}${extra}`, handlesDoc(handles));
const handlesIn = (text: string) =>
  [...text.matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map((m) => m[1]!);

describe('request bodies', () => {
  it('refuses malformed XML, a wrong root and a DTD with MalformedXML', async () => {
    await start();
    expect(
      errorOf(await call('POST', '/topics/raw/messages', '<Message><MessageBody>x</Message>'), 400),
    ).toBe('MalformedXML');
    expect(errorOf(await call('POST', '/topics/raw/messages', 'not xml at all'), 400)).toBe('MalformedXML');
    expect(errorOf(await call('POST', '/topics/raw/messages', ''), 400)).toBe('MalformedXML');
    expect(
      errorOf(
        await call('POST', '/topics/raw/messages', '<Messages><MessageBody>x</MessageBody></Messages>'),
        400,
      ),
    ).toBe('MalformedXML');
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Message><MessageBody>&b;</MessageBody></Message>';
    expect(errorOf(await call('POST', '/topics/raw/messages', bomb), 400)).toBe('MalformedXML');
    expect(errorOf(await call('DELETE', '/topics/raw/messages?consumer=G', '<ReceiptHandles>'), 400)).toBe(
      'MalformedXML',
    );
  });

  it('refuses a missing MessageBody, bad properties and oversized bodies with InvalidArgument', async () => {
    await start({ maxMessageSize: 1000, maxTimedMessageSize: 100 });
    expect(errorOf(await publish('<MessageTag>t</MessageTag>'), 400)).toBe('InvalidArgument');
    expect(errorOf(await publish('<MessageBody>x</MessageBody><Properties>novalue</Properties>'), 400)).toBe(
      'InvalidArgument',
    );
    expect(errorOf(await publish('<MessageBody>x</MessageBody><Properties>a:1:2</Properties>'), 400)).toBe(
      'InvalidArgument',
    );
    expect(errorOf(await publish('<MessageBody>x</MessageBody><Properties>a:&lt;b</Properties>'), 400)).toBe(
      'InvalidArgument',
    );
    expect(
      errorOf(await publish('<MessageBody>x</MessageBody><Properties>__SLUICE_MSGID:1</Properties>'), 400),
    ).toBe('InvalidArgument');
    expect(
      errorOf(await publish('<MessageBody>x</MessageBody><Properties>__TransCheckT:5</Properties>'), 400),
    ).toBe('InvalidArgument');
    expect(
      errorOf(await publish('<MessageBody>x</MessageBody><Properties>__TransCheckT:301</Properties>'), 400),
    ).toBe('InvalidArgument');
    expect(
      errorOf(
        await publish('<MessageBody>x</MessageBody><Properties>__STARTDELIVERTIME:soon</Properties>'),
        400,
      ),
    ).toBe('InvalidArgument');
    expect(errorOf(await publish(`<MessageBody>${'x'.repeat(1001)}</MessageBody>`), 400)).toBe(
      'InvalidArgument',
    );
    expect(
      errorOf(
        await publish(
          `<MessageBody>${'x'.repeat(101)}</MessageBody><Properties>__STARTDELIVERTIME:1</Properties>`,
        ),
        400,
      ),
    ).toBe('InvalidArgument');
    expect(
      errorOf(
        await publish(`<MessageBody>x</MessageBody><Properties>k:${'v'.repeat(16 * 1024)}</Properties>`),
        400,
      ),
    ).toBe('InvalidArgument');
    // Within limits: accepted.
    expect((await publish(`<MessageBody>${'x'.repeat(1000)}</MessageBody>`)).status).toBe(201);
  });

  it('accepts entity-escaped bodies (Go SDK style) and writes bodies back escaped, never as CDATA', async () => {
    await start();
    const sent = await publish(
      '<MessageBody>a &amp; b &lt;c&gt; ]]&gt; d&#10;e</MessageBody><MessageTag>T</MessageTag>',
    );
    expect(sent.status).toBe(201);
    expect(sent.contentType).toBe('text/xml;charset=utf-8');
    const got = await consume('consumer=GID_raw&numOfMessages=1');
    expect(got.status).toBe(200);
    expect(got.text).toContain('<MessageBody>a &amp; b &lt;c&gt; ]]&gt; d\ne</MessageBody>');
    expect(got.text).not.toContain('CDATA');
    expect(got.text).toMatch(
      /<ConsumedTimes>1<\/ConsumedTimes><MessageTag>T<\/MessageTag><Properties><\/Properties>/,
    );
  });
});

describe('ack bodies and handles', () => {
  it('answers 404 MissingReceiptHandle (<Error>) for no handle and 400 InvalidArgument for more than 16', async () => {
    await start();
    expect(errorOf(await ack([]), 404)).toBe('MissingReceiptHandle');
    expect(errorOf(await ack(Array.from({ length: 17 }, (_, i) => `h${i}`)), 400)).toBe('InvalidArgument');
  });

  it('lists forged, foreign and malformed handles as ReceiptHandleError in <Errors>, acking the good ones', async () => {
    await start();
    await publish('<MessageBody>one</MessageBody>');
    await publish('<MessageBody>two</MessageBody>');
    const [good] = handlesIn((await consume('consumer=GID_raw&numOfMessages=1')).text);
    const [foreign] = handlesIn((await consume('consumer=GID_other&numOfMessages=1')).text);
    // Same shape as a real handle, random token: forged.
    const forged = `${good!.slice(0, 33)}N${'A'.repeat(32)}`;
    const commitKind = `${good!.slice(0, 33)}P${'A'.repeat(22)}`;
    const res = await ack(['junk', forged, good!, foreign!, commitKind]);
    expect(res.status).toBe(404);
    expect(res.contentType).toBe('text/xml;charset=utf-8');
    expect(
      res.text.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Errors xmlns="http://mq.aliyuncs.com/doc/v1/">',
      ),
    ).toBe(true);
    const items = [
      ...res.text.matchAll(
        /<Error><ErrorCode>(\w+)<\/ErrorCode><ErrorMessage>[^<]+<\/ErrorMessage><ReceiptHandle>([^<]*)<\/ReceiptHandle><\/Error>/g,
      ),
    ].map((m) => [m[1], m[2]]);
    expect(items).toEqual([
      ['ReceiptHandleError', 'junk'],
      ['ReceiptHandleError', forged],
      ['ReceiptHandleError', foreign],
      ['ReceiptHandleError', commitKind],
    ]);
    // The good one was acked anyway: acking it again says it is gone.
    const again = await ack([good!]);
    expect(again.text).toContain('<ErrorCode>MessageNotExist</ErrorCode>');
    // A handle on an unknown topic or group is foreign too.
    const unknownGroup = await ack([good!], 'GID_never');
    expect(unknownGroup.text).toContain('<ErrorCode>ReceiptHandleError</ErrorCode>');
  });

  it('answers 204 with no body when every handle is acked', async () => {
    await start();
    await publish('<MessageBody>one</MessageBody>');
    const [h] = handlesIn((await consume('consumer=GID_raw&numOfMessages=1')).text);
    const res = await call(
      'DELETE',
      `/topics/raw/messages?consumer=GID_raw&${NS_Q}`,
      `\n<ReceiptHandles>\n  <ReceiptHandle>\n    ${h}\n  </ReceiptHandle>\n</ReceiptHandles>`,
    );
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.requestId).toMatch(/^[0-9A-F]{24}$/);
  });

  it('refuses publish handles for an ack and consumer handles for a commit', async () => {
    await start();
    const half = await publish('<MessageBody>t</MessageBody><Properties>__TransCheckT:10</Properties>');
    const [publishHandle] = handlesIn(half.text);
    expect(publishHandle).toMatch(/^[0-9A-F]{32}-P/);
    expect((await ack([publishHandle!])).text).toContain('ReceiptHandleError');
    await publish('<MessageBody>n</MessageBody>');
    const [consumerHandle] = handlesIn((await consume('consumer=GID_raw&numOfMessages=1')).text);
    expect((await ack([consumerHandle!], 'GID_p', '&trans=commit')).text).toContain('ReceiptHandleError');
    // A forged nonce on a genuine half-message id.
    const forged = `${publishHandle!.slice(0, 34)}${'B'.repeat(22)}`;
    expect((await ack([forged], 'GID_p', '&trans=commit')).text).toContain('ReceiptHandleError');
    expect((await ack([publishHandle!], 'GID_p', '&trans=rollback')).status).toBe(204);
  });
});

describe('query parameters and routes', () => {
  it('refuses out-of-range or missing parameters with InvalidArgument', async () => {
    await start();
    for (const query of [
      'consumer=GID_raw',
      'consumer=GID_raw&numOfMessages=0',
      'consumer=GID_raw&numOfMessages=17',
      'consumer=GID_raw&numOfMessages=abc',
      'consumer=GID_raw&numOfMessages=1.5',
      'consumer=GID_raw&numOfMessages=1&waitseconds=31',
      'consumer=GID_raw&numOfMessages=1&waitseconds=-1',
      'consumer=GID_raw&numOfMessages=1&trans=commit',
      'consumer=GID_raw&numOfMessages=1&trans=nope',
      'numOfMessages=1',
      'consumer=bad%20name&numOfMessages=1',
      `consumer=${'G'.repeat(65)}&numOfMessages=1`,
    ]) {
      expect(errorOf(await consume(query), 400), query).toBe('InvalidArgument');
    }
    expect(
      errorOf(await call('GET', '/topics/raw/messages?consumer=GID_raw&numOfMessages=1&ns=bad%20ns'), 400),
    ).toBe('InvalidArgument');
    expect(
      errorOf(await call('DELETE', '/topics/raw/messages?consumer=G&trans=order', handlesDoc(['h'])), 400),
    ).toBe('InvalidArgument');
    expect(
      errorOf(
        await call('POST', '/topics/raw/messages?trans=commit', message('<MessageBody>x</MessageBody>')),
        400,
      ),
    ).toBe('InvalidArgument');
    expect(errorOf(await call('GET', '/topics/bad.topic/messages?consumer=G&numOfMessages=1'), 400)).toBe(
      'InvalidArgument',
    );
  });

  it('answers an empty consume with 404 MessageNotExist, never an empty list', async () => {
    await start();
    const res = await consume('consumer=GID_raw&numOfMessages=16');
    expect(errorOf(res, 404)).toBe('MessageNotExist');
    expect(res.text).toContain('<Message>Message not exist.</Message>');
  });

  it('answers other resources and methods with InvalidRequestURL', async () => {
    await start();
    expect(errorOf(await call('GET', '/topics/raw'), 400)).toBe('InvalidRequestURL');
    expect(
      errorOf(await call('PUT', '/topics/raw/messages', message('<MessageBody>x</MessageBody>')), 400),
    ).toBe('InvalidRequestURL');
    expect(errorOf(await call('GET', '/queues/q/messages'), 400)).toBe('InvalidRequestURL');
  });

  it('leaves requests that are not RocketMQ to the next handler', async () => {
    await start();
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(404);
  });

  it('refuses a request line over 1024 characters with InvalidArgument', async () => {
    await start();
    const base = `/topics/raw/messages?consumer=GID_raw&numOfMessages=1&${NS_Q}&pad=`;
    // "GET " + target + " HTTP/1.1" = 1024 exactly: accepted (an empty consume).
    const fits = base + 'x'.repeat(1024 - 13 - base.length);
    expect(errorOf(await call('GET', fits), 404)).toBe('MessageNotExist');
    expect(errorOf(await call('GET', `${fits}x`), 400)).toBe('InvalidArgument');
    // Far beyond the adapter's own target limit, over a raw socket: still the service's error, not a 414.
    const raw = await rawRequest(
      srv.port,
      `GET ${base}${'x'.repeat(10_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-mq-version: 2015-06-06\r\nConnection: close\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect(raw).toContain('<Code>InvalidArgument</Code>');
    expect(raw.toLowerCase()).toContain('content-type: text/xml;charset=utf-8');
  });
});

describe('authentication over raw HTTP', () => {
  const headers = (target: string, method = 'GET', extra: Record<string, string> = {}) => {
    const h: Record<string, string> = {
      date: new Date().toUTCString(),
      'content-type': 'text/xml;charset=utf-8',
      'x-mq-version': '2015-06-06',
      ...extra,
    };
    h['authorization'] = `MQ ak:${sign('sk', method, h, target)}`;
    return h;
  };

  it('answers each authentication failure with its code', async () => {
    await start({ credentials: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] });
    const target = '/topics/raw/messages?consumer=GID_raw&numOfMessages=1';
    expect(errorOf(await call('GET', target, undefined, headers(target)), 404)).toBe('MessageNotExist');
    const { authorization: _, ...unsigned } = headers(target);
    expect(errorOf(await call('GET', target, undefined, unsigned), 400)).toBe('MissingAuthorizationHeader');
    expect(
      errorOf(await call('GET', target, undefined, { ...unsigned, authorization: 'Basic abc' }), 400),
    ).toBe('InvalidAuthorizationHeader');
    const old = new Date(Date.now() - 20 * 60_000).toUTCString();
    const stale = headers(target, 'GET', { date: old });
    expect(errorOf(await call('GET', target, undefined, stale), 408)).toBe('TimeExpired');
    expect(errorOf(await call('GET', target, undefined, { ...headers(target), date: 'nonsense' }), 400)).toBe(
      'InvalidDateHeader',
    );
    const tampered = headers(target);
    expect(errorOf(await call('GET', `${target}0`, undefined, tampered), 403)).toBe('SignatureDoesNotMatch');
  });

  it('checks Content-MD5 against the body', async () => {
    await start();
    const body = message('<MessageBody>x</MessageBody>');
    const res = await call('POST', '/topics/raw/messages', body, {
      'content-md5': Buffer.from('0'.repeat(32)).toString('base64'),
    });
    expect(errorOf(res, 400)).toBe('InvalidDigest');
  });
});
