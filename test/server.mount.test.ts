/**
 * @module server.mount.test — `createSluiceHandler` mounted in node:http, Express, Fastify and Hono (one official-SDK
 * round trip each, with signatures checked), the cap on parked long polls in every dialect, `/healthz` draining,
 * and `startServer`'s graceful close.
 */

import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import MQ from '@aliyunmq/mq-http-sdk';
import { serve } from '@hono/node-server';
import { type Broker, createBroker } from '@sluice/core';
import { createSluiceHandler, startServer } from '@sluice/server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';
import { aliCloudClient } from './helpers/mns-clients.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

const AK = 'mount-key';
const SK = 'mount-secret';
const credentials = [{ accessKeyId: AK, accessKeySecret: SK }];
const PROJECT = 'p0123456789';

// biome-ignore lint/suspicious/noExplicitAny: the SDKs ship no types
type Any = any;
const sdk = MQ as unknown as { MQClient: new (endpoint: string, ak: string, sk: string) => Any };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function broker(): Promise<Broker> {
  const b = await createBroker();
  cleanup.push(() => b.close());
  return b;
}

async function listening(handler: Parameters<typeof listen>[0]): Promise<Listening> {
  const srv = await listen(handler);
  cleanup.push(() => srv.close());
  return srv;
}

async function rocketMqRoundTrip(url: string): Promise<void> {
  const client = new sdk.MQClient(url, AK, SK);
  const sent = await client.getProducer('MQ_INST_1', 'mounted').publishMessage('via rocketmq', 'tag');
  const consumer = client.getConsumer('MQ_INST_1', 'mounted', 'GID_mount');
  const got = await consumer.consumeMessage(1, 1);
  expect(got.body[0].MessageId).toBe(sent.body.MessageId);
  expect(got.body[0].MessageBody).toBe('via rocketmq');
  expect((await consumer.ackMessage([got.body[0].ReceiptHandle])).code).toBe(204);
}

async function mnsRoundTrip(url: string): Promise<void> {
  const client = aliCloudClient(url, SK, AK);
  await client.createQueue('mounted');
  await client.sendMessage('mounted', { MessageBody: 'via mns' });
  const got = await client.receiveMessage('mounted', 1);
  expect(got.body.MessageBody).toBe('via mns');
  expect((await client.deleteMessage('mounted', got.body.ReceiptHandle)).code).toBe(204);
}

async function dmsRoundTrip(url: string): Promise<void> {
  const cred = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
  const client = new ClientBuilder((c: unknown) => c).withCredential(cred).withEndpoint(url).build();
  const call = (method: string, path: string, pathParams: object, data?: unknown, queryParams = {}) =>
    client.sendRequest({
      method,
      url: path,
      pathParams,
      queryParams,
      headers: {},
      ...(data === undefined ? {} : { contentType: 'application/json', data }),
    });
  const q = await call('POST', '/v1.0/{project_id}/queues', {}, { name: 'mounted' });
  const g = await call(
    'POST',
    '/v1.0/{project_id}/queues/{queue_id}/groups',
    { queue_id: q.id },
    {
      groups: [{ name: 'g' }],
    },
  );
  const ids = { queue_id: q.id, group_id: g.groups[0].id };
  await call('POST', '/v1.0/{project_id}/queues/{queue_id}/messages', ids, {
    messages: [{ body: 'via dms' }],
  });
  const got = await call(
    'GET',
    '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/messages',
    ids,
    undefined,
    {
      time_wait: 1,
    },
  );
  expect(got.map((m: Any) => m.message.body)).toEqual(['via dms']);
  const acked = await call('POST', '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/ack', ids, {
    message: [{ handler: got[0].handler, status: 'success' }],
  });
  expect(acked).toMatchObject({ success: 1, fail: 0 });
}

describe('createSluiceHandler mounted', () => {
  it('node:http: all three SDKs on one port, /healthz, /metrics, 404 for the rest', async () => {
    const sluice = createSluiceHandler(await broker(), { credentials, adminToken: 'admin' });
    const srv = await listening(sluice.node);
    await rocketMqRoundTrip(srv.url);
    await mnsRoundTrip(srv.url);
    await dmsRoundTrip(srv.url);
    expect(await (await fetch(`${srv.url}/healthz`)).json()).toEqual({ status: 'ok' });
    // Credentials are configured: /metrics takes the admin token.
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(401);
    const metrics = await (
      await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer admin' } })
    ).text();
    expect(metrics).toContain(
      'sluice_messages_acked_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:mounted",group="GID_mount"} 1',
    );
    expect(metrics).toContain(
      'sluice_messages_received_total{dialect="mns",topic="mns:queue:mounted",group=""} 1',
    );
    expect(metrics).not.toContain('process_cpu'); // process metrics are opt-in for embedders
    expect((await fetch(`${srv.url}/elsewhere`)).status).toBe(404);
    // An MNS-shaped path without a version header gets the MNS answer (spec: one port, rule 4).
    const missing = await fetch(`${srv.url}/queues/mounted`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('<Code>MissingVersionHeader</Code>');
  });

  it('Express: app.use(sluice.node) before the app’s own routes, whose bodies stay unread', async () => {
    const sluice = createSluiceHandler(await broker(), { credentials });
    const app = express();
    app.use(sluice.node);
    app.use(express.json());
    app.post('/api/echo', (req, res) => {
      res.json({ echoed: req.body });
    });
    const srv = await listening(app);
    await mnsRoundTrip(srv.url);
    const echo = await fetch(`${srv.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await echo.json()).toEqual({ echoed: { a: 1 } });
  });

  it('Fastify: an onRequest hook hands its requests over with reply.hijack()', async () => {
    const sluice = createSluiceHandler(await broker(), { credentials });
    const app = Fastify();
    app.addHook('onRequest', (request, reply, done) => {
      if (!sluice.handles(request.raw)) return done();
      reply.hijack();
      sluice.node(request.raw, reply.raw);
    });
    app.post('/api/echo', async (request) => ({ echoed: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanup.push(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await rocketMqRoundTrip(url);
    const echo = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ b: 2 }),
    });
    expect(await echo.json()).toEqual({ echoed: { b: 2 } });
  });

  it('Hono on @hono/node-server: app.mount("/", sluice.fetch)', async () => {
    const sluice = createSluiceHandler(await broker(), { credentials });
    const app = new Hono();
    app.get('/hono', (c) => c.text('hono route'));
    app.mount('/', sluice.fetch);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          (server as unknown as { closeAllConnections(): void }).closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await dmsRoundTrip(url);
    expect(await (await fetch(`${url}/hono`)).text()).toBe('hono route');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('the cap on parked long polls', () => {
  const mnsHeaders = { 'x-mns-version': '2015-06-06' };

  it('serves polls over the cap as short polls: ready messages at once, else each dialect’s "no message"', async () => {
    const b = await broker();
    const sluice = createSluiceHandler(b, { maxLongPolls: 1 });
    const srv = await listening(sluice.node);
    for (const q of ['idle', 'busy']) {
      expect((await fetch(`${srv.url}/queues/${q}`, { method: 'PUT', headers: mnsHeaders })).status).toBe(
        201,
      );
    }
    // One poll parks and takes the only place.
    const parked = fetch(`${srv.url}/queues/idle/messages?waitseconds=10`, { headers: mnsHeaders });
    for (let i = 0; i < 100 && sluice.parkedLongPolls() < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sluice.parkedLongPolls()).toBe(1);

    const timed = async (url: string, init: RequestInit) => {
      const started = Date.now();
      const r = await fetch(url, init);
      return { status: r.status, text: await r.text(), ms: Date.now() - started };
    };
    // MNS, nothing ready: 404 MessageNotExist at once instead of parking 10 s.
    const mns = await timed(`${srv.url}/queues/busy/messages?waitseconds=10`, { headers: mnsHeaders });
    expect(mns.status).toBe(404);
    expect(mns.text).toContain('<Code>MessageNotExist</Code>');
    expect(mns.ms).toBeLessThan(1000);
    // MNS, a message ready: delivered at once although the cap is reached.
    await fetch(`${srv.url}/queues/busy/messages`, {
      method: 'POST',
      headers: mnsHeaders,
      body: '<?xml version="1.0"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>ready</MessageBody></Message>',
    });
    const ready = await timed(`${srv.url}/queues/busy/messages?waitseconds=10`, { headers: mnsHeaders });
    expect(ready.status).toBe(200);
    expect(ready.text).toContain('<MessageBody>ready</MessageBody>');
    // RocketMQ: 404 MessageNotExist at once.
    const mq = await timed(`${srv.url}/topics/T/messages?consumer=GID_x&numOfMessages=1&waitseconds=10`, {
      headers: { 'x-mq-version': '2015-06-06' },
    });
    expect(mq.status).toBe(404);
    expect(mq.text).toContain('<Code>MessageNotExist</Code>');
    expect(mq.ms).toBeLessThan(1000);
    // DMS: 200 [] at once.
    const json = { 'content-type': 'application/json' };
    const q = await (
      await fetch(`${srv.url}/v1.0/${PROJECT}/queues`, {
        method: 'POST',
        headers: json,
        body: '{"name":"d"}',
      })
    ).json();
    const g = await (
      await fetch(`${srv.url}/v1.0/${PROJECT}/queues/${q.id}/groups`, {
        method: 'POST',
        headers: json,
        body: '{"groups":[{"name":"g"}]}',
      })
    ).json();
    const dms = await timed(
      `${srv.url}/v1.0/${PROJECT}/queues/${q.id}/groups/${g.groups[0].id}/messages?time_wait=10`,
      {},
    );
    expect(dms.status).toBe(200);
    expect(dms.text).toBe('[]');
    expect(dms.ms).toBeLessThan(1000);

    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toContain('sluice_long_polls_parked 1');
    expect(metrics).toContain('sluice_long_polls_shortened_total{dialect="mns"} 2');
    expect(metrics).toContain('sluice_long_polls_shortened_total{dialect="rocketmq"} 1');
    expect(metrics).toContain('sluice_long_polls_shortened_total{dialect="dms"} 1');
    expect(metrics).toContain('sluice_long_polls_waiting{dialect="mns",topic="mns:queue:idle",group=""} 1');

    // The parked poll still gets a message sent to its queue, and gives its place back.
    await fetch(`${srv.url}/queues/idle/messages`, {
      method: 'POST',
      headers: mnsHeaders,
      body: '<?xml version="1.0"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>woke</MessageBody></Message>',
    });
    expect(await (await parked).text()).toContain('<MessageBody>woke</MessageBody>');
    expect(sluice.parkedLongPolls()).toBe(0);
  });

  it('does not count short polls and peeks against the cap', async () => {
    const sluice = createSluiceHandler(await broker(), { maxLongPolls: 0 });
    const srv = await listening(sluice.node);
    await fetch(`${srv.url}/queues/q`, { method: 'PUT', headers: mnsHeaders });
    await fetch(`${srv.url}/queues/q/messages?waitseconds=0`, { headers: mnsHeaders });
    await fetch(`${srv.url}/queues/q/messages?peekonly=true`, { headers: mnsHeaders });
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).not.toContain('sluice_long_polls_shortened_total{');
  });
});

describe('startServer', () => {
  it('drains: /healthz turns 503 while a request finishes, parked polls are answered, storage is closed', async () => {
    const s = await startServer({ port: 0, memory: true, processMetrics: false });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.handler.handles).toBeTypeOf('function');
    const headers = { 'x-mns-version': '2015-06-06' };
    await fetch(`${s.url}/queues/q`, { method: 'PUT', headers });
    const parked = fetch(`${s.url}/queues/q/messages?waitseconds=30`, { headers });
    for (let i = 0; i < 100 && s.handler.parkedLongPolls() < 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const closing = s.close();
    expect(s.closing).toBe(true);
    const answer = await parked;
    expect(answer.status).toBe(404);
    await closing;
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    expect(() => s.broker.createQueue('late')).toThrow(/closed/);
  });

  it('answers 503 on /healthz while draining', async () => {
    let ready = true;
    const sluice = createSluiceHandler(await broker(), { ready: () => ready });
    const srv = await listening(sluice.node);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    ready = false;
    const r = await fetch(`${srv.url}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'draining' });
  });

  it('refuses bad options with a TypeError naming them', async () => {
    await expect(startServer({ host: '192.0.2.1' })).rejects.toThrow(
      /refusing to listen on non-loopback host/,
    );
    await expect(startServer({ port: 70_000 })).rejects.toThrow(/port must be an integer from 0 to 65535/);
    await expect(startServer({ fsync: 'sometimes' as never })).rejects.toThrow(/fsync must be/);
    expect(() => createSluiceHandler({} as Broker, { maxLongPolls: -1 })).toThrow(/maxLongPolls/);
  });
});
