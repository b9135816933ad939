/**
 * @module dms.sdk.test — the DMS v1.0 dialect through `@huaweicloud/huaweicloud-sdk-core`'s generic client
 * (its AK/SK signer, HcClient and error parsing) against a real node:http server on 127.0.0.1.
 */
import { createRequire } from 'node:module';
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import { createDmsHandler, type DmsOptions } from '@sluice/dms';
import { afterEach, describe, expect, it } from 'vitest';
import { type Listening, listen } from './helpers/listen.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

const PROJECT = '0123456789abcdef0123456789abcdef';
const AK = 'TESTAK0123456789';
const SK = 'test-secret-key-0123456789';

/** The HcClient surface the tests use. */
interface HcClient {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK answers untyped JSON (objects get an httpStatusCode)
  sendRequest(options: Record<string, unknown>): Promise<any>;
}

interface Fixture {
  readonly broker: Broker;
  readonly clock: ManualClock | undefined;
  readonly server: Listening;
  readonly client: HcClient;
  clientWith(ak: string, sk: string, project?: string): HcClient;
  close(): Promise<void>;
}

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

async function start(
  options: DmsOptions = { credentials: [{ accessKeyId: AK, accessKeySecret: SK }] },
  manual = true,
) {
  const clock = manual ? manualClock() : undefined;
  const broker = await createBroker(clock === undefined ? {} : { clock });
  const server = await listen(createDmsHandler(broker, options).node);
  const clientWith = (ak: string, sk: string, project = PROJECT): HcClient => {
    const cred = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(project);
    return new ClientBuilder((c: unknown) => c).withCredential(cred).withEndpoint(server.url).build();
  };
  fx = {
    broker,
    clock,
    server,
    client: clientWith(AK, SK),
    clientWith,
    close: async () => {
      await server.close();
      await broker.close();
    },
  };
  return fx;
}

/** The SDK's exception for a failed call: `{ httpStatusCode, errorCode, errorMsg }`. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ httpStatusCode: number; errorCode: string; errorMsg: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { httpStatusCode: number; errorCode: string; errorMsg: string };
  }
  throw new Error('expected the call to fail');
}

const get = (c: HcClient, url: string, pathParams = {}, queryParams = {}) =>
  c.sendRequest({ method: 'GET', url, pathParams, queryParams, headers: {} });
const post = (c: HcClient, url: string, pathParams: object, data: unknown) =>
  c.sendRequest({
    method: 'POST',
    url,
    pathParams,
    queryParams: {},
    headers: {},
    contentType: 'application/json',
    data,
  });
const del = (c: HcClient, url: string, pathParams: object) =>
  c.sendRequest({ method: 'DELETE', url, pathParams, queryParams: {}, headers: {} });

const QUEUES = '/v1.0/{project_id}/queues';
const QUEUE = '/v1.0/{project_id}/queues/{queue_id}';
const GROUPS = '/v1.0/{project_id}/queues/{queue_id}/groups';
const GROUP = '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}';
const MESSAGES = '/v1.0/{project_id}/queues/{queue_id}/messages';
const CONSUME = '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/messages';
const ACK = '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/ack';
const DL = '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/deadletters';
const DL_ACK = '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/deadletters/ack';

async function setup(c: HcClient, queue: object = { name: 'q1' }, groups = ['g1']) {
  const q = await post(c, QUEUES, {}, queue);
  const g = await post(c, GROUPS, { queue_id: q.id }, { groups: groups.map((name) => ({ name })) });
  return { queue_id: q.id as string, groupIds: g.groups.map((x: { id: string }) => x.id) as string[] };
}

describe('queues, groups, quotas through the SDK', () => {
  it('runs every management operation', async () => {
    const { client } = await start();
    const created = await post(
      client,
      QUEUES,
      {},
      { name: 'orders', description: 'first', redrive_policy: 'enable', max_consume_count: 3 },
    );
    expect(created.httpStatusCode).toBe(201);
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.name).toBe('orders');
    const list = await get(client, QUEUES, {}, { include_deadletter: true });
    expect(list.total).toBe(1);
    expect(list.queues[0]).toMatchObject({
      id: created.id,
      name: 'orders',
      description: 'first',
      queue_mode: 'NORMAL',
      reservation: 4320,
      redrive_policy: 'enable',
      max_consume_count: 3,
    });
    const one = await get(client, QUEUE, { queue_id: created.id });
    expect(one).toMatchObject({
      id: created.id,
      max_msg_size_byte: 524288,
      group_count: 0,
      produced_messages: 0,
    });
    const groups = await post(
      client,
      GROUPS,
      { queue_id: created.id },
      { groups: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(groups.httpStatusCode).toBe(201);
    expect(groups.groups).toHaveLength(2);
    const listed = await get(
      client,
      GROUPS,
      { queue_id: created.id },
      { include_deadletter: true, page_size: 1, current_page: 2 },
    );
    expect(listed.groups).toEqual([
      {
        id: groups.groups[1].id,
        name: 'b',
        produced_messages: 0,
        consumed_messages: 0,
        available_messages: 0,
        produced_deadletters: 0,
        available_deadletters: 0,
      },
    ]);
    const quotas = await get(client, '/v1.0/{project_id}/quotas/dms');
    expect(quotas.quotas.resources[0]).toEqual({ type: 'queue', quota: 30, used: 1, min: 0, max: 500 });
    expect(
      (await del(client, GROUP, { queue_id: created.id, group_id: groups.groups[0].id })).httpStatusCode,
    ).toBe(204);
    expect((await del(client, QUEUE, { queue_id: created.id })).httpStatusCode).toBe(204);
    const gone = await failure(get(client, QUEUE, { queue_id: created.id }));
    expect(gone).toMatchObject({
      httpStatusCode: 404,
      errorCode: '10240401',
      errorMsg: 'The queue ID is incorrect or not found.',
    });
  });

  it('surfaces DMS error codes through the SDK exception', async () => {
    const { client } = await start();
    await post(client, QUEUES, {}, { name: 'dup' });
    expect(await failure(post(client, QUEUES, {}, { name: 'dup' }))).toMatchObject({
      httpStatusCode: 400,
      errorCode: '10240017',
    });
    expect(await failure(post(client, QUEUES, {}, { name: 'bad name' }))).toMatchObject({
      errorCode: '10240007',
    });
    const q = await post(client, QUEUES, {}, { name: 'q' });
    const four = { groups: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] };
    expect(await failure(post(client, GROUPS, { queue_id: q.id }, four))).toMatchObject({
      errorCode: '10240019',
    });
    expect(
      await failure(get(client, CONSUME, { queue_id: q.id, group_id: 'g-nope' }, { time_wait: 1 })),
    ).toMatchObject({ httpStatusCode: 404, errorCode: '10240405' });
  });
});

describe('messages through the SDK', () => {
  it('produces any JSON body with attributes and consumes it back', async () => {
    const { client } = await start();
    const { queue_id, groupIds } = await setup(client);
    const sent = await post(
      client,
      MESSAGES,
      { queue_id },
      {
        messages: [
          { body: 'TEST11', attributes: { attribute1: 'value1' } },
          { body: { foo: 'test02' } },
          { body: [1, 2.5, null] },
        ],
        returnId: true,
      },
    );
    expect(sent.httpStatusCode).toBe(201);
    expect(sent.messages.map((m: { state: number }) => m.state)).toEqual([0, 0, 0]);
    expect(sent.messages[0].id).toMatch(/^[0-9A-F]{32}$/);
    const got = await get(
      client,
      CONSUME,
      { queue_id, group_id: groupIds[0] },
      { max_msgs: 10, time_wait: 1, ack_wait: 30 },
    );
    expect(Array.isArray(got)).toBe(true);
    expect(got.map((m: { message: unknown }) => m.message)).toEqual([
      { body: 'TEST11', attributes: { attribute1: 'value1' } },
      { body: { foo: 'test02' }, attributes: {} },
      { body: [1, 2.5, null], attributes: {} },
    ]);
    const acked = await post(
      client,
      ACK,
      { queue_id, group_id: groupIds[0] },
      { message: got.map((m: { handler: string }) => ({ handler: m.handler, status: 'success' })) },
    );
    expect(acked).toMatchObject({ success: 3, fail: 0, httpStatusCode: 200 });
    const list = await get(client, GROUPS, { queue_id });
    expect(list.groups[0]).toMatchObject({
      produced_messages: 3,
      consumed_messages: 3,
      available_messages: 0,
    });
  });

  it('applies the ordered ack rule: [success, fail, success] -> {success: 1, fail: 2}, last two redelivered', async () => {
    const { client } = await start();
    const { queue_id, groupIds } = await setup(client);
    const group_id = groupIds[0]!;
    await post(
      client,
      MESSAGES,
      { queue_id },
      { messages: [{ body: 'm1' }, { body: 'm2' }, { body: 'm3' }] },
    );
    const got = await get(client, CONSUME, { queue_id, group_id }, { max_msgs: 3, time_wait: 1 });
    expect(got).toHaveLength(3);
    const result = await post(
      client,
      ACK,
      { queue_id, group_id },
      {
        message: [
          { handler: got[0].handler, status: 'success' },
          { handler: got[1].handler, status: 'fail' },
          { handler: got[2].handler, status: 'success' },
        ],
      },
    );
    expect(result).toMatchObject({ success: 1, fail: 2 });
    const again = await get(client, CONSUME, { queue_id, group_id }, { max_msgs: 10, time_wait: 1 });
    expect(again.map((m: { message: { body: string } }) => m.message.body).sort()).toEqual(['m2', 'm3']);
    // The first handler is used up: repeating its ack is the documented 10542209.
    const repeat = await failure(
      post(
        client,
        ACK,
        { queue_id, group_id },
        { message: [{ handler: got[0].handler, status: 'success' }] },
      ),
    );
    expect(repeat).toMatchObject({ httpStatusCode: 400, errorCode: '10542209' });
  });

  it('redelivers after ack_wait and dead-letters after max_consume_count', async () => {
    const { client, clock } = await start();
    const { queue_id, groupIds } = await setup(client, {
      name: 'dlq',
      redrive_policy: 'enable',
      max_consume_count: 2,
    });
    const group_id = groupIds[0]!;
    await post(
      client,
      MESSAGES,
      { queue_id },
      { messages: [{ body: { order: 7 }, attributes: { kind: 'x' } }] },
    );
    const first = await get(
      client,
      CONSUME,
      { queue_id, group_id },
      { max_msgs: 1, time_wait: 1, ack_wait: 15 },
    );
    expect(first).toHaveLength(1);
    clock!.advance(15_001);
    const second = await get(
      client,
      CONSUME,
      { queue_id, group_id },
      { max_msgs: 1, time_wait: 1, ack_wait: 15 },
    );
    expect(second[0].message.body).toEqual({ order: 7 });
    expect(
      await failure(post(client, ACK, { queue_id, group_id }, { message: [{ handler: first[0].handler }] })),
    ).toMatchObject({ errorCode: '10542209' });
    expect(
      await post(
        client,
        ACK,
        { queue_id, group_id },
        { message: [{ handler: second[0].handler, status: 'fail' }] },
      ),
    ).toMatchObject({ success: 0, fail: 1 });
    const groups = await get(client, GROUPS, { queue_id }, { include_deadletter: true });
    expect(groups.groups[0]).toMatchObject({
      available_messages: 0,
      produced_deadletters: 1,
      available_deadletters: 1,
    });
    const dead = await get(client, DL, { queue_id, group_id }, { max_msgs: 10, time_wait: 1 });
    expect(dead).toHaveLength(1);
    expect(dead[0].message).toEqual({ body: { order: 7 }, attributes: { kind: 'x' } });
    expect(
      await post(
        client,
        DL_ACK,
        { queue_id, group_id },
        { message: [{ handler: dead[0].handler, status: 'success' }] },
      ),
    ).toMatchObject({ success: 1, fail: 0 });
  });

  it('delivers a FIFO queue in order per group, holding later messages while a batch is unacked', async () => {
    const { client } = await start();
    const { queue_id, groupIds } = await setup(client, { name: 'fifo', queue_mode: 'FIFO' }, ['a', 'b']);
    for (let i = 0; i < 12; i += 4) {
      await post(client, MESSAGES, { queue_id }, { messages: [0, 1, 2, 3].map((k) => ({ body: i + k })) });
    }
    const bodies = (ms: { message: { body: number } }[]) => ms.map((m) => m.message.body);
    const [a, b] = groupIds as [string, string];
    const a1 = await get(client, CONSUME, { queue_id, group_id: a }, { max_msgs: 5, time_wait: 1 });
    expect(bodies(a1)).toEqual([0, 1, 2, 3, 4]);
    // Group b is independent.
    expect(
      bodies(await get(client, CONSUME, { queue_id, group_id: b }, { max_msgs: 2, time_wait: 1 })),
    ).toEqual([0, 1]);
    // Ack 0..2, fail 3 (and so 4): redelivery restarts at 3.
    const message = a1.map((m: { handler: string }, i: number) => ({
      handler: m.handler,
      status: i === 3 ? 'fail' : 'success',
    }));
    expect(await post(client, ACK, { queue_id, group_id: a }, { message })).toMatchObject({
      success: 3,
      fail: 2,
    });
    const a2 = await get(client, CONSUME, { queue_id, group_id: a }, { max_msgs: 10, time_wait: 1 });
    expect(bodies(a2)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('long-polls: a parked consume wakes on produce, an empty one answers [] after time_wait', async () => {
    const { client } = await start(undefined, false);
    const { queue_id, groupIds } = await setup(client);
    const group_id = groupIds[0]!;
    const t0 = Date.now();
    const empty = await get(client, CONSUME, { queue_id, group_id }, { time_wait: 1 });
    expect(empty).toHaveLength(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const parked = get(client, CONSUME, { queue_id, group_id }, { time_wait: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const t1 = Date.now();
    await post(client, MESSAGES, { queue_id }, { messages: [{ body: 'wake' }] });
    const woke = await parked;
    expect(woke[0].message.body).toBe('wake');
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});

describe('authentication', () => {
  it('rejects a wrong secret and an unknown AK with APIGW.0301', async () => {
    const { clientWith } = await start();
    const wrong = await failure(get(clientWith(AK, 'not-the-secret'), QUEUES));
    expect(wrong).toMatchObject({ httpStatusCode: 401, errorCode: 'APIGW.0301' });
    expect(wrong.errorMsg).toContain('verify aksk signature fail');
    expect(await failure(get(clientWith('OTHERAK', SK), QUEUES))).toMatchObject({
      httpStatusCode: 401,
      errorCode: 'APIGW.0301',
    });
  });

  it('accepts a lookup function and binds keys to a project', async () => {
    const { clientWith } = await start({
      credentials: (ak) =>
        ak === AK ? { accessKeyId: AK, accessKeySecret: SK, projectId: PROJECT } : undefined,
    });
    expect((await get(clientWith(AK, SK), QUEUES)).total).toBe(0);
    expect(await failure(get(clientWith(AK, SK, 'otherproject'), QUEUES))).toMatchObject({
      httpStatusCode: 401,
      errorCode: '10240104',
    });
  });

  it('checks X-Auth-Token against the configured tokens', async () => {
    const { server } = await start({
      tokens: ['tok-1', { token: 'tok-ro', readOnly: true }, { token: 'tok-p', projectId: 'other' }],
    });
    const send = (headers: Record<string, string>, method = 'GET', body?: string) =>
      fetch(`${server.url}/v1.0/${PROJECT}/queues`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body }),
      });
    const ok = await send({ 'X-Auth-Token': 'tok-1' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const codes = async (r: Promise<Response>) => {
      const res = await r;
      return [res.status, ((await res.json()) as { error_code: string }).error_code];
    };
    expect(await codes(send({ 'X-Auth-Token': 'nope' }))).toEqual([401, '10240101']);
    expect(await codes(send({}))).toEqual([401, '10240103']);
    expect(await codes(send({ 'X-Auth-Token': 'tok-p' }))).toEqual([401, '10240104']);
    expect(await codes(send({ 'X-Auth-Token': 'tok-ro' }, 'POST', '{"name":"x"}'))).toEqual([
      403,
      '10240309',
    ]);
    expect((await send({ 'X-Auth-Token': 'tok-1' }, 'POST', '{"name":"x"}')).status).toBe(201);
  });

  it('checks nothing when neither credentials nor tokens are configured', async () => {
    const { server } = await start({});
    const res = await fetch(`${server.url}/v1.0/${PROJECT}/queues`);
    expect(res.status).toBe(200);
  });
});
