/**
 * @module mns.properties.test — MNS message properties (UserProperties / SystemProperties) over raw HTTP: the exact
 * bodies the Java (2.0.0) and PHP (1.4.0) SDKs send, the exact XML answered on receive, peek, batch receive and batch
 * peek, PublishMessage to subscribed queues, the limits and errors, a restart on durable storage, and the Node SDKs
 * reading messages that carry properties.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, logStorage, manualClock } from '@sluice/core';
import { createMnsHandler } from '@sluice/mns';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen } from './helpers/listen.js';
import { AliMns, aliCloudClient, aliMnsAccount, localize } from './helpers/mns-clients.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';
import { strictXml, strictXmlValues } from './helpers/strict-xml.js';

const NS = 'http://mns.aliyuncs.com/doc/v1/';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** `<X>` children of the Java SDK (JDK DOM + default Transformer: one line, `standalone="no"`, no trailing slash). */
function javaDocument(root: string, children: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?><${root} xmlns="http://mns.aliyuncs.com/doc/v1">${children}</${root}>`;
}

/** A document of the PHP SDK (XMLWriter: declaration line, namespace with the slash, newline at the end). */
function phpDocument(root: string, children: string): string {
  return `${DECL}<${root} xmlns="${NS}">${children}</${root}>\n`;
}

/** Properties as both SDKs write them: one line, Name, Value, Type. */
function sentProps(
  container: 'UserProperties' | 'SystemProperties',
  entries: readonly (readonly [string, string, string])[],
): string {
  const tag = container === 'UserProperties' ? 'PropertyValue' : 'SystemPropertyValue';
  let out = '';
  for (const [name, value, type] of entries) {
    out += `<${tag}><Name>${name}</Name><Value>${value}</Value><Type>${type}</Type></${tag}>`;
  }
  return `<${container}>${out}</${container}>`;
}

/** The properties as Sluice answers them (spelled out here, not taken from the renderer). */
function answeredProps(
  system: readonly (readonly [string, string])[],
  user: readonly (readonly [string, string, string])[],
): string {
  let out = '';
  if (system.length > 0) {
    out += '<SystemProperties>\n';
    for (const [name, value] of system) {
      out += `<SystemPropertyValue>\n<Name>${name}</Name>\n<Value>${value}</Value>\n<Type>STRING</Type>\n</SystemPropertyValue>\n`;
    }
    out += '</SystemProperties>';
  }
  if (user.length > 0) {
    out += '<UserProperties>\n';
    for (const [name, value, type] of user) {
      out += `<PropertyValue>\n<Name>${name}</Name>\n<Value>${value}</Value>\n<Type>${type}</Type>\n</PropertyValue>\n`;
    }
    out += '</UserProperties>';
  }
  return out;
}

const md5 = async (text: string) =>
  (await import('node:crypto')).createHash('md5').update(text).digest('hex').toUpperCase();

async function send(srv: { url: string }, queue: string, body: string): Promise<Response> {
  return mnsFetch(srv.url, `/queues/${queue}/messages`, { method: 'POST', body });
}

async function sentId(res: Response): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return /<MessageId>([0-9A-F]{32})<\/MessageId>/.exec(text)![1]!;
}

async function expectError(res: Response, status: number, code: string, message?: RegExp): Promise<void> {
  const text = await res.text();
  expect({ status: res.status, code: errorCodeOf(text) }, text).toEqual({ status, code });
  if (message !== undefined) expect(strictXmlValues(text, 'Message')?.[0]).toMatch(message);
}

// The Java SDK's SendMessage: MessageBody, Priority, UserProperties, SystemProperties (XMLSerializer.serializeMessage).
const JAVA_USER = [
  ['orderId', 'A-1001', 'STRING'],
  ['amount', '12.5', 'NUMBER'],
  ['paid', 'true', 'BOOLEAN'],
  ['blob', Buffer.from('value2').toString('base64'), 'BINARY'],
] as const;
const JAVA_SEND = javaDocument(
  'Message',
  '<MessageBody>hello java</MessageBody><Priority>3</Priority>' +
    sentProps('UserProperties', JAVA_USER) +
    sentProps('SystemProperties', [['traceparent', TRACEPARENT, 'STRING']]),
);

// The PHP SDK's SendMessage with its own test's properties (Tests/QueueTest.php): a base64 body, a BINARY value that
// the test base64-encodes and the SDK encodes again, 123 and true written as text.
const PHP_BINARY = Buffer.from(Buffer.from('二进制 property').toString('base64')).toString('base64');
const PHP_USER = [
  ['test-key1', 'string property', 'STRING'],
  ['test-key2', PHP_BINARY, 'BINARY'],
  ['test-key3', '123', 'NUMBER'],
  ['test-key4', 'true', 'BOOLEAN'],
] as const;
const PHP_SYSTEM = [
  ['baggage', 'baggage'],
  ['traceparent', 'traceparent'],
  ['tracestate', 'tracestate'],
] as const;
const PHP_MESSAGE =
  `<MessageBody>${Buffer.from('hello php').toString('base64')}</MessageBody>` +
  sentProps('UserProperties', PHP_USER) +
  sentProps(
    'SystemProperties',
    PHP_SYSTEM.map(([n, v]) => [n, v, 'STRING'] as const),
  );
const PHP_SEND = phpDocument('Message', PHP_MESSAGE);

describe('SDK bodies round-trip exactly', () => {
  let srv: MnsServer;
  beforeEach(async () => {
    srv = await startMns({ manual: true });
    for (const q of ['q', 'q2']) {
      expect((await mnsFetch(srv.url, `/queues/${q}`, { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
    }
  });
  afterEach(() => srv.stop());

  it('Java SendMessage: peek, receive, batch peek and batch receive answer every property, exactly', async () => {
    const id = await sentId(await send(srv, 'q', JAVA_SEND));
    const now = srv.clock!.now();
    const props = answeredProps([['traceparent', TRACEPARENT]], JAVA_USER);
    const bodyMd5 = await md5('hello java');
    const peeked = `<Message><MessageId>${id}</MessageId><MessageBodyMD5>${bodyMd5}</MessageBodyMD5><MessageBody>hello java</MessageBody><EnqueueTime>${now}</EnqueueTime><FirstDequeueTime>0</FirstDequeueTime><DequeueCount>0</DequeueCount><Priority>3</Priority>${props}</Message>`;

    const peek = await mnsFetch(srv.url, '/queues/q/messages?peekonly=true');
    expect(await peek.text()).toBe(`${DECL}${peeked.replace('<Message>', `<Message xmlns="${NS}">`)}`);
    const batchPeek = await mnsFetch(srv.url, '/queues/q/messages?peekonly=true&numOfMessages=16');
    expect(await batchPeek.text()).toBe(`${DECL}<Messages xmlns="${NS}">${peeked}</Messages>`);

    const got = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    const handle = /<ReceiptHandle>([^<]+)</.exec(got)![1]!;
    const received = `<MessageId>${id}</MessageId><ReceiptHandle>${handle}</ReceiptHandle><MessageBodyMD5>${bodyMd5}</MessageBodyMD5><MessageBody>hello java</MessageBody><EnqueueTime>${now}</EnqueueTime><NextVisibleTime>${now + 30_000}</NextVisibleTime><FirstDequeueTime>${now}</FirstDequeueTime><DequeueCount>1</DequeueCount><Priority>3</Priority>${props}`;
    expect(got).toBe(`${DECL}<Message xmlns="${NS}">${received}</Message>`);

    srv.clock!.advance(30_000);
    const batch = await (await mnsFetch(srv.url, '/queues/q/messages?numOfMessages=16')).text();
    const handle2 = /<ReceiptHandle>([^<]+)</.exec(batch)![1]!;
    const later = srv.clock!.now();
    expect(batch).toBe(
      `${DECL}<Messages xmlns="${NS}"><Message><MessageId>${id}</MessageId><ReceiptHandle>${handle2}</ReceiptHandle><MessageBodyMD5>${bodyMd5}</MessageBodyMD5><MessageBody>hello java</MessageBody><EnqueueTime>${now}</EnqueueTime><NextVisibleTime>${later + 30_000}</NextVisibleTime><FirstDequeueTime>${now}</FirstDequeueTime><DequeueCount>2</DequeueCount><Priority>3</Priority>${props}</Message></Messages>`,
    );
    // A conformant XML 1.0 parser reads the values back as sent.
    expect(strictXml(batch).ok).toBe(true);
    expect(strictXmlValues(batch, 'Value')).toEqual([TRACEPARENT, ...JAVA_USER.map(([, v]) => v)]);
  });

  it('PHP SendMessage: system properties first, user properties last, each element on its own line', async () => {
    const id = await sentId(await send(srv, 'q', PHP_SEND));
    const now = srv.clock!.now();
    const body = Buffer.from('hello php').toString('base64');
    const text = await (await mnsFetch(srv.url, '/queues/q/messages?peekonly=true')).text();
    expect(text).toBe(
      `${DECL}<Message xmlns="${NS}"><MessageId>${id}</MessageId><MessageBodyMD5>${await md5(body)}</MessageBodyMD5><MessageBody>${body}</MessageBody><EnqueueTime>${now}</EnqueueTime><FirstDequeueTime>0</FirstDequeueTime><DequeueCount>0</DequeueCount><Priority>8</Priority>${answeredProps(PHP_SYSTEM, PHP_USER)}</Message>`,
    );
  });

  it('Java and PHP BatchSendMessage: each message keeps its own properties; batch receive answers them in order', async () => {
    // Java MessageListSerializer: <Messages> of serializeMessage; PHP SendMessageRequestItem: <Message> items.
    const java = javaDocument(
      'Messages',
      `<Message><MessageBody>j1</MessageBody>${sentProps('UserProperties', [['k', 'v1', 'STRING']])}</Message>` +
        `<Message><MessageBody>j2</MessageBody><DelaySeconds>0</DelaySeconds>${sentProps('SystemProperties', [['baggage', 'userId=alice', 'STRING']])}</Message>` +
        '<Message><MessageBody>j3</MessageBody></Message>',
    );
    const php = phpDocument(
      'Messages',
      `<Message>${PHP_MESSAGE}</Message><Message><MessageBody>cGxhaW4=</MessageBody></Message>`,
    );
    for (const doc of [java, php]) {
      const res = await send(srv, 'q2', doc);
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const now = srv.clock!.now();
    const batch = await (await mnsFetch(srv.url, '/queues/q2/messages?numOfMessages=16')).text();
    const messages = batch.split('<Message>').slice(1);
    expect(messages).toHaveLength(5);
    const tails = messages.map((m) => m.slice(m.indexOf('</Priority>') + '</Priority>'.length));
    expect(tails).toEqual([
      `${answeredProps([], [['k', 'v1', 'STRING']])}</Message>`,
      `${answeredProps([['baggage', 'userId=alice']], [])}</Message>`,
      '</Message>',
      `${answeredProps(PHP_SYSTEM, PHP_USER)}</Message>`,
      '</Message></Messages>',
    ]);
    expect(batch).toContain(`<EnqueueTime>${now}</EnqueueTime>`);
  });

  it('values that need escaping come back as sent (& < > quotes, CR, tabs, non-BMP)', async () => {
    const value = 'a & b < c > "d" \'e\'\r\n\tf 😀 \u00e9';
    const escaped = 'a &amp; b &lt; c &gt; &quot;d&quot; &apos;e&apos;&#13;\n\tf 😀 \u00e9';
    await sentId(
      await send(
        srv,
        'q',
        phpDocument(
          'Message',
          `<MessageBody>x</MessageBody>${sentProps('UserProperties', [['s', escaped, 'STRING']])}${sentProps('SystemProperties', [['tracestate', escaped, 'STRING']])}`,
        ),
      ),
    );
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toContain(answeredProps([['tracestate', escaped]], [['s', escaped, 'STRING']]));
    expect(strictXmlValues(text, 'Value')).toEqual([value, value]);
  });

  it('Priority and properties live side by side', async () => {
    await sentId(
      await send(
        srv,
        'q',
        phpDocument(
          'Message',
          `<MessageBody>x</MessageBody><Priority>1</Priority>${sentProps('UserProperties', [['p', '1', 'NUMBER']])}`,
        ),
      ),
    );
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toContain(`<Priority>1</Priority>${answeredProps([], [['p', '1', 'NUMBER']])}</Message>`);
  });

  it('properties set through the core API read as MNS properties; other core properties stay hidden', async () => {
    await srv.broker.queue('mns:queue:q').send({
      body: 'core',
      properties: {
        color: 'red',
        'mns:user:plain': 'no type prefix',
        'mns:sys:baggage': 'k=v',
        'mns:user:n': 'NUMBER:5',
        'mns:user:odd': 'WORD:x',
      },
    });
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toContain(
      `<Priority>8</Priority>${answeredProps(
        [['baggage', 'k=v']],
        [
          ['plain', 'no type prefix', 'STRING'],
          ['n', '5', 'NUMBER'],
          ['odd', 'WORD:x', 'STRING'],
        ],
      )}</Message>`,
    );
    expect(text).not.toContain('color');
  });

  it('a message without properties answers no properties elements', async () => {
    await sentId(
      await send(srv, 'q', phpDocument('Message', '<MessageBody>x</MessageBody><UserProperties/>')),
    );
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toMatch(/<Priority>8<\/Priority><\/Message>$/);
  });
});

describe('PublishMessage', () => {
  let srv: MnsServer;
  beforeAll(async () => {
    srv = await startMns();
    expect((await mnsFetch(srv.url, '/topics/t', { method: 'PUT', body: '<Topic/>' })).status).toBe(201);
    for (const format of ['XML', 'JSON', 'SIMPLIFIED']) {
      const q = `sub-${format.toLowerCase()}`;
      expect((await mnsFetch(srv.url, `/queues/${q}`, { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
      const res = await mnsFetch(srv.url, `/topics/t/subscriptions/${q}`, {
        method: 'PUT',
        body: `<Subscription xmlns="${NS}"><Endpoint>acs:mns:cn-hangzhou:1000000000000000:queues/${q}</Endpoint><NotifyContentFormat>${format}</NotifyContentFormat></Subscription>`,
      });
      expect(res.status, await res.text()).toBe(201);
    }
  });
  afterAll(() => srv.stop());

  it('every subscribed queue gets the properties on its copy, whatever the NotifyContentFormat', async () => {
    // The Java SDK's TopicMessageSerializer: MessageBody, MessageTag, UserProperties, SystemProperties.
    const body = javaDocument(
      'Message',
      '<MessageBody>news</MessageBody><MessageTag>tag1</MessageTag>' +
        sentProps('UserProperties', [
          ['key1', 'value1', 'STRING'],
          ['key2', Buffer.from('value2').toString('base64'), 'BINARY'],
        ]) +
        sentProps('SystemProperties', [['traceparent', TRACEPARENT, 'STRING']]),
    );
    const res = await mnsFetch(srv.url, '/topics/t/messages', { method: 'POST', body });
    expect(res.status, await res.text()).toBe(201);
    const props = answeredProps(
      [['traceparent', TRACEPARENT]],
      [
        ['key1', 'value1', 'STRING'],
        ['key2', Buffer.from('value2').toString('base64'), 'BINARY'],
      ],
    );
    for (const format of ['xml', 'json', 'simplified']) {
      const text = await (await mnsFetch(srv.url, `/queues/sub-${format}/messages`)).text();
      expect(text, format).toMatch(new RegExp(`<Priority>8</Priority>${escapeRegExp(props)}</Message>$`));
      // The notification body itself is unchanged: the properties travel beside it, not inside it.
      const messageBody = strictXmlValues(text, 'MessageBody')![0]!;
      if (format === 'simplified') expect(messageBody).toBe('news');
      else expect(messageBody).not.toContain('traceparent');
    }
  });

  it('a bad property refuses the publish and no queue gets a copy', async () => {
    const res = await mnsFetch(srv.url, '/topics/t/messages', {
      method: 'POST',
      body: phpDocument(
        'Message',
        `<MessageBody>x</MessageBody>${sentProps('UserProperties', [['n', 'abc', 'NUMBER']])}`,
      ),
    });
    await expectError(res, 400, 'InvalidArgument', /NUMBER user property "n"/);
    for (const format of ['xml', 'json', 'simplified']) {
      const peek = await mnsFetch(srv.url, `/queues/sub-${format}/messages?peekonly=true`);
      await expectError(peek, 404, 'MessageNotExist');
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('limits and errors', () => {
  let srv: MnsServer;
  beforeAll(async () => {
    srv = await startMns({ open: true });
    expect((await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
  });
  afterAll(() => srv.stop());

  const user = (entries: readonly (readonly [string, string, string])[]) =>
    phpDocument('Message', `<MessageBody>x</MessageBody>${sentProps('UserProperties', entries)}`);
  const system = (entries: readonly (readonly [string, string, string])[]) =>
    phpDocument('Message', `<MessageBody>x</MessageBody>${sentProps('SystemProperties', entries)}`);
  const many = (n: number) => Array.from({ length: n }, (_, i) => [`k${i}`, 'v', 'STRING'] as const);

  const refused: [string, string, string, RegExp][] = [
    [
      '51 user properties',
      user(many(51)),
      'InvalidArgument',
      /hold 51 properties; a message may have at most 50/,
    ],
    [
      'a 257-character name',
      user([['n'.repeat(257), 'v', 'STRING']]),
      'InvalidArgument',
      /name "n{64}…" is not valid/,
    ],
    ['an empty name', user([['', 'v', 'STRING']]), 'InvalidArgument', /Name of a user property is required/],
    ['a name with a space', user([['a b', 'v', 'STRING']]), 'InvalidArgument', /name "a b" is not valid/],
    ['a name with a colon', user([['a:b', 'v', 'STRING']]), 'InvalidArgument', /name "a:b" is not valid/],
    ['a non-ASCII name', user([['é', 'v', 'STRING']]), 'InvalidArgument', /name "é" is not valid/],
    ['a name starting with a period', user([['.a', 'v', 'STRING']]), 'InvalidArgument', /not valid/],
    ['a name ending with a period', user([['a.', 'v', 'STRING']]), 'InvalidArgument', /not valid/],
    ['a lone period', user([['.', 'v', 'STRING']]), 'InvalidArgument', /not valid/],
    [
      'a duplicate user name',
      user([
        ['a', '1', 'STRING'],
        ['a', '2', 'NUMBER'],
      ]),
      'InvalidArgument',
      /"a" appears more than once/,
    ],
    [
      'a lower-case type',
      user([['a', 'v', 'string']]),
      'InvalidArgument',
      /Type of user property "a" is "string"/,
    ],
    [
      'an unknown type',
      user([['a', '1', 'INTEGER']]),
      'InvalidArgument',
      /must be STRING, NUMBER, BOOLEAN or BINARY/,
    ],
    [
      'a missing type',
      phpDocument(
        'Message',
        '<MessageBody>x</MessageBody><UserProperties><PropertyValue><Name>a</Name><Value>v</Value></PropertyValue></UserProperties>',
      ),
      'InvalidArgument',
      /Type of user property "a" is ""/,
    ],
    [
      'an empty value',
      user([['a', '', 'STRING']]),
      'InvalidArgument',
      /Value of user property "a" is required/,
    ],
    [
      'a missing value',
      phpDocument(
        'Message',
        '<MessageBody>x</MessageBody><UserProperties><PropertyValue><Name>a</Name><Type>STRING</Type></PropertyValue></UserProperties>',
      ),
      'InvalidArgument',
      /is required/,
    ],
    [
      'a 4097-character value',
      user([['a', 'v'.repeat(4097), 'STRING']]),
      'InvalidArgument',
      /4097 characters; it may be at most 4096/,
    ],
    [
      'a 4100-character base64 value',
      user([['a', 'QUFB'.repeat(1025), 'BINARY']]),
      'InvalidArgument',
      /at most 4096/,
    ],
    [
      'a NUMBER that is a word',
      user([['a', 'abc', 'NUMBER']]),
      'InvalidArgument',
      /NUMBER user property "a" is not a decimal number/,
    ],
    ['a NUMBER with a comma', user([['a', '1,5', 'NUMBER']]), 'InvalidArgument', /not a decimal number/],
    ['a NaN NUMBER', user([['a', 'NaN', 'NUMBER']]), 'InvalidArgument', /not a decimal number/],
    ['a hex NUMBER', user([['a', '0x10', 'NUMBER']]), 'InvalidArgument', /not a decimal number/],
    ['a NUMBER with spaces', user([['a', ' 1', 'NUMBER']]), 'InvalidArgument', /not a decimal number/],
    [
      'a BOOLEAN yes',
      user([['a', 'yes', 'BOOLEAN']]),
      'InvalidArgument',
      /BOOLEAN user property "a" must be true or false/,
    ],
    ['a BOOLEAN 1', user([['a', '1', 'BOOLEAN']]), 'InvalidArgument', /must be true or false/],
    [
      'base64 without padding',
      user([['a', 'QQ', 'BINARY']]),
      'InvalidArgument',
      /BINARY user property "a" is not base64/,
    ],
    ['base64 with short padding', user([['a', 'QQ=', 'BINARY']]), 'InvalidArgument', /is not base64/],
    ['base64 with a space', user([['a', 'QU Fq', 'BINARY']]), 'InvalidArgument', /is not base64/],
    ['url-safe base64', user([['a', '-_-_', 'BINARY']]), 'InvalidArgument', /is not base64/],
    ['non-canonical base64', user([['a', 'QR==', 'BINARY']]), 'InvalidArgument', /is not base64/],
    ['not base64 at all', user([['a', 'hello!!!', 'BINARY']]), 'InvalidArgument', /is not base64/],
    [
      'an unknown system name',
      system([['x-trace', 'v', 'STRING']]),
      'InvalidArgument',
      /"x-trace" is not one a client may send/,
    ],
    [
      'a system name in the wrong case',
      system([['TraceParent', 'v', 'STRING']]),
      'InvalidArgument',
      /not one a client may send/,
    ],
    [
      'a service-set system name',
      system([['DLQSourceArn', 'v', 'STRING']]),
      'InvalidArgument',
      /set by the service on dead-lettered messages/,
    ],
    [
      'a user property name as system',
      system([['orderId', 'v', 'STRING']]),
      'InvalidArgument',
      /not one a client may send/,
    ],
    [
      'a non-STRING system property',
      system([['baggage', '1', 'NUMBER']]),
      'InvalidArgument',
      /system property "baggage" is "NUMBER"; it must be STRING/,
    ],
    [
      'a duplicate system name',
      system([
        ['baggage', 'a', 'STRING'],
        ['baggage', 'b', 'STRING'],
      ]),
      'InvalidArgument',
      /"baggage" appears more than once/,
    ],
    [
      'an empty system value',
      system([['baggage', '', 'STRING']]),
      'InvalidArgument',
      /Value of system property "baggage" is required/,
    ],
    [
      'a 4097-character system value',
      system([['tracestate', 't'.repeat(4097), 'STRING']]),
      'InvalidArgument',
      /at most 4096/,
    ],
    [
      'text in UserProperties',
      phpDocument('Message', '<MessageBody>x</MessageBody><UserProperties>a=b</UserProperties>'),
      'MalformedXML',
      /UserProperties must hold PropertyValue elements/,
    ],
    [
      'a foreign element in UserProperties',
      phpDocument(
        'Message',
        '<MessageBody>x</MessageBody><UserProperties><SystemPropertyValue><Name>a</Name><Value>v</Value><Type>STRING</Type></SystemPropertyValue></UserProperties>',
      ),
      'MalformedXML',
      /may hold only PropertyValue elements, not SystemPropertyValue/,
    ],
    [
      'an extra field',
      phpDocument(
        'Message',
        '<MessageBody>x</MessageBody><UserProperties><PropertyValue><Name>a</Name><Value>v</Value><Type>STRING</Type><Kind>x</Kind></PropertyValue></UserProperties>',
      ),
      'MalformedXML',
      /may hold only Name, Value and Type, not Kind/,
    ],
    [
      'a field given twice',
      phpDocument(
        'Message',
        '<MessageBody>x</MessageBody><UserProperties><PropertyValue><Name>a</Name><Name>b</Name><Value>v</Value><Type>STRING</Type></PropertyValue></UserProperties>',
      ),
      'MalformedXML',
      /not well-formed/,
    ],
    [
      'UserProperties twice',
      phpDocument(
        'Message',
        `<MessageBody>x</MessageBody>${sentProps('UserProperties', [['a', 'v', 'STRING']])}${sentProps('UserProperties', [['b', 'v', 'STRING']])}`,
      ),
      'MalformedXML',
      /UserProperties appears more than once/,
    ],
  ];

  it.each(refused)('SendMessage with %s is refused and stores nothing', async (_, body, code, message) => {
    await expectError(await send(srv, 'q', body), 400, code, message);
    await expectError(await mnsFetch(srv.url, '/queues/q/messages?peekonly=true'), 404, 'MessageNotExist');
  });

  it('the limits themselves are accepted: 50 properties, a 256-character name, 4096-character values', async () => {
    const name = `a${'.b'.repeat(127)}c`.slice(0, 256);
    expect(name).toHaveLength(256);
    const base64 = Buffer.alloc(3072, 0xab).toString('base64');
    expect(base64).toHaveLength(4096);
    const entries = [
      ...many(46),
      [name, 'v'.repeat(4096), 'STRING'],
      ['bin', base64, 'BINARY'],
      ['num', '-1.5e+10', 'NUMBER'],
      ['flag', 'FALSE', 'BOOLEAN'],
    ] as const;
    const res = await send(
      srv,
      'q',
      phpDocument(
        'Message',
        `<MessageBody>x</MessageBody>${sentProps('UserProperties', entries)}${sentProps('SystemProperties', [['baggage', 'b'.repeat(4096), 'STRING']])}`,
      ),
    );
    await sentId(res);
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toContain(answeredProps([['baggage', 'b'.repeat(4096)]], entries));
    const handle = /<ReceiptHandle>([^<]+)</.exec(text)![1]!;
    expect(
      (await mnsFetch(srv.url, `/queues/q/messages?ReceiptHandle=${handle}`, { method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('indented properties (layout whitespace between elements) are read like compact ones', async () => {
    const doc = `${DECL}<Message xmlns="${NS}">\n  <MessageBody>x</MessageBody>\n  <UserProperties>\n    <PropertyValue>\n      <Name>a</Name>\n      <Value> spaced value </Value>\n      <Type>STRING</Type>\n    </PropertyValue>\n    <PropertyValue>\n      <Name>b</Name>\n      <Value>2</Value>\n      <Type>NUMBER</Type>\n    </PropertyValue>\n  </UserProperties>\n  <SystemProperties>\n    <SystemPropertyValue>\n      <Name>baggage</Name>\n      <Value>k=v</Value>\n      <Type>STRING</Type>\n    </SystemPropertyValue>\n  </SystemProperties>\n</Message>`;
    await sentId(await send(srv, 'q', doc));
    const text = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
    expect(text).toContain(
      answeredProps(
        [['baggage', 'k=v']],
        [
          ['a', ' spaced value ', 'STRING'],
          ['b', '2', 'NUMBER'],
        ],
      ),
    );
    const handle = /<ReceiptHandle>([^<]+)</.exec(text)![1]!;
    expect(
      (await mnsFetch(srv.url, `/queues/q/messages?ReceiptHandle=${handle}`, { method: 'DELETE' })).status,
    ).toBe(204);
  });

  it('BatchSendMessage: a message with a bad property fails alone, the others are sent with theirs', async () => {
    const doc = phpDocument(
      'Messages',
      `<Message><MessageBody>ok1</MessageBody>${sentProps('UserProperties', [['a', '1', 'NUMBER']])}</Message>` +
        `<Message><MessageBody>bad</MessageBody>${sentProps('UserProperties', [['a', 'x', 'BOOLEAN']])}</Message>` +
        `<Message><MessageBody>ok2</MessageBody>${sentProps('SystemProperties', [['traceparent', TRACEPARENT, 'STRING']])}</Message>`,
    );
    const res = await send(srv, 'q', doc);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).toMatch(
      /<Messages xmlns="[^"]+"><Message><MessageId>[0-9A-F]{32}<\/MessageId><MessageBodyMD5>[0-9A-F]{32}<\/MessageBodyMD5><\/Message><Message><ErrorCode>InvalidArgument<\/ErrorCode><ErrorMessage>The Value of BOOLEAN user property &quot;a&quot; must be true or false.<\/ErrorMessage><\/Message><Message><MessageId>/,
    );
    const got = await (await mnsFetch(srv.url, '/queues/q/messages?numOfMessages=16')).text();
    expect(strictXmlValues(got, 'MessageBody')).toEqual(['ok1', 'ok2']);
    expect(got).toContain(`${answeredProps([], [['a', '1', 'NUMBER']])}</Message>`);
    expect(got).toContain(`${answeredProps([['traceparent', TRACEPARENT]], [])}</Message>`);
  });
});

describe('durable storage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-mns-props-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function open() {
    const clock = manualClock(Date.now());
    const broker = await createBroker({ clock, storage: logStorage({ dir }) });
    const srv = await listen(createMnsHandler(broker).node);
    return {
      srv,
      broker,
      async close() {
        await srv.close();
        await broker.close();
      },
    };
  }

  it('properties survive a snapshot, the log after it, and a restart', async () => {
    const first = await open();
    expect((await mnsFetch(first.srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' })).status).toBe(
      201,
    );
    const base = first.srv;
    const a = await sentId(await send(base, 'q', JAVA_SEND));
    await first.broker.compact(); // a is now in the snapshot
    const b = await sentId(await send(base, 'q', PHP_SEND)); // b only in the log after it
    const before = await (
      await mnsFetch(first.srv.url, '/queues/q/messages?peekonly=true&numOfMessages=16')
    ).text();
    await first.close();

    const second = await open();
    try {
      const after = await (
        await mnsFetch(second.srv.url, '/queues/q/messages?peekonly=true&numOfMessages=16')
      ).text();
      expect(after).toBe(before);
      expect(after).toContain(`<MessageId>${a}</MessageId>`);
      expect(after).toContain(`<MessageId>${b}</MessageId>`);
      expect(after).toContain(
        `<Priority>3</Priority>${answeredProps([['traceparent', TRACEPARENT]], JAVA_USER)}</Message>`,
      );
      expect(after).toContain(`<Priority>8</Priority>${answeredProps(PHP_SYSTEM, PHP_USER)}</Message>`);
    } finally {
      await second.close();
    }
  });
});

describe('the Node SDKs read messages that carry properties', () => {
  let srv: MnsServer;
  beforeAll(async () => {
    srv = await startMns();
    expect((await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
  });
  afterAll(() => srv.stop());

  it('@alicloud/mns (1.2.0, no properties API) receives and peeks them without a hitch', async () => {
    await sentId(await send(srv, 'q', JAVA_SEND));
    const client = aliCloudClient(srv.url);
    const peeked = await client.peekMessage('q');
    expect(peeked.body.MessageBody).toBe('hello java');
    const got = await client.receiveMessage('q', 1);
    expect(got.body.MessageBody).toBe('hello java');
    expect(got.body.Priority).toBe('3');
    // It hands the elements through as xml2js objects: the values are all there.
    expect(JSON.stringify(got.body.UserProperties)).toContain('A-1001');
    expect(JSON.stringify(got.body.SystemProperties)).toContain(TRACEPARENT);
    expect((await client.deleteMessage('q', got.body.ReceiptHandle)).code).toBe(204);
  });

  it('ali-mns (2.6.8) receives one and a batch, bodies decoded, properties passed over', async () => {
    const body = (text: string) => Buffer.from(text).toString('base64');
    const props =
      sentProps('UserProperties', [['k', 'v', 'STRING']]) +
      sentProps('SystemProperties', [['baggage', 'b', 'STRING']]);
    const sent = await send(
      srv,
      'q',
      phpDocument(
        'Messages',
        `<Message><MessageBody>${body('one')}</MessageBody>${props}</Message><Message><MessageBody>${body('two')}</MessageBody>${props}</Message>`,
      ),
    );
    expect(sent.status).toBe(201);
    const mq = localize(new AliMns.MQBatch('q', aliMnsAccount(), 'hangzhou'), srv.url);
    const single = await mq.recvP(1, 1);
    expect(single.Message.MessageBody).toBe('one');
    const batch = (await mq.recvP(1, 16)).Messages.Message;
    expect(
      (Array.isArray(batch) ? batch : [batch]).map((m: { MessageBody: string }) => m.MessageBody),
    ).toEqual(['two']);
  });
});

describe('property-based: any property list is stored exactly or refused whole, never a 500', () => {
  let srv: MnsServer;
  beforeAll(async () => {
    srv = await startMns({ open: true });
    expect((await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' })).status).toBe(201);
  });
  afterAll(() => srv.stop());

  const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // Mostly valid, so both outcomes are common: one bad entry refuses the whole message.
  const name = fc.oneof(
    { weight: 30, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,20}[A-Za-z0-9_-]$/) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom('traceparent', 'DLQSourceArn', '.x', 'x.', 'a:b') },
  );
  const text = fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
  );
  const typed = fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constant('STRING'), text) },
    {
      weight: 6,
      arbitrary: fc.tuple(
        fc.constant('NUMBER'),
        fc.oneof(
          { weight: 8, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
          { weight: 8, arbitrary: fc.integer().map(String) },
          { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
        ),
      ),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constant('BOOLEAN'), fc.constantFrom('true', 'false', 'True', 'FALSE', 'no')),
    },
    {
      weight: 6,
      arbitrary: fc.tuple(
        fc.constant('BINARY'),
        fc.oneof(
          {
            weight: 12,
            arbitrary: fc
              .uint8Array({ minLength: 1, maxLength: 20 })
              .map((b) => Buffer.from(b).toString('base64')),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
        ),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('string', 'INT', ''), fc.string({ maxLength: 4 })) },
  );
  const entries = fc.uniqueArray(fc.tuple(name, typed), { maxLength: 5, selector: ([n]) => n });
  const systemEntries = fc.uniqueArray(
    fc.tuple(
      fc.constantFrom('traceparent', 'tracestate', 'baggage', 'traceparent', 'tracestate', 'baggage', 'x-b3'),
      fc.constantFrom('STRING', 'STRING', 'STRING', 'STRING', 'NUMBER'),
      text,
    ),
    { maxLength: 3, selector: ([n]) => n },
  );

  it('round-trips every accepted list in order and stores nothing for a refused one', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(entries, systemEntries, async (user, system) => {
        const userXml = user
          .map(
            ([n, [t, v]]) =>
              `<PropertyValue><Name>${xmlEscape(n)}</Name><Value>${xmlEscape(v)}</Value><Type>${t}</Type></PropertyValue>`,
          )
          .join('');
        const systemXml = system
          .map(
            ([n, t, v]) =>
              `<SystemPropertyValue><Name>${n}</Name><Value>${xmlEscape(v)}</Value><Type>${t}</Type></SystemPropertyValue>`,
          )
          .join('');
        const res = await send(
          srv,
          'q',
          phpDocument(
            'Message',
            `<MessageBody>p</MessageBody><UserProperties>${userXml}</UserProperties><SystemProperties>${systemXml}</SystemProperties>`,
          ),
        );
        const text = await res.text();
        if (res.status !== 201) {
          expect(res.status, text).toBe(400);
          expect(['InvalidArgument', 'MalformedXML']).toContain(errorCodeOf(text));
          const peek = await mnsFetch(srv.url, '/queues/q/messages?peekonly=true');
          expect(peek.status).toBe(404);
          refused++;
          return;
        }
        const got = await (await mnsFetch(srv.url, '/queues/q/messages')).text();
        // XML turns a CR into LF unless written as a reference; what was sent as raw CR arrives as LF.
        const sentValues = [...system.map(([, , v]) => v), ...user.map(([, [, v]]) => v)].map((v) =>
          v.replace(/\r\n?/g, '\n'),
        );
        expect(strictXmlValues(got, 'Value')).toEqual(sentValues);
        expect(strictXmlValues(got, 'Name')).toEqual([...system.map(([n]) => n), ...user.map(([n]) => n)]);
        accepted++;
        expect(strictXmlValues(got, 'Type')).toEqual([
          ...system.map(() => 'STRING'),
          ...user.map(([, [t]]) => t),
        ]);
        const handle = /<ReceiptHandle>([^<]+)</.exec(got)![1]!;
        expect(
          (await mnsFetch(srv.url, `/queues/q/messages?ReceiptHandle=${handle}`, { method: 'DELETE' }))
            .status,
        ).toBe(204);
      }),
      { numRuns: 200, seed: 144 },
    );
    // Both outcomes are exercised in earnest, not just one.
    expect(Math.min(accepted, refused), `accepted ${accepted}, refused ${refused}`).toBeGreaterThan(30);
  });
});
