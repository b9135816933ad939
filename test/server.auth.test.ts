/**
 * @module server.auth.test — authentication where the server listens off loopback: bound to a non-loopback address
 * of this machine (eth0's, or a dummy interface this test creates as root; skipped, saying why, when neither
 * exists; no outside host is ever contacted). Start-up is refused while a served dialect would authenticate nothing;
 * `--dialects dms --token T` starts; with keys, unsigned and wrongly signed requests get each dialect's own auth
 * error and the official SDKs' signed ones succeed; `/metrics` takes only the right bearer admin token; `--insecure`
 * starts and warns.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import MQ from '@aliyunmq/mq-http-sdk';
import { startServer } from '@sluice/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Serving, serve, stop } from './helpers/cli.js';
import { aliCloudClient } from './helpers/mns-clients.js';

const require = createRequire(import.meta.url);
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');

// biome-ignore lint/suspicious/noExplicitAny: the SDKs ship no types
type Any = any;
const sdk = MQ as unknown as { MQClient: new (endpoint: string, ak: string, sk: string) => Any };

const AK = 'test-key';
const SK = 'test-secret';
const TOKEN = 'dms-token-1';
const ADMIN = 'admin-token-1';
const PROJECT = '0123456789abcdef0123456789abcdef';
const DUMMY = { name: 'sluicetest0', address: '10.254.0.1' };

/** A non-loopback IPv4 address of this machine, creating a dummy interface as root when there is none. */
function findAddress(): { address?: string; created?: boolean; reason?: string } {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return { address: a.address };
  }
  if (process.getuid?.() !== 0) return { reason: 'no non-loopback address, and not root to create one' };
  try {
    execFileSync('ip', ['link', 'add', DUMMY.name, 'type', 'dummy'], { stdio: 'ignore' });
    execFileSync('ip', ['addr', 'add', `${DUMMY.address}/32`, 'dev', DUMMY.name], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'set', DUMMY.name, 'up'], { stdio: 'ignore' });
    return { address: DUMMY.address, created: true };
  } catch (error) {
    try {
      execFileSync('ip', ['link', 'del', DUMMY.name], { stdio: 'ignore' });
    } catch {
      // Never created.
    }
    return { reason: `no non-loopback address, and a dummy interface failed: ${(error as Error).message}` };
  }
}

const found = findAddress();
const HOST = found.address ?? '';
if (found.reason !== undefined) console.warn(`server.auth.test skipped: ${found.reason}`);
afterAll(() => {
  if (found.created === true) execFileSync('ip', ['link', 'del', DUMMY.name], { stdio: 'ignore' });
});

const mnsHeaders = { 'x-mns-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const mqHeaders = { 'x-mq-version': '2015-06-06', 'content-type': 'text/xml;charset=utf-8' };
const mqMessage =
  '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody>x</MessageBody></Message>';
const codeOf = (text: string) => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

async function answer(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

function dmsClient(url: string): Any {
  const cred = new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
  return new ClientBuilder((c: unknown) => c).withCredential(cred).withEndpoint(url).build();
}

describe.skipIf(HOST === '')('off loopback', () => {
  describe('start-up', () => {
    it('is refused without any credential, naming every dialect', async () => {
      const c = run(['serve', '--host', HOST, '--port', '0', '--memory']);
      expect(await c.exit).toBe(2);
      expect(c.stderr()).toMatch(
        new RegExp(
          `^sluice: refusing to listen on non-loopback host ${HOST.replaceAll('.', '\\.')} without access keys: MNS, RocketMQ and DMS would accept unauthenticated requests`,
        ),
      );
    });

    it('is refused with only a DMS token while MNS and RocketMQ are served, naming them', async () => {
      const c = run(['serve', '--host', HOST, '--port', '0', '--memory', '--token', TOKEN]);
      expect(await c.exit).toBe(2);
      expect(c.stderr()).toContain(': MNS and RocketMQ would accept unauthenticated requests');
      expect(c.stderr()).toContain('--token covers DMS only');
      expect(c.stderr()).toContain('--dialects dms');
      await expect(startServer({ host: HOST, port: 0, memory: true, tokens: [TOKEN] })).rejects.toThrow(
        /MNS and RocketMQ would accept/,
      );
    });

    it('--insecure starts anyway, and the banner warns', async () => {
      const s = await serve(['--host', HOST, '--port', '0', '--memory', '--insecure']);
      expect(s.stdout()).toContain('auth      MNS: NOT authenticated (--insecure)');
      expect(s.stdout()).toContain('auth      /metrics: open (--insecure)');
      expect(s.stdout()).toContain(
        `WARNING   --insecure: MNS, RocketMQ, DMS, /metrics open to anyone who can reach ${HOST}`,
      );
      const open = await answer(`${s.url}/queues/open`, { method: 'PUT', headers: mnsHeaders });
      expect(open.status).toBe(201);
      expect(await stop(s)).toBe(0);
    });
  });

  describe('--dialects dms --token T', () => {
    let s: Serving;
    beforeAll(async () => {
      s = await serve(
        ['--host', HOST, '--port', '0', '--memory', '--dialects', 'dms', '--token', TOKEN],
        true,
      );
    });
    afterAll(async () => {
      if (s !== undefined) expect(await stop(s)).toBe(0);
    });

    it('starts, and the banner says what is served and how', () => {
      expect(s.url).toBe(`http://${HOST}:${s.port}`);
      expect(s.stdout()).toContain('auth      MNS: not served');
      expect(s.stdout()).toContain('auth      RocketMQ: not served');
      expect(s.stdout()).toContain('auth      DMS: tokens (1 token), no AK/SK');
      expect(s.stdout()).toContain('auth      /metrics: refused: no --admin-token');
    });

    it('serves DMS only with the token; MNS and RocketMQ requests get no answer of theirs', async () => {
      const anonymous = await answer(`${s.url}/v1.0/${PROJECT}/queues`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.text).toContain('10240103');
      const wrong = await answer(`${s.url}/v1.0/${PROJECT}/queues`, { headers: { 'x-auth-token': 'nope' } });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('10240101');
      const created = await answer(`${s.url}/v1.0/${PROJECT}/queues`, {
        method: 'POST',
        headers: { 'x-auth-token': TOKEN, 'content-type': 'application/json' },
        body: '{"name":"events"}',
      });
      expect(created.status).toBe(201);
      // The two requests: neither dialect is there to accept them.
      const mns = await answer(`${s.url}/queues/open`, { method: 'PUT', headers: mnsHeaders });
      expect(mns.status).toBe(404);
      expect(codeOf(mns.text)).toBeUndefined();
      const mq = await answer(`${s.url}/topics/t/messages?ns=MQ_INST_1`, {
        method: 'POST',
        headers: { ...mqHeaders, authorization: 'MQ anyone:anything', date: new Date().toUTCString() },
        body: mqMessage,
      });
      expect(mq.status).toBe(404);
      expect(codeOf(mq.text)).toBeUndefined();
    });

    it('refuses /metrics (no admin token), and /healthz names no object', async () => {
      const metrics = await answer(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(metrics.status).toBe(403);
      expect(metrics.text).not.toContain('sluice_');
      const health = await answer(`${s.url}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    });
  });

  describe('with an access key, a DMS token and an admin token', () => {
    let url: string;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const server = await startServer({
        host: HOST,
        port: 0,
        memory: true,
        accessKeys: [{ accessKeyId: AK, accessKeySecret: SK }],
        tokens: [TOKEN],
        adminToken: ADMIN,
      });
      url = server.url;
      close = () => server.close();
    });
    afterAll(async () => {
      await close?.();
    });

    it('MNS: refuses unsigned and wrongly signed requests with its own errors; @alicloud/mns succeeds', async () => {
      const date = new Date().toUTCString();
      const unsigned = await answer(`${url}/queues/open`, { method: 'PUT', headers: mnsHeaders });
      expect(unsigned.status).toBe(400);
      expect(codeOf(unsigned.text)).toBe('MissingAuthorizationHeader');
      const anyone = await answer(`${url}/queues/open`, {
        method: 'PUT',
        headers: { ...mnsHeaders, date, authorization: 'MNS anyone:anything' },
      });
      expect(anyone.status).toBe(403);
      expect(codeOf(anyone.text)).toBe('InvalidAccessKeyId');
      const forged = await answer(`${url}/queues/open`, {
        method: 'PUT',
        headers: { ...mnsHeaders, date, authorization: `MNS ${AK}:bm90IGEgc2lnbmF0dXJl` },
      });
      expect(forged.status).toBe(403);
      expect(codeOf(forged.text)).toBe('SignatureDoesNotMatch');
      const client = aliCloudClient(url, SK, AK);
      expect((await client.createQueue('signed')).code).toBe(201);
      expect((await client.sendMessage('signed', { MessageBody: 'hi' })).code).toBe(201);
      await expect(
        aliCloudClient(url, 'wrong', AK).sendMessage('signed', { MessageBody: 'x' }),
      ).rejects.toMatchObject({
        name: 'MNSSignatureDoesNotMatchError',
      });
    });

    it('RocketMQ: refuses the issue\'s "MQ anyone:anything" and unsigned publishes; @aliyunmq/mq-http-sdk succeeds', async () => {
      const target = `${url}/topics/orders/messages?ns=MQ_INST_1`;
      const date = new Date().toUTCString();
      const unsigned = await answer(target, {
        method: 'POST',
        headers: { ...mqHeaders, date },
        body: mqMessage,
      });
      expect(unsigned.status).toBe(400);
      expect(codeOf(unsigned.text)).toBe('MissingAuthorizationHeader');
      const anyone = await answer(target, {
        method: 'POST',
        headers: { ...mqHeaders, date, authorization: 'MQ anyone:anything' },
        body: mqMessage,
      });
      expect(anyone.status).toBe(403);
      expect(codeOf(anyone.text)).toBe('InvalidAccessKeyId');
      const forged = await answer(target, {
        method: 'POST',
        headers: { ...mqHeaders, date, authorization: `MQ ${AK}:anything` },
        body: mqMessage,
      });
      expect(forged.status).toBe(403);
      expect(codeOf(forged.text)).toBe('SignatureDoesNotMatch');
      const producer = new sdk.MQClient(url, AK, SK).getProducer('MQ_INST_1', 'orders');
      expect((await producer.publishMessage('signed')).code).toBe(201);
      await expect(
        new sdk.MQClient(url, AK, 'wrong').getProducer('MQ_INST_1', 'orders').publishMessage('x'),
      ).rejects.toMatchObject({
        Code: 'SignatureDoesNotMatch',
      });
    });

    it('DMS: refuses unauthenticated and wrong credentials; the Huawei SDK signer and the token succeed', async () => {
      const list = `${url}/v1.0/${PROJECT}/queues`;
      expect((await answer(list)).status).toBe(401);
      expect((await answer(list, { headers: { 'x-auth-token': 'nope' } })).status).toBe(401);
      const badSignature = await answer(list, {
        headers: {
          authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=host;x-sdk-date, Signature=${'0'.repeat(64)}`,
          'x-sdk-date': new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''),
        },
      });
      expect(badSignature.status).toBe(401);
      const queue = await dmsClient(url).sendRequest({
        method: 'POST',
        url: '/v1.0/{project_id}/queues',
        pathParams: {},
        queryParams: {},
        headers: {},
        contentType: 'application/json',
        data: { name: 'signed' },
      });
      expect(queue.id).toBeTypeOf('string');
      expect((await answer(list, { headers: { 'x-auth-token': TOKEN } })).status).toBe(200);
    });

    it('/metrics: refused without or with a wrong bearer token, served with the admin token', async () => {
      const none = await answer(`${url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.text).not.toContain('sluice_');
      for (const authorization of [`Bearer ${TOKEN}`, `Bearer ${ADMIN}x`, `Basic ${ADMIN}`, `MQ ${AK}:x`]) {
        const refused = await answer(`${url}/metrics`, { headers: { authorization } });
        expect(refused.status, authorization).toBe(401);
        expect(refused.text).not.toContain('sluice_');
      }
      const ok = await answer(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('sluice_http_requests_total{dialect="mns",status="403"}');
      const health = await answer(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(health.text).not.toMatch(/orders|signed/);
    });
  });

  it('with an access key and no admin token: starts, and /metrics is refused (the banner says so)', async () => {
    const s = await serve(['--host', HOST, '--port', '0', '--memory', '--access-key', `${AK}:${SK}`]);
    expect(s.stdout()).toContain('auth      /metrics: refused: no --admin-token');
    expect((await answer(`${s.url}/metrics`)).status).toBe(403);
    expect(await stop(s)).toBe(0);
  });
});

describe('on loopback with a DMS token only (the case the issue met: no access keys)', () => {
  it('MNS and RocketMQ check no signature (local development), and the banner says so', async () => {
    const s = await serve(['--port', '0', '--memory', '--token', TOKEN]);
    expect(s.stdout()).toContain('auth      MNS: NOT authenticated (loopback only)');
    expect(s.stdout()).toContain('auth      RocketMQ: NOT authenticated (loopback only)');
    expect(s.stdout()).toContain('auth      /metrics: refused: no --admin-token');
    const published = await answer(`${s.url}/topics/t/messages?ns=MQ_INST_1`, {
      method: 'POST',
      headers: { ...mqHeaders, authorization: 'MQ anyone:anything', date: new Date().toUTCString() },
      body: mqMessage,
    });
    expect(published.status).toBe(201);
    expect(await stop(s)).toBe(0);
  });
});
