/** @module args.test — `sluice` command-line parsing. */
import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../src/args.js';

describe('parseCommand', () => {
  it('reads every serve flag', () => {
    expect(
      parseCommand([
        'serve',
        '--host',
        '::1',
        '--port',
        '0',
        '--data-dir',
        'd',
        '--fsync',
        'interval',
        '--access-key',
        'a:b:c',
        '--access-key',
        'x:y',
        '--token',
        't',
        '--max-long-polls',
        '7',
        '--insecure',
        '--config',
        'c.json',
      ]),
    ).toEqual({
      kind: 'serve',
      config: 'c.json',
      options: {
        host: '::1',
        port: 0,
        dataDir: 'd',
        memory: false,
        fsync: 'interval',
        accessKeys: [
          { accessKeyId: 'a', accessKeySecret: 'b:c' },
          { accessKeyId: 'x', accessKeySecret: 'y' },
        ],
        tokens: ['t'],
        maxLongPolls: 7,
        insecure: true,
      },
    });
  });

  it('parses the connection and body limits', () => {
    const argv = ['serve', '--max-connections', '50', '--max-connections-per-address', '5'];
    argv.push('--headers-timeout', '500', '--request-timeout', '2000', '--keep-alive-timeout', '3000');
    argv.push('--max-body-bytes-in-flight', String(8 << 20));
    expect(parseCommand(argv)).toMatchObject({
      options: {
        maxConnections: 50,
        maxConnectionsPerAddress: 5,
        headersTimeout: 500,
        requestTimeout: 2000,
        keepAliveTimeout: 3000,
        maxBodyBytesInFlight: 8 << 20,
      },
    });
    expect(() => parseCommand(['serve', '--headers-timeout', '5'])).toThrow(
      '--headers-timeout must be an integer from 100',
    );
  });

  it('leaves out what was not given, so a config file can supply it', () => {
    expect(parseCommand(['serve'])).toEqual({ kind: 'serve', options: {}, config: undefined });
    expect(parseCommand(['serve', '--memory'])).toEqual({
      kind: 'serve',
      options: { memory: true },
      config: undefined,
    });
  });

  it('answers help and version', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['serve', '-h'])).toEqual({ kind: 'help' });
    expect(parseCommand(['help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['-v'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['serve', '--port=-1'], '--port must be an integer from 0 to 65535, got "-1"'],
    [['serve', '--port', '-1'], '--port needs a value (write --port=-… for one starting with "-")'],
    [['serve', '--port', '1.5'], '--port must be an integer from 0 to 65535, got "1.5"'],
    [['serve', '--port'], "Option '--port <value>' argument missing"],
    [['serve', '--host', ''], '--host must not be empty'],
    [['serve', '--token', ''], '--token must not be empty'],
    [['serve', '--access-key', ':x'], '--access-key: access key must look like ID:SECRET, got ":x"'],
    [['serve', '--access-key', 'x:'], '--access-key: access key must look like ID:SECRET, got "x:"'],
    [
      ['serve', '--max-long-polls', 'many'],
      '--max-long-polls must be an integer from 0 to 1000000, got "many"',
    ],
    [['serve', '--memory', '--data-dir', 'd'], '--memory and --data-dir cannot be used together'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe('--metrics-max-objects', () => {
  it('reads the cap on objects with series of their own, and refuses what is not a count', () => {
    expect(parseCommand(['serve', '--metrics-max-objects', '250'])).toMatchObject({
      options: { metricsMaxObjects: 250 },
    });
    expect(() => parseCommand(['serve', '--metrics-max-objects', 'all'])).toThrow(
      '--metrics-max-objects must be an integer from 0 to 1000000, got "all"',
    );
  });
});

describe('--rocketmq-* defaults', () => {
  it('reads the four, as ms or with a unit', () => {
    const argv = [
      'serve',
      '--rocketmq-invisibility',
      '2s',
      '--rocketmq-ordered-invisibility=1500',
      '--rocketmq-max-deliveries',
      '3',
      '--rocketmq-retention',
      '1d',
    ];
    expect(parseCommand(argv)).toEqual({
      kind: 'serve',
      options: {
        rocketmq: { invisibility: 2000, orderedInvisibility: 1500, maxDeliveries: 3, retention: 86_400_000 },
      },
      config: undefined,
    });
    expect(parseCommand(['serve', '--rocketmq-retention', '30d'])).toMatchObject({
      options: { rocketmq: { retention: 2_592_000_000 } },
    });
    expect(parseCommand(['serve', '--rocketmq-invisibility', '12h'])).toMatchObject({
      options: { rocketmq: { invisibility: 43_200_000 } },
    });
  });

  it.each([
    [
      ['--rocketmq-invisibility', '999'],
      '--rocketmq-invisibility must be a duration from 1s to 12h (ms, or a string such as "30s", "5m", "2h", "3d"), got "999"',
    ],
    [['--rocketmq-invisibility', '5x'], '--rocketmq-invisibility must be a duration from 1s to 12h'],
    [['--rocketmq-invisibility', '1.5s'], 'got "1.5s"'],
    [
      ['--rocketmq-ordered-invisibility', '13h'],
      '--rocketmq-ordered-invisibility must be a duration from 1s to 12h',
    ],
    [['--rocketmq-retention', '31d'], '--rocketmq-retention must be a duration from 1s to 30d'],
    [
      ['--rocketmq-max-deliveries', '0'],
      '--rocketmq-max-deliveries must be an integer from 1 to 65535, got 0',
    ],
    [
      ['--rocketmq-max-deliveries', '65536'],
      '--rocketmq-max-deliveries must be an integer from 1 to 65535, got 65536',
    ],
    [
      ['--rocketmq-max-deliveries', '3s'],
      '--rocketmq-max-deliveries must be an integer from 1 to 65535, got "3s"',
    ],
    [['--rocketmq-retention'], "Option '--rocketmq-retention <value>' argument missing"],
  ])('refuses %j naming the flag', (flags, message) => {
    expect(() => parseCommand(['serve', ...flags])).toThrow(UsageError);
    expect(() => parseCommand(['serve', ...flags])).toThrow(message);
  });

  it('do not apply to repair', () => {
    expect(() => parseCommand(['repair', '--rocketmq-invisibility', '2s'])).toThrow(
      '--rocketmq-invisibility does not apply to "sluice repair"',
    );
  });
});

describe('--group-start', () => {
  it('reads earliest or latest, and refuses anything else', () => {
    expect(parseCommand(['serve', '--group-start', 'latest'])).toMatchObject({
      options: { groupStart: 'latest' },
    });
    expect(parseCommand(['serve', '--group-start=earliest'])).toMatchObject({
      options: { groupStart: 'earliest' },
    });
    expect(() => parseCommand(['serve', '--group-start', 'newest'])).toThrow(
      '--group-start must be earliest or latest, got "newest"',
    );
  });
});
