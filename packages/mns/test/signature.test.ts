/** @module signature.test — canonicalization and the order of authentication checks. */

import { createHmac } from 'node:crypto';
import { splitTarget, type WireRequest } from '@sluice/http';
import { describe, expect, it } from 'vitest';
import { MnsFault } from '../src/fault.js';
import { resolveMnsOptions } from '../src/options.js';
import { authenticate, canonicalizedMnsHeaders, checkVersion, stringToSign } from '../src/signature.js';

function request(target: string, headers: Record<string, string>, method = 'GET'): WireRequest {
  const { path, query } = splitTarget(target);
  return { method, target, path, query, headers, body: new Uint8Array() };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof MnsFault ? `${e.status} ${e.code}` : String(e);
  }
  return 'ok';
}

describe('signature', () => {
  it('canonicalizes x-mns-* headers sorted, name:value per line', () => {
    expect(
      canonicalizedMnsHeaders({
        'x-mns-version': '2015-06-06',
        host: 'h',
        'x-mns-date': 'd',
        'x-mns-a': '1',
      }),
    ).toBe('x-mns-a:1\nx-mns-date:d\nx-mns-version:2015-06-06\n');
  });

  it('signs the raw target with the headers as received', () => {
    const r = request(
      '/queues/q/messages?ReceiptHandle=A+B/C==',
      { 'x-mns-version': '2015-06-06' },
      'DELETE',
    );
    expect(stringToSign(r, 'D', r.target)).toBe(
      'DELETE\n\n\nD\nx-mns-version:2015-06-06\n/queues/q/messages?ReceiptHandle=A+B/C==',
    );
  });

  it('checks version, then authorization, date, skew, key and signature', () => {
    const now = Date.parse('Tue, 11 Apr 2017 10:09:19 GMT');
    const options = resolveMnsOptions({
      credentials: [{ accessKeyId: 'id', accessKeySecret: 's' }],
      now: () => now,
    });
    const date = 'Tue, 11 Apr 2017 10:09:19 GMT';
    const base = { 'x-mns-version': '2015-06-06', date };
    expect(codeOf(() => checkVersion(request('/', {})))).toBe('400 MissingVersionHeader');
    expect(codeOf(() => checkVersion(request('/', { 'x-mns-version': '1' })))).toBe(
      '400 InvalidVersionHeader',
    );
    expect(codeOf(() => authenticate(request('/', base), options))).toBe('400 MissingAuthorizationHeader');
    expect(codeOf(() => authenticate(request('/', { ...base, authorization: 'MNS :x' }), options))).toBe(
      '400 InvalidAuthorizationHeader',
    );
    expect(codeOf(() => authenticate(request('/', { ...base, authorization: 'MNS id:' }), options))).toBe(
      '400 InvalidAuthorizationHeader',
    );
    const sig = createHmac('sha1', 's')
      .update(`GET\n\n\n${date}\nx-mns-version:2015-06-06\n/queues`)
      .digest('base64');
    const ok = request('/queues', { ...base, authorization: `MNS id:${sig}` });
    expect(codeOf(() => authenticate(ok, options))).toBe('ok');
    expect(
      codeOf(() => authenticate(request('/queues', { ...base, authorization: `MNS other:${sig}` }), options)),
    ).toBe('403 InvalidAccessKeyId');
    expect(
      codeOf(() => authenticate(request('/queues?x', { ...base, authorization: `MNS id:${sig}` }), options)),
    ).toBe('403 SignatureDoesNotMatch');
    const late = resolveMnsOptions({
      credentials: [{ accessKeyId: 'id', accessKeySecret: 's' }],
      now: () => now + 15 * 60_000 + 1,
    });
    expect(codeOf(() => authenticate(ok, late))).toBe('408 TimeExpired');
  });

  it('accepts the mount-prefixed path too when mountPath is set', () => {
    const date = new Date().toUTCString();
    const sig = createHmac('sha1', 's')
      .update(`GET\n\n\n${date}\nx-mns-version:2015-06-06\n/mns/queues`)
      .digest('base64');
    const r = request('/queues', { 'x-mns-version': '2015-06-06', date, authorization: `MNS id:${sig}` });
    const plain = resolveMnsOptions({ credentials: [{ accessKeyId: 'id', accessKeySecret: 's' }] });
    expect(codeOf(() => authenticate(r, plain))).toBe('403 SignatureDoesNotMatch');
    const mounted = resolveMnsOptions({
      credentials: [{ accessKeyId: 'id', accessKeySecret: 's' }],
      mountPath: '/mns',
    });
    expect(codeOf(() => authenticate(r, mounted))).toBe('ok');
  });
});
