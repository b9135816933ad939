/**
 * @module mns.push.test — MNS HTTP(S) subscriptions: pushes in the service's formats and headers, signed so the
 * service's sample endpoints' verification accepts them, the certificate served where the push names it, retries by
 * NotifyStrategy on the broker clock (a manual clock is advanced, nothing sleeps), durable across restarts, and the
 * Subscribe checks (mail and SMS endpoints, URL limits, the operator's policy).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, createBroker, logStorage, type ManualClock, manualClock } from '@sluice/core';
import {
  createMnsHandler,
  createPushSigningKey,
  type MnsHandler,
  type MnsPushOptions,
  PUSH_RETRIES,
  type PushResult,
} from '@sluice/mns';
import { startServer } from '@sluice/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type PushEndpoint, startPushEndpoint } from './helpers/push-endpoint.js';

const NS = 'http://mns.aliyuncs.com/doc/v1/';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Waits for `n` results (resolved with the results so far). */
class Results {
  readonly all: PushResult[] = [];
  readonly #waiters: { n: number; resolve: () => void }[] = [];
  readonly push = (r: PushResult) => {
    this.all.push(r);
    for (const w of this.#waiters.splice(0)) {
      if (this.all.length >= w.n) w.resolve();
      else this.#waiters.push(w);
    }
  };
  async count(n: number): Promise<PushResult[]> {
    if (this.all.length < n) await new Promise<void>((resolve) => this.#waiters.push({ n, resolve }));
    return this.all;
  }
}

interface Setup {
  broker: Broker;
  clock: ManualClock;
  handler: MnsHandler;
  mns: Listening;
  results: Results;
  endpoint: PushEndpoint;
}

async function setup(
  push: MnsPushOptions = {},
  opts: { dir?: string; clock?: ManualClock; endpoint?: PushEndpoint; port?: number } = {},
): Promise<Setup> {
  const clock = opts.clock ?? manualClock(Date.now());
  const broker = await createBroker({
    clock,
    ...(opts.dir === undefined ? {} : { storage: logStorage({ dir: opts.dir }) }),
  });
  const results = new Results();
  const handler = createMnsHandler(broker, { push: { ...push, onResult: results.push } });
  const mns = await listenOn(handler, opts.port ?? 0);
  const endpoint = opts.endpoint ?? (await startPushEndpoint());
  if (opts.endpoint === undefined) cleanups.push(() => endpoint.close());
  const stop = async () => {
    await handler.close();
    await mns.close();
    await broker.close();
  };
  cleanups.push(stop);
  return { broker, clock, handler, mns, results, endpoint };
}

/** Serves `handler` on 127.0.0.1:`port` (0: any), closed for sure. */
async function listenOn(handler: MnsHandler, port: number): Promise<Listening> {
  const server = createServer(handler.node);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const put = (url: string, target: string, body: string) => mnsFetch(url, target, { method: 'PUT', body });
const createTopic = (url: string, name: string) => put(url, `/topics/${name}`, `<Topic xmlns="${NS}"/>`);
const subscribe = (
  url: string,
  topic: string,
  sub: string,
  endpoint: string,
  extra: { FilterTag?: string; NotifyStrategy?: string; NotifyContentFormat?: string } = {},
) => {
  let children = `<Endpoint>${endpoint}</Endpoint>`;
  for (const [k, v] of Object.entries(extra)) children += `<${k}>${v}</${k}>`;
  return put(
    url,
    `/topics/${topic}/subscriptions/${sub}`,
    `<Subscription xmlns="${NS}">${children}</Subscription>`,
  );
};
const publish = async (url: string, topic: string, body: string, tag?: string) => {
  const res = await mnsFetch(url, `/topics/${topic}/messages`, {
    method: 'POST',
    body: `<Message xmlns="${NS}"><MessageBody>${body}</MessageBody>${tag === undefined ? '' : `<MessageTag>${tag}</MessageTag>`}</Message>`,
  });
  const xml = await res.text();
  expect(res.status, xml).toBe(201);
  return {
    id: /<MessageId>([^<]+)</.exec(xml)![1]!,
    md5: /<MessageBodyMD5>([^<]+)</.exec(xml)![1]!,
  };
};
const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const stored = (broker: Broker, topic: string) => broker.topic(`mns:topic:${topic}`).stats().messages;

describe('MNS push to HTTP endpoints', () => {
  it('pushes XML notifications signed so both sample verifiers accept them, and serves the certificate', async () => {
    const s = await setup();
    expect((await createTopic(s.mns.url, 't')).status).toBe(201);
    const sub = await subscribe(s.mns.url, 't', 'web', s.endpoint.url);
    expect(sub.status).toBe(201);
    const attrs = await (await mnsFetch(s.mns.url, '/topics/t/subscriptions/web')).text();
    expect(field(attrs, 'Endpoint')).toBe(s.endpoint.url);
    expect(field(attrs, 'NotifyContentFormat')).toBe('XML');

    const sent = await publish(s.mns.url, 't', 'hello &amp; bye', 'news');
    await s.endpoint.arrived(1);
    const [push] = s.endpoint.pushes;
    expect(push!.pythonVerified).toBe(true);
    expect(push!.javaVerified).toBe(true);
    // No path in the endpoint: the service's default.
    expect(push!.url).toBe('/notifications');
    expect(push!.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(push!.headers['x-mns-version']).toBe('2015-06-06');
    expect(push!.headers['x-mns-request-id']).toMatch(/^[0-9A-F]{24}$/);
    expect(push!.raw.has('Content-md5')).toBe(true);
    expect(Date.parse(push!.headers.date!)).toBeGreaterThan(Date.now() - 60_000);
    const xml = push!.body;
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Notification xmlns="http:\/\/mns.aliyuncs.com\/doc\/v1\/">/,
    );
    expect(field(xml, 'TopicOwner')).toBe('1000000000000000');
    expect(field(xml, 'TopicName')).toBe('t');
    expect(field(xml, 'Subscriber')).toBe('1000000000000000');
    expect(field(xml, 'SubscriptionName')).toBe('web');
    expect(field(xml, 'MessageId')).toBe(sent.id);
    expect(field(xml, 'MessageMD5')).toBe(sent.md5);
    expect(field(xml, 'MessageTag')).toBe('news');
    expect(field(xml, 'Message')).toBe('hello &amp; bye');
    expect(Number(field(xml, 'PublishTime'))).toBe(s.clock.now());
    const [result] = await s.results.count(1);
    expect(result).toMatchObject({ outcome: 'delivered', status: 204, attempt: 1, messageId: sent.id });
    expect(stored(s.broker, 't')).toBe(0);

    // The certificate is where the push says, and only there.
    expect(push!.certUrl).toMatch(new RegExp(`^${s.mns.url}/sluice/mns-cert/[0-9a-f]{16}\\.pem$`));
    const cert = await fetch(push!.certUrl);
    expect(cert.status).toBe(200);
    expect(await cert.text()).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect((await fetch(`${s.mns.url}/sluice/mns-cert/0000000000000000.pem`)).status).toBe(404);
  });

  it('pushes JSON and SIMPLIFIED to the endpoint path and query, with their headers', async () => {
    const s = await setup();
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'json', `${s.endpoint.url}/hooks/mns?kind=json&amp;x=1`, {
      NotifyContentFormat: 'JSON',
    });
    await subscribe(s.mns.url, 't', 'plain', `${s.endpoint.url}/plain/`, {
      NotifyContentFormat: 'SIMPLIFIED',
    });
    const sent = await publish(s.mns.url, 't', '{"a":"b"}', 'tg');
    await s.endpoint.arrived(2);
    const json = s.endpoint.pushes.find((p) => p.url.startsWith('/hooks'))!;
    const plain = s.endpoint.pushes.find((p) => p.url.startsWith('/plain'))!;
    for (const p of [json, plain]) {
      expect(p.pythonVerified).toBe(true);
      expect(p.javaVerified).toBe(true);
    }
    expect(json.url).toBe('/hooks/mns?kind=json&x=1');
    expect(json.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(JSON.parse(json.body)).toEqual({
      TopicOwner: '1000000000000000',
      TopicName: 't',
      Subscriber: '1000000000000000',
      SubscriptionName: 'json',
      MessageId: sent.id,
      MessageMD5: sent.md5,
      MessageTag: 'tg',
      Message: '{"a":"b"}',
      PublishTime: s.clock.now(),
    });
    expect(plain.url).toBe('/plain/');
    expect(plain.body).toBe('{"a":"b"}');
    expect(plain.headers['content-type']).toBe('text/plain;charset=utf-8');
    expect(plain.headers['x-mns-message-id']).toBe(sent.id);
    expect(plain.headers['x-mns-message-tag']).toBe('tg');
    expect(plain.headers['x-mns-topic-name']).toBe('t');
    expect(plain.headers['x-mns-subscription-name']).toBe('plain');
    expect(plain.headers['x-mns-publish-time']).toBe(String(s.clock.now()));
    // Every x-mns header is sent in lower case (the Python sample only signs those).
    for (const p of [json, plain])
      for (const k of p.raw.keys()) if (/^x-mns-/i.test(k)) expect(k).toBe(k.toLowerCase());
  });

  it('stores a message only for the HTTP subscriptions that want it; queue subscriptions hold nothing', async () => {
    const s = await setup();
    await createTopic(s.mns.url, 't');
    await put(s.mns.url, '/queues/q', `<Queue xmlns="${NS}"/>`);
    await subscribe(s.mns.url, 't', 'toq', 'acs:mns:cn-hangzhou:1000000000000000:queues/q');
    await subscribe(s.mns.url, 't', 'web', s.endpoint.url, { FilterTag: 'a' });
    const topic = s.broker.topic('mns:topic:t');

    await publish(s.mns.url, 't', 'only-queue', 'b');
    expect(stored(s.broker, 't')).toBe(0);
    expect(s.broker.queue('mns:queue:q').stats().active).toBe(1);

    s.endpoint.fallback = 'hang';
    await publish(s.mns.url, 't', 'both', 'a');
    await s.endpoint.arrived(1);
    expect(stored(s.broker, 't')).toBe(1);
    expect(topic.group('web').stats().inflight).toBe(1);
    const toq = topic.group('toq').stats();
    expect(toq.active + toq.inflight + toq.delayed).toBe(0);
    expect(s.broker.queue('mns:queue:q').stats().active).toBe(2);

    // A new subscription starts after what was published before it (here nothing is held when it subscribes).
    s.endpoint.fallback = 204;
    s.clock.advance(5_000); // the hanging push times out
    await s.results.count(1);
    s.clock.advance(20_000); // its retry
    await s.results.count(2);
    expect(s.results.all.map((r) => r.outcome)).toEqual(['retry', 'delivered']);
    expect(stored(s.broker, 't')).toBe(0);
    await subscribe(s.mns.url, 't', 'late', s.endpoint.url);
    await publish(s.mns.url, 't', 'after', 'z');
    await s.results.count(3);
    expect(s.results.all[2]).toMatchObject({ subscription: 'late', outcome: 'delivered' });
    expect(s.endpoint.pushes.map((p) => field(p.body, 'Message'))).toEqual(['both', 'both', 'after']);
  });

  it('a queue subscription from before push is made to hold nothing, keeping its attributes and CreateTime', async () => {
    const clock = manualClock(Date.now());
    const broker = await createBroker({ clock });
    cleanups.push(() => broker.close());
    const topic = broker.createTopic('mns:topic:t');
    broker.createQueue('mns:queue:q');
    // As subscribe made it before: metadata only, every tag let in.
    const metadata = {
      Endpoint: 'acs:mns:cn-hangzhou:1:queues/q',
      queue: 'q',
      FilterTag: '',
      NotifyStrategy: 'BACKOFF_RETRY',
      NotifyContentFormat: 'SIMPLIFIED',
    };
    const created = topic.createGroup('old', { metadata }).createdAt;
    clock.advance(5_000);
    const results = new Results();
    const handler = createMnsHandler(broker, { push: { onResult: results.push } });
    const mns = await listenOn(handler, 0);
    const endpoint = await startPushEndpoint();
    cleanups.push(
      () => endpoint.close(),
      () => mns.close(),
      () => handler.close(),
    );
    expect(topic.group('old').options.tags).toEqual([]);
    const attrs = await (await mnsFetch(mns.url, '/topics/t/subscriptions/old')).text();
    expect(Number(field(attrs, 'CreateTime'))).toBe(Math.floor(created / 1000));
    expect(field(attrs, 'Endpoint')).toBe(metadata.Endpoint);
    await subscribe(mns.url, 't', 'web', endpoint.url);
    await publish(mns.url, 't', 'm');
    await results.count(1);
    const old = topic.group('old').stats();
    expect(old.active + old.inflight).toBe(0);
    expect(broker.queue('mns:queue:q').stats().active).toBe(1);
  });

  it('a new subscription gets only what is published after it, even while older messages are held for others', async () => {
    const s = await setup();
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'first', s.endpoint.url);
    s.endpoint.fallback = 500;
    await publish(s.mns.url, 't', 'before');
    await s.results.count(1); // 'before' now waits for its retry, held for 'first'
    expect(stored(s.broker, 't')).toBe(1);

    await subscribe(s.mns.url, 't', 'second', s.endpoint.url, { NotifyContentFormat: 'JSON' });
    s.endpoint.fallback = 204;
    await publish(s.mns.url, 't', 'after');
    await s.results.count(3);
    s.clock.advance(20_000); // 'first' retries 'before'
    await s.results.count(4);
    const bySubscription = (name: string) =>
      s.results.all
        .filter((r) => r.subscription === name && r.outcome === 'delivered')
        .map((r) => r.messageId);
    expect(bySubscription('second')).toHaveLength(1);
    const pushedToSecond = s.endpoint.pushes
      .filter((p) => p.body.startsWith('{'))
      .map((p) => JSON.parse(p.body).Message);
    expect(pushedToSecond).toEqual(['after']);
    expect(bySubscription('first')).toHaveLength(2);
    // Pushed to every subscription that had it: nothing is kept after (an MNS topic keeps nothing consumed).
    expect(stored(s.broker, 't')).toBe(0);
  });

  it('BACKOFF_RETRY: 3 retries 10..20 s apart on the broker clock, then the push is dropped', async () => {
    const s = await setup();
    s.endpoint.fallback = 500;
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'web', s.endpoint.url, { NotifyStrategy: 'BACKOFF_RETRY' });
    const group = s.broker.topic('mns:topic:t').group('web');
    const sent = await publish(s.mns.url, 't', 'x');
    for (let attempt = 1; attempt <= 4; attempt++) {
      const results = await s.results.count(attempt);
      const r = results[attempt - 1]!;
      expect(r).toMatchObject({ attempt, status: 500, messageId: sent.id });
      if (attempt === 4) {
        expect(r.outcome).toBe('dropped');
        break;
      }
      expect(r.outcome).toBe('retry');
      const delay = r.nextAttemptAt! - s.clock.now();
      expect(delay).toBeGreaterThanOrEqual(10_000);
      expect(delay).toBeLessThanOrEqual(20_000);
      s.clock.advance(delay - 1);
      expect(group.stats()).toMatchObject({ inflight: 1, active: 0 });
      s.clock.advance(1);
    }
    expect(s.endpoint.pushes).toHaveLength(1 + PUSH_RETRIES.BACKOFF_RETRY);
    expect(stored(s.broker, 't')).toBe(0);
  });

  it('EXPONENTIAL_DECAY_RETRY: 176 retries 1, 2, 4 .. 512 s apart (a day in all), then dropped', async () => {
    const s = await setup();
    s.endpoint.fallback = 503;
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'web', s.endpoint.url, { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' });
    await publish(s.mns.url, 't', 'x');
    const start = s.clock.now();
    const delays: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const r = (await s.results.count(attempt))[attempt - 1]!;
      expect(r.attempt).toBe(attempt);
      if (r.outcome === 'dropped') break;
      const delay = r.nextAttemptAt! - s.clock.now();
      delays.push(delay / 1000);
      s.clock.advance(delay);
    }
    expect(delays).toHaveLength(176);
    expect(delays.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
    expect(delays.filter((d) => d === 512)).toHaveLength(167);
    expect((s.clock.now() - start) / 1000).toBe(511 + 167 * 512);
    expect(s.endpoint.pushes).toHaveLength(177);
  }, 60_000);

  it('a push unanswered within timeoutMs (broker clock) fails and is retried', async () => {
    const s = await setup({ timeoutMs: 2_000 });
    s.endpoint.statuses.push('hang');
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'web', s.endpoint.url, { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' });
    await publish(s.mns.url, 't', 'x');
    await s.endpoint.arrived(1);
    s.clock.advance(1_999);
    expect(s.results.all).toHaveLength(0);
    s.clock.advance(1);
    const [r] = await s.results.count(1);
    expect(r).toMatchObject({ outcome: 'retry', attempt: 1 });
    expect(r!.error).toMatch(/2000 ms/);
    s.clock.advance(1_000);
    const [, again] = await s.results.count(2);
    expect(again).toMatchObject({ outcome: 'delivered', attempt: 2 });
  });

  it('at most `concurrency` pushes are in flight at once, across subscriptions', async () => {
    const s = await setup({ concurrency: 2, timeoutMs: 1_000 });
    s.endpoint.statuses.push('hang', 'hang');
    await createTopic(s.mns.url, 't');
    for (const name of ['a', 'b', 'c']) {
      await subscribe(s.mns.url, 't', name, s.endpoint.url, { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' });
    }
    await publish(s.mns.url, 't', 'x');
    await s.endpoint.arrived(2);
    expect(s.results.all).toHaveLength(0);
    s.clock.advance(1_000); // the two hanging pushes time out; the third gets a slot
    await s.endpoint.arrived(3);
    await s.results.count(3); // the third answered before time moves again
    s.clock.advance(1_000); // the retries of the first two
    await s.results.count(5);
    const delivered = s.results.all.filter((r) => r.outcome === 'delivered').map((r) => r.subscription);
    expect(delivered.sort()).toEqual(['a', 'b', 'c']);
    expect(s.endpoint.maxOpen).toBe(2);
  });

  it('https endpoints: the certificate is verified, against `push.ca` when it is not public', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-push-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
    } catch {
      ctx.skip(); // no openssl on this machine to make the endpoint's certificate
    }
    const tls = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    const endpoint = await startPushEndpoint(tls);
    cleanups.push(() => endpoint.close());
    expect(endpoint.url).toMatch(/^https:/);

    const trusting = await setup({ ca: tls.cert }, { endpoint });
    await createTopic(trusting.mns.url, 't');
    await subscribe(trusting.mns.url, 't', 'tls', `${endpoint.url}/secure`);
    await publish(trusting.mns.url, 't', 'over tls');
    const [ok] = await trusting.results.count(1);
    expect(ok).toMatchObject({ outcome: 'delivered', status: 204 });
    expect(endpoint.pushes[0]).toMatchObject({ url: '/secure', pythonVerified: true, javaVerified: true });

    const wary = await setup({}, { endpoint });
    await createTopic(wary.mns.url, 't');
    await subscribe(wary.mns.url, 't', 'tls', `${endpoint.url}/secure`);
    await publish(wary.mns.url, 't', 'refused');
    const [refused] = await wary.results.count(1);
    expect(refused).toMatchObject({ outcome: 'retry' });
    expect(refused!.error).toMatch(/self[- ]signed|certificate/i);
    expect(endpoint.pushes).toHaveLength(1);
  });

  it('refused and unreachable endpoints fail like a 5xx; an unsubscribed one is no longer pushed to', async () => {
    const s = await setup();
    const dead = await listen((_req, res) => res.end());
    const deadUrl = dead.url;
    await dead.close();
    await createTopic(s.mns.url, 't');
    await subscribe(s.mns.url, 't', 'dead', deadUrl, { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' });
    await publish(s.mns.url, 't', 'x');
    const [r] = await s.results.count(1);
    expect(r).toMatchObject({ outcome: 'retry', subscription: 'dead' });
    expect(r!.error).toMatch(/ECONNREFUSED/);
    expect((await mnsFetch(s.mns.url, '/topics/t/subscriptions/dead', { method: 'DELETE' })).status).toBe(
      204,
    );
    s.clock.advance(10_000);
    expect(s.broker.topic('mns:topic:t').listGroups()).toEqual([]);
  });

  it('Subscribe refuses mail and SMS endpoints, bad URLs, over-long ones and what the policy forbids', async () => {
    const s = await setup({ maxEndpointLength: 64, allowEndpoint: (u) => u.hostname !== '10.0.0.1' });
    await createTopic(s.mns.url, 't');
    const refused = [
      'mail:directmail:someone@example.com',
      'sms:directsms:anonymous',
      'MAIL:directmail:x@example.com',
      'ftp://127.0.0.1/x',
      'http://',
      'http://user:pw@127.0.0.1:1/x',
      'http://127.0.0.1:1/x#frag',
      `http://127.0.0.1:1/${'a'.repeat(64)}`,
      'http://10.0.0.1/hook',
      'acs:mns:cn-hangzhou:1:queues/bad_name!',
      'nonsense',
    ];
    for (const endpoint of refused) {
      const res = await subscribe(s.mns.url, 't', 's', endpoint);
      const xml = await res.text();
      expect([endpoint, res.status, errorCodeOf(xml)]).toEqual([endpoint, 400, 'InvalidEndpoint']);
    }
    expect((await subscribe(s.mns.url, 't', 'q', 'acs:mns:cn-hangzhou:1:queues/q')).status).toBe(201);
    expect((await subscribe(s.mns.url, 't', 'h', 'https://127.0.0.1:1/x')).status).toBe(201);
    expect((await subscribe(s.mns.url, 't', 'h', 'https://127.0.0.1:1/x')).status).toBe(204);
    expect((await subscribe(s.mns.url, 't', 'h', 'https://127.0.0.1:1/y')).status).toBe(409);
    expect(() => createMnsHandler(s.broker, { push: { timeoutMs: 0 } })).toThrow(/push.timeoutMs/);
    expect(() => createMnsHandler(s.broker, { push: { certBaseUrl: 'ftp://x' } })).toThrow(/certBaseUrl/);
  });

  it('retries survive a restart: the retry state is the group state in the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-push-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const endpoint = await startPushEndpoint();
    cleanups.push(() => endpoint.close());
    const signingKey = createPushSigningKey();
    const clock = manualClock(Date.now());
    const first = await setup({ signingKey, timeoutMs: 1_000 }, { dir, clock, endpoint });
    endpoint.fallback = 500;
    await createTopic(first.mns.url, 't');
    await subscribe(first.mns.url, 't', 'web', endpoint.url, { NotifyStrategy: 'EXPONENTIAL_DECAY_RETRY' });
    const sent = await publish(first.mns.url, 't', 'durable');
    const [r] = await first.results.count(1);
    expect(r).toMatchObject({ outcome: 'retry', attempt: 1 });
    const due = r!.nextAttemptAt!;
    // Shut down (handler, server, broker) before the retry is due.
    for (const c of cleanups.splice(cleanups.length - 1)) await c();

    endpoint.fallback = 204;
    // The same port: the subscription advertises the certificate at the Host it was created through.
    const second = await setup({ signingKey }, { dir, clock, endpoint, port: first.mns.port });
    expect(stored(second.broker, 't')).toBe(1);
    clock.advance(due - clock.now() - 1);
    expect(second.broker.topic('mns:topic:t').group('web').stats()).toMatchObject({ active: 0 });
    clock.advance(1);
    const [again] = await second.results.count(1);
    expect(again).toMatchObject({ outcome: 'delivered', attempt: 2, messageId: sent.id });
    expect(endpoint.pushes).toHaveLength(2);
    expect(endpoint.pushes.every((p) => p.pythonVerified && p.javaVerified)).toBe(true);
    // The cert URL names the new server (Host of the Subscribe request) only if certBaseUrl is not set: same key, same id.
    expect(endpoint.pushes[1]!.certUrl.split('/').pop()).toBe(endpoint.pushes[0]!.certUrl.split('/').pop());
    expect(stored(second.broker, 't')).toBe(0);
  });

  it('sluice serve keeps the signing key in its data directory: the certificate URL verifies after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-push-serve-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const endpoint = await startPushEndpoint();
    cleanups.push(() => endpoint.close());
    const serve = (port = 0) => startServer({ host: '127.0.0.1', port, dataDir: dir, fsync: 'never' });
    await expect(startServer({ port: 0, memory: true, mnsPushCertUrl: 'ftp://x' })).rejects.toThrow(
      /mnsPushCertUrl/,
    );

    const one = await serve();
    await createTopic(one.url, 't');
    expect((await subscribe(one.url, 't', 'web', endpoint.url)).status).toBe(201);
    await publish(one.url, 't', 'before');
    await endpoint.arrived(1);
    const firstCert = await (await fetch(endpoint.pushes[0]!.certUrl)).text();
    await one.close();
    expect(statSync(join(dir, 'mns-push-key.pem')).mode & 0o777).toBe(0o600);

    const two = await serve(one.port);
    cleanups.push(() => two.close());
    await publish(two.url, 't', 'after');
    await endpoint.arrived(2);
    const [a, b] = endpoint.pushes;
    expect([a!.pythonVerified, a!.javaVerified, b!.pythonVerified, b!.javaVerified]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(field(b!.body, 'Message')).toBe('after');
    // Same key: same certificate id; the certificate is served by the restarted server (same host, new port).
    expect(b!.certUrl.split('/').pop()).toBe(a!.certUrl.split('/').pop());
    expect(await (await fetch(`${two.url}/sluice/mns-cert/${b!.certUrl.split('/').pop()}`)).text()).toBe(
      firstCert,
    );
  });

  it('sluice serve --mns-push-cert-url names the certificate at that base', async () => {
    const endpoint = await startPushEndpoint();
    cleanups.push(() => endpoint.close());
    // The base given is the server's own URL under another spelling (localhost), so the endpoint can still fetch it.
    const probe = await startServer({ host: '127.0.0.1', port: 0, memory: true });
    const port = probe.port;
    await probe.close();
    const srv = await startServer({
      host: '127.0.0.1',
      port,
      memory: true,
      mnsPushCertUrl: `http://localhost:${port}/`,
    });
    cleanups.push(() => srv.close());
    await createTopic(srv.url, 't');
    await subscribe(srv.url, 't', 'web', endpoint.url);
    await publish(srv.url, 't', 'x');
    await endpoint.arrived(1);
    expect(endpoint.pushes[0]!.certUrl).toMatch(
      new RegExp(`^http://localhost:${port}/sluice/mns-cert/[0-9a-f]{16}\\.pem$`),
    );
    expect(endpoint.pushes[0]!.javaVerified).toBe(true);
  });
});
