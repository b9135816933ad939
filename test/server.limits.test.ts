/**
 * @module server.limits.test — object caps of `sluice serve` (issue 13, item 4), through the official SDKs and raw
 * HTTP against `startServer` on durable storage: each dialect's cap answers with the dialect's own error, a deletion
 * frees a place, counts hold after a restart, the server-wide cap spans the dialects, and a flood of concurrent
 * creations racing at a cap never overshoots it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MQ from '@aliyunmq/mq-http-sdk';
import {
  configOptions,
  DEFAULT_MAX_OBJECTS,
  type ObjectLimits,
  parseCommand,
  resolveServerOptions,
  type SluiceServer,
  startServer,
  USAGE,
} from '@sluice/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serve, stop } from './helpers/cli.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, aliCloudClient } from './helpers/mns-clients.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { errorCode, type SdkClient } from './rocketmq/fixture.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

const MQ_AK = 'test-ak';
const MQ_SK = 'test-secret';
const DMS_AK = 'TESTAK0123456789';
const DMS_SK = 'test-secret-key-0123456789';
const NS = 'MQ_INST_1';
const KEYS = [
  { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
  { accessKeyId: MQ_AK, accessKeySecret: MQ_SK },
  { accessKeyId: DMS_AK, accessKeySecret: DMS_SK },
];
const project = (n: number) => `${String(n).padStart(2, '0')}${'0123456789abcdef'.repeat(2).slice(2)}`;

let dir: string;
let srv: SluiceServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
});
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** (Re)starts the server on `dir` (durable; every dialect signed with the test keys unless `open`). */
async function start(limits: ObjectLimits, open = false): Promise<SluiceServer> {
  await srv?.close();
  srv = await startServer({
    port: 0,
    dataDir: dir,
    fsync: 'never',
    accessKeys: open ? [] : KEYS,
    limits,
    processMetrics: false,
    drainTimeout: 1000,
  });
  return srv;
}

/** The error name `@alicloud/mns` throws (`MNS<Code>Error`), or 'no error'. */
async function mnsError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
}

const mqClient = (url: string): SdkClient =>
  new (MQ as unknown as { MQClient: new (e: string, ak: string, sk: string) => SdkClient }).MQClient(
    url,
    MQ_AK,
    MQ_SK,
  );

// biome-ignore lint/suspicious/noExplicitAny: the SDK answers untyped JSON
type HcClient = { sendRequest(options: Record<string, unknown>): Promise<any> };
function dmsClient(url: string, projectId: string): HcClient {
  const client = new ClientBuilder((c: unknown) => c)
    .withCredential(new BasicCredentials().withAk(DMS_AK).withSk(DMS_SK).withProjectId(projectId))
    .withEndpoint(url)
    .build();
  // The SDK logs every 4xx with its whole axios config (~50 lines); the refusals here are expected.
  client.httpClient._logger.error = () => {};
  return client;
}
const dmsCreateQueue = (c: HcClient, projectId: string, name: string) =>
  c.sendRequest({
    method: 'POST',
    url: '/v1.0/{project_id}/queues',
    pathParams: { project_id: projectId },
    queryParams: {},
    headers: { 'Content-Type': 'application/json' },
    data: { name },
  });
const dmsCreateGroups = (c: HcClient, projectId: string, queueId: string, names: string[]) =>
  c.sendRequest({
    method: 'POST',
    url: '/v1.0/{project_id}/queues/{queue_id}/groups',
    pathParams: { project_id: projectId, queue_id: queueId },
    queryParams: {},
    headers: { 'Content-Type': 'application/json' },
    data: { groups: names.map((name) => ({ name })) },
  });
const dmsDeleteQueue = (c: HcClient, projectId: string, queueId: string) =>
  c.sendRequest({
    method: 'DELETE',
    url: '/v1.0/{project_id}/queues/{queue_id}',
    pathParams: { project_id: projectId, queue_id: queueId },
    queryParams: {},
    headers: {},
  });

/** The SDK's exception: `{ httpStatusCode, errorCode, errorMsg }`. */
async function dmsFailure(p: Promise<unknown>): Promise<{ httpStatusCode: number; errorCode: string }> {
  try {
    await p;
  } catch (error) {
    return error as { httpStatusCode: number; errorCode: string };
  }
  throw new Error('expected the call to fail');
}

/** A publish through the SDK (auto-creates the topic). */
const publish = (client: SdkClient, topic: string) => client.getProducer(NS, topic).publishMessage('x');

describe('MNS: queues and topics per account, subscriptions per topic', () => {
  it('answers 400 QueueNumExceededLimit past the cap, frees a place on delete, and holds after a restart', async () => {
    let s = await start({ mnsQueues: 3 });
    let client = aliCloudClient(s.url);
    for (const q of ['q1', 'q2', 'q3']) expect((await client.createQueue(q)).code).toBe(201);
    expect(await mnsError(client.createQueue('q4'))).toBe('MNSQueueNumExceededLimitError');
    // The same name and attributes is not a new queue: still 204.
    expect((await client.createQueue('q1')).code).toBe(204);
    const raw = await mnsFetch(s.url, '/queues/q4', { method: 'PUT', body: '<Queue/>' });
    expect(raw.status).toBe(400);
    expect(errorCodeOf(await raw.text())).toBe('QueueNumExceededLimit');

    s = await start({ mnsQueues: 3 });
    client = aliCloudClient(s.url);
    expect(await mnsError(client.createQueue('q4'))).toBe('MNSQueueNumExceededLimitError');
    await client.deleteQueue('q2');
    expect((await client.createQueue('q4')).code).toBe(201);
    expect(await mnsError(client.createQueue('q5'))).toBe('MNSQueueNumExceededLimitError');
  });

  it('caps topics (TopicNumExceededLimit) and subscriptions per topic (SubscriptionNumExceededLimit)', async () => {
    const s = await start({ mnsTopics: 2, mnsSubscriptionsPerTopic: 2 });
    const client = aliCloudClient(s.url);
    expect((await client.createTopic('t1')).code).toBe(201);
    expect((await client.createTopic('t2')).code).toBe(201);
    expect(await mnsError(client.createTopic('t3'))).toBe('MNSTopicNumExceededLimitError');

    const subscribe = (topic: string, name: string) =>
      mnsFetch(s.url, `/topics/${topic}/subscriptions/${name}`, {
        method: 'PUT',
        body: `<Subscription><Endpoint>acs:mns:cn-hangzhou:1000000000000000:queues/q</Endpoint></Subscription>`,
      });
    expect((await subscribe('t1', 's1')).status).toBe(201);
    expect((await subscribe('t1', 's2')).status).toBe(201);
    const over = await subscribe('t1', 's3');
    expect(over.status).toBe(400);
    expect(errorCodeOf(await over.text())).toBe('SubscriptionNumExceededLimit');
    // Per topic: another topic has its own room.
    expect((await subscribe('t2', 's1')).status).toBe(201);
    expect((await mnsFetch(s.url, '/topics/t1/subscriptions/s1', { method: 'DELETE' })).status).toBe(204);
    expect((await subscribe('t1', 's3')).status).toBe(201);

    // A deleted topic frees its place and its subscriptions' places in the server-wide count.
    const before = s.handler.objects.used;
    // (`@alicloud/mns` 1.2.0's deleteTopic is an empty stub.)
    expect((await mnsFetch(s.url, '/topics/t1', { method: 'DELETE' })).status).toBe(204);
    expect(s.handler.objects.used).toBe(before - 3);
    expect((await client.createTopic('t3')).code).toBe(201);
  });
});

describe('RocketMQ: topics and consumer groups per instance, auto-created ones included', () => {
  it('refuses the auto-creation of one topic too many with 404 TopicNotExist, and holds after a restart', async () => {
    let s = await start({ rocketmqTopics: 2, rocketmqGroups: 2 });
    let mq = mqClient(s.url);
    expect((await publish(mq, 't1')).code).toBe(201);
    expect((await publish(mq, 't2')).code).toBe(201);
    expect(await errorCode(publish(mq, 't3'))).toBe('TopicNotExist');
    // Consuming from an unknown topic would auto-create it too.
    expect(await errorCode(mq.getConsumer(NS, 't3', 'GID_a').consumeMessage(1))).toBe('TopicNotExist');
    // The cap is per instance.
    expect((await mq.getProducer('MQ_INST_2', 't3').publishMessage('x')).code).toBe(201);

    // Groups: a GID counts once, whatever topics it consumes.
    await mq.getConsumer(NS, 't1', 'GID_a').consumeMessage(1);
    await mq.getConsumer(NS, 't1', 'GID_b').consumeMessage(1);
    await mq.getConsumer(NS, 't2', 'GID_a').consumeMessage(1);
    expect(await errorCode(mq.getConsumer(NS, 't1', 'GID_c').consumeMessage(1))).toBe('ConsumerNotExist');

    s = await start({ rocketmqTopics: 2, rocketmqGroups: 2 });
    mq = mqClient(s.url);
    expect(await errorCode(publish(mq, 't3'))).toBe('TopicNotExist');
    expect(await errorCode(mq.getConsumer(NS, 't2', 'GID_c').consumeMessage(1))).toBe('ConsumerNotExist');
    expect((await publish(mq, 't1')).code).toBe(201);
    const consumed = await mq.getConsumer(NS, 't1', 'GID_b').consumeMessage(1);
    expect(consumed.body).toHaveLength(1);
  });

  it('keeps free instance ids from multiplying the caps, and holds after a restart', async () => {
    let s = await start({ rocketmqInstances: 2, rocketmqTopics: 1 });
    let mq = mqClient(s.url);
    expect((await mq.getProducer('INST_A', 't').publishMessage('x')).code).toBe(201);
    expect((await mq.getProducer('INST_B', 't').publishMessage('x')).code).toBe(201);
    expect(await errorCode(mq.getProducer('INST_C', 't').publishMessage('x'))).toBe('TopicNotExist');
    s = await start({ rocketmqInstances: 2, rocketmqTopics: 1 });
    mq = mqClient(s.url);
    expect(await errorCode(mq.getProducer('INST_C', 't').publishMessage('x'))).toBe('TopicNotExist');
    expect((await mq.getProducer('INST_A', 't').publishMessage('x')).code).toBe(201);
  });

  it('answers the cap with status 404 and an <Error> body naming the limit', async () => {
    const s = await start({ rocketmqTopics: 1 }, true);
    const post = (topic: string) =>
      fetch(`${s.url}/topics/${topic}/messages?ns=${NS}`, {
        method: 'POST',
        headers: { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' },
        body: '<Message><MessageBody>x</MessageBody></Message>',
      });
    expect((await post('only')).status).toBe(201);
    const res = await post('other');
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).toContain('<Code>TopicNotExist</Code>');
    expect(text).toContain('limit of 1 topics');
  });
});

describe('DMS: queues per project, projects, groups per queue', () => {
  it('keeps free project ids from multiplying the quota, and holds after a restart', async () => {
    const limits = { dmsQueuesPerProject: 2, dmsProjects: 2, dmsGroupsPerQueue: 1 };
    let s = await start(limits);
    const [a, b, c] = [project(1), project(2), project(3)];
    let ca = dmsClient(s.url, a);
    const q1 = await dmsCreateQueue(ca, a, 'q1');
    await dmsCreateQueue(ca, a, 'q2');
    expect(await dmsFailure(dmsCreateQueue(ca, a, 'q3'))).toMatchObject({
      httpStatusCode: 400,
      errorCode: '10240020',
    });
    const cb = dmsClient(s.url, b);
    const qb = await dmsCreateQueue(cb, b, 'q1');
    // A third project id gets no quota of its own.
    let cc = dmsClient(s.url, c);
    expect(await dmsFailure(dmsCreateQueue(cc, c, 'q1'))).toMatchObject({
      httpStatusCode: 400,
      errorCode: '10240020',
    });
    await dmsCreateGroups(ca, a, q1.id, ['g1']);
    expect(await dmsFailure(dmsCreateGroups(ca, a, q1.id, ['g2']))).toMatchObject({
      httpStatusCode: 400,
      errorCode: '10240019',
    });

    s = await start(limits);
    ca = dmsClient(s.url, a);
    cc = dmsClient(s.url, c);
    expect(await dmsFailure(dmsCreateQueue(ca, a, 'q3'))).toMatchObject({ errorCode: '10240020' });
    expect(await dmsFailure(dmsCreateQueue(cc, c, 'q1'))).toMatchObject({ errorCode: '10240020' });
    // Emptying project b frees a project place.
    await dmsDeleteQueue(dmsClient(s.url, b), b, qb.id);
    expect((await dmsCreateQueue(cc, c, 'q1')).name).toBe('q1');
  });
});

describe('server-wide: one budget across the dialects', () => {
  it('refuses the next object in every dialect once the server holds its limit, and counts after a restart', async () => {
    let s = await start({ objects: 5 });
    const mns = aliCloudClient(s.url);
    await mns.createQueue('q1');
    await mns.createQueue('q2');
    const mq = mqClient(s.url);
    await publish(mq, 't1');
    await mq.getConsumer(NS, 't1', 'GID_a').consumeMessage(1);
    const p = project(1);
    const dms = dmsClient(s.url, p);
    const queue = await dmsCreateQueue(dms, p, 'd1');
    expect(s.handler.objects.used).toBe(5);

    expect(await mnsError(mns.createQueue('q3'))).toBe('MNSQueueNumExceededLimitError');
    expect(await mnsError(mns.createTopic('t'))).toBe('MNSTopicNumExceededLimitError');
    expect(await errorCode(publish(mq, 't2'))).toBe('TopicNotExist');
    expect(await errorCode(mq.getConsumer(NS, 't1', 'GID_b').consumeMessage(1))).toBe('ConsumerNotExist');
    expect(await dmsFailure(dmsCreateQueue(dms, p, 'd2'))).toMatchObject({ errorCode: '10240020' });
    expect(await dmsFailure(dmsCreateGroups(dms, p, queue.id, ['g']))).toMatchObject({
      errorCode: '10240019',
    });

    s = await start({ objects: 5 });
    expect(s.handler.objects.used).toBe(5);
    const mns2 = aliCloudClient(s.url);
    expect(await mnsError(mns2.createQueue('q3'))).toBe('MNSQueueNumExceededLimitError');
    await mns2.deleteQueue('q1');
    expect(s.handler.objects.used).toBe(4);
    expect((await dmsCreateQueue(dmsClient(s.url, p), p, 'd2')).name).toBe('d2');
    expect(await mnsError(mns2.createQueue('q1'))).toBe('MNSQueueNumExceededLimitError');
  });
});

describe('an object flood up to the cap', () => {
  it('never overshoots: concurrent creations across the dialects racing at the server-wide cap', async () => {
    const cap = 60;
    const s = await start({ objects: cap, mnsQueues: 1000, dmsProjects: 1000, dmsQueuesPerProject: 500 });
    const mns = aliCloudClient(s.url);
    const mq = mqClient(s.url);
    const attempts: Promise<boolean>[] = [];
    for (let i = 0; i < 80; i++) {
      attempts.push(
        mns.createQueue(`flood-${i}`).then(
          () => true,
          (e: Error) => (e.name === 'MNSQueueNumExceededLimitError' ? false : Promise.reject(e)),
        ),
      );
      attempts.push(
        publish(mq, `flood-${i}`).then(
          () => true,
          (e: { Code?: string }) => (e.Code === 'TopicNotExist' ? false : Promise.reject(e)),
        ),
      );
      const p = project(i % 10);
      attempts.push(
        dmsCreateQueue(dmsClient(s.url, p), p, `flood-${i}`).then(
          () => true,
          (e: { errorCode?: string }) => (e.errorCode === '10240020' ? false : Promise.reject(e)),
        ),
      );
    }
    const made = (await Promise.all(attempts)).filter(Boolean).length;
    expect(made).toBe(cap);
    expect(s.handler.objects.used).toBe(cap);
    // What exists in the broker is exactly what was admitted.
    const broker = s.broker;
    expect(broker.listQueues().filter((q) => q.startsWith('mns:')).length + broker.listTopics().length).toBe(
      cap,
    );

    // And after a restart the count is what exists.
    const again = await start({ objects: cap });
    expect(again.handler.objects.used).toBe(cap);
  });

  it('never overshoots a per-account cap under 200 concurrent raw creations', async () => {
    const s = await start({ mnsQueues: 25 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        mnsFetch(s.url, `/queues/f${i}`, { method: 'PUT', body: '<Queue/>' }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((c) => c === 201)).toHaveLength(25);
    expect(statuses.filter((c) => c === 400)).toHaveLength(175);
    expect(s.broker.listQueues().filter((q) => q.startsWith('mns:queue:'))).toHaveLength(25);
  });
});

describe('configuration: flags, config file, options', () => {
  it('maps the flags and the config key onto `limits`, and refuses bad values', () => {
    const cmd = parseCommand([
      'serve',
      '--max-objects',
      '7',
      '--dms-max-projects',
      '3',
      '--mns-max-queues',
      '0',
      '--rocketmq-max-instances',
      '4',
    ]);
    expect(cmd).toMatchObject({
      kind: 'serve',
      options: { limits: { objects: 7, dmsProjects: 3, mnsQueues: 0, rocketmqInstances: 4 } },
    });
    expect(() => parseCommand(['serve', '--dms-max-queues', '501'])).toThrow(
      /--dms-max-queues must be an integer/,
    );
    expect(configOptions({ limits: { objects: 9, rocketmqTopics: 4 } }, '/')).toEqual({
      limits: { objects: 9, rocketmqTopics: 4 },
    });
    expect(resolveServerOptions({ limits: { objects: 9 } }).limits).toEqual({ objects: 9 });
    expect(() => resolveServerOptions({ limits: { bogus: 1 } as ObjectLimits })).toThrow(
      /unknown limit "bogus"/,
    );
    expect(() => resolveServerOptions({ limits: { objects: -1 } })).toThrow(/limits.objects must be/);
    expect(USAGE).toContain('--max-objects N');
    expect(USAGE).toContain('--dms-max-projects N');
  });

  it('defaults to 100,000 objects server-wide, counting what the broker already holds', async () => {
    const s = await start({});
    expect(s.handler.objects.limit).toBe(DEFAULT_MAX_OBJECTS);
    expect(DEFAULT_MAX_OBJECTS).toBe(100_000);
    await aliCloudClient(s.url).createQueue('q');
    expect(s.handler.objects.used).toBe(1);
  });

  it('holds declared objects to the configured caps, and counts them against the server', async () => {
    const refused = startServer({
      port: 0,
      memory: true,
      limits: { mnsQueues: 1 },
      declare: { mns: { queues: [{ name: 'a' }, { name: 'b' }] } },
    });
    await expect(refused).rejects.toMatchObject({ reason: 'declare', message: /QueueNumExceededLimit/ });
    srv = await startServer({
      port: 0,
      memory: true,
      processMetrics: false,
      limits: { objects: 3, dmsQueuesPerProject: 40 },
      declare: {
        mns: { queues: [{ name: 'a' }, { name: 'b' }] },
        dms: { queues: Array.from({ length: 35 }, (_, i) => ({ project: project(1), name: `d${i}` })) },
      },
    });
    // Declarations are the operator's: they may fill the server past `objects`, and clients get nothing more.
    expect(srv.handler.objects.used).toBe(37);
    expect(await mnsError(aliCloudClient(srv.url).createQueue('c'))).toBe('MNSQueueNumExceededLimitError');
  });

  it('`sluice serve`: a limit flag overrides that limit of the config file and keeps the others', async () => {
    const cfg = join(dir, 'sluice.json');
    writeFileSync(cfg, JSON.stringify({ memory: true, limits: { mnsQueues: 1, objects: 2 } }));
    const child = await serve(['--config', cfg, '--port', '0', '--mns-max-queues', '5']);
    try {
      const client = aliCloudClient(child.url);
      expect((await client.createQueue('q1')).code).toBe(201);
      expect((await client.createQueue('q2')).code).toBe(201);
      expect(await mnsError(client.createQueue('q3'))).toBe('MNSQueueNumExceededLimitError');
    } finally {
      await stop(child);
    }
  });
});
