/**
 * @module mns.wire2.test — issue 14 over signed raw HTTP with the exact requests of the Python, Go and PHP SDKs:
 * a repeated create answers 204 with `Location` (item 1), the account resources (item 6), and names of the longest
 * documented length in every MNS kind, on memory and across a restart on durable storage (item 9).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, createBroker, logStorage } from '@sluice/core';
import { createMnsHandler } from '@sluice/mns';
import { startServer } from '@sluice/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './helpers/mns-clients.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

const NS = 'http://mns.aliyuncs.com/doc/v1/';
const ACCOUNT = '1234567890123456';

/** Whose request bytes to send. */
type Sdk = 'python' | 'go' | 'php';

const md5hex64 = (body: string) =>
  Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64');

/**
 * Sends `target` with the headers `sdk` sends, signed: Python puts `text/xml;charset=UTF-8` and a Content-MD5 of
 * base64(hex(md5)) on requests with a body only; Go puts `application/xml` and that MD5 (of the empty body too) on
 * every request; PHP puts `text/xml` on every request and no MD5.
 */
function sdkFetch(base: string, sdk: Sdk, method: string, target: string, body?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (sdk === 'python') {
    headers['user-agent'] = 'aliyun-sdk-python/1.1.6(Linux/6.1/x86_64;3.11.4)';
    if (body !== undefined) {
      headers['content-md5'] = md5hex64(body);
      headers['content-type'] = 'text/xml;charset=UTF-8';
    }
  } else if (sdk === 'go') {
    headers['content-type'] = 'application/xml';
    headers['content-md5'] = md5hex64(body ?? '');
  } else headers['content-type'] = 'text/xml';
  return mnsFetch(base, target, { method, headers, ...(body === undefined ? {} : { body }) });
}

/** Python's minidom `toxml("utf-8")` of a root with the MNS namespace. */
const pyDoc = (root: string, inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><${root} xmlns="${NS}">${inner}</${root}>`;

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, code: errorCodeOf(text) }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toBe('text/xml;charset=utf-8');
  // The four children every SDK's error decoder requires (Python raises RespDataDamaged without one).
  expect(text).toMatch(
    new RegExp(
      `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error xmlns="${NS}"><Code>[^<]+</Code><Message>[^<]+</Message><RequestId>[0-9A-F]{24}</RequestId><HostId>http://127.0.0.1:\\d+</HostId></Error>$`,
    ),
  );
  return text;
}

let srv: MnsServer;
beforeAll(async () => {
  srv = await startMns({ accountId: ACCOUNT });
});
afterAll(() => srv.stop());

describe('a repeated create answers 204 with Location (item 1)', () => {
  const cases = [
    {
      kind: 'CreateQueue',
      target: '/queues/restart-q',
      body: pyDoc('Queue', '<VisibilityTimeout>60</VisibilityTimeout>'),
      other: pyDoc('Queue', '<VisibilityTimeout>61</VisibilityTimeout>'),
      conflict: 'QueueAlreadyExist',
    },
    {
      kind: 'CreateTopic',
      target: '/topics/restart-t',
      body: pyDoc('Topic', '<MaximumMessageSize>2048</MaximumMessageSize>'),
      other: pyDoc('Topic', '<MaximumMessageSize>4096</MaximumMessageSize>'),
      conflict: 'TopicAlreadyExist',
    },
    {
      kind: 'Subscribe',
      target: '/topics/restart-t/subscriptions/restart-s',
      body: pyDoc(
        'Subscription',
        `<Endpoint>acs:mns:cn-hangzhou:${ACCOUNT}:queues/restart-q</Endpoint><NotifyStrategy>BACKOFF_RETRY</NotifyStrategy>`,
      ),
      other: pyDoc(
        'Subscription',
        `<Endpoint>acs:mns:cn-hangzhou:${ACCOUNT}:queues/restart-q</Endpoint><NotifyStrategy>EXPONENTIAL_DECAY_RETRY</NotifyStrategy>`,
      ),
      conflict: 'SubscriptionAlreadyExist',
    },
  ];

  it.each(cases)('$kind: 201 then 204, both with the same Location; other attributes 409', async (c) => {
    const location = `${srv.url}${c.target}`;
    const first = await sdkFetch(srv.url, 'python', 'PUT', c.target, c.body);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(location);
    // A restart of an app that creates its objects at start-up: the same create again, every time.
    for (const sdk of ['python', 'go', 'php'] as const) {
      const again = await sdkFetch(srv.url, sdk, 'PUT', c.target, c.body);
      expect(again.status).toBe(204);
      expect(again.headers.get('location')).toBe(location);
      expect(again.headers.get('x-mns-request-id')).toMatch(/^[0-9A-F]{24}$/);
      expect(await again.text()).toBe('');
    }
    const conflict = await sdkFetch(srv.url, 'python', 'PUT', c.target, c.other);
    await expectError(conflict, 409, c.conflict);
    expect(conflict.headers.get('location')).toBeNull();
  });
});

describe('account resources (item 6)', () => {
  const account = '/?accountmeta=true';

  it('GetAccountAttributes answers the exact <Account> document, LoggingBucket empty until set', async () => {
    const s = await startMns({ accountId: 'fresh' });
    try {
      for (const sdk of ['python', 'php'] as const) {
        const res = await sdkFetch(s.url, sdk, 'GET', account);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/xml;charset=utf-8');
        expect(await res.text()).toBe(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Account xmlns="${NS}"><LoggingBucket></LoggingBucket></Account>`,
        );
      }
    } finally {
      await s.stop();
    }
  });

  it('SetAccountAttributes (Python and PHP bodies) answers 204; absent keeps, empty clears, the value reads back', async () => {
    const get = async () => {
      const text = await (await sdkFetch(srv.url, 'python', 'GET', account)).text();
      return /<LoggingBucket>([^<]*)<\/LoggingBucket>/.exec(text)?.[1];
    };
    const set = async (sdk: Sdk, body: string) => {
      const res = await sdkFetch(srv.url, sdk, 'PUT', account, body);
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
    };
    await set('python', pyDoc('Account', '<LoggingBucket>my-log-bucket</LoggingBucket>'));
    expect(await get()).toBe('my-log-bucket');
    // PHP's XMLWriter with no attribute set: a self-closing root, a newline after it. Nothing changes.
    await set('php', `<?xml version="1.0" encoding="UTF-8"?>\n<Account xmlns="${NS}"/>\n`);
    // Python with logging_bucket None: an empty root.
    await set('python', pyDoc('Account', ''));
    expect(await get()).toBe('my-log-bucket');
    await set(
      'php',
      `<?xml version="1.0" encoding="UTF-8"?>\n<Account xmlns="${NS}"><LoggingBucket>other-1</LoggingBucket></Account>\n`,
    );
    expect(await get()).toBe('other-1');
    await set('python', pyDoc('Account', '<LoggingBucket></LoggingBucket>'));
    expect(await get()).toBe('');
  });

  it('refuses what cannot be a bucket name, a wrong root and other methods, in the MNS <Error>', async () => {
    for (const bucket of ['Upper', 'a_b', 'ab', 'x'.repeat(64), '-dash', 'a<b']) {
      const body = pyDoc('Account', `<LoggingBucket>${bucket.replace('<', '&lt;')}</LoggingBucket>`);
      await expectError(await sdkFetch(srv.url, 'python', 'PUT', account, body), 400, 'InvalidArgument');
    }
    await expectError(
      await sdkFetch(srv.url, 'python', 'PUT', account, pyDoc('Queue', '')),
      400,
      'MalformedXML',
    );
    for (const method of ['POST', 'DELETE']) {
      await expectError(await sdkFetch(srv.url, 'go', method, account), 400, 'InvalidRequestURL');
    }
  });

  it('OpenService (Go and Python requests) answers the already-opened error; other /commonbuy paths InvalidRequestURL', async () => {
    for (const sdk of ['go', 'python'] as const) {
      await expectError(await sdkFetch(srv.url, sdk, 'POST', '/commonbuy/openservice'), 400, 'ORDER.OPEND');
    }
    await expectError(
      await sdkFetch(srv.url, 'go', 'GET', '/commonbuy/openservice'),
      400,
      'InvalidRequestURL',
    );
    await expectError(await sdkFetch(srv.url, 'go', 'POST', '/commonbuy/other'), 400, 'InvalidRequestURL');
  });

  it('claims the account root only when it is MNS-shaped: a plain GET / passes through to the app', async () => {
    const plain = await fetch(`${srv.url}/`);
    expect(plain.status).toBe(404);
    expect(plain.headers.get('content-type')).not.toMatch(/xml/);
    // Account meta without the version header: the MNS answer for it, not a plain 404.
    await expectError(
      await fetch(`${srv.url}${account}`, { headers: { date: new Date().toUTCString() } }),
      400,
      'MissingVersionHeader',
    );
    // `/` from an MNS client, with a query that is no account resource.
    await expectError(await sdkFetch(srv.url, 'go', 'GET', '/?foo=bar'), 400, 'InvalidRequestURL');
    // Signatures are checked there as on every resource.
    await expectError(await mnsFetch(srv.url, account, { secret: 'wrong' }), 403, 'SignatureDoesNotMatch');
  });

  it('on the one-port server: the account resources are MNS by the version header', async () => {
    const server = await startServer({ port: 0, memory: true });
    try {
      const set = await sdkFetch(
        server.url,
        'python',
        'PUT',
        account,
        pyDoc('Account', '<LoggingBucket>one-port</LoggingBucket>'),
      );
      expect(set.status).toBe(204);
      expect(await (await sdkFetch(server.url, 'php', 'GET', account)).text()).toContain(
        '<LoggingBucket>one-port</LoggingBucket>',
      );
      await expectError(
        await sdkFetch(server.url, 'go', 'POST', '/commonbuy/openservice'),
        400,
        'ORDER.OPEND',
      );
    } finally {
      await server.close();
    }
  });

  it('the account attributes never show as a queue or topic', async () => {
    await sdkFetch(srv.url, 'python', 'PUT', account, pyDoc('Account', '<LoggingBucket>b-1</LoggingBucket>'));
    const queues = await (
      await mnsFetch(srv.url, '/queues', { headers: { 'x-mns-with-meta': 'true' } })
    ).text();
    const topics = await (await mnsFetch(srv.url, '/topics')).text();
    expect(queues + topics).not.toMatch(/account/);
  });
});

describe('names of the longest documented length (item 9)', () => {
  const q256 = `q${'0123456789abcdef-'.repeat(16)}`.slice(0, 256);
  const t256 = `t${'0123456789ABCDEF-'.repeat(16)}`.slice(0, 256);
  const s256 = `${`s${'a-'.repeat(200)}`.slice(0, 255)}z`;

  it('a 256-character queue does everything; 257 is QueueNameLengthError', async () => {
    expect(q256).toHaveLength(256);
    const created = await sdkFetch(srv.url, 'python', 'PUT', `/queues/${q256}`, pyDoc('Queue', ''));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${srv.url}/queues/${q256}`);
    const attrs = await (await sdkFetch(srv.url, 'go', 'GET', `/queues/${q256}`)).text();
    expect(attrs).toContain(`<QueueName>${q256}</QueueName>`);
    const sent = await sdkFetch(
      srv.url,
      'python',
      'POST',
      `/queues/${q256}/messages`,
      pyDoc('Message', '<MessageBody>long</MessageBody>'),
    );
    expect(sent.status).toBe(201);
    const got = await (await sdkFetch(srv.url, 'go', 'GET', `/queues/${q256}/messages?waitseconds=0`)).text();
    const handle = /<ReceiptHandle>([^<]+)</.exec(got)?.[1];
    expect(handle).toBeDefined();
    const changed = await sdkFetch(
      srv.url,
      'go',
      'PUT',
      `/queues/${q256}/messages?ReceiptHandle=${handle}&VisibilityTimeout=10`,
    );
    expect(changed.status).toBe(200);
    const newHandle = /<ReceiptHandle>([^<]+)</.exec(await changed.text())?.[1];
    expect(
      (await sdkFetch(srv.url, 'go', 'DELETE', `/queues/${q256}/messages?ReceiptHandle=${newHandle}`)).status,
    ).toBe(204);
    const listed = await (
      await mnsFetch(srv.url, '/queues', { headers: { 'x-mns-prefix': q256.slice(0, 20) } })
    ).text();
    expect(listed).toContain(`<QueueURL>${srv.url}/queues/${q256}</QueueURL>`);
    await expectError(
      await sdkFetch(srv.url, 'python', 'PUT', `/queues/${q256}x`, pyDoc('Queue', '')),
      400,
      'QueueNameLengthError',
    );
  });

  it('a 256-character topic and subscription to a 256-character queue deliver; 257 is the kind’s LengthError', async () => {
    expect(t256).toHaveLength(256);
    expect(s256).toHaveLength(256);
    const queue = `w${q256.slice(1)}`;
    expect((await sdkFetch(srv.url, 'php', 'PUT', `/queues/${queue}`, pyDoc('Queue', ''))).status).toBe(201);
    expect((await sdkFetch(srv.url, 'python', 'PUT', `/topics/${t256}`, pyDoc('Topic', ''))).status).toBe(
      201,
    );
    const subscription = pyDoc(
      'Subscription',
      `<Endpoint>acs:mns:cn-hangzhou:${ACCOUNT}:queues/${queue}</Endpoint><NotifyContentFormat>SIMPLIFIED</NotifyContentFormat>`,
    );
    const sub = await sdkFetch(
      srv.url,
      'python',
      'PUT',
      `/topics/${t256}/subscriptions/${s256}`,
      subscription,
    );
    expect(sub.status).toBe(201);
    expect(sub.headers.get('location')).toBe(`${srv.url}/topics/${t256}/subscriptions/${s256}`);
    const subAttrs = await (
      await sdkFetch(srv.url, 'go', 'GET', `/topics/${t256}/subscriptions/${s256}`)
    ).text();
    expect(subAttrs).toContain(`<SubscriptionName>${s256}</SubscriptionName>`);
    expect(subAttrs).toContain(`<TopicName>${t256}</TopicName>`);
    const published = await sdkFetch(
      srv.url,
      'python',
      'POST',
      `/topics/${t256}/messages`,
      pyDoc('Message', '<MessageBody>fan-out</MessageBody>'),
    );
    expect(published.status).toBe(201);
    const got = await (
      await sdkFetch(srv.url, 'go', 'GET', `/queues/${queue}/messages?waitseconds=0`)
    ).text();
    expect(got).toContain('<MessageBody>fan-out</MessageBody>');
    await expectError(
      await sdkFetch(srv.url, 'python', 'PUT', `/topics/${t256}x`, pyDoc('Topic', '')),
      400,
      'TopicNameLengthError',
    );
    await expectError(
      await sdkFetch(srv.url, 'python', 'PUT', `/topics/${t256}/subscriptions/${s256}x`, subscription),
      400,
      'SubscriptionNameLengthError',
    );
  });
});

describe('durable storage (items 6 and 9)', () => {
  let dir: string;
  let broker: Broker | undefined;
  let server: Listening | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-mns-wire2-'));
  });
  afterEach(async () => {
    await server?.close();
    await broker?.close();
    server = undefined;
    broker = undefined;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const open = async (): Promise<string> => {
    broker = await createBroker({ storage: logStorage({ dir, fsync: 'always' }) });
    server = await listen(
      createMnsHandler(broker, {
        accountId: ACCOUNT,
        credentials: [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }],
      }).node,
    );
    return server.url;
  };
  const reopen = async (): Promise<string> => {
    await server?.close();
    await broker?.close();
    return open();
  };

  it.each([
    ['a restart', false],
    ['a compaction and a restart', true],
  ])('a 256-character queue, its message and the account attributes survive %s', async (_, compact) => {
    const q = `d${'x'.repeat(254)}${compact ? 'c' : 'r'}`;
    let url = await open();
    expect((await sdkFetch(url, 'python', 'PUT', `/queues/${q}`, pyDoc('Queue', ''))).status).toBe(201);
    const sent = await sdkFetch(
      url,
      'python',
      'POST',
      `/queues/${q}/messages`,
      pyDoc('Message', '<MessageBody>kept</MessageBody>'),
    );
    expect(sent.status).toBe(201);
    const put = await sdkFetch(
      url,
      'python',
      'PUT',
      '/?accountmeta=true',
      pyDoc('Account', '<LoggingBucket>durable-bucket</LoggingBucket>'),
    );
    expect(put.status).toBe(204);
    if (compact) await broker!.compact();

    url = await reopen();
    const again = await sdkFetch(url, 'python', 'PUT', `/queues/${q}`, pyDoc('Queue', ''));
    expect(again.status).toBe(204);
    expect(again.headers.get('location')).toBe(`${url}/queues/${q}`);
    const got = await (await sdkFetch(url, 'go', 'GET', `/queues/${q}/messages?waitseconds=0`)).text();
    expect(got).toContain('<MessageBody>kept</MessageBody>');
    const account = await (await sdkFetch(url, 'php', 'GET', '/?accountmeta=true')).text();
    expect(account).toContain('<LoggingBucket>durable-bucket</LoggingBucket>');
  });
});
