/** @module signature.test — SDK-HMAC-SHA256 canonical forms and the spec's test vectors. */
import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  EMPTY_BODY_SHA256,
  parseSdkAuthorization,
  parseSdkDate,
  type SignableRequest,
  SignatureFailure,
  verifySdkSignature,
} from '../src/signature.js';

const DATE = '20170411T100919Z';
const NOW = Date.UTC(2017, 3, 11, 10, 9, 19);
const baseHeaders = { 'x-sdk-date': DATE, 'x-project-id': 'proj123', host: '127.0.0.1:8080' };

function auth(signedHeaders: string, signature: string): string {
  return `SDK-HMAC-SHA256 Access=AKID, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

describe('canonical forms', () => {
  it('re-encodes path segments and appends the trailing slash', () => {
    expect(canonicalUri('/v1.0/p/queues')).toBe('/v1.0/p/queues/');
    expect(canonicalUri('/v1.0/p/queues/')).toBe('/v1.0/p/queues/');
    expect(canonicalUri('/a%20b/c*d/%7e')).toBe('/a%20b/c%2Ad/~/');
    expect(canonicalUri('/%E4%BD%A0')).toBe('/%E4%BD%A0/');
    expect(canonicalUri('/bad%zz')).toBeUndefined();
  });

  it('sorts the query by key then value, with k= for empty values', () => {
    expect(canonicalQueryString('max_msgs=10&time_wait=3&ack_wait=30')).toBe(
      'ack_wait=30&max_msgs=10&time_wait=3',
    );
    expect(canonicalQueryString('b=2&a&a=1')).toBe('a=&a=1&b=2');
    expect(canonicalQueryString('q=a%20b+c')).toBe('q=a%20b%20c');
    expect(canonicalQueryString('')).toBe('');
  });

  it('parses Authorization and X-Sdk-Date strictly', () => {
    expect(parseSdkAuthorization(auth('host;x-sdk-date', 'a'.repeat(64)))).toEqual({
      accessKeyId: 'AKID',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'a'.repeat(64),
    });
    expect(parseSdkAuthorization('SDK-HMAC-SHA256 Access=AKID')).toBeUndefined();
    expect(parseSdkAuthorization(undefined)).toBeUndefined();
    expect(parseSdkDate(DATE)).toBe(NOW);
    expect(parseSdkDate('20170230T100919Z')).toBeUndefined();
    expect(parseSdkDate('2017-04-11T10:09:19Z')).toBeUndefined();
  });
});

describe('spec test vectors', () => {
  it('signs the GET consume vector', () => {
    const request: SignableRequest = {
      method: 'GET',
      target: '/v1.0/proj123/queues/qid/groups/g-1/messages?max_msgs=10&time_wait=3&ack_wait=30',
      headers: { ...baseHeaders, 'content-type': 'application/json' },
      body: new Uint8Array(0),
    };
    const signed = ['host', 'x-project-id', 'x-sdk-date'];
    const canonical = canonicalRequest(request, signed)!;
    expect(canonical.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v1.0/proj123/queues/qid/groups/g-1/messages/',
      'ack_wait=30&max_msgs=10&time_wait=3',
    ]);
    expect(canonical.endsWith(EMPTY_BODY_SHA256)).toBe(true);
    const signature = '7b67c25ece6e83404fbadd2c5d896cff0b7a861a5f9d34be2d1cd1947d2d83fd';
    expect(computeSignature('SECRETSK', DATE, canonical)).toBe(signature);
    const parsed = parseSdkAuthorization(auth(signed.join(';'), signature))!;
    expect(verifySdkSignature(request, parsed, 'SECRETSK', NOW)).toBeUndefined();
    expect(verifySdkSignature(request, parsed, 'WRONG', NOW)).toBe(SignatureFailure.Mismatch);
    expect(verifySdkSignature(request, parsed, 'SECRETSK', NOW + 16 * 60_000)).toBe(
      SignatureFailure.ClockSkew,
    );
  });

  it('signs the POST ack vector over the raw body bytes', () => {
    const body = Buffer.from('{"message":[{"handler":"H1","status":"success"}]}');
    const request: SignableRequest = {
      method: 'POST',
      target: '/v1.0/proj123/queues/qid/groups/g-1/ack',
      headers: { ...baseHeaders, 'content-type': 'application/json' },
      body,
    };
    const signature = '671d0c0a19ba14ff0c1897e2814ab811f0a67e7f862958411fd86f18c3287e3d';
    const parsed = parseSdkAuthorization(auth('content-type;host;x-project-id;x-sdk-date', signature))!;
    expect(verifySdkSignature(request, parsed, 'SECRETSK', NOW)).toBeUndefined();
    const tampered = { ...request, body: Buffer.from('{"message":[{"handler":"H2","status":"success"}]}') };
    expect(verifySdkSignature(tampered, parsed, 'SECRETSK', NOW)).toBe(SignatureFailure.Mismatch);
    // UNSIGNED-PAYLOAD replaces the body hash only when the request says so.
    const unsigned = {
      ...tampered,
      headers: { ...tampered.headers, 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' },
    };
    expect(canonicalRequest(unsigned, ['host'])!.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('requires host and x-sdk-date among the signed headers, and every signed header present', () => {
    const request: SignableRequest = {
      method: 'GET',
      target: '/v1.0/p/queues',
      headers: baseHeaders,
      body: new Uint8Array(0),
    };
    const noHost = parseSdkAuthorization(auth('x-project-id;x-sdk-date', '0'.repeat(64)))!;
    expect(verifySdkSignature(request, noHost, 'S', NOW)).toBe(SignatureFailure.MissingSignedHeader);
    const absent = parseSdkAuthorization(auth('host;x-other;x-sdk-date', '0'.repeat(64)))!;
    expect(verifySdkSignature(request, absent, 'S', NOW)).toBe(SignatureFailure.Malformed);
    const badDate = { ...request, headers: { ...baseHeaders, 'x-sdk-date': 'yesterday' } };
    const ok = parseSdkAuthorization(auth('host;x-sdk-date', '0'.repeat(64)))!;
    expect(verifySdkSignature(badDate, ok, 'S', NOW)).toBe(SignatureFailure.BadDate);
  });
});
