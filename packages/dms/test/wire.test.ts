/** @module wire.test — the DMS dialect over its wire handler: every op, limits, the ordered ack, dead letters. */
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import type { WireHandler } from '@sluice/http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDmsHandler } from '../src/handler.js';
import { type Answer, call } from './helpers.js';

const P = '/v1.0/proj1';
let broker: Broker;
let clock: ManualClock;
let wire: WireHandler;

beforeEach(async () => {
  clock = manualClock();
  broker = await createBroker({ clock });
  wire = createDmsHandler(broker).wire;
});
afterEach(() => broker.close());

async function queue(body: object = { name: 'q1' }): Promise<string> {
  const r = await call(wire, 'POST', `${P}/queues`, body);
  expect(r.status).toBe(201);
  return r.json.id;
}
async function group(queueId: string, name = 'g1'): Promise<string> {
  const r = await call(wire, 'POST', `${P}/queues/${queueId}/groups`, { groups: [{ name }] });
  expect(r.status).toBe(201);
  return r.json.groups[0].id;
}
function expectError(r: Answer, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.json.error_code).toBe(code);
  expect(r.json.error.code).toBe(code);
  expect(typeof r.json.error_msg).toBe('string');
}
const produce = (q: string, messages: unknown[]) =>
  call(wire, 'POST', `${P}/queues/${q}/messages`, { messages });
const consume = (q: string, g: string, query = 'max_msgs=10&time_wait=1') =>
  call(wire, 'GET', `${P}/queues/${q}/groups/${g}/messages?${query}`);
/** A consume expected to come back empty: let it park, then move the manual clock past its 1 s time_wait. */
async function consumeEmpty(target: string): Promise<Answer> {
  const pending = call(wire, 'GET', `${target}?time_wait=1`);
  await new Promise((r) => setTimeout(r, 5));
  clock.advance(1000);
  return pending;
}
const ack = (q: string, g: string, message: unknown) =>
  call(wire, 'POST', `${P}/queues/${q}/groups/${g}/ack`, { message });

describe('queues', () => {
  it('creates, lists, gets and deletes', async () => {
    const id = await queue({
      name: 'orders',
      description: 'd',
      queue_mode: 'FIFO',
      redrive_policy: 'enable',
      max_consume_count: 3,
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const list = await call(wire, 'GET', `${P}/queues?include_deadletter=true`);
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(1);
    expect(list.json.queues[0]).toMatchObject({
      id,
      name: 'orders',
      description: 'd',
      queue_mode: 'FIFO',
      reservation: 4320,
      max_msg_size_byte: 524288,
      produced_messages: 0,
      group_count: 0,
      redrive_policy: 'enable',
      max_consume_count: 3,
    });
    const plain = await call(wire, 'GET', `${P}/queues/${id}`);
    expect(plain.json.redrive_policy).toBeUndefined();
    expect(plain.json.created).toBe(clock.now());
    expect(plain.headers['Content-Type']).toBe('application/json;charset=UTF-8');
    const del = await call(wire, 'DELETE', `${P}/queues/${id}`);
    expect(del.status).toBe(204);
    expectError(await call(wire, 'GET', `${P}/queues/${id}`), 404, '10240401');
    // Other projects never see it.
    expect((await call(wire, 'GET', '/v1.0/other/queues')).json.total).toBe(0);
  });

  it('validates every field with its own code', async () => {
    const bad = async (body: unknown, code: string) =>
      expectError(await call(wire, 'POST', `${P}/queues`, body), 400, code);
    await bad('{nope', '10240009');
    await bad({ name: '' }, '10240011');
    await bad({ name: 'x'.repeat(65) }, '10240011');
    await bad({ name: 42 }, '10240011');
    await bad({ name: 'a b' }, '10240007');
    await bad({ name: 'a', description: '<b>' }, '10240010');
    await bad({ name: 'a', description: 'x'.repeat(161) }, '10240013');
    await bad({ name: 'a', redrive_policy: 'enable' }, '10240022');
    await bad({ name: 'a', redrive_policy: 'enable', max_consume_count: 101 }, '10240022');
    await bad({ name: 'a', redrive_policy: 'enable', max_consume_count: 1.5 }, '10240022');
    await bad({ name: 'a', retention_hours: 10 }, '10240028');
    await bad({ name: 'a', queue_mode: 'KAFKA_HA', retention_hours: 73 }, '10240027');
    await bad({ name: 'a', queue_mode: 'LIFO' }, '10240009');
    await queue({ name: 'a' });
    await bad({ name: 'a' }, '10240017');
  });

  it('creates Kafka-mode queues with their topic and retention', async () => {
    const r = await call(wire, 'POST', `${P}/queues`, {
      name: 'k',
      queue_mode: 'KAFKA_HT',
      retention_hours: 2,
    });
    expect(r.status).toBe(201);
    expect(r.json.kafka_topic).toBe(`k-proj1-${r.json.id}`);
    const got = await call(wire, 'GET', `${P}/queues/${r.json.id}`);
    expect(got.json).toMatchObject({
      reservation: 120,
      kafka_topic: r.json.kafka_topic,
      queue_mode: 'KAFKA_HT',
    });
  });

  it('enforces the queue quota and reports it', async () => {
    wire = createDmsHandler(broker, { maxQueuesPerProject: 2 }).wire;
    await queue({ name: 'a' });
    await queue({ name: 'b' });
    expectError(await call(wire, 'POST', `${P}/queues`, { name: 'c' }), 400, '10240020');
    const quotas = await call(wire, 'GET', `${P}/quotas/dms`);
    expect(quotas.json).toEqual({
      quotas: { resources: [{ type: 'queue', quota: 2, used: 2, min: 0, max: 500 }] },
    });
  });

  it('answers bad ids, projects and paths with their codes', async () => {
    expectError(await call(wire, 'GET', `${P}/queues/bad!id`), 400, '10240015');
    expectError(await call(wire, 'GET', '/v1.0/bad!proj/queues'), 400, '10240005');
    expectError(await call(wire, 'GET', `${P}/nothing`), 404, '10240406');
    expectError(await call(wire, 'PUT', `${P}/queues`), 404, '10240406');
    const q = await queue();
    expectError(await call(wire, 'DELETE', `${P}/queues/${q}/groups/g!x`), 400, '10240016');
    expectError(await call(wire, 'DELETE', `${P}/queues/${q}/groups/g-none`), 404, '10240405');
    expect(
      await wire(
        {
          method: 'GET',
          target: '/queues',
          path: '/queues',
          query: new Map(),
          headers: {},
          body: new Uint8Array(),
        },
        new AbortController().signal,
      ),
    ).toBeUndefined();
  });
});

describe('groups', () => {
  it('creates several at once, lists with counts and pages, deletes', async () => {
    const q = await queue({ name: 'q', redrive_policy: 'enable', max_consume_count: 2 });
    const r = await call(wire, 'POST', `${P}/queues/${q}/groups`, {
      groups: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    });
    expect(r.status).toBe(201);
    expect(r.json.groups.map((g: { name: string }) => g.name)).toEqual(['a', 'b', 'c']);
    expect(r.json.groups[0].id).toMatch(/^g-[0-9a-f-]{36}$/);
    await produce(q, [{ body: 1 }, { body: 2 }]);
    const [a] = r.json.groups;
    const got = await consume(q, a.id, 'max_msgs=1');
    await ack(q, a.id, [{ handler: got.json[0].handler, status: 'success' }]);
    const list = await call(wire, 'GET', `${P}/queues/${q}/groups?include_deadletter=true`);
    expect(list.json).toMatchObject({ queue_id: q, queue_name: 'q', redrive_policy: 'enable' });
    expect(list.json.groups[0]).toEqual({
      id: a.id,
      name: 'a',
      produced_messages: 2,
      consumed_messages: 1,
      available_messages: 1,
      produced_deadletters: 0,
      available_deadletters: 0,
    });
    expect(list.json.groups[1].available_messages).toBe(2);
    const page = await call(wire, 'GET', `${P}/queues/${q}/groups?page_size=2&current_page=2`);
    expect(page.json.groups.map((g: { name: string }) => g.name)).toEqual(['c']);
    expect(page.json.redrive_policy).toBeUndefined();
    expectError(
      await call(wire, 'GET', `${P}/queues/${q}/groups?page_size=x&current_page=1`),
      400,
      '10540014',
    );
    expect((await call(wire, 'DELETE', `${P}/queues/${q}/groups/${a.id}`)).status).toBe(204);
    expect((await call(wire, 'GET', `${P}/queues/${q}`)).json.group_count).toBe(2);
  });

  it('validates names and limits, all or nothing', async () => {
    const q = await queue();
    const bad = async (body: unknown, code: string) =>
      expectError(await call(wire, 'POST', `${P}/queues/${q}/groups`, body), 400, code);
    await bad({ groups: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] }, '10240019');
    await bad({ groups: [{ name: 'x'.repeat(33) }] }, '10240012');
    await bad({ groups: [{ name: 'a.b' }] }, '10240007');
    await bad({ groups: [{ name: 'a' }, { name: 'a' }] }, '10240018');
    await bad({ groups: 'a' }, '10240009');
    await bad('not json', '10240009');
    await group(q, 'a');
    await group(q, 'b');
    await bad({ groups: [{ name: 'a' }] }, '10240018');
    await bad({ groups: [{ name: 'c' }, { name: 'd' }] }, '10240019');
    expect((await call(wire, 'GET', `${P}/queues/${q}/groups`)).json.groups).toHaveLength(2);
  });
});

describe('produce and consume', () => {
  it('keeps any JSON body and the attributes', async () => {
    const q = await queue();
    const g = await group(q);
    const bodies = ['TEST11', { foo: 'test02', n: [1, 2, { x: null }] }, 42, null, true, 'ünï "quoted"'];
    const r = await call(wire, 'POST', `${P}/queues/${q}/messages`, {
      messages: bodies.map((body, i) =>
        i === 0 ? { body, attributes: { attribute1: 'value1' } } : { body },
      ),
      returnId: true,
    });
    expect(r.status).toBe(201);
    expect(r.json.messages).toHaveLength(6);
    expect(r.json.messages[0]).toMatchObject({ state: 0, error: null, error_code: null });
    expect(r.json.messages[0].id).toMatch(/^[0-9A-F]{32}$/);
    const got = await consume(q, g);
    expect(got.status).toBe(200);
    expect(got.json.map((m: { message: { body: unknown } }) => m.message.body)).toEqual(bodies);
    expect(got.json[0].message.attributes).toEqual({ attribute1: 'value1' });
    expect(got.json[1].message.attributes).toEqual({});
    expect(got.json[0].handler).toMatch(/^[A-Za-z0-9_-]+$/);
    const plain = await produce(q, [{ body: 'x' }]);
    expect(plain.json.messages[0]).toEqual({ state: 0, error: null, error_code: null });
  });

  it('answers [] after time_wait and honours max_msgs', async () => {
    const q = await queue();
    const g = await group(q);
    const pending = consume(q, g, 'time_wait=2');
    await new Promise((r) => setTimeout(r, 5));
    clock.advance(2000);
    expect((await pending).json).toEqual([]);
    await produce(
      q,
      Array.from({ length: 5 }, (_, i) => ({ body: i })),
    );
    expect((await consume(q, g, 'max_msgs=2')).json).toHaveLength(2);
    expect((await consume(q, g)).json).toHaveLength(3);
  });

  it('wakes a parked consume when a message arrives', async () => {
    const q = await queue();
    const g = await group(q);
    const pending = consume(q, g, 'time_wait=60');
    await new Promise((r) => setTimeout(r, 5));
    await produce(q, [{ body: 'late' }]);
    expect((await pending).json[0].message.body).toBe('late');
  });

  it('ends a parked consume with 404 when its queue or group is deleted', async () => {
    const q = await queue();
    const g = await group(q);
    const g2 = await group(q, 'g2');
    const onGroup = consume(q, g2, 'time_wait=60');
    await new Promise((r) => setTimeout(r, 5));
    await call(wire, 'DELETE', `${P}/queues/${q}/groups/${g2}`);
    expectError(await onGroup, 404, '10240405');
    const onQueue = consume(q, g, 'time_wait=60');
    await new Promise((r) => setTimeout(r, 5));
    await call(wire, 'DELETE', `${P}/queues/${q}`);
    expectError(await onQueue, 404, '10240401');
  });

  it('validates produce bodies and limits', async () => {
    const q = await queue();
    const bad = async (body: unknown, code: string) =>
      expectError(await call(wire, 'POST', `${P}/queues/${q}/messages`, body), 400, code);
    await bad('{"messages": [', '10540010');
    await bad({ messages: [] }, '10540010');
    await bad({ messages: 'x' }, '10540010');
    await bad({ nothing: 1 }, '10540010');
    await bad({ messages: Array.from({ length: 11 }, () => ({ body: 1 })) }, '10540010');
    await bad({ messages: [1] }, '10540010');
    await bad({ messages: [{ attributes: {} }] }, '10540012');
    await bad({ messages: [{ body: 1, attributes: 'x' }] }, '10540001');
    await bad({ messages: [{ body: 1, attributes: { a: 1 } }] }, '10540001');
    const big = 'x'.repeat(300_000);
    const two = await call(wire, 'POST', `${P}/queues/${q}/messages`, {
      messages: [{ body: big }, { body: big }],
    });
    expectError(two, 400, '10540011');
    expect(two.json.error_msg).toBe('The message size is 600004, larger than the size limit 524288.');
    await bad({ messages: [{ body: 'x'.repeat(524_287) }] }, '10540011');
    // Nesting: 128 levels of body is fine, deeper is the request-format 400 (was a 500 from JSON.stringify at ~4,110).
    const nested = (levels: number) => `{"messages":[{"body":${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
    expect((await call(wire, 'POST', `${P}/queues/${q}/messages`, nested(125))).status).toBe(201);
    await bad(nested(126), '10540010');
    await bad(nested(5000), '10540010');
    // Brackets inside strings (escaped quotes too) are text, not nesting.
    const text = `{"messages":[{"body":"\\"${'[{'.repeat(3000)}"}]}`;
    expect((await call(wire, 'POST', `${P}/queues/${q}/messages`, text)).status).toBe(201);
    expectError(
      await call(wire, 'POST', `${P}/queues`, `{"name":"q9","x":${'['.repeat(5000)}`),
      400,
      '10240009',
    );
    expectError(
      await call(wire, 'POST', `${P}/queues/00000000-0000-0000-0000-000000000000/messages`, {
        messages: [{ body: 1 }],
      }),
      404,
      '10240401',
    );
    // Nothing of the refused batches was stored (only the two accepted nesting cases).
    expect((await call(wire, 'GET', `${P}/queues/${q}`)).json.produced_messages).toBe(2);
  });

  it('caps a consume answer at 512 KB', async () => {
    const q = await queue();
    const g = await group(q);
    await produce(q, [{ body: 'a'.repeat(200_000) }, { body: 'b'.repeat(200_000) }]);
    await produce(q, [{ body: 'c'.repeat(200_000) }]);
    expect((await consume(q, g)).json).toHaveLength(2);
    expect((await consume(q, g)).json).toHaveLength(1);
  });

  it('validates consume parameters', async () => {
    const q = await queue();
    const g = await group(q);
    expectError(await consume(q, g, 'max_msgs=0'), 400, '10240014');
    expectError(await consume(q, g, 'max_msgs=11'), 400, '10240014');
    expectError(await consume(q, g, 'max_msgs=abc'), 400, '10540014');
    expectError(await consume(q, g, 'time_wait=61'), 400, '10240021');
    expectError(await consume(q, g, 'time_wait=0'), 400, '10240021');
    expectError(await consume(q, g, 'ack_wait=14'), 400, '10542206');
    expectError(await consume(q, g, 'ack_wait=301'), 400, '10542206');
    expectError(await consume(q, g, 'ack_wait=1.5'), 400, '10540014');
    expectError(await consume(q, 'g-missing'), 404, '10240405');
  });
});

describe('ordered ack', () => {
  it('[success, fail, success] -> {success: 1, fail: 2}, the last two redelivered', async () => {
    const q = await queue();
    const g = await group(q);
    await produce(q, [{ body: 'm1' }, { body: 'm2' }, { body: 'm3' }]);
    const got = (await consume(q, g)).json;
    const r = await ack(q, g, [
      { handler: got[0].handler, status: 'success' },
      { handler: got[1].handler, status: 'fail' },
      { handler: got[2].handler, status: 'success' },
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ success: 1, fail: 2 });
    const again = (await consume(q, g)).json;
    expect(again.map((m: { message: { body: string } }) => m.message.body).sort()).toEqual(['m2', 'm3']);
  });

  it('stops at a dead handler; a first dead handler is 400 10542209', async () => {
    const q = await queue();
    const g = await group(q);
    await produce(q, [{ body: 1 }, { body: 2 }, { body: 3 }]);
    const got = (await consume(q, g)).json;
    expect((await ack(q, g, [{ handler: got[0].handler }])).json).toEqual({ success: 1, fail: 0 });
    // Repeating it: the handler is used up.
    expectError(await ack(q, g, [{ handler: got[0].handler, status: 'success' }]), 400, '10542209');
    const r = await ack(q, g, [
      { handler: got[1].handler, status: 'success' },
      { handler: got[0].handler, status: 'success' },
      { handler: got[2].handler, status: 'success' },
    ]);
    expect(r.json).toEqual({ success: 1, fail: 2 });
    // The third was released, not acknowledged.
    const again = (await consume(q, g)).json;
    expect(again.map((m: { message: { body: number } }) => m.message.body)).toEqual([3]);
  });

  it('tells forged, foreign and wrong-kind handlers apart', async () => {
    const q = await queue({ name: 'q', redrive_policy: 'enable', max_consume_count: 5 });
    const g = await group(q, 'a');
    const g2 = await group(q, 'b');
    await produce(q, [{ body: 1 }]);
    const h = (await consume(q, g)).json[0].handler as string;
    expectError(await ack(q, g2, [{ handler: h }]), 400, '10540004');
    expectError(
      await call(wire, 'POST', `${P}/queues/${q}/groups/${g}/deadletters/ack`, { message: [{ handler: h }] }),
      400,
      '10542205',
    );
    expectError(await ack(q, g, [{ handler: 'garbage' }]), 400, '10542209');
    expectError(await ack(q, g, [{ handler: `${h.slice(0, -4)}AAAA` }]), 400, '10542209');
    expectError(await ack(q, g, [{ handler: h, status: 'done' }]), 400, '10540003');
    expect((await ack(q, g, [{ handler: h, status: 'done' }])).json.error_msg).toContain(
      "It should not be 'done'",
    );
    expectError(await ack(q, g, []), 400, '10540010');
    expectError(
      await call(wire, 'POST', `${P}/queues/${q}/groups/${g}/ack`, `{"message":${'['.repeat(5000)}`),
      400,
      '10540010',
    );
    expectError(await ack(q, g, [{ status: 'success' }]), 400, '10540010');
    expectError(
      await ack(
        q,
        g,
        Array.from({ length: 11 }, () => ({ handler: h })),
      ),
      400,
      '10540010',
    );
    expectError(await call(wire, 'POST', `${P}/queues/${q}/groups/${g}/ack`, '[1'), 400, '10540010');
    // After all of that the genuine handler still works.
    expect((await ack(q, g, [{ handler: h }])).json).toEqual({ success: 1, fail: 0 });
  });

  it('expires a handler at its ack_wait deadline and redelivers', async () => {
    const q = await queue();
    const g = await group(q);
    await produce(q, [{ body: 'x' }]);
    const h = (await consume(q, g, 'ack_wait=15')).json[0].handler;
    clock.advance(13_998);
    // Still locked one tick before the deadline (the empty poll itself moves the clock 1 s).
    expect((await consumeEmpty(`${P}/queues/${q}/groups/${g}/messages`)).json).toEqual([]);
    clock.advance(2);
    expectError(await ack(q, g, [{ handler: h }]), 400, '10542209');
    const again = (await consume(q, g)).json;
    expect(again[0].message.body).toBe('x');
  });
});

describe('dead letters', () => {
  it('moves a message after max_consume_count failures; consume and ack them per group', async () => {
    const q = await queue({ name: 'q', redrive_policy: 'enable', max_consume_count: 2 });
    const g = await group(q, 'a');
    const other = await group(q, 'b');
    await produce(q, [{ body: { k: 'v' }, attributes: { a: '1' } }]);
    for (let i = 0; i < 2; i++) {
      const got = (await consume(q, g)).json;
      expect(got).toHaveLength(1);
      expect((await ack(q, g, [{ handler: got[0].handler, status: 'fail' }])).json).toEqual({
        success: 0,
        fail: 1,
      });
    }
    expect((await consumeEmpty(`${P}/queues/${q}/groups/${g}/messages`)).json).toEqual([]);
    const list = (await call(wire, 'GET', `${P}/queues/${q}/groups?include_deadletter=true`)).json.groups;
    expect(list[0]).toMatchObject({ produced_deadletters: 1, available_deadletters: 1 });
    const dlPath = `${P}/queues/${q}/groups/${g}/deadletters`;
    const dl = (await call(wire, 'GET', `${dlPath}?max_msgs=10&time_wait=1`)).json;
    expect(dl).toHaveLength(1);
    expect(dl[0].message).toEqual({ body: { k: 'v' }, attributes: { a: '1' } });
    // A dead-letter handler on the normal ack is the wrong kind.
    expectError(await ack(q, g, [{ handler: dl[0].handler }]), 400, '10542205');
    // fail -> available again in the dead letters, no second level.
    expect(
      (await call(wire, 'POST', `${dlPath}/ack`, { message: [{ handler: dl[0].handler, status: 'fail' }] }))
        .json,
    ).toEqual({ success: 0, fail: 1 });
    const dl2 = (await call(wire, 'GET', `${dlPath}?time_wait=1`)).json;
    expect(
      (await call(wire, 'POST', `${dlPath}/ack`, { message: [{ handler: dl2[0].handler }] })).json,
    ).toEqual({ success: 1, fail: 0 });
    // The other group still has its own copy of the message.
    expect((await consume(q, other)).json[0].message.body).toEqual({ k: 'v' });
    expect((await consumeEmpty(`${P}/queues/${q}/groups/${other}/deadletters`)).json).toEqual([]);
  });

  it('dead-letters on ack timeouts too', async () => {
    const q = await queue({ name: 'q', redrive_policy: 'enable', max_consume_count: 1 });
    const g = await group(q);
    await produce(q, [{ body: 'slow' }]);
    expect((await consume(q, g, 'ack_wait=15')).json).toHaveLength(1);
    clock.advance(15_001);
    const dl = (await call(wire, 'GET', `${P}/queues/${q}/groups/${g}/deadletters?time_wait=1`)).json;
    expect(dl[0].message.body).toBe('slow');
  });
});

describe('FIFO', () => {
  it('delivers in order, one in-flight batch per group, redelivering a failure first', async () => {
    const q = await queue({ name: 'f', queue_mode: 'FIFO' });
    const g = await group(q);
    await produce(
      q,
      Array.from({ length: 6 }, (_, i) => ({ body: i })),
    );
    const first = (await consume(q, g, 'max_msgs=2')).json;
    expect(first.map((m: { message: { body: number } }) => m.message.body)).toEqual([0, 1]);
    // Locked while the batch is in flight.
    const locked = consume(q, g, 'time_wait=1');
    await new Promise((r) => setTimeout(r, 5));
    clock.advance(1000);
    expect((await locked).json).toEqual([]);
    expect(
      (await ack(q, g, [{ handler: first[0].handler }, { handler: first[1].handler, status: 'fail' }])).json,
    ).toEqual({
      success: 1,
      fail: 1,
    });
    const next = (await consume(q, g, 'max_msgs=3')).json;
    expect(next.map((m: { message: { body: number } }) => m.message.body)).toEqual([1, 2, 3]);
  });
});
