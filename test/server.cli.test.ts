/**
 * @module server.cli.test — the `sluice` CLI as a child process (node packages/server/dist/cli.js; `pnpm test`
 * builds first): ready line, healthz, metrics after traffic, a round trip with each official SDK through the one
 * port, SIGTERM and restart on the same data dir, the non-loopback refusal, bad flags and start-up failures.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import MQ from '@aliyunmq/mq-http-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Serving, serve, stop, tempDir } from './helpers/cli.js';
import { aliCloudClient } from './helpers/mns-clients.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

const AK = 'test-key';
const SK = 'test-secret';
const TOKEN = 'dms-token-1';
const ADMIN = 'admin-token-1';
const PROJECT = '0123456789abcdef0123456789abcdef';

// biome-ignore lint/suspicious/noExplicitAny: the SDKs ship no types
type Any = any;
const sdk = MQ as unknown as { MQClient: new (endpoint: string, ak: string, sk: string) => Any };

function dmsClient(url: string): Any {
  const cred = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
  return new ClientBuilder((c: unknown) => c).withCredential(cred).withEndpoint(url).build();
}
const dmsCall = (
  client: Any,
  method: string,
  url: string,
  pathParams = {},
  data?: unknown,
  queryParams = {},
) =>
  client.sendRequest({
    method,
    url,
    pathParams,
    queryParams,
    headers: {},
    ...(data === undefined ? {} : { contentType: 'application/json', data }),
  });

describe('sluice serve on a durable data dir, with an access key and a DMS token', () => {
  let s: Serving;
  beforeAll(async () => {
    s = await serve(
      [
        ...[
          '--port',
          '0',
          '--data-dir',
          join(tempDir(), 'data'),
          '--access-key',
          `${AK}:${SK}`,
          '--token',
          TOKEN,
        ],
        ...['--admin-token', ADMIN],
      ],
      true,
    );
  });
  afterAll(async () => {
    if (s !== undefined) expect(await stop(s)).toBe(0);
  });

  it('prints the ready line, then one line per dialect', () => {
    const lines = s.stdout().split('\n');
    expect(lines[0]).toBe(`sluice listening on ${s.url}`);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.port).toBeGreaterThan(0);
    expect(lines[1]).toContain(`rocketmq  ${s.url}`);
    expect(lines[1]).toContain(`new MQClient('${s.url}'`);
    expect(lines[2]).toContain(`mns       ${s.url}`);
    expect(lines[3]).toContain(`dms       ${s.url}/v1.0/{project_id}/queues`);
    expect(s.stdout()).toContain('auth      MNS: signatures checked (1 access key)');
    expect(s.stdout()).toContain('auth      RocketMQ: signatures checked (1 access key)');
    expect(s.stdout()).toContain('auth      DMS: tokens + AK/SK (1 token, 1 access key)');
    expect(s.stdout()).toContain('auth      /metrics: admin token required (Authorization: Bearer)');
  });

  it('answers /healthz', async () => {
    const r = await fetch(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('round-trips through @aliyunmq/mq-http-sdk, and refuses a wrong secret', async () => {
    const client = new sdk.MQClient(s.url, AK, SK);
    const producer = client.getProducer('MQ_INST_1', 'orders');
    const consumer = client.getConsumer('MQ_INST_1', 'orders', 'GID_billing');
    const sent = await producer.publishMessage('order 7', 'paid');
    expect(sent.code).toBe(201);
    const got = await consumer.consumeMessage(16, 1);
    expect(got.body.map((m: Any) => m.MessageBody)).toEqual(['order 7']);
    expect(got.body[0].MessageId).toBe(sent.body.MessageId);
    const acked = await consumer.ackMessage([got.body[0].ReceiptHandle]);
    expect(acked.code).toBe(204);
    const wrong = new sdk.MQClient(s.url, AK, 'not-the-secret').getProducer('MQ_INST_1', 'orders');
    await expect(wrong.publishMessage('x')).rejects.toMatchObject({ Code: 'SignatureDoesNotMatch' });
  });

  it('round-trips through @alicloud/mns, and refuses a wrong secret', async () => {
    const client = aliCloudClient(s.url, SK, AK);
    expect((await client.createQueue('jobs')).code).toBe(201);
    expect((await client.sendMessage('jobs', { MessageBody: 'resize 1' })).code).toBe(201);
    const got = await client.receiveMessage('jobs', 1);
    expect(got.body.MessageBody).toBe('resize 1');
    expect((await client.deleteMessage('jobs', got.body.ReceiptHandle)).code).toBe(204);
    const wrong = aliCloudClient(s.url, 'not-the-secret', AK);
    await expect(wrong.sendMessage('jobs', { MessageBody: 'x' })).rejects.toMatchObject({
      name: 'MNSSignatureDoesNotMatchError',
    });
  });

  it('round-trips through the Huawei SDK signer, and takes the X-Auth-Token', async () => {
    const client = dmsClient(s.url);
    const queue = await dmsCall(client, 'POST', '/v1.0/{project_id}/queues', {}, { name: 'events' });
    const groups = await dmsCall(
      client,
      'POST',
      '/v1.0/{project_id}/queues/{queue_id}/groups',
      { queue_id: queue.id },
      {
        groups: [{ name: 'audit' }],
      },
    );
    const group_id = groups.groups[0].id;
    await dmsCall(
      client,
      'POST',
      '/v1.0/{project_id}/queues/{queue_id}/messages',
      { queue_id: queue.id },
      {
        messages: [{ body: { event: 'signup' } }],
      },
    );
    const got = await dmsCall(
      client,
      'GET',
      '/v1.0/{project_id}/queues/{queue_id}/groups/{group_id}/messages',
      { queue_id: queue.id, group_id },
      undefined,
      { max_msgs: 10, time_wait: 1 },
    );
    expect(got.map((m: Any) => m.message.body)).toEqual([{ event: 'signup' }]);
    // The same API with a plain token, as curl would call it.
    const acked = await fetch(`${s.url}/v1.0/${PROJECT}/queues/${queue.id}/groups/${group_id}/ack`, {
      method: 'POST',
      headers: { 'x-auth-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ message: [{ handler: got[0].handler, status: 'success' }] }),
    });
    expect(acked.status).toBe(200);
    expect(await acked.json()).toEqual({ success: 1, fail: 0 });
    const anonymous = await fetch(`${s.url}/v1.0/${PROJECT}/queues`);
    expect(anonymous.status).toBe(401);
  });

  it('reports the traffic on /metrics (Prometheus text)', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    const r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    const value = (pattern: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(pattern));
      if (line === undefined) throw new Error(`no metric line starting with ${pattern}`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect(value('sluice_messages_sent_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:orders"}')).toBe(1);
    expect(
      value(
        'sluice_messages_received_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:orders",group="GID_billing"}',
      ),
    ).toBe(1);
    expect(
      value(
        'sluice_messages_acked_total{dialect="rocketmq",topic="rocketmq:MQ_INST_1:orders",group="GID_billing"}',
      ),
    ).toBe(1);
    expect(value('sluice_messages_sent_total{dialect="mns",topic="mns:queue:jobs"}')).toBe(1);
    expect(value('sluice_messages_received_total{dialect="mns",topic="mns:queue:jobs",group=""}')).toBe(1);
    expect(value('sluice_messages_acked_total{dialect="mns",topic="mns:queue:jobs",group=""}')).toBe(1);
    expect(value('sluice_messages_active{dialect="mns",topic="mns:queue:jobs",group=""}')).toBe(0);
    expect(text).toMatch(
      /sluice_messages_received_total\{dialect="dms",topic="dms:[^"]+",group="g-[^"]+"\} 1/,
    );
    expect(value('sluice_http_requests_total{dialect="mns",status="403"}')).toBe(1);
    expect(value('sluice_storage_bytes')).toBeGreaterThan(0);
    expect(value('sluice_storage_files')).toBeGreaterThan(0);
    expect(value('sluice_storage_flush_seconds_count')).toBeGreaterThan(0);
    expect(value('sluice_long_polls_parked')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('shutdown and restart', () => {
  it('exits 0 on SIGTERM, answering a parked long poll, and a restart on the same data dir keeps the unacked messages', async () => {
    const data = join(tempDir(), 'data');
    const first = await serve(['--port', '0', '--data-dir', data]);
    const client = aliCloudClient(first.url);
    await client.createQueue('keep');
    for (const body of ['a', 'b', 'c']) await client.sendMessage('keep', { MessageBody: body });
    const got = await client.receiveMessage('keep');
    expect(got.body.MessageBody).toBe('a');
    await client.deleteMessage('keep', got.body.ReceiptHandle);
    await client.createQueue('idle');
    const parked = client.receiveMessage('idle', 30).then(
      () => 'message',
      (e: Any) => e.name,
    );
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    expect(await stop(first)).toBe(0);
    expect(await parked).toBe('MNSMessageNotExistError');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(first.stdout()).toContain('sluice: stopped');

    const second = await serve(['--port', '0', '--data-dir', data]);
    const again = aliCloudClient(second.url);
    const rest = await again.batchReceiveMessage('keep', 16, 1);
    expect(rest.body.map((m: Any) => m.MessageBody).sort()).toEqual(['b', 'c']);
    expect(await stop(second)).toBe(0);
  });

  it('exits at once on a second signal', async () => {
    const s = await serve(['--port', '0', '--memory']);
    // A connection kept open mid-request keeps the first shutdown waiting on it.
    const socket = (await import('node:net')).connect(s.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /v1.0/p/queues HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 100));
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
    expect(s.stderr()).toContain('again, exiting now');
    socket.destroy();
  });
});

describe('refusals and errors', () => {
  it('refuses a non-loopback host without access keys (exit 2), allows it with --insecure or a key', async () => {
    const refused = run(['serve', '--host', '0.0.0.0', '--port', '0', '--memory']);
    expect(await refused.exit).toBe(2);
    expect(refused.stderr()).toMatch(
      /^sluice: refusing to listen on non-loopback host 0\.0\.0\.0 without access keys/,
    );
    const insecure = await serve(['--host', '0.0.0.0', '--port', '0', '--memory', '--insecure']);
    expect(insecure.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(await stop(insecure)).toBe(0);
    const keyed = await serve(['--host', '0.0.0.0', '--port', '0', '--memory', '--access-key', 'a:b']);
    expect(await stop(keyed)).toBe(0);
  });

  it.each([
    [['serve', '--port', 'abc'], /--port must be an integer from 0 to 65535, got "abc"/],
    [['serve', '--port', '70000'], /--port must be an integer/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['serve', '--fsync', 'sometimes'], /--fsync must be always, interval or never/],
    [['serve', '--memory', '--data-dir', 'x'], /--memory and --data-dir cannot be used together/],
    [['serve', '--access-key', 'nocolon'], /--access-key: access key must look like ID:SECRET/],
    [['serve', 'extra'], /unexpected argument "extra"/],
    [['launch'], /unknown command "launch"/],
    [[], /missing command/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const c = run(args);
    expect(await c.exit).toBe(2);
    const [first] = c.stderr().split('\n');
    expect(first).toMatch(/^sluice: /);
    expect(first).toMatch(message);
  });

  it('prints help and the version (exit 0)', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toContain('Usage: sluice serve [options]');
    const version = run(['--version']);
    expect(await version.exit).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 1 when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const c = run(['serve', '--port', String(port), '--memory']);
      expect(await c.exit).toBe(1);
      expect(c.stderr()).toBe(
        `sluice: port ${port} on 127.0.0.1 is already in use (choose another with --port, or --port 0 for a free one)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('exits 1 when the data dir is unusable or locked by another server', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'not a directory');
    const c = run(['serve', '--port', '0', '--data-dir', join(dir, 'file', 'data')]);
    expect(await c.exit).toBe(1);
    expect(c.stderr()).toMatch(/^sluice: cannot use data directory .*file\/data: ENOTDIR\n$/);

    const data = join(dir, 'data');
    const owner = await serve(['--port', '0', '--data-dir', data]);
    const second = run(['serve', '--port', '0', '--data-dir', data]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(/is locked by another broker \(pid \d+\)/);
    expect(await stop(owner)).toBe(0);
  });
});

describe('--config', () => {
  it('creates the declared queues, topics and groups, and flags override the file', async () => {
    const dir = tempDir();
    const config = join(dir, 'sluice.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 1,
        dataDir: 'data',
        fsync: 'interval',
        accessKeys: [`${AK}:${SK}`],
        mns: {
          queues: [{ name: 'inbox', attributes: { VisibilityTimeout: 60 } }],
          topics: [{ name: 'news', subscriptions: [{ name: 'to-inbox', queue: 'inbox' }] }],
        },
        rocketmq: { topics: [{ name: 'orders', instance: 'MQ_INST_1', consumers: ['GID_a'] }] },
        dms: { queues: [{ project: PROJECT, name: 'events', groups: ['g1'] }] },
      }),
    );
    const start = () => serve(['--config', config, '--port', '0']);
    const s = await start();
    expect(s.stdout()).toContain(`storage   ${join(dir, 'data')} (fsync interval)`);
    expect(s.stdout()).toContain('created   mns queue inbox');
    expect(s.stdout()).toContain('created   mns topic news (to-inbox -> inbox)');
    expect(s.stdout()).toContain('created   rocketmq topic orders (instance MQ_INST_1), consumers GID_a');
    const dmsLine = /created {3}dms queue events \(project \w+\): id (\S+), groups g1=(g-\S+)/.exec(
      s.stdout(),
    );
    expect(dmsLine).not.toBeNull();

    const mns = aliCloudClient(s.url, SK, AK);
    const attrs = await mns.getQueueAttributes('inbox');
    expect(attrs.body.VisibilityTimeout).toBe('60');
    await mns.publishMessage('news', { MessageBody: 'hello' });
    const pushed = await mns.receiveMessage('inbox', 1);
    expect(pushed.body.MessageBody).toContain('hello');
    const list = await dmsCall(dmsClient(s.url), 'GET', '/v1.0/{project_id}/queues/{queue_id}/groups', {
      queue_id: dmsLine![1],
    });
    expect(list.groups.map((g: Any) => g.id)).toEqual([dmsLine![2]]);
    expect(await stop(s)).toBe(0);

    // Same config again, same data: nothing is duplicated, the DMS ids are the same.
    const again = await start();
    expect(again.stdout()).toContain(
      `dms queue events (project ${PROJECT}): id ${dmsLine![1]}, groups g1=${dmsLine![2]}`,
    );
    expect(await stop(again)).toBe(0);
  });

  it('exits 2 for a config file with an unknown setting or bad JSON', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ prot: 1 }));
    const typo = run(['serve', '--config', join(dir, 'typo.json')]);
    expect(await typo.exit).toBe(2);
    expect(typo.stderr()).toContain('typo.json: unknown setting "prot"');
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    const bad = run(['serve', '--config', join(dir, 'bad.json')]);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/bad\.json is not valid JSON/);
  });

  it('exits 1 when a declaration is refused by its dialect', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ memory: true, mns: { queues: [{ name: 'bad_name' }] } }),
    );
    const c = run(['serve', '--config', join(dir, 'c.json'), '--port', '0']);
    expect(await c.exit).toBe(1);
    expect(c.stderr()).toMatch(/^sluice: mns queue "bad_name": InvalidQueueName/);
  });
});
