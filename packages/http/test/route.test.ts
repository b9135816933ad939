/** @module route.test — the one-port rules: /v1.0/ -> DMS, x-mns-version -> MNS, x-mq-version -> RocketMQ. */
import { describe, expect, it } from 'vitest';
import {
  createDialectHandler,
  createRouter,
  createRouterHandler,
  pickDialect,
  splitTarget,
  type WireHandler,
  type WireRequest,
} from '../src/index.js';

const tag =
  (name: string): WireHandler =>
  () => ({ status: 200, headers: {}, body: name });

function req(target: string, headers: Record<string, string> = {}): WireRequest {
  const { path, query } = splitTarget(target);
  return { method: 'GET', target, path, query, headers, body: new Uint8Array(0) };
}

describe('createRouter', () => {
  const router = createRouter({
    mns: tag('mns'),
    rocketmq: createDialectHandler(tag('rocketmq')),
    dms: tag('dms'),
    missingVersion: () => ({ status: 400, headers: {}, body: 'MissingVersionHeader' }),
    fallback: (r) => (r.path === '/healthz' ? { status: 200, headers: {}, body: 'ok' } : undefined),
  });
  const body = async (r: WireRequest) =>
    ((await router(r, new AbortController().signal)) ?? { body: 'none' }).body;

  it('routes by path first, then by version header', async () => {
    expect(await body(req('/v1.0/p/queues', { 'x-mns-version': '2015-06-06' }))).toBe('dms');
    expect(await body(req('/topics/t/messages', { 'x-mns-version': '2015-06-06' }))).toBe('mns');
    expect(await body(req('/topics/t/messages', { 'x-mq-version': '2015-06-06' }))).toBe('rocketmq');
  });

  it('answers missingVersion on Alibaba paths without a version header, fallback elsewhere', async () => {
    expect(await body(req('/queues'))).toBe('MissingVersionHeader');
    expect(await body(req('/topics/t?x=1'))).toBe('MissingVersionHeader');
    expect(await body(req('/queuesX'))).toBe('none');
    expect(await body(req('/healthz'))).toBe('ok');
    expect(await body(req('/other'))).toBe('none');
  });

  it('pickDialect names the dialect', () => {
    expect(pickDialect({ target: '/v1.0/x', headers: {} })).toBe('dms');
    expect(pickDialect({ target: '/queues', headers: { 'x-mns-version': '1' } })).toBe('mns');
    expect(pickDialect({ target: '/topics', headers: { 'x-mq-version': '1' } })).toBe('rocketmq');
    expect(pickDialect({ target: '/topics', headers: {} })).toBeUndefined();
  });

  it('falls through to fallback when the picked dialect is not configured', async () => {
    const only = createRouter({ fallback: tag('fallback') });
    const out = await only(req('/queues', { 'x-mns-version': '1' }), new AbortController().signal);
    expect(out?.body).toBe('fallback');
  });
});

describe('createRouterHandler', () => {
  it('applies each dialect its own body limit and too-large answer', async () => {
    const mns = createDialectHandler(tag('mns'), {
      maxBodyBytes: 4,
      onTooLarge: (kind) => ({ status: 400, headers: {}, body: `mns ${kind}` }),
    });
    const dms = createDialectHandler(tag('dms'), { maxBodyBytes: 100 });
    const handler = createRouterHandler({ mns, dms });
    const post = (url: string, headers: Record<string, string>, body: string) =>
      handler.fetch(new Request(`http://h${url}`, { method: 'POST', headers, body }));
    const big = await post('/queues/q/messages', { 'x-mns-version': '2015-06-06' }, '12345');
    expect(big.status).toBe(400);
    expect(await big.text()).toBe('mns body');
    const ok = await post('/v1.0/p/queues', {}, '12345');
    expect(await ok.text()).toBe('dms');
  });

  it('answers missingVersion, not a plain 413/414, to an unversioned Alibaba request over a limit', async () => {
    const handler = createRouterHandler(
      {
        mns: createDialectHandler(tag('mns')),
        missingVersion: (r) => ({ status: 400, headers: {}, body: `MissingVersionHeader ${r.path}` }),
      },
      { maxTargetLength: 40, maxBodyBytes: 4 },
    );
    const long = await handler.fetch(new Request(`http://h/queues/q?h=${'x'.repeat(50)}`));
    expect([long.status, await long.text()]).toEqual([400, 'MissingVersionHeader /queues/q']);
    const big = await handler.fetch(
      new Request('http://h/topics/t/messages', { method: 'POST', body: '12345' }),
    );
    expect([big.status, await big.text()]).toEqual([400, 'MissingVersionHeader /topics/t/messages']);
    // Elsewhere the adapter's own answer stands.
    const other = await handler.fetch(new Request(`http://h/other?h=${'x'.repeat(50)}`));
    expect(other.status).toBe(414);
  });

  it('holds a dialect to its own shorter target limit', async () => {
    const mns = createDialectHandler(tag('mns'), {
      maxTargetLength: 20,
      onTooLarge: (kind) => ({ status: 400, headers: {}, body: `mns ${kind}` }),
    });
    const handler = createRouterHandler({
      mns,
      dms: createDialectHandler(tag('dms'), { maxTargetLength: 200 }),
    });
    const res = await handler.fetch(
      new Request(`http://h/queues/${'q'.repeat(30)}`, { headers: { 'x-mns-version': '1' } }),
    );
    expect(await res.text()).toBe('mns target');
    const dms = await handler.fetch(new Request(`http://h/v1.0/${'q'.repeat(30)}`));
    expect(await dms.text()).toBe('dms');
  });
});
