/** @module mns.mount.test — one MNS handler mounted in node:http, Express (also under a prefix) and Hono. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createBroker } from '@sluice/core';
import { createMnsHandler } from '@sluice/mns';
import express from 'express';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { listen } from './helpers/listen.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  AliMns,
  aliCloudClient,
  aliMnsAccount,
  localize,
} from './helpers/mns-clients.js';

const credentials = [{ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }];

/** Create, send, receive, delete through `@alicloud/mns` at `endpoint`. */
async function roundTrip(endpoint: string): Promise<void> {
  const client = aliCloudClient(endpoint);
  expect((await client.createQueue('mounted')).code).toBe(201);
  await client.sendMessage('mounted', { MessageBody: 'through the mount' });
  const got = await client.receiveMessage('mounted', 1);
  expect(got.body.MessageBody).toBe('through the mount');
  expect((await client.deleteMessage('mounted', got.body.ReceiptHandle)).code).toBe(204);
}

describe('mounting', () => {
  it('node:http', async () => {
    const broker = await createBroker();
    const srv = await listen(createServer(createMnsHandler(broker, { credentials }).node));
    try {
      await roundTrip(srv.url);
    } finally {
      await srv.close();
      await broker.close();
    }
  });

  it('Express: at the root next to other routes, and under a prefix for both SDKs', async () => {
    const broker = await createBroker();
    const app = express();
    app.use(createMnsHandler(broker, { credentials }).node);
    app.get('/hello', (_req, res) => {
      res.send('express route');
    });
    // ali-mns signs the full path (with /mns), @alicloud/mns only what follows its endpoint: mountPath accepts both.
    app.use('/mns', createMnsHandler(broker, { credentials, mountPath: '/mns' }).node);
    const srv = await listen(app as never);
    try {
      await roundTrip(srv.url);
      expect(await (await fetch(`${srv.url}/hello`)).text()).toBe('express route');
      const client = aliCloudClient(`${srv.url}/mns`);
      expect((await client.getQueueAttributes('mounted')).body.QueueName).toBe('mounted');
      const mq = new AliMns.MQ('mounted', aliMnsAccount(), 'hangzhou');
      mq._url = `${srv.url}/mns/queues/mounted/messages`;
      mq._urlAttr = `${srv.url}/mns/queues/mounted`;
      expect((await mq.sendP('via prefix')).Message.MessageId).toMatch(/^[0-9A-F]{32}$/);
      expect((await mq.recvP(1)).Message.MessageBody).toBe('via prefix');
      // localize() keeps working for the root mount too.
      const rootMq = localize(new AliMns.MQ('mounted', aliMnsAccount(), 'hangzhou'), srv.url);
      expect((await rootMq.getAttrsP()).Queue.QueueName).toBe('mounted');
    } finally {
      await srv.close();
      await broker.close();
    }
  });

  it('Hono on @hono/node-server', async () => {
    const broker = await createBroker();
    const mns = createMnsHandler(broker, { credentials });
    const app = new Hono();
    app.get('/hono', (c) => c.text('hono route'));
    app.mount('/', mns.fetch);
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    try {
      await roundTrip(url);
      expect(await (await fetch(`${url}/hono`)).text()).toBe('hono route');
    } finally {
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await broker.close();
    }
  });
});
