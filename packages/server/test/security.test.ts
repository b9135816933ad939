/** @module security.test — served dialects, the exposure rule, who may read /metrics, and their flags and keys. */
import type { IncomingMessage } from 'node:http';
import { createBroker } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { parseCommand, USAGE, UsageError } from '../src/args.js';
import { configOptions } from '../src/config-file.js';
import { createSluiceHandler } from '../src/handler.js';
import { resolveServerOptions } from '../src/options.js';
import { adminGuard, dialectAuth, metricsAccess, parseDialects } from '../src/security.js';

const KEY = { accessKeyId: 'a', accessKeySecret: 'b' };
const settings = (over: Partial<Parameters<typeof metricsAccess>[1]> = {}) => ({
  dialects: ['mns', 'rocketmq', 'dms'] as const,
  accessKeys: [],
  tokens: [],
  adminToken: undefined,
  insecure: false,
  ...over,
});

describe('dialects', () => {
  it('parses a list or an array, in any order, and refuses unknown, repeated or empty lists', () => {
    expect(parseDialects('dms,mns')).toEqual(['dms', 'mns']);
    expect(parseDialects(['rocketmq'])).toEqual(['rocketmq']);
    expect(parseDialects(' mns , dms ')).toEqual(['mns', 'dms']);
    expect(() => parseDialects('mns,kafka')).toThrow(/unknown dialect "kafka"/);
    expect(() => parseDialects('mns,mns')).toThrow(/"mns" is listed twice/);
    expect(() => parseDialects([])).toThrow(/one or more of mns, rocketmq, dms/);
    expect(() => parseDialects('')).toThrow(/unknown dialect ""/);
  });

  it('says how each dialect authenticates', () => {
    expect(dialectAuth(settings(), 'mns')).toBe('none');
    expect(dialectAuth(settings({ tokens: ['t'] }), 'rocketmq')).toBe('none');
    expect(dialectAuth(settings({ tokens: ['t'] }), 'dms')).toBe('tokens');
    expect(dialectAuth(settings({ accessKeys: [KEY] }), 'dms')).toBe('signatures');
    expect(dialectAuth(settings({ accessKeys: [KEY], tokens: ['t'] }), 'dms')).toBe('tokens+signatures');
    expect(dialectAuth(settings({ accessKeys: [KEY] }), 'mns')).toBe('signatures');
    expect(dialectAuth(settings({ dialects: ['dms'] }), 'mns')).toBe('not-served');
  });
});

describe('the exposure rule', () => {
  it('refuses a non-loopback host while any served dialect authenticates nothing, naming them', () => {
    expect(() => resolveServerOptions({ host: '10.0.0.1' })).toThrow(
      /MNS, RocketMQ and DMS would accept unauthenticated requests/,
    );
    expect(() => resolveServerOptions({ host: '10.0.0.1', tokens: ['t'] })).toThrow(
      /MNS and RocketMQ would accept .*--token covers DMS only.*--dialects dms/,
    );
    expect(() => resolveServerOptions({ host: '10.0.0.1', tokens: ['t'], dialects: ['dms', 'mns'] })).toThrow(
      /: MNS would accept/,
    );
    expect(resolveServerOptions({ host: '10.0.0.1', tokens: ['t'], dialects: ['dms'] }).dialects).toEqual([
      'dms',
    ]);
    expect(resolveServerOptions({ host: '10.0.0.1', accessKeys: [KEY] }).dialects).toEqual([
      'mns',
      'rocketmq',
      'dms',
    ]);
    expect(resolveServerOptions({ host: '10.0.0.1', insecure: true }).insecure).toBe(true);
    // Loopback: anything goes (local development).
    expect(resolveServerOptions({ host: '127.0.0.1', tokens: ['t'] }).host).toBe('127.0.0.1');
  });

  it('refuses declarations for a dialect that is not served', () => {
    expect(() =>
      resolveServerOptions({ dialects: ['dms'], declare: { mns: { queues: [{ name: 'q' }] } } }),
    ).toThrow(/mns objects are declared, but mns is not served/);
    // The rocketmq key of a config file may hold only settings: an empty declaration is no declaration.
    expect(resolveServerOptions({ dialects: ['dms'], declare: { rocketmq: {} } }).dialects).toEqual(['dms']);
  });
});

describe('/metrics access', () => {
  it('is open only on loopback with no credential, or with insecure; an admin token always guards it', () => {
    expect(metricsAccess(true, settings())).toBe('open');
    expect(metricsAccess(true, settings({ accessKeys: [KEY] }))).toBe('refused');
    expect(metricsAccess(true, settings({ tokens: ['t'] }))).toBe('refused');
    expect(metricsAccess(false, settings({ accessKeys: [KEY] }))).toBe('refused');
    expect(metricsAccess(false, settings({ insecure: true }))).toBe('open');
    expect(metricsAccess(true, settings({ adminToken: 'x' }))).toBe('admin-token');
    expect(metricsAccess(false, settings({ adminToken: 'x', insecure: true }))).toBe('admin-token');
    expect(resolveServerOptions({ host: '10.0.0.1', accessKeys: [KEY] }).metricsAccess).toBe('refused');
  });

  it('takes the bearer admin token, in constant time, and refuses everything else with 401 or 403', () => {
    const guard = adminGuard('admin-token', 's3cret');
    expect(guard({ headers: { authorization: 'Bearer s3cret' } })).toBeUndefined();
    expect(guard({ headers: { authorization: 'bearer s3cret' } })).toBeUndefined();
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      'Bearer s3cre',
      'Bearer s3cretX',
      'Basic s3cret',
      's3cret',
    ]) {
      const refused = guard({ headers: authorization === undefined ? {} : { authorization } });
      expect(refused?.status, String(authorization)).toBe(401);
      expect(refused?.headers?.['www-authenticate']).toBe('Bearer realm="sluice"');
      expect(JSON.parse(String(refused?.body))).toMatchObject({ error: 'unauthorized' });
    }
    const none = adminGuard('refused', undefined)({ headers: { authorization: 'Bearer anything' } });
    expect(none?.status).toBe(403);
    expect(String(none?.body)).toContain('--admin-token');
    expect(adminGuard('open', undefined)({ headers: {} })).toBeUndefined();
  });

  it('refuses an admin token with spaces or control characters', () => {
    expect(() => resolveServerOptions({ adminToken: 'a b' })).toThrow(/adminToken must be/);
    expect(() => resolveServerOptions({ adminToken: '' })).toThrow(/adminToken must be/);
  });
});

describe('flags and config keys', () => {
  it('--help documents --dialects, --admin-token and the loopback rule', () => {
    expect(USAGE).toContain('--dialects LIST');
    expect(USAGE).toContain('--admin-token T');
    expect(USAGE).toContain('Authorization: Bearer T');
    expect(USAGE).toContain('off loopback every served dialect must');
  });

  it('reads --dialects and --admin-token', () => {
    expect(parseCommand(['serve', '--dialects', 'mns,dms', '--admin-token', 'T0k'])).toEqual({
      kind: 'serve',
      config: undefined,
      options: { dialects: ['mns', 'dms'], adminToken: 'T0k' },
    });
    expect(() => parseCommand(['serve', '--dialects', 'amqp'])).toThrow(UsageError);
    expect(() => parseCommand(['serve', '--dialects', 'amqp'])).toThrow(/--dialects: unknown dialect "amqp"/);
    expect(() => parseCommand(['serve', '--admin-token', 'a b'])).toThrow(/--admin-token must be/);
  });

  it('reads dialects and adminToken from a config file', () => {
    expect(configOptions({ dialects: ['dms'], adminToken: 'T' }, '/')).toEqual({
      dialects: ['dms'],
      adminToken: 'T',
    });
    expect(resolveServerOptions(configOptions({ dialects: 'dms,mns' }, '/')).dialects).toEqual([
      'dms',
      'mns',
    ]);
  });
});

describe('a handler serving some dialects', () => {
  it('claims only the requests of the dialects it serves (the others go to next()), and its own paths', async () => {
    const broker = await createBroker();
    try {
      const h = createSluiceHandler(broker, { dialects: ['dms'] });
      expect(h.dialects).toEqual(['dms']);
      const req = (url: string, headers: Record<string, string> = {}) =>
        ({ url, headers, method: 'GET' }) as unknown as IncomingMessage;
      expect(h.handles(req('/queues/q', { 'x-mns-version': '2015-06-06' }))).toBe(false);
      expect(h.handles(req('/queues/q'))).toBe(false);
      expect(h.handles(req('/topics/t/messages', { 'x-mq-version': '2015-06-06' }))).toBe(false);
      expect(h.handles(req('/v1.0/p/queues'))).toBe(true);
      expect(h.handles(req('/metrics'))).toBe(true);
      const all = createSluiceHandler(broker);
      expect(all.handles(req('/queues/q'))).toBe(true);
      expect(all.handles(req('/topics/t/messages', { 'x-mq-version': '2015-06-06' }))).toBe(true);
    } finally {
      await broker.close();
    }
  });
});
