/** @module options.test — server options: defaults, validation, the loopback rule, config files. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { configOptions } from '../src/config-file.js';
import { isLoopback, resolveServerOptions } from '../src/options.js';

describe('resolveServerOptions', () => {
  it('defaults to loopback, port 9876, durable storage with fsync always, keep-alive 65 s', () => {
    expect(resolveServerOptions()).toMatchObject({
      host: '127.0.0.1',
      port: 9876,
      dataDir: './.sluice/data',
      memory: false,
      fsync: 'always',
      accessKeys: [],
      tokens: [],
      insecure: false,
      maxLongPolls: 4096,
      keepAliveTimeout: 65_000,
      maxHeaderBytes: 16_384,
      maxConnections: 16_384,
      maxConnectionsPerAddress: 4096,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
      maxBodyBytesInFlight: 64 << 20,
    });
    expect(resolveServerOptions({ maxConnections: 50 }).maxConnectionsPerAddress).toBe(13);
  });

  it('refuses a non-loopback host without keys, tokens or insecure', () => {
    expect(() => resolveServerOptions({ host: '0.0.0.0' })).toThrow(
      /refusing to listen on non-loopback host 0\.0\.0\.0/,
    );
    expect(resolveServerOptions({ host: '0.0.0.0', insecure: true }).host).toBe('0.0.0.0');
    // A DMS token alone leaves MNS and RocketMQ unauthenticated: refused, unless only DMS is served.
    expect(() => resolveServerOptions({ host: '::', tokens: ['t'] })).toThrow(
      /MNS and RocketMQ would accept unauthenticated requests/,
    );
    expect(resolveServerOptions({ host: '::', tokens: ['t'], dialects: ['dms'] }).host).toBe('::');
    expect(
      resolveServerOptions({ host: '10.1.2.3', accessKeys: [{ accessKeyId: 'a', accessKeySecret: 'b' }] })
        .host,
    ).toBe('10.1.2.3');
  });

  it.each([
    [{ port: -1 }, /port must be an integer from 0 to 65535/],
    [{ fsync: 'sometimes' }, /fsync must be/],
    [{ accessKeys: [{ accessKeyId: '', accessKeySecret: 'x' }] }, /accessKeys entries/],
    [{ tokens: [''] }, /tokens must be an array of non-empty strings/],
    [{ maxLongPolls: 1.5 }, /maxLongPolls must be an integer/],
    [{ keepAliveTimeout: 10 }, /keepAliveTimeout must be an integer/],
    [{ headersTimeout: 0 }, /headersTimeout must be an integer/],
    [{ maxConnectionsPerAddress: 0 }, /maxConnectionsPerAddress must be an integer/],
    [{ maxBodyBytesInFlight: 1000 }, /maxBodyBytesInFlight must be an integer/],
    [{ memory: 'yes' }, /memory must be true or false/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveServerOptions(options as never)).toThrow(TypeError);
    expect(() => resolveServerOptions(options as never)).toThrow(message);
  });
});

describe('storage tuning', () => {
  it('passes the given fields through and leaves the others to the core', () => {
    expect(resolveServerOptions().storage).toEqual({});
    const storage = {
      segmentBytes: 65_536,
      compactMinBytes: 0,
      compactRatio: 0.9,
      fsyncIntervalMs: 5,
      bodyCacheBytes: 1,
    };
    expect(resolveServerOptions({ storage }).storage).toEqual(storage);
    expect(resolveServerOptions({ storage: { compactRatio: 1 } }).storage).toEqual({ compactRatio: 1 });
    expect(resolveServerOptions({ storage: { segmentBytes: 4096 } }).storage).toEqual({ segmentBytes: 4096 });
  });

  it.each([
    [[], /^storage must be an object$/],
    ['big', /^storage must be an object$/],
    [null, /^storage must be an object$/],
    [{ segmentByte: 1 }, /^storage\.segmentByte is not a storage setting \(segmentBytes, /],
    [{ segmentBytes: 4095 }, /^storage\.segmentBytes must be an integer from 4096 to /],
    [{ segmentBytes: 65_536.5 }, /^storage\.segmentBytes must be an integer/],
    [{ segmentBytes: '64k' }, /^storage\.segmentBytes must be an integer/],
    [{ compactMinBytes: -1 }, /^storage\.compactMinBytes must be an integer from 0 to /],
    [{ compactMinBytes: Number.POSITIVE_INFINITY }, /^storage\.compactMinBytes must be an integer/],
    [{ compactRatio: 1.5 }, /^storage\.compactRatio must be a number from 0 to 1$/],
    [{ compactRatio: -0.1 }, /^storage\.compactRatio must be a number from 0 to 1$/],
    [{ compactRatio: Number.NaN }, /^storage\.compactRatio must be a number from 0 to 1$/],
    [{ compactRatio: '0.5' }, /^storage\.compactRatio must be a number from 0 to 1$/],
    [{ fsyncIntervalMs: 0 }, /^storage\.fsyncIntervalMs must be an integer from 1 to 2147483647$/],
    [{ fsyncIntervalMs: 2 ** 31 }, /^storage\.fsyncIntervalMs must be an integer from 1 to 2147483647$/],
    [{ bodyCacheBytes: 0 }, /^storage\.bodyCacheBytes must be an integer from 1 to /],
  ])('refuses storage %j with a TypeError naming the field', (storage, message) => {
    expect(() => resolveServerOptions({ storage: storage as never })).toThrow(TypeError);
    expect(() => resolveServerOptions({ storage: storage as never })).toThrow(message);
  });

  it('comes from the config file as is, and is checked like the flags', () => {
    const storage = { segmentBytes: 65_536, compactRatio: 0.25 };
    expect(configOptions({ storage }, '/')).toEqual({ storage });
    expect(resolveServerOptions(configOptions({ storage }, '/')).storage).toEqual(storage);
    expect(() => resolveServerOptions(configOptions({ storage: { compactRatio: 2 } }, '/'))).toThrow(
      /storage\.compactRatio must be a number from 0 to 1/,
    );
  });
});

describe('rocketmq settings', () => {
  it('passes invisibility and orderedInvisibility through, only when given', () => {
    expect(resolveServerOptions().rocketmq).toEqual({});
    expect(
      resolveServerOptions({ rocketmq: { invisibility: 1000, orderedInvisibility: 43_200_000 } }).rocketmq,
    ).toEqual({ invisibility: 1000, orderedInvisibility: 43_200_000 });
  });

  it.each([
    [[], /^rocketmq must be an object$/],
    [
      { invisible: 1000 },
      /^rocketmq\.invisible is not a setting here \(invisibility, orderedInvisibility, maxDeliveries, retention, instances\)$/,
    ],
    [
      { invisibility: 999 },
      /^rocketmq\.invisibility must be a duration from 1s to 12h \(ms, or a string such as "30s", "5m", "2h", "3d"\), got 999$/,
    ],
    [
      { invisibility: 43_200_001 },
      /^rocketmq\.invisibility must be a duration from 1s to 12h .*got 43200001$/,
    ],
    [{ invisibility: '13h' }, /^rocketmq\.invisibility must be a duration from 1s to 12h .*got "13h"$/],
    [{ orderedInvisibility: 1500.5 }, /^rocketmq\.orderedInvisibility must be a duration/],
    [{ orderedInvisibility: '5 s' }, /^rocketmq\.orderedInvisibility must be a duration .*got "5 s"$/],
    [{ maxDeliveries: 0 }, /^rocketmq\.maxDeliveries must be an integer from 1 to 65535, got 0$/],
    [{ retention: '31d' }, /^rocketmq\.retention must be a duration from 1s to 30d/],
  ])('refuses rocketmq %j with a TypeError naming the field', (rocketmq, message) => {
    expect(() => resolveServerOptions({ rocketmq: rocketmq as never })).toThrow(TypeError);
    expect(() => resolveServerOptions({ rocketmq: rocketmq as never })).toThrow(message);
  });

  it('sit next to the topics in the config file and are split from them', () => {
    const topics = [{ name: 't', consumers: ['GID_a'] }];
    expect(configOptions({ rocketmq: { invisibility: 2000, topics } }, '/')).toEqual({
      rocketmq: { invisibility: 2000 },
      declare: { rocketmq: { topics } },
    });
    expect(configOptions({ rocketmq: { topics } }, '/')).toEqual({ declare: { rocketmq: { topics } } });
    expect(() => configOptions({ rocketmq: 'x' }, '/')).toThrow(/"rocketmq" must be an object/);
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
    ['example.com', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('configOptions', () => {
  it('maps settings, resolves dataDir against the file, parses keys, keeps declarations apart', () => {
    const options = configOptions(
      {
        port: 1,
        dataDir: 'data',
        accessKeys: ['a:b', { accessKeyId: 'c', accessKeySecret: 'd' }],
        mns: { queues: [{ name: 'q' }] },
        dms: { queues: [] },
      },
      '/etc/sluice',
    );
    expect(options).toEqual({
      port: 1,
      dataDir: join('/etc/sluice', 'data'),
      accessKeys: [
        { accessKeyId: 'a', accessKeySecret: 'b' },
        { accessKeyId: 'c', accessKeySecret: 'd' },
      ],
      declare: { mns: { queues: [{ name: 'q' }] }, dms: { queues: [] } },
    });
  });

  it.each([
    [[], /must be a JSON object/],
    [{ prot: 1 }, /unknown setting "prot"/],
    [{ mns: [] }, /"mns" must be an object/],
    [{ dataDir: 3 }, /"dataDir" must be a path/],
    [{ accessKeys: 'a:b' }, /"accessKeys" must be an array/],
    [{ accessKeys: ['nocolon'] }, /access key must look like ID:SECRET/],
    [{ accessKeys: [{ accessKeyId: 'a' }] }, /"accessKeys" entries must be/],
  ])('refuses %j with a UsageError', (json, message) => {
    expect(() => configOptions(json, '/')).toThrow(UsageError);
    expect(() => configOptions(json, '/')).toThrow(message);
  });
});

describe('metricsMaxObjects', () => {
  it('defaults to 1000, takes 0 (only the _other series) and comes from a config file', () => {
    expect(resolveServerOptions().metricsMaxObjects).toBe(1000);
    expect(resolveServerOptions({ metricsMaxObjects: 0 }).metricsMaxObjects).toBe(0);
    expect(configOptions({ metricsMaxObjects: 50 }, '/')).toEqual({ metricsMaxObjects: 50 });
    expect(() => resolveServerOptions({ metricsMaxObjects: -1 })).toThrow(
      /metricsMaxObjects must be an integer from 0 to 1000000/,
    );
    expect(() => resolveServerOptions(configOptions({ metricsMaxObjects: 'all' }, '/'))).toThrow(TypeError);
  });
});
