/**
 * @module wellformed.test — issue 13 items 10 and 11 over a real server: characters XML 1.0 does not allow are
 * refused at the door (MNS and RocketMQ: 400 InvalidArgument) and never written (U+FFFD as a last resort), every
 * XML answer parses with a strict XML 1.0 parser, and a dialect's version header on a path outside that dialect
 * gets the dialect's own error body instead of a plain-text 404.
 */
import { type SluiceServer, startServer } from '@sluice/server';
import { afterEach, describe, expect, it } from 'vitest';
import { strictXml, strictXmlValues } from './helpers/strict-xml.js';

let server: SluiceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startServer>[0] = {}): Promise<SluiceServer> {
  server = await startServer({ port: 0, memory: true, ...options });
  return server;
}

const MNS = { 'x-mns-version': '2015-06-06' };
const MQ = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };

interface Answer {
  status: number;
  type: string | null;
  bytes: Uint8Array;
  text: string;
}

async function call(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): Promise<Answer> {
  const r = await fetch(server!.url + target, {
    method,
    headers: { date: new Date().toUTCString(), ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const bytes = new Uint8Array(await r.arrayBuffer());
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    bytes,
    text: Buffer.from(bytes).toString(),
  };
}

/** The `<Code>` of a strictly well-formed error answer with `status`. */
function codeOf(answer: Answer, status: number): string {
  expect(answer.status).toBe(status);
  expect(answer.type).toMatch(/^text\/xml/);
  expect(strictXml(answer.bytes)).toEqual({ ok: true, root: 'Error' });
  return strictXmlValues(answer.bytes, 'Code')![0]!;
}

/**
 * Every character XML 1.0 allows at its edges, plus markup characters and CR (must round-trip unchanged through a
 * conformant parser, which turns a raw CR into LF: the server writes it as `&#13;`).
 */
const LEGAL =
  'tab\t LF\n CRLF\r\n CR\r \u0020\u007E\u007F\u0085\u00A0 \uD7FF \uE000 \uFFFD \u{10000} \u{1F600} \u{10FFFF} <&>"\'';

describe('item 10: MNS refuses what XML 1.0 cannot carry and round-trips the rest', () => {
  it.each([
    ['a character reference to U+0001', '<Message><MessageBody>a&#1;b</MessageBody></Message>'],
    ['a raw NUL', '<Message><MessageBody>a\u0000b</MessageBody></Message>'],
    ['a raw U+001F in CDATA', '<Message><MessageBody><![CDATA[a\u001Fb]]></MessageBody></Message>'],
    ['a reference to U+FFFE', '<Message><MessageBody>&#xFFFE;</MessageBody></Message>'],
    ['a reference to a surrogate', '<Message><MessageBody>&#xDC00;</MessageBody></Message>'],
    [
      'a control character in one message of a batch',
      '<Messages><Message><MessageBody>ok</MessageBody></Message><Message><MessageBody>&#x8;</MessageBody></Message></Messages>',
    ],
  ])('answers %s with 400 InvalidArgument and sends nothing', async (_name, body) => {
    await start();
    expect((await call('PUT', '/queues/wf', MNS)).status).toBe(201);
    const answer = await call('POST', '/queues/wf/messages', MNS, body);
    expect(codeOf(answer, 400)).toBe('InvalidArgument');
    expect(strictXmlValues(answer.bytes, 'Message')![0]).toContain('XML 1.0');
    expect(codeOf(await call('GET', '/queues/wf/messages', MNS), 404)).toBe('MessageNotExist');
  });

  it('round-trips every legal character, raw and as references, in a strictly well-formed answer', async () => {
    await start();
    await call('PUT', '/queues/wf', MNS);
    const escaped = LEGAL.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    const sent = await call(
      'POST',
      '/queues/wf/messages',
      MNS,
      `<Message><MessageBody>${escaped}</MessageBody></Message>`,
    );
    expect(sent.status).toBe(201);
    const received = await call('GET', '/queues/wf/messages', MNS);
    expect(received.status).toBe(200);
    expect(strictXmlValues(received.bytes, 'MessageBody')).toEqual([LEGAL]);
  });

  it('writes U+FFFD for characters that reached the queue some other way (the core API)', async () => {
    const s = await start();
    await call('PUT', '/queues/wf', MNS);
    await s.broker.queue('mns:queue:wf').send({ body: 'a\u0000b\u001F\uFFFE\uD800c' });
    for (const target of ['/queues/wf/messages?peekonly=true', '/queues/wf/messages']) {
      const answer = await call('GET', target, MNS);
      expect(answer.status).toBe(200);
      expect(strictXmlValues(answer.bytes, 'MessageBody')).toEqual(['a\uFFFDb\uFFFD\uFFFD\uFFFDc']);
    }
  });

  it('keeps error answers well-formed when they echo a name with control characters', async () => {
    await start();
    for (const target of ['/queues/q%00x', '/queues/q%01/messages', '/topics/t%1F', '/queues/%EF%BF%BE']) {
      const answer = await call('GET', target, MNS);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(strictXml(answer.bytes).ok).toBe(true);
    }
  });
});

describe('item 10: RocketMQ refuses what XML 1.0 cannot carry and round-trips the rest', () => {
  it.each([
    ['a NUL in the CDATA body', '<Message><MessageBody><![CDATA[a\u0000b]]></MessageBody></Message>'],
    ['a reference to U+0001 in the body', '<Message><MessageBody>a&#1;b</MessageBody></Message>'],
    [
      'a control character in the tag',
      '<Message><MessageBody>x</MessageBody><MessageTag>t\u0002</MessageTag></Message>',
    ],
    [
      'a control character in Properties',
      '<Message><MessageBody>x</MessageBody><Properties>k:v&#x1B;</Properties></Message>',
    ],
  ])('answers %s with 400 InvalidArgument and publishes nothing', async (_name, body) => {
    await start();
    const answer = await call('POST', '/topics/WF/messages', MQ, body);
    expect(codeOf(answer, 400)).toBe('InvalidArgument');
    const consumed = await call('GET', '/topics/WF/messages?consumer=GID_WF&numOfMessages=16', MQ);
    expect(codeOf(consumed, 404)).toBe('MessageNotExist');
  });

  it('round-trips every legal character in a strictly well-formed consume answer', async () => {
    await start();
    const cdata = LEGAL.replaceAll(']]>', ']]]]><![CDATA[>');
    const sent = await call(
      'POST',
      '/topics/WF/messages',
      MQ,
      `<Message><MessageBody><![CDATA[${cdata}]]></MessageBody><MessageTag>\u{1F600}</MessageTag></Message>`,
    );
    expect(sent.status).toBe(201);
    const consumed = await call('GET', '/topics/WF/messages?consumer=GID_WF&numOfMessages=1', MQ);
    expect(consumed.status).toBe(200);
    expect(strictXmlValues(consumed.bytes, 'MessageBody')).toEqual([LEGAL]);
    expect(strictXmlValues(consumed.bytes, 'MessageTag')).toEqual(['\u{1F600}']);
  });

  it('writes U+FFFD for body, tag and properties that reached the topic through the core API', async () => {
    const s = await start();
    const topic = s.handler.rocketmq.declareTopic('WF');
    await topic.send({
      body: 'a\u0000b\uFFFF',
      tag: 't\u0001',
      properties: { k: 'v\u0002', __SLUICE_MSGID: 'id<&\u0003', __SLUICE_MD5: 'md5\u0004' },
    });
    const consumed = await call('GET', '/topics/WF/messages?consumer=GID_WF&numOfMessages=1', MQ);
    expect(consumed.status).toBe(200);
    expect(strictXml(consumed.bytes).ok).toBe(true);
    expect(strictXmlValues(consumed.bytes, 'MessageBody')).toEqual(['a\uFFFDb\uFFFD']);
    expect(strictXmlValues(consumed.bytes, 'MessageTag')).toEqual(['t\uFFFD']);
    expect(strictXmlValues(consumed.bytes, 'Properties')![0]).toContain('k:v\uFFFD');
    expect(strictXmlValues(consumed.bytes, 'MessageId')).toEqual(['id<&\uFFFD']);
    expect(strictXmlValues(consumed.bytes, 'MessageBodyMD5')).toEqual(['md5\uFFFD']);
  });

  it('keeps error answers well-formed when they echo names with control characters', async () => {
    await start();
    for (const target of [
      '/topics/t%00x/messages?consumer=GID',
      '/topics/T/messages?consumer=G%01&numOfMessages=1',
      '/topics/T/messages?consumer=G&numOfMessages=%02',
      '/topics/T/messages?consumer=G&numOfMessages=1&trans=%1F',
    ]) {
      const answer = await call('GET', target, MQ);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(strictXml(answer.bytes).ok).toBe(true);
    }
  });
});

describe("item 11: a dialect's version header on a foreign path gets that dialect's error", () => {
  // `/?accountmeta=true` is GetAccountAttributes since issue 14; other account-root queries and `/commonbuy` paths are not.
  it.each(['//queues/fq', '/?accountmeta=false', '/commonbuy/x', '/foo', '/queuesx', '/v1.0'])(
    'MNS %s: 400 InvalidRequestURL in an MNS <Error>',
    async (target) => {
      await start();
      const answer = await call('GET', target, MNS);
      expect(codeOf(answer, 400)).toBe('InvalidRequestURL');
      expect(answer.text).toContain('xmlns="http://mns.aliyuncs.com/doc/v1/"');
      expect(answer.text).toMatch(/<RequestId>[0-9A-F]{24}<\/RequestId>/);
    },
  );

  it.each(['//topics/t/messages', '/?accountmeta=true', '/foo'])(
    'RocketMQ %s: 400 InvalidRequestURL in a RocketMQ <Error>',
    async (target) => {
      await start();
      const answer = await call('GET', target, MQ);
      expect(codeOf(answer, 400)).toBe('InvalidRequestURL');
      expect(answer.text).toContain('xmlns="http://mq.aliyuncs.com/doc/v1/"');
    },
  );

  it('checks MNS credentials before judging the path, as on the resources', async () => {
    await start({ accessKeys: [{ accessKeyId: 'ak', accessKeySecret: 'sk' }] });
    expect(codeOf(await call('GET', '//queues/fq', MNS), 400)).toBe('MissingAuthorizationHeader');
    expect(codeOf(await call('GET', '/foo', { 'x-mns-version': 'bogus' }), 400)).toBe('InvalidVersionHeader');
  });

  it('answers an MNS path without a version header with MissingVersionHeader even when over a limit', async () => {
    // Found by the fuzz (a forged 10,000-character handle with the header dropped): a plain-text 414 before.
    await start();
    const long = await call('DELETE', `/queues/fq/messages?ReceiptHandle=${'x'.repeat(10_000)}`, {});
    expect(codeOf(long, 400)).toBe('MissingVersionHeader');
    const big = await call('POST', '/queues/fq/messages', {}, 'x'.repeat(6 * 1024 * 1024));
    expect(codeOf(big, 400)).toBe('MissingVersionHeader');
  });

  it('answers unknown DMS paths with the DMS JSON error, and others still with a plain 404', async () => {
    await start();
    for (const target of ['/v1.0/p/unknown', '/v1.0/p/queues/q/unknown/x']) {
      const answer = await call('GET', target, {});
      expect(answer.status).toBe(404);
      expect(answer.type).toMatch(/^application\/json/);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      expect(body).toMatchObject({ error: { code: expect.any(String) }, error_code: expect.any(String) });
    }
    const plain = await call('GET', '/foo', {});
    expect(plain.status).toBe(404);
  });
});
