/**
 * @module rocketmq.settings.test — RocketMQ invisibility, max deliveries and retention set per server, instance,
 * topic and consumer group, seen through the official `@aliyunmq/mq-http-sdk`: from a real config file on a manual
 * clock (redelivery after the group's invisibility, its dead-letter queue after its max deliveries), on a durable
 * server restarted with another configuration, and through `sluice serve` flags and config file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MQ from '@aliyunmq/mq-http-sdk';
import { type Broker, createBroker, type ManualClock, manualClock } from '@sluice/core';
import { coreTopicName, deadLetterQueueName } from '@sluice/rocketmq';
import {
  configOptions,
  createSluiceHandler,
  declare,
  loadConfig,
  resolveServerOptions,
  type SluiceServer,
  startServer,
} from '@sluice/server';
import { afterEach, describe, expect, it } from 'vitest';
import { run, serve, stop, tempDir } from './helpers/cli.js';
import { type Listening, listen } from './helpers/listen.js';
import { errorCode, props, type SdkClient, type SdkMessage } from './rocketmq/fixture.js';

const AK = 'settings-ak';
const SK = 'settings-sk';
const sdk = MQ as unknown as { MQClient: new (endpoint: string, ak: string, sk: string) => SdkClient };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

function writeConfig(json: unknown): string {
  const file = join(tempDir(), 'sluice.json');
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

/** How long a first delivery stays invisible, as the SDK reports it. */
const invisibleFor = (m: SdkMessage) => Number(m.NextConsumeTime) - Number(m.FirstConsumeTime);

async function consumeOne(client: SdkClient, ns: string, topic: string, gid: string): Promise<SdkMessage> {
  const got = await client.getConsumer(ns, topic, gid).consumeMessage(1);
  expect(got.body).toHaveLength(1);
  return got.body[0]!;
}

describe('a config file on a manual clock (the library mount, as startServer wires it)', () => {
  const CONFIG = {
    accessKeys: [`${AK}:${SK}`],
    rocketmq: {
      invisibility: '1m',
      instances: { MQ_INST_1: { maxDeliveries: 5 } },
      topics: [
        {
          name: 'orders',
          instance: 'MQ_INST_1',
          invisibility: '20s',
          retention: '1h',
          consumers: [
            { name: 'GID_fast', invisibility: '2s', maxDeliveries: 3 },
            { name: 'GID_fifo', ordered: true, orderedInvisibility: '3s' },
          ],
        },
      ],
    },
  };

  let clock: ManualClock;
  let broker: Broker;
  let client: SdkClient;

  async function start() {
    const options = resolveServerOptions(loadConfig(writeConfig(CONFIG)));
    clock = manualClock(Date.now());
    broker = await createBroker({ clock });
    await declare(broker, options.declare, { rocketmq: options.rocketmq });
    const handler = createSluiceHandler(broker, {
      credentials: options.accessKeys,
      rocketmq: options.rocketmq,
      processMetrics: false,
    });
    const server: Listening = await listen(handler.node);
    cleanup.push(
      () => server.close(),
      () => broker.close(),
    );
    client = new sdk.MQClient(server.url, AK, SK);
  }

  it('redelivers to a group after its own invisibility, and dead-letters after its own max deliveries', async () => {
    await start();
    const sent = await client.getProducer('MQ_INST_1', 'orders').publishMessage('poison', 'Bad');
    const consumer = client.getConsumer('MQ_INST_1', 'orders', 'GID_fast');
    for (let delivery = 1; delivery <= 3; delivery++) {
      const [m] = (await consumer.consumeMessage(1)).body;
      expect(m!.MessageId).toBe(sent.body.MessageId);
      expect(m!.ConsumedTimes).toBe(String(delivery));
      expect(Number(m!.NextConsumeTime)).toBe(clock.now() + 2000);
      // Invisible until the group's 2 s are up, not the topic's 20 s nor the server's minute.
      clock.advance(1999);
      expect(await errorCode(consumer.consumeMessage(1))).toBe('MessageNotExist');
      clock.advance(1);
    }
    // The third delivery timed out: the group's dead-letter queue has it, the group will not see it again.
    expect(await errorCode(consumer.consumeMessage(1))).toBe('MessageNotExist');
    const dead = broker.queue(deadLetterQueueName('MQ_INST_1', 'GID_fast')).peek({ max: 10 });
    expect(dead.map((d) => Buffer.from(d.body).toString())).toEqual(['poison']);
    clock.advance(60_000);
    expect(await errorCode(consumer.consumeMessage(1))).toBe('MessageNotExist');
  });

  it('gives an auto-created group its topic settings, another topic its instance settings, others the defaults', async () => {
    await start();
    await client.getProducer('MQ_INST_1', 'orders').publishMessage('a');
    await client.getProducer('MQ_INST_1', 'audit').publishMessage('b');
    await client.getProducer('', 'orders').publishMessage('c');
    const now = clock.now();

    // A group nobody declared, on the declared topic: the topic's 20 s, the instance's 5 deliveries.
    const auto = await consumeOne(client, 'MQ_INST_1', 'orders', 'GID_auto');
    expect(Number(auto.NextConsumeTime)).toBe(now + 20_000);
    // The same GID on another topic of the instance: the server's minute, the instance's 5 deliveries.
    const audit = await consumeOne(client, 'MQ_INST_1', 'audit', 'GID_fast');
    expect(Number(audit.NextConsumeTime)).toBe(now + 60_000);
    // The same topic name in the default instance is another topic: the server's minute, the service's 288.
    const other = await consumeOne(client, '', 'orders', 'GID_fast');
    expect(Number(other.NextConsumeTime)).toBe(now + 60_000);

    const group = (ns: string, topic: string, gid: string) =>
      broker.topic(coreTopicName(ns, topic)).group(gid);
    expect(group('MQ_INST_1', 'orders', 'GID_auto').options.maxReceiveCount).toBe(5);
    expect(group('MQ_INST_1', 'audit', 'GID_fast').options.maxReceiveCount).toBe(5);
    expect(group('', 'orders', 'GID_fast').options.maxReceiveCount).toBe(288);

    // GID_auto redelivers after 20 s.
    clock.advance(19_999);
    expect(await errorCode(client.getConsumer('MQ_INST_1', 'orders', 'GID_auto').consumeMessage(1))).toBe(
      'MessageNotExist',
    );
    clock.advance(1);
    const again = await consumeOne(client, 'MQ_INST_1', 'orders', 'GID_auto');
    expect(again.ConsumedTimes).toBe('2');
  });

  it('gives an ordered group its orderedInvisibility', async () => {
    await start();
    const p = props();
    p.shardingKey('k');
    await client.getProducer('MQ_INST_1', 'orders').publishMessage('first', 'T', p);
    const consumer = client.getConsumer('MQ_INST_1', 'orders', 'GID_fifo');
    const [m] = (await consumer.consumeMessageOrderly(1)).body;
    expect(Number(m!.NextConsumeTime)).toBe(clock.now() + 3000);
    clock.advance(2999);
    expect(await errorCode(consumer.consumeMessageOrderly(1))).toBe('MessageNotExist');
    clock.advance(1);
    expect((await consumer.consumeMessageOrderly(1)).body[0]!.ConsumedTimes).toBe('2');
  });

  it("keeps a topic's messages for its retention, and refuses a delivery time past it", async () => {
    await start();
    const producer = client.getProducer('MQ_INST_1', 'orders');
    const late = props();
    late.startDeliverTime(clock.now() + 3_600_000 + 1000);
    expect(await errorCode(producer.publishMessage('too late', 'T', late))).toBe('InvalidArgument');
    // Another topic of the instance keeps the service's 3 days.
    expect((await client.getProducer('MQ_INST_1', 'audit').publishMessage('fine', 'T', late)).code).toBe(201);

    await producer.publishMessage('expires');
    clock.advance(3_600_000 + 1000);
    expect(await errorCode(client.getConsumer('MQ_INST_1', 'orders', 'GID_late').consumeMessage(1))).toBe(
      'MessageNotExist',
    );
    expect(broker.topic(coreTopicName('MQ_INST_1', 'orders')).options.retention).toBe(3_600_000);
  });
});

describe('a durable server restarted with another configuration', () => {
  it('brings existing topics and groups to the new values, and back to the defaults', async () => {
    const dataDir = join(tempDir(), 'data');
    const topics = (consumers: unknown[]) => [{ name: 't', instance: 'MQ_INST_1', consumers }];
    const startWith = async (json: unknown) => {
      const server: SluiceServer = await startServer({
        port: 0,
        dataDir,
        processMetrics: false,
        accessKeys: [{ accessKeyId: AK, accessKeySecret: SK }],
        ...configOptions(json, '/'),
      });
      return { server, client: new sdk.MQClient(server.url, AK, SK) };
    };
    const options = (server: SluiceServer, gid: string) => {
      const topic = server.broker.topic(coreTopicName('MQ_INST_1', 't'));
      const { visibilityTimeout, maxReceiveCount } = topic.group(gid).options;
      return { visibilityTimeout, maxReceiveCount, retention: topic.options.retention };
    };

    // 1. No settings: the service's values; GID_b is auto-created by its first consume.
    let { server, client } = await startWith({ rocketmq: { topics: topics(['GID_a']) } });
    await client.getProducer('MQ_INST_1', 't').publishMessage('one');
    expect(invisibleFor(await consumeOne(client, 'MQ_INST_1', 't', 'GID_a'))).toBe(300_000);
    expect(invisibleFor(await consumeOne(client, 'MQ_INST_1', 't', 'GID_b'))).toBe(300_000);
    await server.close();

    // 2. New defaults and a group override: both existing groups and the topic change.
    ({ server, client } = await startWith({
      rocketmq: {
        invisibility: '5s',
        maxDeliveries: 4,
        retention: '2d',
        topics: topics([{ name: 'GID_a', invisibility: '2s' }]),
      },
    }));
    try {
      expect(options(server, 'GID_a')).toEqual({
        visibilityTimeout: 2000,
        maxReceiveCount: 4,
        retention: 2 * 86_400_000,
      });
      expect(options(server, 'GID_b')).toEqual({
        visibilityTimeout: 5000,
        maxReceiveCount: 4,
        retention: 2 * 86_400_000,
      });
      // "one" is still invisible from its first delivery (5 minutes); a new message gets the new values.
      await client.getProducer('MQ_INST_1', 't').publishMessage('two');
      const a = await consumeOne(client, 'MQ_INST_1', 't', 'GID_a');
      expect([a.MessageBody, invisibleFor(a)]).toEqual(['two', 2000]);
      const b = await consumeOne(client, 'MQ_INST_1', 't', 'GID_b');
      expect([b.MessageBody, invisibleFor(b)]).toEqual(['two', 5000]);
    } finally {
      await server.close();
    }

    // 3. The settings removed: back to the service's values (the file is the truth, not the first start).
    ({ server, client } = await startWith({ rocketmq: { topics: topics(['GID_a']) } }));
    try {
      const defaults = { visibilityTimeout: 300_000, maxReceiveCount: 288, retention: 3 * 86_400_000 };
      expect(options(server, 'GID_a')).toEqual(defaults);
      expect(options(server, 'GID_b')).toEqual(defaults);
    } finally {
      await server.close();
    }
  });
});

describe('where a new consumer group starts (groupStart)', () => {
  it('earliest by default: a late group gets what was published before it; latest: only what comes after', async () => {
    for (const groupStart of [undefined, 'latest'] as const) {
      const server: SluiceServer = await startServer({
        port: 0,
        memory: true,
        processMetrics: false,
        accessKeys: [{ accessKeyId: AK, accessKeySecret: SK }],
        ...(groupStart === undefined ? {} : { groupStart }),
      });
      try {
        const client = new sdk.MQClient(server.url, AK, SK);
        const producer = client.getProducer('MQ_INST_1', 'gs');
        await producer.publishMessage('before');
        if (groupStart === undefined) {
          // GID_first consumes (and acks) it; GID_late, seen only afterwards, still gets it.
          const first = await consumeOne(client, 'MQ_INST_1', 'gs', 'GID_first');
          await client.getConsumer('MQ_INST_1', 'gs', 'GID_first').ackMessage([first.ReceiptHandle]);
          expect((await consumeOne(client, 'MQ_INST_1', 'gs', 'GID_late')).MessageBody).toBe('before');
        } else {
          const late = client.getConsumer('MQ_INST_1', 'gs', 'GID_late');
          await expect(late.consumeMessage(1)).rejects.toMatchObject({ Code: 'MessageNotExist' });
          await producer.publishMessage('after');
          expect((await consumeOne(client, 'MQ_INST_1', 'gs', 'GID_late')).MessageBody).toBe('after');
        }
      } finally {
        await server.close();
      }
    }
  });
});

describe('sluice serve', () => {
  it('takes the defaults from --rocketmq-* flags over the file, and the overrides from the file', async () => {
    const file = writeConfig({
      rocketmq: {
        invisibility: '1m',
        maxDeliveries: 9,
        instances: { MQ_INST_1: { invisibility: '4s' } },
        topics: [{ name: 'jobs', consumers: [{ name: 'GID_quick', invisibility: 1500 }] }],
      },
    });
    const s = await serve([
      '--memory',
      '--port',
      '0',
      '--access-key',
      `${AK}:${SK}`,
      '--rocketmq-invisibility',
      '3s',
      '--rocketmq-max-deliveries',
      '2',
      '--config',
      file,
    ]);
    try {
      const client = new sdk.MQClient(s.url, AK, SK);
      await client.getProducer('', 'jobs').publishMessage('j');
      await client.getProducer('MQ_INST_1', 'jobs').publishMessage('k');
      // The flag's 3 s replaces the file's minute; the instance's 4 s and the group's 1.5 s win over both.
      expect(invisibleFor(await consumeOne(client, '', 'jobs', 'GID_any'))).toBe(3000);
      expect(invisibleFor(await consumeOne(client, 'MQ_INST_1', 'jobs', 'GID_any'))).toBe(4000);
      expect(invisibleFor(await consumeOne(client, '', 'jobs', 'GID_quick'))).toBe(1500);
    } finally {
      expect(await stop(s)).toBe(0);
    }
  });

  it('exits 2 naming the flag, or the file and the path, for a bad setting', async () => {
    const flag = run(['serve', '--memory', '--port', '0', '--rocketmq-invisibility', '5x']);
    expect(await flag.exit).toBe(2);
    expect(flag.stderr()).toContain('--rocketmq-invisibility must be a duration from 1s to 12h');
    const file = writeConfig({
      rocketmq: { topics: [{ name: 't', consumers: [{ name: 'g', maxDelivery: 3 }] }] },
    });
    const typo = run(['serve', '--memory', '--port', '0', '--config', file]);
    expect(await typo.exit).toBe(2);
    expect(typo.stderr()).toContain(
      `${file}: rocketmq.topics[0].consumers[0].maxDelivery is not a setting here (name, ordered, invisibility, orderedInvisibility, maxDeliveries)`,
    );
    const range = writeConfig({ rocketmq: { instances: { MQ_INST_1: { retention: '90d' } } } });
    const far = run(['serve', '--memory', '--port', '0', '--config', range]);
    expect(await far.exit).toBe(2);
    expect(far.stderr()).toContain(
      `${range}: rocketmq.instances.MQ_INST_1.retention must be a duration from 1s to 30d`,
    );
  });
});
