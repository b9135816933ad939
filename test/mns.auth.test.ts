/** @module mns.auth.test — MNS signatures: the SDKs' real signatures, every auth error code, wrong secrets. */

import { createHmac } from 'node:crypto';
import { splitTarget } from '@sluice/http';
import { stringToSign } from '@sluice/mns';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  AliMns,
  aliCloudClient,
  aliMnsAccount,
  localize,
} from './helpers/mns-clients.js';
import { errorCodeOf, mnsFetch } from './helpers/mns-raw.js';
import { type MnsServer, startMns } from './helpers/mns-server.js';

let srv: MnsServer | undefined;
afterEach(async () => {
  await srv?.stop();
  srv = undefined;
});

async function code(res: Response): Promise<[number, string | undefined]> {
  return [res.status, errorCodeOf(await res.text())];
}

describe('signature', () => {
  it('matches the SDK test vector', () => {
    const { path, query } = splitTarget('/');
    const text = stringToSign(
      {
        method: 'PUT',
        target: '/',
        path,
        query,
        headers: {
          'content-md5': '574683b3684e3cff610afa155cc2506d',
          'content-type': 'text/xml',
          'x-mns-version': '2015-06-06',
        },
        body: new Uint8Array(),
      },
      'Tue, 11 Apr 2017 10:09:19 GMT',
      '/',
    );
    expect(createHmac('sha1', 'ACCESS_KEY_SECRET').update(text).digest('base64')).toBe(
      'A9zehggaYHHujmuRMxGIDrhWwx8=',
    );
  });

  it('both SDKs are accepted with the right secret and refused with a wrong one (403 SignatureDoesNotMatch)', async () => {
    srv = await startMns();
    const good = aliCloudClient(srv.url);
    expect((await good.createQueue('q')).code).toBe(201);
    await good.sendMessage('q', { MessageBody: 'x' });
    const bad = aliCloudClient(srv.url, 'wrong-secret');
    await expect(bad.getQueueAttributes('q')).rejects.toThrow(
      expect.objectContaining({ name: 'MNSSignatureDoesNotMatchError' }),
    );
    await expect(bad.sendMessage('q', { MessageBody: 'y' })).rejects.toThrow(
      expect.objectContaining({ name: 'MNSSignatureDoesNotMatchError' }),
    );
    const unknownKey = aliCloudClient(srv.url, ACCESS_KEY_SECRET, 'who');
    await expect(unknownKey.listQueue()).rejects.toThrow(
      expect.objectContaining({ name: 'MNSInvalidAccessKeyIdError' }),
    );

    const goodMq = localize(new AliMns.MQ('q', aliMnsAccount(), 'hangzhou'), srv.url);
    expect((await goodMq.recvP(1)).Message.MessageBody).toBeDefined();
    const badMq = localize(new AliMns.MQ('q', aliMnsAccount('nope'), 'hangzhou'), srv.url);
    await expect(badMq.sendP('y')).rejects.toMatchObject({ Error: { Code: 'SignatureDoesNotMatch' } });
    // Nothing was sent by the refused requests.
    expect(srv.broker.queue('mns:queue:q').stats()).toMatchObject({ active: 0, inflight: 1 });
  });

  it('every header problem has its own code', async () => {
    srv = await startMns();
    const u = srv.url;
    expect(await code(await mnsFetch(u, '/queues', { secret: false }))).toEqual([
      400,
      'MissingAuthorizationHeader',
    ]);
    expect(
      await code(await mnsFetch(u, '/queues', { secret: false, headers: { authorization: 'Basic abc' } })),
    ).toEqual([400, 'InvalidAuthorizationHeader']);
    expect(
      await code(await mnsFetch(u, '/queues', { secret: false, headers: { authorization: 'MNS nocolon' } })),
    ).toEqual([400, 'InvalidAuthorizationHeader']);
    // fetch always sends no Date of its own; an empty x-mns-date-less request has none.
    const noDate = await fetch(`${u}/queues`, {
      headers: { 'x-mns-version': '2015-06-06', authorization: `MNS ${ACCESS_KEY_ID}:abc` },
    });
    expect(await code(noDate)).toEqual([400, 'MissingDateHeader']);
    expect(await code(await mnsFetch(u, '/queues', { headers: { date: 'yesterday' } }))).toEqual([
      400,
      'InvalidDateHeader',
    ]);
    const old = new Date(Date.now() - 16 * 60_000).toUTCString();
    expect(await code(await mnsFetch(u, '/queues', { headers: { date: old } }))).toEqual([
      408,
      'TimeExpired',
    ]);
    const fine = new Date(Date.now() - 14 * 60_000).toUTCString();
    expect((await mnsFetch(u, '/queues', { headers: { date: fine } })).status).toBe(200);
    expect(await code(await mnsFetch(u, '/queues', { signResource: '/queues?x=1' }))).toEqual([
      403,
      'SignatureDoesNotMatch',
    ]);
  });

  it('x-mns-date stands in for a missing Date', async () => {
    srv = await startMns();
    const date = new Date().toUTCString();
    const text = `GET\n\n\n${date}\nx-mns-date:${date}\nx-mns-version:2015-06-06\n/queues`;
    const signature = createHmac('sha1', ACCESS_KEY_SECRET).update(text).digest('base64');
    const res = await fetch(`${srv.url}/queues`, {
      headers: {
        'x-mns-version': '2015-06-06',
        'x-mns-date': date,
        authorization: `MNS ${ACCESS_KEY_ID}:${signature}`,
      },
    });
    expect(res.status).toBe(200);
  });

  it('Content-MD5 is checked in both forms: base64(md5) and base64(hex(md5))', async () => {
    srv = await startMns();
    const body = '<Queue/>';
    const { createHash } = await import('node:crypto');
    const raw = createHash('md5').update(body).digest('base64');
    const hex = Buffer.from(createHash('md5').update(body).digest('hex')).toString('base64');
    expect(
      (await mnsFetch(srv.url, '/queues/a', { method: 'PUT', body, headers: { 'content-md5': raw } })).status,
    ).toBe(201);
    expect(
      (await mnsFetch(srv.url, '/queues/b', { method: 'PUT', body, headers: { 'content-md5': hex } })).status,
    ).toBe(201);
    const wrong = await mnsFetch(srv.url, '/queues/c', {
      method: 'PUT',
      body,
      headers: { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' },
    });
    expect(await code(wrong)).toEqual([400, 'InvalidDegist']);
  });

  it('authorize() can deny a key (403 AccessDenied); an async credential lookup works', async () => {
    srv = await startMns({
      credentials: async (id) => (id === ACCESS_KEY_ID ? ACCESS_KEY_SECRET : undefined),
      authorize: (_id, request) => request.method === 'GET',
    });
    expect((await mnsFetch(srv.url, '/queues')).status).toBe(200);
    expect(await code(await mnsFetch(srv.url, '/queues/q', { method: 'PUT', body: '<Queue/>' }))).toEqual([
      403,
      'AccessDenied',
    ]);
    expect(await code(await mnsFetch(srv.url, '/queues', { secret: 'bad' }))).toEqual([
      403,
      'SignatureDoesNotMatch',
    ]);
  });

  it('an empty credential list refuses everyone; no credentials at all checks only the version', async () => {
    srv = await startMns({ credentials: [] });
    expect(await code(await mnsFetch(srv.url, '/queues', { secret: false }))).toEqual([
      400,
      'MissingAuthorizationHeader',
    ]);
    expect(await code(await mnsFetch(srv.url, '/queues'))).toEqual([403, 'InvalidAccessKeyId']);
    await srv.stop();
    srv = await startMns({ open: true });
    expect((await fetch(`${srv.url}/queues`, { headers: { 'x-mns-version': '2015-06-06' } })).status).toBe(
      200,
    );
    expect(await code(await fetch(`${srv.url}/queues`))).toEqual([400, 'MissingVersionHeader']);
  });
});
