/**
 * @module dms.raw.test — the DMS dialect over raw HTTP: malformed JSON, wrong types, limits, forged handlers,
 * hand-signed requests that hit the signer's traps, and the fetch adapter.
 */
import { createRequire } from 'node:module';
import { type Broker, createBroker } from '@sluice/core';
import { createDmsHandler, type DmsOptions } from '@sluice/dms';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen, rawRequest } from './helpers/listen.js';

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');

const P = '/v1.0/proj';
let broker: Broker;
let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await broker?.close();
});

async function start(options: DmsOptions = {}): Promise<Listening> {
  broker = await createBroker();
  server = await listen(createDmsHandler(broker, options).node);
  return server;
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  json: any;
  text: string;
}

async function send(
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function expectCode(r: Reply, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.json).toMatchObject({ error: { code }, error_code: code });
  expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
}

async function setup(queue: object = { name: 'q' }) {
  const q = (await send('POST', `${P}/queues`, JSON.stringify(queue))).json.id as string;
  const g = (await send('POST', `${P}/queues/${q}/groups`, '{"groups":[{"name":"g"},{"name":"h"}]}')).json
    .groups;
  return { q, g: g[0].id as string, h: g[1].id as string };
}

describe('malformed input', () => {
  it('answers broken JSON and wrong types with the documented codes', async () => {
    await start();
    const { q, g } = await setup();
    expectCode(await send('POST', `${P}/queues`, '{"name":'), 400, '10240009');
    expectCode(await send('POST', `${P}/queues`, '[]'), 400, '10240009');
    expectCode(await send('POST', `${P}/queues`, ''), 400, '10240009');
    expectCode(await send('POST', `${P}/queues`, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, '10240009');
    expectCode(await send('POST', `${P}/queues`, '{"name":["q"]}'), 400, '10240011');
    expectCode(
      await send('POST', `${P}/queues`, '{"name":"z","max_consume_count":"3","redrive_policy":"enable"}'),
      400,
      '10240022',
    );
    expectCode(await send('POST', `${P}/queues`, '{"name":"z","description":7}'), 400, '10240010');
    expectCode(await send('POST', `${P}/queues/${q}/groups`, '{"groups":[{"name":5}]}'), 400, '10240012');
    expectCode(await send('POST', `${P}/queues/${q}/messages`, 'null'), 400, '10540010');
    expectCode(await send('POST', `${P}/queues/${q}/messages`, '{"messages":{"body":1}}'), 400, '10540010');
    expectCode(
      await send('POST', `${P}/queues/${q}/messages`, '{"messages":[{"body":1}],"returnId":"yes"}'),
      400,
      '10540001',
    );
    expectCode(await send('POST', `${P}/queues/${q}/groups/${g}/ack`, '{"message":"x"}'), 400, '10540010');
    expectCode(
      await send('POST', `${P}/queues/${q}/groups/${g}/ack`, '{"message":[{"handler":7}]}'),
      400,
      '10540010',
    );
    expectCode(
      await send('POST', `${P}/queues/${q}/groups/${g}/ack`, '{"message":[{"handler":"x","status":true}]}'),
      400,
      '10540003',
    );
    expectCode(await send('GET', `${P}/queues/${q}/groups/${g}/messages?max_msgs=1e1`), 400, '10540014');
    expectCode(await send('GET', `${P}/queues/${q}/groups/${g}/messages?time_wait=`), 400, '10540014');
    expectCode(await send('GET', `${P}/queues?include_deadletter=maybe`), 400, '10540014');
    expectCode(await send('GET', `${P}/queues/${'x'.repeat(65)}`), 400, '10240015');
    expectCode(await send('GET', `/v1.0/${'p'.repeat(65)}/queues`), 400, '10240005');
    expectCode(await send('GET', '/v1.0/'), 400, '10240005');
    expectCode(await send('PATCH', `${P}/queues/${q}`), 404, '10240406');
    expectCode(await send('GET', `${P}/queues/${q}/groups/${g}/other`), 404, '10240406');
    // The broker is still fine.
    expect((await send('GET', `${P}/queues/${q}`)).status).toBe(200);
  });

  it('keeps the body limit and the 512 KB message limits', async () => {
    await start({ maxBodyBytes: 700_000 });
    const { q } = await setup();
    const huge = JSON.stringify({ messages: [{ body: 'x'.repeat(800_000) }] });
    expectCode(await send('POST', `${P}/queues/${q}/messages`, huge), 400, '10540011');
    const big = JSON.stringify({ messages: [{ body: 'x'.repeat(524_286) }] });
    expect((await send('POST', `${P}/queues/${q}/messages`, big)).status).toBe(201);
    const over = JSON.stringify({ messages: [{ body: 'x'.repeat(524_287) }] });
    const r = await send('POST', `${P}/queues/${q}/messages`, over);
    expectCode(r, 400, '10540011');
    expect(r.json.error_msg).toBe('The message size is 524289, larger than the size limit 524288.');
    // A lying Content-Length is refused before the body is read.
    const raw = await rawRequest(
      server!.port,
      `POST ${P}/queues/${q}/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9000000\r\n\r\n{}`,
      2000,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain('"error_code":"10540011"');
  });
});

describe('forged handlers', () => {
  it('never acks with a forged, truncated, foreign or replayed handler', async () => {
    await start();
    const { q, g, h } = await setup({ name: 'q', redrive_policy: 'enable', max_consume_count: 5 });
    await send('POST', `${P}/queues/${q}/messages`, '{"messages":[{"body":"a"},{"body":"b"}]}');
    const got = (await send('GET', `${P}/queues/${q}/groups/${g}/messages?time_wait=1`)).json;
    const handler = got[0].handler as string;
    const ack = (group: string, list: unknown) =>
      send('POST', `${P}/queues/${q}/groups/${group}/ack`, JSON.stringify({ message: list }));
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    for (const forged of [
      flip(handler, handler.length - 1),
      flip(handler, 20),
      handler.slice(0, -1),
      `${handler}A`,
      'N'.repeat(42),
      '../../etc',
      '',
    ]) {
      const r = await ack(g, [{ handler: forged }]);
      expect(r.status).toBe(400);
      expect(['10542209', '10540010', '10540004']).toContain(r.json.error_code);
    }
    // The tag of another group: 10540004; a tampered tag: also not ours.
    expectCode(await ack(h, [{ handler }]), 400, '10540004');
    expectCode(await ack(g, [{ handler: flip(handler, 3) }]), 400, '10540004');
    expectCode(await ack(g, [{ handler: `D${handler.slice(1)}` }]), 400, '10542205');
    // Nothing above acked anything: both genuine handlers still work, once.
    expect(
      (
        await ack(
          g,
          got.map((m: { handler: string }) => ({ handler: m.handler })),
        )
      ).json,
    ).toEqual({ success: 2, fail: 0 });
    expectCode(await ack(g, [{ handler }]), 400, '10542209');
    // Another queue's consume path with this group id: unknown queue.
    expectCode(
      await send(
        'POST',
        `${P}/queues/00000000-0000-4000-8000-000000000000/groups/${g}/ack`,
        JSON.stringify({ message: [{ handler }] }),
      ),
      404,
      '10240401',
    );
  });
});

describe('hand-signed requests (the signer traps)', () => {
  const AK = 'AKRAW';
  const SK = 'SKRAW';
  const credential = { getAk: () => AK, getSk: () => SK };

  async function signed(
    method: string,
    path: string,
    query: Record<string, string>,
    data?: unknown,
    extra: Record<string, string> = {},
  ) {
    const qs = new URLSearchParams(query).toString().replaceAll('+', '%20');
    const url = `${server!.url}${path}${qs === '' ? '' : `?${qs}`}`;
    const headers: Record<string, string> = { 'X-Project-Id': 'proj', ...extra };
    if (data !== undefined) headers['content-type'] = 'application/json';
    const request = { method, endpoint: url, headers, queryParams: query, data };
    const all = AKSKSigner.sign(request, credential) as Record<string, string>;
    delete all.host;
    return fetch(url, {
      method,
      headers: all,
      ...(data === undefined ? {} : { body: JSON.stringify(data) }),
    });
  }

  it('verifies trailing-slash URIs, sorted and escaped queries, and UNSIGNED-PAYLOAD', async () => {
    await start({ credentials: [{ accessKeyId: AK, accessKeySecret: SK }] });
    expect((await signed('POST', `${P}/queues`, {}, { name: 'signed' })).status).toBe(201);
    const list = await signed('GET', `${P}/queues`, {
      include_deadletter: 'true',
      include_messages_num: 'true',
      'z key': 'a b*c',
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { total: number }).total).toBe(1);
    const unsigned = await signed(
      'POST',
      `${P}/queues`,
      {},
      { name: 'unsigned' },
      { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    );
    expect(unsigned.status).toBe(201);
    // The same signature over a different query or body fails.
    const r = await signed('GET', `${P}/queues`, { a: '1' });
    const headers = Object.fromEntries([...(r.headers as unknown as Iterable<[string, string]>)]);
    expect(headers['content-type']).toBe('application/json;charset=UTF-8');
    const url = `${server!.url}${P}/queues?a=1`;
    const sig = AKSKSigner.sign(
      { method: 'GET', endpoint: url, headers: {}, queryParams: { a: '1' } },
      credential,
    );
    delete sig.host;
    const tampered = await fetch(`${server!.url}${P}/queues?a=2`, { headers: sig });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error_code: 'APIGW.0301' });
    const stale = { ...sig, 'X-Sdk-Date': '20200101T000000Z' };
    expect((await fetch(url, { headers: stale })).status).toBe(401);
    // Neither scheme: 10240103.
    expectCode(await send('GET', `${P}/queues`), 401, '10240103');
  });
});

describe('adapters', () => {
  it('serves the same API through the fetch adapter', async () => {
    broker = await createBroker();
    const dms = createDmsHandler(broker);
    const created = await dms.fetch(
      new Request('http://x/v1.0/p/queues', { method: 'POST', body: '{"name":"f"}' }),
    );
    expect(created.status).toBe(201);
    const list = await dms.fetch(new Request('http://x/v1.0/p/queues'));
    expect(((await list.json()) as { total: number }).total).toBe(1);
    expect((await dms.fetch(new Request('http://x/healthz'))).status).toBe(404);
  });
});

describe('names of the longest documented length (issue 14 item 9)', () => {
  it('a 64-character project id and queue name and a 32-character group name work; one more is refused', async () => {
    await start();
    const project = `p${'0123456789abcdef'.repeat(4)}`.slice(0, 64);
    const queueName = `q_${'-x'.repeat(40)}`.slice(0, 64);
    const groupName = `g${'_y'.repeat(20)}`.slice(0, 32);
    const base = `/v1.0/${project}`;
    const created = await send('POST', `${base}/queues`, JSON.stringify({ name: queueName }));
    expect(created.status).toBe(201);
    expect(created.json.name).toBe(queueName);
    const q = created.json.id as string;
    const groups = await send(
      'POST',
      `${base}/queues/${q}/groups`,
      JSON.stringify({ groups: [{ name: groupName }] }),
    );
    expect(groups.status).toBe(201);
    const g = groups.json.groups[0].id as string;
    expect(groups.json.groups[0].name).toBe(groupName);
    const shown = await send('GET', `${base}/queues/${q}`);
    expect(shown.json.name).toBe(queueName);
    expect(
      (await send('POST', `${base}/queues/${q}/messages`, '{"messages":[{"body":"long"}]}')).status,
    ).toBe(201);
    const got = await send('GET', `${base}/queues/${q}/groups/${g}/messages?max_msgs=10&time_wait=1`);
    expect(got.json.map((m: { message: { body: string } }) => m.message.body)).toEqual(['long']);
    const handler = got.json[0].handler as string;
    const acked = await send(
      'POST',
      `${base}/queues/${q}/groups/${g}/ack`,
      JSON.stringify({ message: [{ handler, status: 'success' }] }),
    );
    expect(acked.json).toEqual({ success: 1, fail: 0 });

    expectCode(
      await send('POST', `${base}/queues`, JSON.stringify({ name: `${queueName}x` })),
      400,
      '10240011',
    );
    expectCode(
      await send(
        'POST',
        `${base}/queues/${q}/groups`,
        JSON.stringify({ groups: [{ name: `${groupName}x` }] }),
      ),
      400,
      '10240012',
    );
    expectCode(await send('GET', `/v1.0/${project}x/queues`), 400, '10240005');
  });
});
