/** @module retention.test — group counts over the queue's retention, and where a new group starts (`groupStart`). */
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import type { WireHandler } from '@sluice/http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDmsHandler } from '../src/handler.js';
import type { DmsOptions } from '../src/options.js';
import { call } from './helpers.js';

const P = '/v1.0/proj1';
let broker: Broker;
let clock: ManualClock;
let wire: WireHandler;
afterEach(() => broker.close());

async function setup(options: DmsOptions = {}) {
  clock = manualClock();
  broker = await createBroker({ clock });
  wire = createDmsHandler(broker, options).wire;
  const q = (await call(wire, 'POST', `${P}/queues`, { name: 'q1' })).json.id as string;
  return q;
}
async function group(q: string, name: string): Promise<string> {
  const r = await call(wire, 'POST', `${P}/queues/${q}/groups`, { groups: [{ name }] });
  expect(r.status).toBe(201);
  return r.json.groups[0].id;
}
const produce = async (q: string, n: number) => {
  const bodies = Array.from({ length: n }, (_, i) => ({ body: `m${i}` }));
  expect((await call(wire, 'POST', `${P}/queues/${q}/messages`, { messages: bodies })).status).toBe(201);
};
/** Consumes everything visible for `g` and acks it; answers the bodies. */
async function drain(q: string, g: string): Promise<unknown[]> {
  const got = await call(wire, 'GET', `${P}/queues/${q}/groups/${g}/messages?max_msgs=10`);
  expect(got.status).toBe(200);
  const message = got.json.map((m: { handler: string }) => ({ handler: m.handler, status: 'success' }));
  if (message.length > 0) {
    expect((await call(wire, 'POST', `${P}/queues/${q}/groups/${g}/ack`, { message })).status).toBe(200);
  }
  return got.json.map((m: { message: { body: unknown } }) => m.message.body);
}
async function counts(q: string) {
  const groups = (await call(wire, 'GET', `${P}/queues/${q}/groups`)).json.groups as {
    name: string;
    produced_messages: number;
    consumed_messages: number;
    available_messages: number;
  }[];
  const queue = (await call(wire, 'GET', `${P}/queues/${q}`)).json.produced_messages as number;
  return {
    queue,
    groups: Object.fromEntries(
      groups.map((g) => [g.name, [g.produced_messages, g.consumed_messages, g.available_messages]]),
    ),
  };
}

describe('group counts follow the queue retention', () => {
  it('a group created after another consumed everything gets it all; counts add up until retention ends', async () => {
    const q = await setup();
    const a = await group(q, 'a');
    await produce(q, 3);
    expect(await drain(q, a)).toEqual(['m0', 'm1', 'm2']);
    const b = await group(q, 'b');
    // produced = consumed + available, per group; the queue's produced is what it retains.
    expect(await counts(q)).toEqual({ queue: 3, groups: { a: [3, 3, 0], b: [3, 0, 3] } });
    const half = await call(wire, 'GET', `${P}/queues/${q}/groups/${b}/messages?max_msgs=1`);
    expect(half.json).toHaveLength(1);
    // Inflight is not acked yet: still available.
    expect((await counts(q)).groups['b']).toEqual([3, 0, 3]);
    clock.advance(72 * 3600_000);
    expect(await counts(q)).toEqual({ queue: 0, groups: { a: [0, 0, 0], b: [0, 0, 0] } });
    await group(q, 'c');
    expect((await counts(q)).groups['c']).toEqual([0, 0, 0]);
  });

  it("groupStart: 'latest' makes a new group start with what is produced after it", async () => {
    const q = await setup({ groupStart: 'latest' });
    await produce(q, 2);
    const a = await group(q, 'a');
    expect(await counts(q)).toEqual({ queue: 2, groups: { a: [0, 0, 0] } });
    await produce(q, 1);
    expect(await counts(q)).toEqual({ queue: 3, groups: { a: [1, 0, 1] } });
    expect(await drain(q, a)).toEqual(['m0']);
    expect(await counts(q)).toEqual({ queue: 3, groups: { a: [1, 1, 0] } });
  });

  it('refuses another groupStart', async () => {
    broker = await createBroker();
    expect(() => createDmsHandler(broker, { groupStart: 'oldest' as never })).toThrow(/groupStart/);
  });
});
