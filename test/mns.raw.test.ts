/** @module mns.raw.test — raw HTTP against the MNS dialect: exact bytes, bad input, limits, routing edges. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/listen.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

let srv: MnsServer;
beforeAll(async () => {
  srv = await startMns({ maxBodyBytes: 8192, maxTargetLength: 1024 });
  const res = await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' });
  expect(res.status).toBe(201);
});
afterAll(() => srv.stop());

const NS = 'http://mns.aliyuncs.com/doc/v1/';

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, code: errorCodeOf(text) }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toBe('text/xml;charset=utf-8');
  return text;
}

describe('response bytes', () => {
  it('an error is the exact <Error> document with request id, version and type headers', async () => {
    const res = await mnsFetch(srv.url, '/queues/nope');
    const id = res.headers.get('x-mns-request-id');
    expect(id).toMatch(/^[0-9A-F]{24}$/);
    expect(res.headers.get('x-mns-version')).toBe('2015-06-06');
    expect(res.headers.get('date')).toMatch(/GMT$/);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error xmlns="${NS}"><Code>QueueNotExist</Code><Message>The queue name you provided is not exist.</Message><RequestId>${id}</RequestId><HostId>${srv.url}</HostId></Error>`,
    );
  });

  it('SendMessage and ReceiveMessage bodies are exact, with the body escaped', async () => {
    const sent = await mnsFetch(srv.url, '/queues/q/messages', {
      method: 'POST',
      body: `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="${NS}"><MessageBody>a &lt;b&gt; &amp; "c"</MessageBody></Message>`,
    });
    expect(sent.status).toBe(201);
    const sentText = await sent.text();
    const id = /<MessageId>([0-9A-F]{32})<\/MessageId>/.exec(sentText)?.[1];
    const { createHash } = await import('node:crypto');
    const md5 = createHash('md5').update('a <b> & "c"').digest('hex').toUpperCase();
    expect(sentText).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="${NS}"><MessageId>${id}</MessageId><MessageBodyMD5>${md5}</MessageBodyMD5></Message>`,
    );
    const got = await mnsFetch(srv.url, '/queues/q/messages');
    const text = await got.text();
    expect(text).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Message xmlns="${NS}"><MessageId>${id}</MessageId><ReceiptHandle>[A-Za-z0-9_-]+</ReceiptHandle><MessageBodyMD5>${md5}</MessageBodyMD5><MessageBody>a &lt;b&gt; &amp; &quot;c&quot;</MessageBody><EnqueueTime>\\d+</EnqueueTime><NextVisibleTime>\\d+</NextVisibleTime><FirstDequeueTime>\\d+</FirstDequeueTime><DequeueCount>1</DequeueCount><Priority>8</Priority></Message>$`,
      ),
    );
    const handle = /<ReceiptHandle>([^<]+)</.exec(text)![1]!;
    // @alicloud/mns spells the parameter receiptHandle: names are case-insensitive.
    const del = await mnsFetch(srv.url, `/queues/q/messages?receiptHandle=${handle}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(del.headers.get('x-mns-request-id')).toMatch(/^[0-9A-F]{24}$/);
    expect(await del.text()).toBe('');
  });

  it('an empty list is a self-closing <Queues/>; ali-mns style bodies (no namespace, prefixed) are accepted', async () => {
    const empty = await mnsFetch(srv.url, '/topics');
    expect(await empty.text()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<Topics xmlns="${NS}"/>`);
    const bare = await mnsFetch(srv.url, '/queues/q/messages', {
      method: 'POST',
      body: '<Message><MessageBody>x</MessageBody></Message>',
    });
    expect(bare.status).toBe(201);
    const prefixed = await mnsFetch(srv.url, '/queues/q/messages', {
      method: 'POST',
      body: `<mns:Message xmlns:mns="${NS}"><mns:MessageBody>y</mns:MessageBody></mns:Message>`,
    });
    expect(prefixed.status).toBe(201);
    const drained = await mnsFetch(srv.url, '/queues/q/messages?numOfMessages=16');
    expect((await drained.text()).match(/<MessageBody>/g)).toHaveLength(2);
  });
});

describe('bad input', () => {
  it.each([
    ['not XML', 'hello'],
    ['unclosed', '<Message><MessageBody>x</Message>'],
    ['wrong root', '<Queue><MessageBody>x</MessageBody></Queue>'],
    ['two roots', '<Message/><Message/>'],
    ['empty', ''],
    ['doctype', '<!DOCTYPE Message><Message><MessageBody>x</MessageBody></Message>'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Message><MessageBody>&lol3;</MessageBody></Message>',
    ],
    [
      'external entity',
      '<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Message><MessageBody>&xxe;</MessageBody></Message>',
    ],
    ['repeated element', '<Message><MessageBody>a</MessageBody><MessageBody>b</MessageBody></Message>'],
  ])('SendMessage with %s -> 400 MalformedXML', async (_name, body) => {
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', { method: 'POST', body }),
      400,
      'MalformedXML',
    );
  });

  it('a body that is not UTF-8 is MalformedXML', async () => {
    const body = new Uint8Array([
      ...Buffer.from('<Message><MessageBody>'),
      0xff,
      0xfe,
      ...Buffer.from('</MessageBody></Message>'),
    ]);
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', { method: 'POST', body }),
      400,
      'MalformedXML',
    );
  });

  it('CreateQueue / BatchDelete with malformed bodies', async () => {
    await expectError(
      await mnsFetch(srv.url, '/queues/x', { method: 'PUT', body: '<Queue><VisibilityTimeout>' }),
      400,
      'MalformedXML',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', {
        method: 'DELETE',
        body: '<Handles><ReceiptHandle>a</ReceiptHandle></Handles>',
      }),
      400,
      'MalformedXML',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', { method: 'DELETE', body: '<ReceiptHandles/>' }),
      400,
      'MissingReceiptHandle',
    );
  });

  it('a body over the limit is refused before it is read', async () => {
    const body = `<Message><MessageBody>${'x'.repeat(9000)}</MessageBody></Message>`;
    const text = await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', { method: 'POST', body }),
      400,
      'InvalidArgument',
    );
    expect(text).toContain('8192 bytes');
    expect(srv.broker.queue('mns:queue:q').stats().active).toBe(0);
  });

  it('a chunked body over the limit is cut off', async () => {
    const chunk = 'x'.repeat(5000);
    const raw = await rawRequest(
      srv.port,
      `POST /queues/q/messages HTTP/1.1\r\nHost: h\r\nx-mns-version: 2015-06-06\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(5000).toString(16)}\r\n${chunk}\r\n${(5000).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain('<Code>InvalidArgument</Code>');
  });

  it('a request-target over the limit is 400 InvalidRequestURL; node refuses absurd ones itself', async () => {
    await expectError(
      await mnsFetch(srv.url, `/queues/q/messages?ReceiptHandle=${'a'.repeat(1100)}`, { method: 'DELETE' }),
      400,
      'InvalidRequestURL',
    );
    const raw = await rawRequest(
      srv.port,
      `GET /queues/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 431/);
  });

  it.each([
    ['/queues/q/messages?numOfMessages=0', 'InvalidArgument'],
    ['/queues/q/messages?numOfMessages=17', 'InvalidArgument'],
    ['/queues/q/messages?numOfMessages=abc', 'InvalidArgument'],
    ['/queues/q/messages?numOfMessages=1.5', 'InvalidArgument'],
    ['/queues/q/messages?waitseconds=31', 'InvalidArgument'],
    ['/queues/q/messages?waitseconds=-1', 'InvalidArgument'],
    ['/queues/q/messages?peekonly=true&numOfMessages=99', 'InvalidArgument'],
  ])('GET %s -> 400 %s', async (target, code) => {
    await expectError(await mnsFetch(srv.url, target), 400, code);
  });

  it('missing or out-of-range parameters of ChangeMessageVisibility and DeleteMessage', async () => {
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages?ReceiptHandle=abc', { method: 'PUT' }),
      400,
      'MissingVisibilityTimeout',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages?VisibilityTimeout=10', { method: 'PUT' }),
      400,
      'MissingReceiptHandle',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages?ReceiptHandle=abc&VisibilityTimeout=0', { method: 'PUT' }),
      400,
      'InvalidArgument',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages?ReceiptHandle=', { method: 'DELETE' }),
      400,
      'MissingReceiptHandle',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues/q/messages', { method: 'DELETE' }),
      400,
      'MissingReceiptHandle',
    );
    await expectError(
      await mnsFetch(srv.url, '/queues', { headers: { 'x-mns-ret-number': '0' } }),
      400,
      'InvalidArgument',
    );
  });

  it('forged, malformed and foreign handles are 400 ReceiptHandleError', async () => {
    for (const handle of ['forged', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '1-AB+C/D==', '%00%ff', '<x>']) {
      await expectError(
        await mnsFetch(srv.url, `/queues/q/messages?ReceiptHandle=${encodeURIComponent(handle)}`, {
          method: 'DELETE',
        }),
        400,
        'ReceiptHandleError',
      );
    }
  });

  it('unknown queue on every queue action is 404 QueueNotExist', async () => {
    const cases: [string, string, string?][] = [
      ['GET', '/queues/nope'],
      ['PUT', '/queues/nope?metaoverride=true', '<Queue/>'],
      ['POST', '/queues/nope/messages', '<Message><MessageBody>x</MessageBody></Message>'],
      [
        'POST',
        '/queues/nope/messages',
        '<Messages><Message><MessageBody>x</MessageBody></Message></Messages>',
      ],
      ['GET', '/queues/nope/messages'],
      ['GET', '/queues/nope/messages?numOfMessages=3'],
      ['GET', '/queues/nope/messages?peekonly=true'],
      ['DELETE', '/queues/nope/messages?ReceiptHandle=abc'],
      [
        'DELETE',
        '/queues/nope/messages',
        '<ReceiptHandles><ReceiptHandle>a</ReceiptHandle></ReceiptHandles>',
      ],
      ['PUT', '/queues/nope/messages?ReceiptHandle=abc&VisibilityTimeout=5'],
    ];
    for (const [method, target, body] of cases) {
      await expectError(
        await mnsFetch(srv.url, target, { method, ...(body === undefined ? {} : { body }) }),
        404,
        'QueueNotExist',
      );
    }
  });
});

describe('routing', () => {
  it('version header: missing on an MNS path -> MissingVersionHeader, wrong -> InvalidVersionHeader', async () => {
    await expectError(await fetch(`${srv.url}/queues/q`), 400, 'MissingVersionHeader');
    await expectError(
      await mnsFetch(srv.url, '/queues/q', { headers: { 'x-mns-version': '2014-01-01' } }),
      400,
      'InvalidVersionHeader',
    );
  });

  it('unknown MNS paths and methods are 400 InvalidRequestURL; foreign paths are left to next() (404 here)', async () => {
    await expectError(
      await mnsFetch(srv.url, '/queues/q', { method: 'POST', body: '<Queue/>' }),
      400,
      'InvalidRequestURL',
    );
    await expectError(await mnsFetch(srv.url, '/queues/q/other'), 400, 'InvalidRequestURL');
    await expectError(await mnsFetch(srv.url, '/topics/t/messages'), 400, 'InvalidRequestURL');
    const foreign = await mnsFetch(srv.url, '/healthz');
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toBe('Not Found');
  });

  it('the process survives a storm of bad requests', async () => {
    const bad = Array.from({ length: 50 }, (_, i) =>
      mnsFetch(srv.url, `/queues/q/messages?numOfMessages=${i}`, {
        method: i % 2 ? 'POST' : 'GET',
        body: i % 2 ? `<${i}` : undefined,
      } as never),
    );
    const statuses = (await Promise.all(bad)).map((r) => r.status);
    expect(statuses.every((s) => s === 400 || s === 404 || s === 200)).toBe(true);
    expect((await mnsFetch(srv.url, '/queues/q')).status).toBe(200);
  });
});
