/**
 * @module fuzz/cases — generators of whole requests, per dialect: every operation with its parameters drawn from
 * the edges (numbers, names, handles, bodies), the hostile documents of ./documents.ts, and mutations of valid
 * requests (bytes flipped, cut, duplicated; target, method and headers changed).
 */
import fc from 'fast-check';
import { deepJson, hostileJson, hostileXml, mutated } from './documents.js';
import type { FuzzRequest } from './send.js';
import { forgedHandle, headerSafe, jsonNumber, number, percent, segment, text, xmlText } from './values.js';

/** A request to fuzz with, labelled for the report. */
export interface FuzzCase extends FuzzRequest {
  readonly label: string;
  /** Sign it for the secured server (false: send it as is, testing the authentication paths). */
  readonly sign: boolean;
  /** A 500 this case may get: `mnsBatch` (MNS BatchSendMessage's documented partial failure). */
  readonly tolerate?: 'mnsBatch';
}

/** Real names and handles of the objects the setup created, so cases hit live objects as well as missing ones. */
export interface Fixtures {
  readonly mnsHandles: readonly string[];
  readonly mqHandles: readonly string[];
  readonly dmsHandlers: readonly string[];
  readonly dmsProject: string;
  readonly dmsQueue: string;
  readonly dmsGroup: string;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const query = (pairs: readonly (readonly [string, string | undefined])[]): string => {
  const parts = pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
};
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const now = () => new Date().toUTCString();

/** Target, method and header mutations of a valid case; the body ones come from {@link mutated}. */
function mutations(base: FuzzCase): fc.Arbitrary<FuzzCase> {
  const body = base.body ?? new Uint8Array();
  return fc.oneof(
    { weight: 4, arbitrary: mutated(body).map((b) => ({ ...base, label: `${base.label} +body`, body: b })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...'/?&=%.-_Aa0#;')).map(([i, c]) => {
        const at = 1 + (i % Math.max(1, base.target.length - 1));
        return {
          ...base,
          label: `${base.label} +target`,
          target: base.target.slice(0, at) + c + base.target.slice(at + 1),
        };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND')
        .map((m) => ({
          ...base,
          label: `${base.label} +method ${m}`,
          method: m,
          ...(m === 'GET' || m === 'HEAD' ? { body: undefined } : {}),
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'x-mns-version',
            'x-mq-version',
            'date',
            'content-type',
            'content-md5',
            'authorization',
            'host',
            'x-mns-date',
            'x-mns-ret-number',
            'x-auth-token',
            'x-sdk-date',
            'x-project-id',
          ),
          fc.oneof(
            text.map(headerSafe),
            number,
            fc.constantFrom(
              '2015-06-06',
              'MNS a:b',
              'MQ a:b',
              'MQ :',
              'MNS fuzz-ak:AAAA',
              'SDK-HMAC-SHA256 Access=fuzz-ak, SignedHeaders=host, Signature=00',
              '20170411T100919Z',
              'Thu, 01 Jan 1970 00:00:00 GMT',
              'Fri, 31 Dec 9999 23:59:59 GMT',
            ),
          ),
        )
        .map(([name, value]) => ({
          ...base,
          label: `${base.label} +header ${name}`,
          headers: { ...base.headers, [name]: value },
        })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...Object.keys(base.headers)).map((drop) => {
        const headers = { ...base.headers };
        delete headers[drop];
        return { ...base, label: `${base.label} -header ${drop}`, headers };
      }),
    },
  );
}

/** A valid case most of the time, mutated some of the time. */
const withMutations = (valid: fc.Arbitrary<FuzzCase>): fc.Arbitrary<FuzzCase> =>
  valid.chain((c) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(c) }, { weight: 2, arbitrary: mutations(c) }),
  );

// ---------------------------------------------------------------- MNS

const mnsHeaders = (extra: Record<string, string> = {}) => ({
  'x-mns-version': '2015-06-06',
  date: now(),
  'content-type': 'text/xml;charset=utf-8',
  ...extra,
});
const mnsName = segment(fc.constantFrom('fq', 'fq', 'fq2', 'ft', 'Q-1', 'a'.repeat(256), 'a'.repeat(257)));
const mnsBody = (root: string, fields: readonly (readonly [string, string | undefined])[]) =>
  enc(
    `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="http://mns.aliyuncs.com/doc/v1/">${fields
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${v}</${k}>`)
      .join('')}</${root}>`,
  );

function mnsCases(f: Fixtures): fc.Arbitrary<FuzzCase> {
  const handle = forgedHandle(f.mnsHandles);
  const n = opt(number);
  const queueAttrs = fc.tuple(n, n, n, n, n, opt(fc.oneof(text, fc.constantFrom('True', 'false', 'TRUE'))));
  const attrFields = ([d, m, r, v, p, l]: readonly (string | undefined)[]) =>
    [
      ['DelaySeconds', d],
      ['MaximumMessageSize', m],
      ['MessageRetentionPeriod', r],
      ['VisibilityTimeout', v],
      ['PollingWaitSeconds', p],
      ['LoggingEnabled', l],
    ] as const;
  const valid: fc.Arbitrary<FuzzCase> = fc.oneof(
    fc.tuple(mnsName, queueAttrs, fc.boolean()).map(([q, a, meta]) => ({
      label: 'mns create/set queue',
      sign: true,
      method: 'PUT',
      target: `/queues/${q}${meta ? '?metaoverride=true' : ''}`,
      headers: mnsHeaders(),
      body: mnsBody('Queue', attrFields(a)),
    })),
    fc.tuple(mnsName, xmlText(text), n, n).map(([q, body, delay, priority]) => ({
      label: 'mns send',
      sign: true,
      method: 'POST',
      target: `/queues/${q}/messages`,
      headers: mnsHeaders(),
      body: mnsBody('Message', [
        ['MessageBody', body],
        ['DelaySeconds', delay],
        ['Priority', priority],
      ]),
    })),
    fc.tuple(mnsName, fc.array(fc.tuple(xmlText(text), n, n), { maxLength: 20 })).map(([q, messages]) => ({
      label: `mns batch send ${messages.length}`,
      sign: true,
      tolerate: 'mnsBatch' as const,
      method: 'POST',
      target: `/queues/${q}/messages`,
      headers: mnsHeaders(),
      body: enc(
        `<Messages xmlns="http://mns.aliyuncs.com/doc/v1/">${messages
          .map(
            ([b, d, p]) =>
              `<Message><MessageBody>${b}</MessageBody>${d === undefined ? '' : `<DelaySeconds>${d}</DelaySeconds>`}${p === undefined ? '' : `<Priority>${p}</Priority>`}</Message>`,
          )
          .join('')}</Messages>`,
      ),
    })),
    fc
      .tuple(mnsName, opt(number), opt(number), opt(fc.constantFrom('true', 'TRUE', 'false', 'yes', '')))
      .map(([q, num, wait, peek]) => ({
        label: 'mns receive/peek',
        sign: true,
        method: 'GET',
        target: `/queues/${q}/messages${query([
          ['numOfMessages', num === undefined ? undefined : percent(num)],
          ['waitseconds', wait === undefined ? undefined : percent(wait)],
          ['peekonly', peek],
        ])}`,
        headers: mnsHeaders(),
      })),
    fc
      .tuple(mnsName, handle, fc.constantFrom('ReceiptHandle', 'receiptHandle', 'RECEIPTHANDLE'))
      .map(([q, h, name]) => ({
        label: 'mns delete message',
        sign: true,
        method: 'DELETE',
        target: `/queues/${q}/messages?${name}=${percent(h)}`,
        headers: mnsHeaders(),
      })),
    fc.tuple(mnsName, fc.array(xmlText(handle), { maxLength: 20 })).map(([q, hs]) => ({
      label: `mns batch delete ${hs.length}`,
      sign: true,
      method: 'DELETE',
      target: `/queues/${q}/messages`,
      headers: mnsHeaders(),
      body: enc(
        `<ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/">${hs.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`,
      ),
    })),
    fc.tuple(mnsName, handle, number).map(([q, h, v]) => ({
      label: 'mns change visibility',
      sign: true,
      method: 'PUT',
      target: `/queues/${q}/messages?ReceiptHandle=${percent(h)}&VisibilityTimeout=${percent(v)}`,
      headers: mnsHeaders(),
    })),
    fc
      .tuple(fc.constantFrom('GET', 'DELETE'), mnsName, fc.constantFrom('queues', 'topics'))
      .map(([m, q, kind]) => ({
        label: `mns ${m} ${kind}`,
        sign: true,
        method: m,
        target: `/${kind}/${q}`,
        headers: mnsHeaders(),
      })),
    fc
      .tuple(
        fc.constantFrom('queues', 'topics'),
        opt(number),
        opt(text),
        opt(text),
        opt(fc.constantFrom('true', 'false', 'x')),
      )
      .map(([kind, ret, marker, prefix, meta]) => {
        const extra: Record<string, string> = {};
        if (ret !== undefined) extra['x-mns-ret-number'] = headerSafe(ret);
        if (marker !== undefined) extra['x-mns-marker'] = headerSafe(marker);
        if (prefix !== undefined) extra['x-mns-prefix'] = headerSafe(prefix);
        if (meta !== undefined) extra['x-mns-with-meta'] = meta;
        return {
          label: `mns list ${kind}`,
          sign: true,
          method: 'GET',
          target: `/${kind}`,
          headers: mnsHeaders(extra),
        };
      }),
    fc.tuple(mnsName, opt(number), opt(text), fc.boolean()).map(([t, size, logging, meta]) => ({
      label: 'mns create/set topic',
      sign: true,
      method: 'PUT',
      target: `/topics/${t}${meta ? '?metaoverride=true' : ''}`,
      headers: mnsHeaders(),
      body: mnsBody('Topic', [
        ['MaximumMessageSize', size],
        ['LoggingEnabled', logging === undefined ? undefined : xmlEscape(logging)],
      ]),
    })),
    fc.tuple(mnsName, xmlText(text), opt(xmlText(text))).map(([t, body, tag]) => ({
      label: 'mns publish',
      sign: true,
      method: 'POST',
      target: `/topics/${t}/messages`,
      headers: mnsHeaders(),
      body: mnsBody('Message', [
        ['MessageBody', body],
        ['MessageTag', tag],
      ]),
    })),
    fc
      .tuple(
        mnsName,
        segment(fc.constantFrom('fs', 'fs2')),
        opt(
          fc.oneof(
            text,
            fc.constantFrom(
              'acs:mns:cn-hangzhou:1:queues/fq',
              'acs:mns:r:1:queues/',
              'http://127.0.0.1/x',
              'acs:mns:r:1:queues/fq2',
            ),
          ),
        ),
        opt(text),
        opt(fc.constantFrom('BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY', 'X')),
        opt(fc.constantFrom('XML', 'JSON', 'SIMPLIFIED', 'x')),
        fc.boolean(),
      )
      .map(([t, s, endpoint, tag, strategy, format, meta]) => ({
        label: 'mns subscribe/set subscription',
        sign: true,
        method: 'PUT',
        target: `/topics/${t}/subscriptions/${s}${meta ? '?metaoverride=true' : ''}`,
        headers: mnsHeaders(),
        body: mnsBody('Subscription', [
          ['Endpoint', endpoint === undefined ? undefined : xmlEscape(endpoint)],
          ['FilterTag', tag === undefined ? undefined : xmlEscape(tag)],
          ['NotifyStrategy', strategy],
          ['NotifyContentFormat', format],
        ]),
      })),
    fc
      .tuple(fc.constantFrom('GET', 'DELETE'), mnsName, opt(segment(fc.constantFrom('fs', 'fs2'))))
      .map(([m, t, s]) => ({
        label: `mns ${m} subscription(s)`,
        sign: true,
        method: m,
        target: `/topics/${t}/subscriptions${s === undefined ? '' : `/${s}`}`,
        headers: mnsHeaders(),
      })),
  );
  const hostile = fc
    .constantFrom(
      ['POST', '/queues/fq/messages', 'Message', 'MessageBody'],
      ['POST', '/queues/fq/messages', 'Messages', 'Message'],
      ['DELETE', '/queues/fq/messages', 'ReceiptHandles', 'ReceiptHandle'],
      ['PUT', '/queues/fq', 'Queue', 'DelaySeconds'],
      ['PUT', '/topics/ft/subscriptions/fs', 'Subscription', 'Endpoint'],
      ['POST', '/topics/ft/messages', 'Message', 'MessageBody'],
    )
    .chain(([method, target, root, child]) =>
      hostileXml(root, child).map(({ body, label }) => ({
        label: `mns ${label}`,
        sign: true,
        method,
        target,
        headers: mnsHeaders(),
        body,
        tolerate: 'mnsBatch' as const,
      })),
    );
  const foreign = fc
    .tuple(
      fc.constantFrom(
        '//queues/fq',
        '/?accountmeta=true',
        '/',
        '/foo',
        '/healthz',
        '/metrics',
        '/queuesx',
        '/v1.0',
        '/queues/fq/messages/x/y',
        '/topics/ft/subscriptions/fs/x',
      ),
      fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
    )
    .map(([target, method]) => ({
      label: 'mns foreign path',
      sign: true,
      method,
      target,
      headers: mnsHeaders(),
    }));
  const unsigned = valid.map((c) => ({
    ...c,
    label: `${c.label} unsigned`,
    sign: false,
    headers: { ...c.headers, authorization: 'MNS fuzz-ak:AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
  }));
  return fc.oneof(
    { weight: 12, arbitrary: withMutations(valid) },
    { weight: 3, arbitrary: hostile },
    { weight: 1, arbitrary: foreign },
    { weight: 1, arbitrary: unsigned },
  );
}

const xmlEscape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

// ---------------------------------------------------------------- RocketMQ

const mqHeaders = () => ({
  'x-mq-version': '2015-06-06',
  date: now(),
  'content-type': 'text/xml;charset=utf-8',
});
const mqTopic = segment(fc.constantFrom('FT', 'FT', 'FT2', 'ft-ordered', 'T'.repeat(64), 'T'.repeat(65)));
const mqGroup = segment(fc.constantFrom('GID_F', 'GID_F', 'GID_F2', 'GID_P', 'G'.repeat(65)));
const mqNs = opt(segment(fc.constantFrom('', 'MQ_INST_1', 'MQ_INST_2')));

function rocketMqCases(f: Fixtures): fc.Arbitrary<FuzzCase> {
  const handle = forgedHandle(f.mqHandles);
  const property = fc.oneof(
    fc.tuple(fc.constantFrom('__STARTDELIVERTIME', '__TransCheckT'), number),
    fc.tuple(fc.constantFrom('KEYS', '__SHARDINGKEY', 'k', 'a:b', ''), text),
    fc.tuple(text, text),
  );
  const valid: fc.Arbitrary<FuzzCase> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          mqTopic,
          mqNs,
          xmlText(text),
          opt(xmlText(text)),
          opt(fc.array(property, { maxLength: 5 })),
          opt(text),
        )
        .map(([t, ns, body, tag, props, rawProps]) => {
          const properties =
            props === undefined
              ? rawProps
              : props.map(([k, v]) => `${k}:${v}`).join('|') + (rawProps === undefined ? '' : `|${rawProps}`);
          return {
            label: 'rocketmq publish',
            sign: true,
            method: 'POST',
            target: `/topics/${t}/messages${query([['ns', ns]])}`,
            headers: mqHeaders(),
            body: enc(
              `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody>${body}</MessageBody>${tag === undefined ? '' : `<MessageTag>${tag}</MessageTag>`}${properties === undefined ? '' : `<Properties>${xmlEscape(properties)}</Properties>`}</Message>`,
            ),
          };
        }),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          mqTopic,
          mqNs,
          opt(mqGroup),
          opt(number),
          opt(number),
          opt(segment(fc.constantFrom('*', 'A', 'A||B', '||', 'A|| ', ''))),
          opt(fc.constantFrom('order', 'pop', 'commit', 'x', '')),
        )
        .map(([t, ns, g, num, wait, tag, trans]) => ({
          label: 'rocketmq consume',
          sign: true,
          method: 'GET',
          target: `/topics/${t}/messages${query([
            ['consumer', g],
            ['ns', ns],
            ['numOfMessages', num === undefined ? undefined : percent(num)],
            ['waitseconds', wait === undefined ? undefined : percent(wait)],
            ['tag', tag],
            ['trans', trans],
          ])}`,
          headers: mqHeaders(),
        })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          mqTopic,
          mqNs,
          opt(mqGroup),
          opt(fc.constantFrom('commit', 'rollback', 'order', 'x')),
          fc.array(xmlText(handle), { maxLength: 20 }),
        )
        .map(([t, ns, g, trans, hs]) => ({
          label: `rocketmq ack ${hs.length}${trans === undefined ? '' : ` ${trans}`}`,
          sign: true,
          method: 'DELETE',
          target: `/topics/${t}/messages${query([
            ['consumer', g],
            ['ns', ns],
            ['trans', trans],
          ])}`,
          headers: mqHeaders(),
          body: enc(
            `<ReceiptHandles xmlns="http://mq.aliyuncs.com/doc/v1/">${hs.map((h) => `<ReceiptHandle>${h}</ReceiptHandle>`).join('')}</ReceiptHandles>`,
          ),
        })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD'), mqTopic).map(([m, t]) => ({
        label: `rocketmq ${m}`,
        sign: true,
        method: m,
        target: `/topics/${t}/messages`,
        headers: mqHeaders(),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(1025, 1100, 4000, 20_000).map((len) => ({
        label: `rocketmq request line ${len}`,
        sign: true,
        method: 'GET',
        target: `/topics/FT/messages?consumer=GID_F&numOfMessages=1&x=${'a'.repeat(len)}`,
        headers: mqHeaders(),
      })),
    },
  );
  const hostile = fc
    .constantFrom(
      ['POST', '/topics/FT/messages', 'Message', 'MessageBody'],
      ['DELETE', '/topics/FT/messages?consumer=GID_F', 'ReceiptHandles', 'ReceiptHandle'],
      ['DELETE', '/topics/FT/messages?consumer=GID_P&trans=commit', 'ReceiptHandles', 'ReceiptHandle'],
    )
    .chain(([method, target, root, child]) =>
      hostileXml(root, child).map(({ body, label }) => ({
        label: `rocketmq ${label}`,
        sign: true,
        method,
        target,
        headers: mqHeaders(),
        body,
      })),
    );
  const foreign = fc
    .constantFrom(
      '//topics/FT/messages',
      '/?accountmeta=true',
      '/',
      '/foo',
      '/queues/fq',
      '/topics',
      '/topics/FT',
      '/topics/FT/messages/x',
      '/healthz',
    )
    .map((target) => ({
      label: 'rocketmq foreign path',
      sign: true,
      method: 'GET',
      target,
      headers: mqHeaders(),
    }));
  const unsigned = valid.map((c) => ({
    ...c,
    label: `${c.label} unsigned`,
    sign: false,
    headers: { ...c.headers, authorization: 'MQ fuzz-ak:AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
  }));
  return fc.oneof(
    { weight: 12, arbitrary: withMutations(valid) },
    { weight: 3, arbitrary: hostile },
    { weight: 1, arbitrary: foreign },
    { weight: 1, arbitrary: unsigned },
  );
}

// ---------------------------------------------------------------- DMS

const dmsHeaders = () => ({ 'content-type': 'application/json' });

function dmsCases(f: Fixtures): fc.Arbitrary<FuzzCase> {
  const project = segment(fc.constant(f.dmsProject));
  const queue = segment(
    fc.constantFrom(f.dmsQueue, f.dmsQueue, '9bf46390-38a2-462d-b392-4d5b2d519c55', 'q'.repeat(65)),
  );
  const group = segment(fc.constantFrom(f.dmsGroup, f.dmsGroup, 'g-9bf46390-38a2-462d-b392-4d5b2d519c55'));
  const handler = forgedHandle(f.dmsHandlers);
  const anyJson = fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: jsonNumber },
    { weight: 2, arbitrary: text.map((t) => JSON.stringify(t)) },
  );
  const field = (name: string, value: fc.Arbitrary<string>) => opt(value.map((v) => `"${name}":${v}`));
  const object = (fields: readonly fc.Arbitrary<string | undefined>[]) =>
    fc.tuple(...fields).map((fs) => `{${fs.filter((x) => x !== undefined).join(',')}}`);
  const valid: fc.Arbitrary<FuzzCase> = fc.oneof(
    object([
      field(
        'name',
        fc.oneof(
          text.map((t) => JSON.stringify(t)),
          fc.constantFrom('"fq"', '"q-1"', '1', 'null'),
        ),
      ),
      field('description', anyJson),
      field('queue_mode', fc.constantFrom('"NORMAL"', '"FIFO"', '"KAFKA_HA"', '"KAFKA_HT"', '"x"', '1')),
      field('redrive_policy', fc.constantFrom('"enable"', '"disable"', '"x"', 'true')),
      field('max_consume_count', jsonNumber),
      field('retention_hours', jsonNumber),
    ]).chain((json) =>
      project.map((p) => ({
        label: 'dms create queue',
        sign: true,
        method: 'POST',
        target: `/v1.0/${p}/queues`,
        headers: dmsHeaders(),
        body: enc(json),
      })),
    ),
    fc
      .tuple(
        project,
        queue,
        fc.array(
          object([
            field('body', anyJson),
            field(
              'attributes',
              fc.oneof(
                anyJson,
                fc
                  .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
                  .map((d) => JSON.stringify(d)),
              ),
            ),
          ]),
          { maxLength: 12 },
        ),
        opt(fc.constantFrom('true', 'false', '1')),
      )
      .map(([p, q, messages, returnId]) => ({
        label: `dms produce ${messages.length}`,
        sign: true,
        method: 'POST',
        target: `/v1.0/${p}/queues/${q}/messages`,
        headers: dmsHeaders(),
        body: enc(
          `{"messages":[${messages.join(',')}]${returnId === undefined ? '' : `,"return_id":${returnId}`}}`,
        ),
      })),
    fc
      .tuple(project, queue, group, opt(number), opt(number), opt(number), fc.boolean())
      .map(([p, q, g, max, wait, ack, dead]) => ({
        label: `dms consume${dead ? ' deadletters' : ''}`,
        sign: true,
        method: 'GET',
        target: `/v1.0/${p}/queues/${q}/groups/${g}/${dead ? 'deadletters' : 'messages'}${query([
          ['max_msgs', max === undefined ? undefined : percent(max)],
          ['time_wait', wait === undefined ? undefined : percent(wait)],
          ['ack_wait', ack === undefined ? undefined : percent(ack)],
        ])}`,
        headers: dmsHeaders(),
      })),
    fc
      .tuple(
        project,
        queue,
        group,
        fc.array(fc.tuple(handler, opt(fc.constantFrom('"success"', '"fail"', '"x"', 'null', '1'))), {
          maxLength: 14,
        }),
        fc.boolean(),
      )
      .map(([p, q, g, items, dead]) => ({
        label: `dms ack ${items.length}${dead ? ' deadletters' : ''}`,
        sign: true,
        method: 'POST',
        target: `/v1.0/${p}/queues/${q}/groups/${g}/${dead ? 'deadletters/ack' : 'ack'}`,
        headers: dmsHeaders(),
        body: enc(
          `{"message":[${items.map(([h, s]) => `{"handler":${JSON.stringify(h)}${s === undefined ? '' : `,"status":${s}`}}`).join(',')}]}`,
        ),
      })),
    fc.tuple(project, queue, fc.array(text, { maxLength: 5 })).map(([p, q, names]) => ({
      label: `dms create groups ${names.length}`,
      sign: true,
      method: 'POST',
      target: `/v1.0/${p}/queues/${q}/groups`,
      headers: dmsHeaders(),
      body: enc(`{"groups":[${names.map((n) => `{"name":${JSON.stringify(n)}}`).join(',')}]}`),
    })),
    fc
      .tuple(project, queue, opt(number), opt(number), opt(fc.constantFrom('true', 'false', 'x')))
      .map(([p, q, size, page, dead]) => ({
        label: 'dms list groups',
        sign: true,
        method: 'GET',
        target: `/v1.0/${p}/queues/${q}/groups${query([
          ['page_size', size === undefined ? undefined : percent(size)],
          ['current_page', page === undefined ? undefined : percent(page)],
          ['include_deadletter', dead],
        ])}`,
        headers: dmsHeaders(),
      })),
    fc
      .tuple(fc.constantFrom('GET', 'DELETE'), project, queue, opt(fc.constantFrom('true', 'x')))
      .map(([m, p, q, dead]) => ({
        label: `dms ${m} queue`,
        sign: true,
        method: m,
        target: `/v1.0/${p}/queues/${q}${query([['include_deadletter', dead]])}`,
        headers: dmsHeaders(),
      })),
    fc.tuple(project, opt(fc.constantFrom('true', 'x'))).map(([p, n]) => ({
      label: 'dms list queues',
      sign: true,
      method: 'GET',
      target: `/v1.0/${p}/queues${query([['include_messages_num', n]])}`,
      headers: dmsHeaders(),
    })),
    fc.tuple(project, queue, group).map(([p, q, g]) => ({
      label: 'dms delete group',
      sign: true,
      method: 'DELETE',
      target: `/v1.0/${p}/queues/${q}/groups/${g}x`,
      headers: dmsHeaders(),
    })),
    fc
      .constantFrom(
        '/v1.0/',
        '/v1.0//queues',
        '/v1.0/p/quotas/dms',
        '/v1.0/p/unknown',
        '/v1.0/p/queues/q/x/y/z/w/v',
        '/v1.0/%00/queues',
        '/v1.0/p/queues/%2e%2e',
      )
      .map((target) => ({ label: 'dms odd path', sign: true, method: 'GET', target, headers: dmsHeaders() })),
  );
  const hostile = fc
    .tuple(
      hostileJson,
      fc.constantFrom(
        `/queues/${f.dmsQueue}/messages`,
        '/queues',
        `/queues/${f.dmsQueue}/groups/${f.dmsGroup}/ack`,
        `/queues/${f.dmsQueue}/groups`,
      ),
    )
    .map(([{ body, label, depth }, path]) => ({
      label: `dms ${label}`,
      sign: true,
      method: 'POST',
      target: `/v1.0/${f.dmsProject}${path}`,
      headers: dmsHeaders(),
      body,
    }));
  const deep = deepJson.map(({ body, label, depth }) => ({
    label: `dms ${label}`,
    sign: true,
    method: 'POST',
    target: `/v1.0/${f.dmsProject}/queues/${f.dmsQueue}/messages`,
    headers: dmsHeaders(),
    body,
  }));
  const unsigned = valid.map((c) => ({
    ...c,
    label: `${c.label} unsigned`,
    sign: false,
    headers: { ...c.headers, 'X-Auth-Token': 'wrong-token' },
  }));
  const aksk = valid.map((c) => ({
    ...c,
    label: `${c.label} forged AK/SK`,
    sign: false,
    headers: {
      ...c.headers,
      'X-Sdk-Date': '20170411T100919Z',
      Authorization: 'SDK-HMAC-SHA256 Access=fuzz-ak, SignedHeaders=host;x-sdk-date, Signature=00',
    },
  }));
  return fc.oneof(
    { weight: 12, arbitrary: withMutations(valid) },
    { weight: 3, arbitrary: hostile },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: unsigned },
    { weight: 1, arbitrary: aksk },
  );
}

/** The case generator of each dialect. */
export function caseArbitraries(f: Fixtures): Record<'mns' | 'rocketmq' | 'dms', fc.Arbitrary<FuzzCase>> {
  return { mns: mnsCases(f), rocketmq: rocketMqCases(f), dms: dmsCases(f) };
}
