/** @module signature.test — the spec's test vectors and every authentication error of `verifySignature`. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RocketMqError } from '../src/errors.js';
import { sign, stringToSign, verifyContentMd5, verifySignature } from '../src/signature.js';

const DATE = 'Tue, 11 Apr 2017 10:09:19 GMT';
const NOW = Date.parse(DATE);
const base = { date: DATE, 'content-type': 'text/xml;charset=utf-8', 'x-mq-version': '2015-06-06' };
const consumeTarget = '/topics/T1/messages?consumer=GID_1&ns=MQ_INST_1&numOfMessages=3&waitseconds=5';
const publishBody =
  '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mq.aliyuncs.com/doc/v1/"><MessageBody><![CDATA[hello]]></MessageBody></Message>';
const publishMd5 = 'MmExNGI0NTZkYTg4ZmFkOGNhNWM5YzEyMWFmZGUyYTQ=';

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(RocketMqError);
    return `${(error as RocketMqError).wire.status} ${(error as RocketMqError).wire.code}`;
  }
}

describe('signature test vectors (checked against MQClient.sign)', () => {
  it('signs a consume request', () => {
    expect(sign('SECRET', 'GET', base, consumeTarget)).toBe('qotZDNxN+UoOJvY8H67UjkL6GcE=');
  });

  it('signs a publish request with its Content-MD5', () => {
    const md5 = Buffer.from(createHash('md5').update(publishBody).digest('hex')).toString('base64');
    expect(md5).toBe(publishMd5);
    expect(sign('SECRET', 'POST', { ...base, 'content-md5': md5 }, '/topics/T1/messages?ns=MQ_INST_1')).toBe(
      'gTp7iM+aoB8uHqQQa9dR9g8GniA=',
    );
  });

  it('puts the x-mq-* headers sorted and lower-case before the resource', () => {
    const text = stringToSign('GET', { ...base, 'x-mq-b': '2', 'x-mq-a': '1', 'x-other': 'no' }, '/r');
    expect(text).toBe(
      `GET\n\ntext/xml;charset=utf-8\n${DATE}\nx-mq-a:1\nx-mq-b:2\nx-mq-version:2015-06-06\n/r`,
    );
  });
});

describe('verifySignature', () => {
  const lookup = (id: string) => (id === 'ak' ? 'SECRET' : undefined);
  const request = (headers: Record<string, string>) => ({ method: 'GET', target: consumeTarget, headers });
  const good = { ...base, authorization: 'MQ ak:qotZDNxN+UoOJvY8H67UjkL6GcE=' };
  const verify = (headers: Record<string, string>, now = NOW) =>
    code(verifySignature(request(headers), lookup, now, 15 * 60_000));

  it('accepts a genuine request', async () => {
    expect(await verify(good)).toBe('ok');
  });

  it('accepts an async lookup', async () => {
    expect(await code(verifySignature(request(good), async () => 'SECRET', NOW, 900_000))).toBe('ok');
  });

  it('answers every authentication error with its code and status', async () => {
    const { authorization: _, ...noAuth } = good;
    expect(await verify(noAuth)).toBe('400 MissingAuthorizationHeader');
    expect(await verify({ ...good, authorization: 'MNS ak:sig' })).toBe('400 InvalidAuthorizationHeader');
    expect(await verify({ ...good, authorization: 'MQ aksig' })).toBe('400 InvalidAuthorizationHeader');
    const { date: __, ...noDate } = good;
    expect(await verify(noDate)).toBe('400 MissingDateHeader');
    expect(await verify({ ...good, date: 'yesterday' })).toBe('400 InvalidDateHeader');
    expect(await verify(good, NOW + 16 * 60_000)).toBe('408 TimeExpired');
    expect(await verify(good, NOW - 16 * 60_000)).toBe('408 TimeExpired');
    expect(await verify({ ...good, authorization: 'MQ other:qotZDNxN+UoOJvY8H67UjkL6GcE=' })).toBe(
      '403 InvalidAccessKeyId',
    );
    expect(await verify({ ...good, authorization: 'MQ ak:qotZDNxN+UoOJvY8H67UjkL6GcF=' })).toBe(
      '403 SignatureDoesNotMatch',
    );
  });

  it('covers the raw target: a re-encoded query does not verify', async () => {
    const headers = {
      ...base,
      authorization: `MQ ak:${sign('SECRET', 'GET', base, '/topics/T1/messages?tag=A%7C%7CB')}`,
    };
    const ok = { method: 'GET', target: '/topics/T1/messages?tag=A%7C%7CB', headers };
    const reencoded = { ...ok, target: '/topics/T1/messages?tag=A||B' };
    expect(await code(verifySignature(ok, lookup, NOW, 900_000))).toBe('ok');
    expect(await code(verifySignature(reencoded, lookup, NOW, 900_000))).toBe('403 SignatureDoesNotMatch');
  });
});

describe('verifyContentMd5', () => {
  const body = Buffer.from(publishBody);
  const check = (md5: string | undefined) => {
    try {
      verifyContentMd5(md5 === undefined ? {} : { 'content-md5': md5 }, body);
      return 'ok';
    } catch (error) {
      return (error as RocketMqError).wire.code;
    }
  };

  it("accepts the SDKs' base64(hex(md5)), the RFC base64(md5), and no header", () => {
    expect(check(publishMd5)).toBe('ok');
    expect(check(createHash('md5').update(body).digest('base64'))).toBe('ok');
    expect(check(undefined)).toBe('ok');
  });

  it('refuses a wrong digest with InvalidDigest', () => {
    expect(check(Buffer.from('0'.repeat(32)).toString('base64'))).toBe('InvalidDigest');
    expect(check('nonsense')).toBe('InvalidDigest');
  });
});
