/**
 * @module storage-failure.test — a full disk, over real HTTP, through every dialect of `createSluiceHandler`: the
 * client gets its dialect's own 500 InternalError with a fixed message, never the core's text (errno, paths), and
 * the details go to the dialect's diagnostics channel instead.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Broker, createBroker, type LogIo, logStorage, nodeIo } from '@sluice/core';
import { createSluiceHandler } from '@sluice/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';

const LEAKS = ['ENOSPC', '/secret', 'log write', 'no space', '.log', '    at '];

/** `nodeIo` whose writes fail like a full disk once `failing` is set. */
function fullDiskIo(): LogIo & { failing: boolean } {
  return {
    failing: false,
    write(fd, buffer, offset, length, position, path) {
      if (this.failing) {
        const error = Object.assign(new Error("ENOSPC: no space left on device, write '/secret/path'"), {
          code: 'ENOSPC',
          errno: -28,
          syscall: 'write',
          path: '/secret/path',
        });
        return Promise.reject(error);
      }
      return nodeIo.write(fd, buffer, offset, length, position, path);
    },
    sync: (fd, full, path) => nodeIo.sync(fd, full, path),
  };
}

interface Reported {
  readonly channel: string;
  readonly message: { dialect?: string; error?: unknown; request?: { method: string; path: string } };
}

let broker: Broker | undefined;
let server: Listening | undefined;
const dirs: string[] = [];
const listeners: [string, (message: unknown, name: string | symbol) => void][] = [];
afterEach(async () => {
  for (const [name, fn] of listeners.splice(0)) unsubscribe(name, fn);
  await server?.close();
  server = undefined;
  await broker?.close().catch(() => {});
  broker = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-enospc-'));
  dirs.push(dir);
  const io = fullDiskIo();
  broker = await createBroker({ storage: logStorage({ dir, io }) });
  const sluice = createSluiceHandler(broker, { processMetrics: false });
  server = await listen(sluice.node);
  const reported: Reported[] = [];
  for (const name of ['sluice:mns:error', 'sluice:rocketmq:error', 'sluice:dms:error']) {
    const fn = (message: unknown) =>
      reported.push({ channel: name, message: message as Reported['message'] });
    subscribe(name, fn);
    listeners.push([name, fn]);
  }
  return { io, sluice, url: server.url, reported };
}

function expectNoLeak(text: string): void {
  for (const leak of LEAKS) expect(text, `the answer must not contain "${leak}"`).not.toContain(leak);
}

function expectReported(reported: readonly Reported[], dialect: string, method: string, path: string): void {
  const mine = reported.filter((r) => r.channel === `sluice:${dialect}:error`);
  expect(mine.length).toBeGreaterThan(0);
  const { message } = mine[0]!;
  expect(message.dialect).toBe(dialect);
  expect(message.request).toMatchObject({ method, path });
  // The details the client did not get: the core's message and the errno of its cause.
  const error = message.error as Error & { cause?: { code?: string } };
  expect(`${error.message} ${error.cause?.code}`).toContain('ENOSPC');
}

const MNS = { 'x-mns-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const MQ = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const messageOf = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];

describe('a send while the disk is full', () => {
  it('MNS SendMessage and BatchSendMessage answer 500 InternalError with a fixed message', async () => {
    const { io, url, reported } = await start();
    expect((await fetch(`${url}/queues/q`, { method: 'PUT', headers: MNS, body: '<Queue/>' })).status).toBe(
      201,
    );
    io.failing = true;
    const one = await fetch(`${url}/queues/q/messages`, {
      method: 'POST',
      headers: MNS,
      body: '<Message><MessageBody>hello</MessageBody></Message>',
    });
    const text = await one.text();
    expect(one.status).toBe(500);
    expect(codeOf(text)).toBe('InternalError');
    expect(messageOf(text)).toBe('The service failed to store the request; try again later.');
    expectNoLeak(text);
    const batch = await fetch(`${url}/queues/q/messages`, {
      method: 'POST',
      headers: MNS,
      body: '<Messages><Message><MessageBody>a</MessageBody></Message><Message><MessageBody>b</MessageBody></Message></Messages>',
    });
    const batchText = await batch.text();
    expect(batch.status).toBe(500);
    expect(batchText).toContain('InternalError');
    expectNoLeak(batchText);
    expectReported(reported, 'mns', 'POST', '/queues/q/messages');
  });

  it('MNS PublishMessage fails with 500 when a subscribed queue cannot store its copy', async () => {
    const { io, url, reported } = await start();
    const put = (target: string, body: string) =>
      fetch(`${url}${target}`, { method: 'PUT', headers: MNS, body });
    expect((await put('/queues/q', '<Queue/>')).status).toBe(201);
    expect((await put('/topics/news', '<Topic/>')).status).toBe(201);
    const subscription =
      '<Subscription><Endpoint>acs:mns:local:1000000000000000:queues/q</Endpoint></Subscription>';
    expect((await put('/topics/news/subscriptions/s', subscription)).status).toBe(201);
    io.failing = true;
    const res = await fetch(`${url}/topics/news/messages`, {
      method: 'POST',
      headers: MNS,
      body: '<Message><MessageBody>hello</MessageBody></Message>',
    });
    const text = await res.text();
    // A 201 here would confirm a message no queue holds.
    expect(res.status).toBe(500);
    expect(codeOf(text)).toBe('InternalError');
    expect(messageOf(text)).toBe('The service failed to store the request; try again later.');
    expectNoLeak(text);
    expectReported(reported, 'mns', 'POST', '/topics/news/messages');
  });

  it('RocketMQ publish answers 500 InternalError with a fixed message', async () => {
    const { io, sluice, url, reported } = await start();
    sluice.rocketmq.declareTopic('orders');
    await broker!.flush();
    io.failing = true;
    const res = await fetch(`${url}/topics/orders/messages`, {
      method: 'POST',
      headers: MQ,
      body: '<Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody>hello</MessageBody></Message>',
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(codeOf(text)).toBe('InternalError');
    expect(messageOf(text)).toBe('The service failed to store the request; try again later.');
    expectNoLeak(text);
    expectReported(reported, 'rocketmq', 'POST', '/topics/orders/messages');
  });

  it('DMS produce answers 500 10250002 with a fixed message', async () => {
    const { io, url, reported } = await start();
    const created = await fetch(`${url}/v1.0/p/queues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"events"}',
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    io.failing = true;
    const res = await fetch(`${url}/v1.0/p/queues/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"messages":[{"body":{"n":1}}]}',
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    const json = JSON.parse(text) as { error_code: string; error_msg: string; error: { code: string } };
    expect(json.error_code).toBe('10250002');
    expect(json.error.code).toBe('10250002');
    expect(json.error_msg).toBe('The service failed to store the request; try again later.');
    expectNoLeak(text);
    expectReported(reported, 'dms', 'POST', `/v1.0/p/queues/${id}/messages`);
  });
});
