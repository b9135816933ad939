/**
 * @module server.expect-continue.test — `Expect: 100-continue` over raw sockets, in every dialect: a declared body
 * over the dialect's limit gets its error at once (no `100 Continue`, the connection closed); a body within it gets
 * `100 Continue`, then its answer.
 */
import { type SluiceServer, startServer } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConnect } from './helpers/raw-http.js';

let server: SluiceServer;
beforeAll(async () => {
  server = await startServer({ port: 0, memory: true });
  const created = await fetch(`${server.url}/queues/cont`, {
    method: 'PUT',
    headers: { 'x-mns-version': '2015-06-06', date: new Date().toUTCString(), 'content-type': 'text/xml' },
  });
  expect(created.status).toBe(201);
});
afterAll(() => server.close());

interface Case {
  readonly name: string;
  readonly head: (length: number) => string;
  readonly body: string;
  /** A declared length over the dialect's body limit. */
  readonly over: number;
  readonly okStatus: number;
  /** Status and a fragment of the dialect's too-large error body. */
  readonly refused: { readonly status: number; readonly body: string };
}

const date = () => new Date().toUTCString();
const cases: readonly Case[] = [
  {
    name: 'MNS',
    head: (n) =>
      `POST /queues/cont/messages HTTP/1.1\r\nhost: x\r\nx-mns-version: 2015-06-06\r\ndate: ${date()}\r\ncontent-type: text/xml\r\ncontent-length: ${n}\r\nexpect: 100-continue\r\n\r\n`,
    body: '<Message><MessageBody>hi</MessageBody></Message>',
    over: 2 * 1024 * 1024,
    okStatus: 201,
    refused: { status: 400, body: '<Code>InvalidArgument</Code>' },
  },
  {
    name: 'RocketMQ',
    head: (n) =>
      `POST /topics/cont/messages HTTP/1.1\r\nhost: x\r\nx-mq-version: 2015-06-06\r\ndate: ${date()}\r\ncontent-type: text/xml;charset=utf-8\r\ncontent-length: ${n}\r\nexpect: 100-continue\r\n\r\n`,
    body: '<Message><MessageBody>hi</MessageBody></Message>',
    over: 100 * 1024 * 1024,
    okStatus: 201,
    refused: { status: 400, body: '<Code>InvalidArgument</Code>' },
  },
  {
    name: 'DMS',
    head: (n) =>
      `POST /v1.0/p0123456789/queues HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${n}\r\nexpect: 100-continue\r\n\r\n`,
    body: '{"name":"cont"}',
    over: 5 * 1024 * 1024,
    okStatus: 201,
    refused: { status: 400, body: '"error_code"' },
  },
];

describe.each(cases)('Expect: 100-continue, $name', (c) => {
  it('refuses a declared body over the limit at once, without 100 Continue', async () => {
    const conn = await rawConnect(server.port);
    conn.socket.write(c.head(c.over));
    const first = await conn.next();
    expect(first.status).toBe(c.refused.status);
    expect(first.body).toContain(c.refused.body);
    expect(first.headers['connection']).toBe('close');
    await conn.closed;
  });

  it('sends 100 Continue for a body within the limit, then answers it', async () => {
    const conn = await rawConnect(server.port);
    conn.socket.write(c.head(Buffer.byteLength(c.body)));
    const interim = await conn.next();
    expect(interim.status).toBe(100);
    conn.socket.write(c.body);
    const final = await conn.next();
    expect(final.status).toBe(c.okStatus);
    conn.socket.destroy();
  });
});
