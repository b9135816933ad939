/** @module errors.test — every core code maps to a DMS code; the JSON error shape; options validation; handler tokens. */
import { createBroker, ErrorCode, SluiceError } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { DmsCode, dmsError, renderError, toDmsError, toWire } from '../src/errors.js';
import { createDmsHandler } from '../src/handler.js';
import { encodeHandler, HandlerKind, parseHandler, routeTag } from '../src/handler-token.js';
import { resolveOptions } from '../src/options.js';
import { call } from './helpers.js';

describe('errors', () => {
  it('maps every core code', () => {
    for (const code of Object.values(ErrorCode)) {
      const mapped = toDmsError(new SluiceError(code, `core says ${code}`));
      expect(mapped.code).toBe(toWire[code].code);
      expect(mapped.status).toBe(toWire[code].status);
      // 5xx never echo the core's message.
      if (mapped.status >= 500) {
        expect(mapped.message).toBe(toWire[code].message);
        expect(mapped.message).not.toContain('core says');
      }
    }
    expect(toDmsError(new SluiceError(ErrorCode.ReceiptHandleExpired, 'x')).code).toBe('10542209');
    expect(toDmsError(new Error('boom\n at secret.ts:1')).message).toBe('Internal error.');
    expect(toDmsError(new SluiceError(ErrorCode.StorageError, "log write failed: ENOSPC '/d'")).message).toBe(
      'The service failed to store the request; try again later.',
    );
  });

  it('renders both JSON shapes with the DMS headers', () => {
    const r = renderError(dmsError(DmsCode.QueueNotFound));
    expect(r.status).toBe(404);
    expect(r.headers['Content-Type']).toBe('application/json;charset=UTF-8');
    expect(r.headers['X-Request-Id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(r.body as string)).toEqual({
      error: { code: '10240401', message: 'The queue ID is incorrect or not found.' },
      error_code: '10240401',
      error_msg: 'The queue ID is incorrect or not found.',
    });
  });
});

describe('options', () => {
  it('validates once, naming the option', () => {
    expect(() => resolveOptions({ maxQueuesPerProject: 0 })).toThrow(/maxQueuesPerProject/);
    expect(() => resolveOptions({ maxGroupsPerQueue: 1.5 })).toThrow(/maxGroupsPerQueue/);
    expect(() => resolveOptions({ credentials: [{ accessKeyId: '', accessKeySecret: 'x' }] })).toThrow(
      /credentials/,
    );
    expect(() => resolveOptions({ tokens: [''] })).toThrow(/tokens/);
    expect(resolveOptions().maxQueuesPerProject).toBe(30);
  });
});

describe('handler tokens', () => {
  it('round-trips and rejects what cannot be ours', () => {
    const tag = routeTag('p', 'q', 'g-1');
    expect(tag).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(routeTag('p', 'q', 'g-2')).not.toBe(tag);
    const text = encodeHandler(HandlerKind.DeadLetter, tag, 'R'.repeat(30));
    expect(parseHandler(text)).toEqual({ kind: 'D', tag, receipt: 'R'.repeat(30) });
    expect(parseHandler('X'.repeat(42))).toBeUndefined();
    expect(parseHandler('N/short')).toBeUndefined();
    expect(parseHandler(`N${'a'.repeat(300)}`)).toBeUndefined();
  });
});

describe('registry reload', () => {
  it('a new handler on the same broker serves the same queues, groups and messages', async () => {
    const broker = await createBroker();
    try {
      const first = createDmsHandler(broker).wire;
      const q = (
        await call(first, 'POST', '/v1.0/p/queues', {
          name: 'kept',
          description: 'd',
          queue_mode: 'FIFO',
          redrive_policy: 'enable',
          max_consume_count: 4,
        })
      ).json.id;
      const g = (await call(first, 'POST', `/v1.0/p/queues/${q}/groups`, { groups: [{ name: 'a' }] })).json
        .groups[0].id;
      await call(first, 'POST', `/v1.0/p/queues/${q}/messages`, { messages: [{ body: 'x' }] });
      const second = createDmsHandler(broker).wire;
      const got = await call(second, 'GET', `/v1.0/p/queues/${q}?include_deadletter=true`);
      expect(got.json).toMatchObject({
        name: 'kept',
        description: 'd',
        queue_mode: 'FIFO',
        redrive_policy: 'enable',
        max_consume_count: 4,
        group_count: 1,
      });
      const groups = await call(second, 'GET', `/v1.0/p/queues/${q}/groups`);
      expect(groups.json.groups[0]).toMatchObject({ id: g, name: 'a', available_messages: 1 });
      const consumed = await call(second, 'GET', `/v1.0/p/queues/${q}/groups/${g}/messages?time_wait=1`);
      expect(consumed.json[0].message.body).toBe('x');
      // A handler from the second instance acks there (same route tag either way).
      expect(
        (
          await call(first, 'POST', `/v1.0/p/queues/${q}/groups/${g}/ack`, {
            message: [{ handler: consumed.json[0].handler }],
          })
        ).json,
      ).toEqual({ success: 1, fail: 0 });
    } finally {
      await broker.close();
    }
  });
});
