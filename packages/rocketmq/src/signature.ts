/**
 * @module signature — the `Authorization: MQ <AccessKeyId>:<Signature>` scheme of RocketMQ HTTP.
 *
 * ```
 * StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedMQHeaders CanonicalizedResource
 * Signature    = base64(HMAC-SHA1(AccessKeySecret, StringToSign))
 * ```
 * Header values are taken as received (the Node SDK sends a Content-Type even on GET, the Go SDK also a
 * Content-MD5), and the resource is the raw request-target, never decoded and re-encoded: the SDK signs the exact
 * string it appends to the endpoint, with `tag` percent-encoded.
 */
import { createHash } from 'node:crypto';
import { canonicalizedHeaders, hmacSha1Base64, timingSafeEqualString } from '@sluice/http';
import { RocketMqError, WireCode } from './errors.js';
import type { CredentialLookup } from './options.js';

/** `x-mq-*` headers, sorted by name, each as `name:value\n`. */
export function canonicalizedMqHeaders(headers: Readonly<Record<string, string>>): string {
  return canonicalizedHeaders(headers, 'x-mq-');
}

/** The text the signature is computed over. `headers` are keyed by lower-case name. */
export function stringToSign(
  method: string,
  headers: Readonly<Record<string, string>>,
  resource: string,
): string {
  return (
    `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n` +
    `${canonicalizedMqHeaders(headers)}${resource}`
  );
}

/**
 * The signature of a request, as `MQClient.sign` computes it.
 * @example
 * sign('SECRET', 'GET', { date, 'content-type': 'text/xml;charset=utf-8', 'x-mq-version': '2015-06-06' },
 *   '/topics/T1/messages?consumer=GID_1&numOfMessages=3')
 */
export function sign(
  secret: string,
  method: string,
  headers: Readonly<Record<string, string>>,
  resource: string,
): string {
  return hmacSha1Base64(secret, stringToSign(method, headers, resource));
}

const AUTHORIZATION = /^MQ ([^:\s]+):(\S+)$/;

/** The parts of a request the signature check reads. */
export interface SignedRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Checks a request's `Authorization` and `Date` against the known secrets; resolves when it is genuine and
 * rejects with the service's error otherwise (in the order: header present, well-formed, date, key, signature).
 * `now` is wall-clock ms: the skew check guards against replay, which is about real time, not the broker's clock.
 */
export async function verifySignature(
  request: SignedRequest,
  lookupSecret: CredentialLookup,
  now: number,
  maxSkew: number,
): Promise<void> {
  const authorization = request.headers['authorization'];
  if (authorization === undefined || authorization === '') {
    throw new RocketMqError(WireCode.MissingAuthorizationHeader, 'Authorization header is required.');
  }
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    throw new RocketMqError(
      WireCode.InvalidAuthorizationHeader,
      'Authorization must be "MQ AccessKeyId:Signature".',
    );
  }
  const date = request.headers['date'];
  if (date === undefined || date === '')
    throw new RocketMqError(WireCode.MissingDateHeader, 'Date header is required.');
  const time = Date.parse(date);
  if (Number.isNaN(time))
    throw new RocketMqError(WireCode.InvalidDateHeader, `Date header "${date}" is not a valid date.`);
  if (Math.abs(now - time) > maxSkew) {
    throw new RocketMqError(WireCode.TimeExpired, 'The Date header is too far from the server time.');
  }
  const accessKeyId = match[1]!;
  const secret = await lookupSecret(accessKeyId);
  if (secret === undefined)
    throw new RocketMqError(WireCode.InvalidAccessKeyId, 'The AccessKeyId is not known.');
  const expected = sign(secret, request.method, request.headers, request.target);
  if (!timingSafeEqualString(expected, match[2]!)) {
    throw new RocketMqError(
      WireCode.SignatureDoesNotMatch,
      'The request signature does not match the one computed with your AccessKeySecret.',
    );
  }
}

/**
 * Checks a `Content-MD5` header against the body, when there is one. Both SDKs send `base64(hex(md5))`
 * (44 characters); the RFC form `base64(md5)` (24 characters) is accepted too.
 */
export function verifyContentMd5(headers: Readonly<Record<string, string>>, body: Uint8Array): void {
  const claimed = headers['content-md5'];
  if (claimed === undefined) return;
  const digest = createHash('md5').update(body).digest();
  const ok =
    claimed.length === 44
      ? claimed === Buffer.from(digest.toString('hex'), 'latin1').toString('base64')
      : claimed === digest.toString('base64');
  if (!ok) throw new RocketMqError(WireCode.InvalidDigest, 'Content-MD5 does not match the body.');
}
